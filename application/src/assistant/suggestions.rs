//! MAX's proactive suggestions: a daily workflow looks at every MAX user's bots and, when
//! something deserves attention, leaves one assistant message in the user's "Suggestions"
//! conversation (at most one a local day of the user's time zone; it does not count against any
//! quota), in the language of the
//! user's profile (`pt-BR` by default, or `en`). The rules, each over
//! the bot as stored:
//! - it tripped its circuit breaker twice or more in the last 7 days;
//! - it holds a position opened over 7 days ago that its take profit never reached;
//! - it has been running for 3 days or more with all its funds idle (nothing invested or blocked).

use std::sync::Arc;

use domain::assistant::{Conversation, ConversationRepository, Message};
use domain::bots::{Bot, BotFilter, BotRepository, BotStatus};
use domain::identity::UserRepository;
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, SubscriptionRepository};
use domain::{Clock, PageRequest};
use rust_decimal::Decimal;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::guide::{tr, Language};
use crate::subscriptions::SubscriptionService;
use crate::Unexpected;

/// The `answered_by` of a suggestion.
const ANSWERED_BY: &str = "suggestions";

/// The title of the conversation suggestions are left in (English).
pub const SUGGESTIONS_TITLE: &str = "Suggestions";

/// The title of the conversation suggestions are left in, in Portuguese.
pub const SUGGESTIONS_TITLE_PT: &str = "Sugestões";

/// What the suggestions workflow reads and writes.
#[derive(Clone)]
pub struct SuggestionPorts {
    /// Where suggestions are left.
    pub conversations: Arc<dyn ConversationRepository>,
    /// The users' bots.
    pub bots: Arc<dyn BotRepository>,
    /// Subscriptions, to find MAX users.
    pub subscriptions: Arc<dyn SubscriptionRepository>,
    /// The plan in force (a MAX subscription unpaid is FREE).
    pub access: Arc<SubscriptionService>,
    /// The users' profiles (their language).
    pub users: Arc<dyn UserRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SuggestionPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuggestionPorts").finish_non_exhaustive()
    }
}

/// The `assistant_suggestions` workflow.
pub struct Suggestions {
    ports: SuggestionPorts,
}

impl std::fmt::Debug for Suggestions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suggestions").finish_non_exhaustive()
    }
}

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SuggestionReport {
    /// MAX users looked at.
    pub users: u64,
    /// Users left a suggestion.
    pub suggested: u64,
}

/// What deserves attention in `bot` at `now`, in words of `lang`.
pub fn suggestions_for(bot: &Bot, now: OffsetDateTime, lang: Language) -> Vec<String> {
    let mut out = Vec::new();
    let name = &bot.name;
    let week = now - Duration::days(7);
    let trips = bot.history.iter().filter(|c| c.to == BotStatus::Tripped && c.at >= week).count();
    if trips >= 2 {
        out.push(match lang {
            Language::En => format!("\"{name}\" tripped its circuit breaker {trips} times in 7 days: review its stop losses, its purchase size or its breaker preset."),
            Language::Pt => format!("\"{name}\" disparou o circuit breaker {trips} vezes em 7 dias: revise os stop losses, o valor de cada compra ou o preset do circuit breaker."),
        });
    }
    let take_profit = bot.config.risk().take_profit_percent;
    let stale = bot.positions.iter().filter(|p| p.is_held() && p.opened_at <= week).map(|p| p.opened_at).min();
    if let (Some(percent), Some(opened)) = (take_profit, stale) {
        let days = (now - opened).whole_days();
        out.push(match lang {
            Language::En => format!("\"{name}\" holds a position opened {days} days ago that never reached its {percent}% take profit: consider a trailing stop or a lower target."),
            Language::Pt => format!("\"{name}\" tem uma posição aberta há {days} dias que nunca chegou ao take profit de {percent}%: considere um trailing stop ou um alvo menor."),
        });
    }
    let running_since = bot.history.last().filter(|c| c.to == BotStatus::Running).map(|c| c.at);
    let idle = bot.funds.invested == Decimal::ZERO && bot.funds.blocked == Decimal::ZERO;
    if bot.status == BotStatus::Running && idle && running_since.is_some_and(|at| at <= now - Duration::days(3)) {
        let days = running_since.map_or(0, |at| (now - at).whole_days());
        let (allocated, quote) = (bot.funds.allocated, bot.symbol.quote());
        out.push(match lang {
            Language::En => format!("\"{name}\" has been running for {days} days without investing any of its {allocated} {quote}: its entry conditions may never be met."),
            Language::Pt => format!("\"{name}\" está rodando há {days} dias sem investir nada dos seus {allocated} {quote}: as condições de entrada podem nunca ser atendidas."),
        });
    }
    out
}

impl Suggestions {
    /// Whether `conversation` already holds a suggestion left at `start` or later (its last
    /// page of messages is read: a suggestion today is among the latest).
    async fn suggested_since(
        &self,
        user: UserId,
        conversation: &Conversation,
        start: OffsetDateTime,
    ) -> Result<bool, Unexpected> {
        if conversation.updated_at < start {
            return Ok(false);
        }
        let repo = &self.ports.conversations;
        let total = repo.messages(user, conversation.id, PageRequest::new(0, 1)).await?.total;
        let last = total.saturating_sub(PageRequest::MAX_LIMIT);
        let page = repo.messages(user, conversation.id, PageRequest::new(last, PageRequest::MAX_LIMIT)).await?;
        Ok(page.items.iter().any(|m| m.answered_by.as_deref() == Some(ANSWERED_BY) && m.at >= start))
    }

    /// The workflow over `ports`.
    pub fn new(ports: SuggestionPorts) -> Self {
        Self { ports }
    }

    /// Looks at every MAX user's bots and leaves today's suggestions. A workflow: it refuses
    /// nothing, so its only failures are [`Unexpected`] (a store, a bug).
    pub async fn run(&self) -> Result<SuggestionReport, Unexpected> {
        let mut report = SuggestionReport::default();
        let mut offset = 0;
        loop {
            let page = self
                .ports
                .subscriptions
                .list(Some(Plan::Max), PageRequest::new(offset, PageRequest::MAX_LIMIT))
                .await?;
            let read = page.items.len() as u64;
            for subscription in page.items {
                if self.ports.access.access(subscription.user_id).await?.plan != Plan::Max {
                    continue;
                }
                report.users += 1;
                report.suggested += u64::from(self.suggest(subscription.user_id).await?);
            }
            offset += read;
            if read < PageRequest::MAX_LIMIT {
                return Ok(report);
            }
        }
    }

    /// Leaves `user`'s suggestion of the day, if anything deserves one; whether it did.
    async fn suggest(&self, user: UserId) -> Result<bool, Unexpected> {
        let now = domain::shared::clock::to_millis(self.ports.clock.now());
        let (lang, today) = match self.ports.users.get(user).await {
            Ok(found) => (Language::from(found.language), found.time_zone.day_of(now)),
            Err(domain::RepoError::NotFound) => return Ok(false),
            Err(err) => return Err(err.into()),
        };
        let bots =
            self.ports.bots.list(user, &BotFilter::default(), PageRequest::new(0, PageRequest::MAX_LIMIT)).await?;
        let lines: Vec<String> = bots.items.iter().flat_map(|b| suggestions_for(b, now, lang)).collect();
        if lines.is_empty() {
            return Ok(false);
        }
        let conversations = &self.ports.conversations;
        let existing = conversations.list(user, PageRequest::new(0, PageRequest::MAX_LIMIT)).await?;
        let titles = [SUGGESTIONS_TITLE, SUGGESTIONS_TITLE_PT];
        let mut conversation = match existing.items.into_iter().find(|c| titles.contains(&c.title.as_str())) {
            // One suggestion a day (the user's local day), however often the workflow runs, and
            // whether or not the user wrote in that conversation today.
            Some(c) if self.suggested_since(user, &c, today.start).await? => return Ok(false),
            Some(c) => c,
            None => {
                let title = tr(lang, SUGGESTIONS_TITLE_PT, SUGGESTIONS_TITLE);
                let c = Conversation::start(user, Some(&title), now);
                conversations.create(&c).await?;
                c
            }
        };
        let text = format!("{}\n- {}", tr(lang, "Vale uma olhada hoje:", "Worth a look today:"), lines.join("\n- "));
        let message = Message::from_assistant(&conversation, text, ANSWERED_BY, now);
        conversations.append(&message).await?;
        conversation.record_message(None, now);
        conversations.update(&conversation).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use domain::bots::{BotConfig, BotKind, Position, StatusChange};
    use domain::contexts::{ContextMode, TradingContext};
    use domain::exchange::ExchangeId;
    use domain::market::Symbol;
    use domain::shared::ids::PositionId;
    use rust_decimal_macros::dec;
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-05 12:00 UTC);

    /// A SmartBot with a 5% take profit, created 30 days ago.
    fn bot() -> Bot {
        let symbol = Symbol::parse("BTC-BRL").unwrap();
        let at = NOW - Duration::days(30);
        let context = TradingContext::new(UserId::new(), ExchangeId::MercadoBitcoin, &symbol, ContextMode::Paper, at);
        let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000",
            "risk": {"take_profit_percent": "5"}});
        Bot::new(&context, "Alpha".into(), BotConfig::parse(BotKind::Smart, &config).unwrap(), at)
    }

    fn change(bot: &mut Bot, to: BotStatus, days_ago: i64) {
        bot.history.push(StatusChange {
            from: bot.status,
            to,
            reason: "test".into(),
            at: NOW - Duration::days(days_ago),
        });
        bot.status = to;
    }

    #[test]
    fn two_trips_in_a_week_deserve_a_look_one_does_not() {
        let mut b = bot();
        change(&mut b, BotStatus::Running, 20);
        change(&mut b, BotStatus::Tripped, 9);
        change(&mut b, BotStatus::Running, 8);
        change(&mut b, BotStatus::Tripped, 2);
        assert!(suggestions_for(&b, NOW, Language::En).is_empty(), "one trip inside the week");
        change(&mut b, BotStatus::Running, 1);
        change(&mut b, BotStatus::Tripped, 0);
        let s = suggestions_for(&b, NOW, Language::En);
        assert_eq!(s.len(), 1);
        assert!(s[0].contains("tripped its circuit breaker 2 times in 7 days"), "{s:?}");
    }

    #[test]
    fn a_position_older_than_a_week_below_its_take_profit_deserves_a_look() {
        let mut b = bot();
        change(&mut b, BotStatus::Running, 20);
        let mut p = Position::new(PositionId::new(), NOW - Duration::days(6));
        p.quantity = dec!(0.001);
        p.cost = dec!(100);
        b.funds.invested = dec!(100);
        b.positions.push(p.clone());
        assert!(suggestions_for(&b, NOW, Language::En).is_empty(), "six days is not stale");
        b.positions[0].opened_at = NOW - Duration::days(8);
        let s = suggestions_for(&b, NOW, Language::En);
        assert!(s.len() == 1 && s[0].contains("opened 8 days ago that never reached its 5% take profit"), "{s:?}");
        let pt = suggestions_for(&b, NOW, Language::Pt);
        assert!(pt[0].contains("aberta há 8 dias que nunca chegou ao take profit de 5%"), "{pt:?}");
    }

    #[test]
    fn funds_idle_for_three_running_days_deserve_a_look() {
        let mut b = bot();
        change(&mut b, BotStatus::Running, 2);
        assert!(suggestions_for(&b, NOW, Language::En).is_empty(), "two days");
        b.history.last_mut().unwrap().at = NOW - Duration::days(3);
        let s = suggestions_for(&b, NOW, Language::En);
        assert!(s.len() == 1 && s[0].contains("running for 3 days without investing any of its 1000 BRL"), "{s:?}");
        b.funds.blocked = dec!(100);
        assert!(suggestions_for(&b, NOW, Language::En).is_empty(), "a resting buy is not idle");
        b.funds.blocked = Decimal::ZERO;
        change(&mut b, BotStatus::Paused, 0);
        assert!(suggestions_for(&b, NOW, Language::En).is_empty(), "a paused bot is not expected to buy");
    }
}
