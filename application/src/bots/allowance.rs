//! What an owner's plan lets each of their bots do, read once per owner: the verdicts of
//! [`Entitlements::bot_verdicts`](domain::subscriptions::Entitlements::bot_verdicts) over all
//! their bots when they have more than the plan allows, the kind and indicators alone otherwise
//! (every bot then has a place). The start and resume checks, the downgrade enforcer and the
//! engine's entry gate all ask it, so they never disagree about which bots may run.

use std::collections::HashMap;

use domain::bots::{Bot, BotFilter, BotRepository};
use domain::shared::ids::{BotId, UserId};
use domain::subscriptions::{BotRefusal, Entitlements};
use domain::{PageRequest, RepoError};

use crate::subscriptions::{Access, AccessDenied};

/// Every bot of `owner`, oldest first (page by page).
pub(crate) async fn all_bots(bots: &dyn BotRepository, owner: UserId) -> Result<Vec<Bot>, RepoError> {
    let mut all = Vec::new();
    loop {
        let page =
            bots.list(owner, &BotFilter::default(), PageRequest::new(all.len() as u64, PageRequest::MAX_LIMIT)).await?;
        let done = page.items.is_empty() || all.len() as u64 + page.items.len() as u64 >= page.total;
        all.extend(page.items);
        if done {
            return Ok(all);
        }
    }
}

/// The plan's verdicts on one owner's bots.
#[derive(Clone, Debug)]
pub(crate) struct OwnerVerdicts {
    entitlements: Entitlements,
    /// Every bot's verdict when the owner has more bots than the plan allows; empty otherwise.
    ranked: HashMap<BotId, Option<BotRefusal>>,
    /// How many bots the owner has.
    total: u64,
}

impl OwnerVerdicts {
    /// Reads what it takes: the owner's bot count, and all their bots only when over the limit.
    pub(crate) async fn load(
        bots: &dyn BotRepository,
        owner: UserId,
        entitlements: Entitlements,
    ) -> Result<Self, RepoError> {
        let total = bots.count(owner).await?;
        let ranked = match entitlements.bots.max() {
            Some(max) if total > u64::from(max) => {
                entitlements.bot_verdicts(&all_bots(bots, owner).await?).into_iter().collect()
            }
            _ => HashMap::new(),
        };
        Ok(Self { entitlements, ranked, total })
    }

    /// Why the plan refuses `bot`, if it does. A bot the ranking has not seen (created since)
    /// is judged by its kind and indicators.
    pub(crate) fn refusal(&self, bot: &Bot) -> Option<BotRefusal> {
        match self.ranked.get(&bot.id) {
            Some(verdict) => *verdict,
            None => self.entitlements.bot_refusal(bot, 0),
        }
    }

    /// The refusal as a plan limit naming the plan that lifts it.
    pub(crate) fn require(&self, access: &Access, bot: &Bot) -> Result<(), AccessDenied> {
        let others = self.total.saturating_sub(1);
        match self.refusal(bot) {
            None => Ok(()),
            Some(BotRefusal::Kind(kind)) => access.require_bot(kind, 0),
            Some(BotRefusal::Limit { max }) => access.require_bot(bot.kind(), others.max(u64::from(max))),
            Some(BotRefusal::AdvancedIndicators) => access.require_advanced_indicators(),
        }
    }
}
