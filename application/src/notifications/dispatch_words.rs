//! Events in words, for the channels that write to people (e-mail, Telegram): each type's name
//! in the singular and plural of each language, the summary of a batch ("3 ordens executadas,
//! 1 bot pausado") and one line per event with its figures.

use domain::identity::Language;
use domain::notifications::{Event, EventPayload, EventType};

/// The singular and plural name of `t` in `language`.
pub(crate) fn name(t: EventType, language: Language) -> (&'static str, &'static str) {
    use EventType as T;
    let (pt, en) = match t {
        T::BotStarted => (("bot iniciado", "bots iniciados"), ("bot started", "bots started")),
        T::BotResumed => (("bot retomado", "bots retomados"), ("bot resumed", "bots resumed")),
        T::BotPaused => (("bot pausado", "bots pausados"), ("bot paused", "bots paused")),
        T::BotStopped => (("bot parado", "bots parados"), ("bot stopped", "bots stopped")),
        T::BotTripped => {
            (("disjuntor acionado", "disjuntores acionados"), ("circuit breaker tripped", "circuit breakers tripped"))
        }
        T::SoftStopHit => (("soft stop atingido", "soft stops atingidos"), ("soft stop hit", "soft stops hit")),
        T::TakeProfitExecuted => {
            (("take profit executado", "take profits executados"), ("take profit executed", "take profits executed"))
        }
        T::StopLossExecuted => {
            (("stop loss executado", "stop losses executados"), ("stop loss executed", "stop losses executed"))
        }
        T::TrailingStopExecuted => (
            ("trailing stop executado", "trailing stops executados"),
            ("trailing stop executed", "trailing stops executed"),
        ),
        T::OrderPlaced => (("ordem enviada", "ordens enviadas"), ("order placed", "orders placed")),
        T::OrderFilled => (("ordem executada", "ordens executadas"), ("order filled", "orders filled")),
        T::OrderPartiallyFilled => (
            ("ordem parcialmente executada", "ordens parcialmente executadas"),
            ("order partially filled", "orders partially filled"),
        ),
        T::OrderCanceled => (("ordem cancelada", "ordens canceladas"), ("order canceled", "orders canceled")),
        T::OrderRejected => (("ordem rejeitada", "ordens rejeitadas"), ("order rejected", "orders rejected")),
        T::PositionClosed => (("posição encerrada", "posições encerradas"), ("position closed", "positions closed")),
        T::FundsWithdrawn => (
            ("saque fora da botfleet", "saques fora da botfleet"),
            ("withdrawal outside botfleet", "withdrawals outside botfleet"),
        ),
        T::PlanLimitReached => {
            (("limite do plano atingido", "limites do plano atingidos"), ("plan limit reached", "plan limits reached"))
        }
        T::SubscriptionActivated => {
            (("assinatura ativada", "assinaturas ativadas"), ("subscription activated", "subscriptions activated"))
        }
        T::SubscriptionRenewed => {
            (("assinatura renovada", "assinaturas renovadas"), ("subscription renewed", "subscriptions renewed"))
        }
        T::SubscriptionPastDue => {
            (("assinatura em atraso", "assinaturas em atraso"), ("subscription past due", "subscriptions past due"))
        }
        T::SubscriptionCanceled => {
            (("assinatura cancelada", "assinaturas canceladas"), ("subscription canceled", "subscriptions canceled"))
        }
        T::SubscriptionPeriodEnding => (
            ("período da assinatura terminando", "períodos de assinatura terminando"),
            ("subscription period ending", "subscription periods ending"),
        ),
        T::PaymentSucceeded => {
            (("pagamento aprovado", "pagamentos aprovados"), ("payment succeeded", "payments succeeded"))
        }
        T::PaymentFailed => (("pagamento recusado", "pagamentos recusados"), ("payment failed", "payments failed")),
        T::PaymentRefunded => {
            (("pagamento estornado", "pagamentos estornados"), ("payment refunded", "payments refunded"))
        }
        T::CredentialInvalid => {
            (("credencial inválida", "credenciais inválidas"), ("invalid credential", "invalid credentials"))
        }
        T::MarketAnomaly => (("anomalia de mercado", "anomalias de mercado"), ("market anomaly", "market anomalies")),
        T::WebhookEndpointDisabled => (
            ("webhook desativado", "webhooks desativados"),
            ("webhook endpoint disabled", "webhook endpoints disabled"),
        ),
    };
    match language {
        Language::PtBr => pt,
        Language::En => en,
    }
}

/// "3 ordens executadas, 1 bot pausado": the count of each type, the most frequent first (ties
/// in order of appearance), at most three types and then "and N more".
pub(crate) fn summary(events: &[Event], language: Language) -> String {
    let mut counts: Vec<(EventType, usize)> = Vec::new();
    for event in events {
        match counts.iter_mut().find(|(t, _)| *t == event.event_type()) {
            Some((_, n)) => *n += 1,
            None => counts.push((event.event_type(), 1)),
        }
    }
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let mut parts: Vec<String> = counts
        .iter()
        .take(3)
        .map(|(t, n)| {
            let (one, many) = name(*t, language);
            format!("{n} {}", if *n == 1 { one } else { many })
        })
        .collect();
    let rest: usize = counts.iter().skip(3).map(|(_, n)| n).sum();
    if rest > 0 {
        parts.push(match language {
            Language::PtBr => format!("mais {rest}"),
            Language::En => format!("{rest} more"),
        });
    }
    parts.join(", ")
}

/// "Ordem executada: buy BTC-USDT (binance), 0.01 a 50000": what happened, capitalised, and its
/// figures; plain text (escape it for HTML).
pub(crate) fn line(event: &Event, language: Language) -> String {
    let (title, _) = name(event.event_type(), language);
    let mut title = title.to_owned();
    if let Some(first) = title.get(0..1) {
        title.replace_range(0..1, &first.to_uppercase());
    }
    format!("{title}: {}", detail(&event.payload, language))
}

pub(crate) fn detail(payload: &EventPayload, language: Language) -> String {
    let pt = language == Language::PtBr;
    let at = if pt { "a" } else { "at" };
    use EventPayload as P;
    match payload {
        P::BotStarted(d) | P::BotResumed(d) | P::BotPaused(d) | P::BotStopped(d) | P::BotTripped(d) => {
            format!("{} ({}, {}): {}", d.bot.bot_name, d.bot.symbol, d.bot.exchange, d.reason)
        }
        P::SoftStopHit(d) => format!("{} ({}, {}): {}", d.bot.bot_name, d.bot.symbol, d.bot.exchange, d.reason),
        P::TakeProfitExecuted(d) | P::StopLossExecuted(d) | P::TrailingStopExecuted(d) | P::PositionClosed(d) => {
            let price = d.exit_price.map(|p| format!(" {at} {p}")).unwrap_or_default();
            let pnl = if pt { "resultado" } else { "P&L" };
            format!("{} ({}): {}{price}, {pnl} {}", d.bot.bot_name, d.bot.symbol, d.quantity, d.realized_pnl)
        }
        P::OrderPlaced(d)
        | P::OrderFilled(d)
        | P::OrderPartiallyFilled(d)
        | P::OrderCanceled(d)
        | P::OrderRejected(d) => {
            let price = d.average_price.map(|p| format!(" {at} {p}")).unwrap_or_default();
            let error = d.error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default();
            format!("{} {} ({}), {}{price}{error}", d.side, d.symbol, d.exchange, d.filled_quantity)
        }
        P::FundsWithdrawn(d) => {
            let bot = d.bot.as_ref().map(|b| format!("{}: ", b.bot_name)).unwrap_or_default();
            let (expected, available) = if pt { ("esperado", "disponível") } else { ("expected", "available") };
            format!("{bot}{} {expected} {}, {available} {}", d.asset, d.expected, d.available)
        }
        P::PlanLimitReached(d) => {
            let max = d.max.map(|m| format!(" ({m})")).unwrap_or_default();
            let plan = if pt { "plano" } else { "plan" };
            format!("{}{max}, {plan} {}", d.limit, d.plan)
        }
        P::SubscriptionActivated(d)
        | P::SubscriptionRenewed(d)
        | P::SubscriptionPastDue(d)
        | P::SubscriptionCanceled(d)
        | P::SubscriptionPeriodEnding(d) => {
            let plan = if pt { "plano" } else { "plan" };
            format!("{plan} {} ({})", d.plan, d.status)
        }
        P::PaymentSucceeded(d) | P::PaymentFailed(d) | P::PaymentRefunded(d) => {
            let amount = match (&d.amount, &d.currency) {
                (Some(a), Some(c)) => format!(" {a} {c}"),
                (Some(a), None) => format!(" {a}"),
                _ => String::new(),
            };
            let reason = d.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
            let plan = if pt { "plano" } else { "plan" };
            format!("{plan} {}{amount}{reason}", d.plan)
        }
        P::CredentialInvalid(d) => format!("{}: {}", d.exchange, d.reason),
        P::MarketAnomaly(d) => format!("{} ({}): {}", d.symbol, d.exchange, d.description),
        P::WebhookEndpointDisabled(d) => format!("{}: {}", d.url, d.reason),
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Events of each kind for the channels' tests.

    use rust_decimal_macros::dec;
    use time::OffsetDateTime;

    use domain::bots::BotStatus;
    use domain::contexts::ContextMode;
    use domain::exchange::ExchangeId;
    use domain::notifications::{BotRef, BotStatusData, Event, EventPayload, OrderData};
    use domain::shared::ids::{BotId, ContextId, OrderId, UserId};

    fn bot() -> BotRef {
        BotRef {
            bot_id: BotId::new(),
            bot_name: "Grid <BTC> & co".into(),
            context_id: ContextId::new(),
            exchange: ExchangeId::Binance,
            symbol: "BTC-USDT".parse().unwrap(),
            mode: ContextMode::Paper,
        }
    }

    /// An order of `user`'s filled at 50,000.
    pub(crate) fn filled(user: UserId, at: OffsetDateTime) -> Event {
        let data = OrderData {
            order_id: OrderId::new(),
            bot_id: None,
            context_id: ContextId::new(),
            exchange: ExchangeId::Binance,
            symbol: "BTC-USDT".parse().unwrap(),
            side: "buy".into(),
            status: "filled".into(),
            filled_quantity: dec!(0.01),
            filled_quote: dec!(500),
            average_price: Some(dec!(50000)),
            error: None,
        };
        Event::new(user, EventPayload::OrderFilled(data), at)
    }

    /// A bot of `user`'s paused.
    pub(crate) fn paused(user: UserId, at: OffsetDateTime) -> Event {
        let data = BotStatusData {
            bot: bot(),
            from: BotStatus::Running,
            to: BotStatus::Paused,
            reason: "funds < needed".into(),
        };
        Event::new(user, EventPayload::BotPaused(data), at)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::fixtures::{filled, paused};
    use super::*;
    use domain::shared::ids::UserId;

    #[test]
    fn the_summary_counts_each_type_in_the_users_language() {
        let (user, at) = (UserId::new(), datetime!(2026-12-04 10:00 UTC));
        let events = vec![filled(user, at), paused(user, at), filled(user, at), filled(user, at)];
        assert_eq!(summary(&events, Language::PtBr), "3 ordens executadas, 1 bot pausado");
        assert_eq!(summary(&events, Language::En), "3 orders filled, 1 bot paused");
    }

    #[test]
    fn more_than_three_types_end_with_the_rest() {
        let (user, at) = (UserId::new(), datetime!(2026-12-04 10:00 UTC));
        let mut events = vec![filled(user, at), paused(user, at)];
        for t in [EventType::BotStopped, EventType::BotTripped, EventType::BotStarted] {
            let mut e = paused(user, at);
            if let EventPayload::BotPaused(d) = e.payload {
                e.payload = match t {
                    EventType::BotStopped => EventPayload::BotStopped(d),
                    EventType::BotTripped => EventPayload::BotTripped(d),
                    _ => EventPayload::BotStarted(d),
                };
            }
            events.push(e);
        }
        assert_eq!(summary(&events, Language::En), "1 order filled, 1 bot paused, 1 bot stopped, 2 more");
    }

    #[test]
    fn every_type_has_both_names_in_both_languages() {
        for t in EventType::ALL {
            for language in Language::ALL {
                let (one, many) = name(*t, language);
                assert!(!one.is_empty() && !many.is_empty() && one != many, "{t} {language}");
            }
        }
    }

    #[test]
    fn a_line_carries_the_figures() {
        let line = line(&filled(UserId::new(), datetime!(2026-12-04 10:00 UTC)), Language::PtBr);
        assert_eq!(line, "Ordem executada: buy BTC-USDT (binance), 0.01 a 50000");
    }
}
