//! Unit tests of the alert rules: each alert appears with its condition and goes with it.

use domain::bots::{BotConfig, BotKind, Position, Trip, TripReason};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::{PositionId, UserId};
use rust_decimal_macros::dec;
use serde_json::json;
use time::macros::datetime;

use super::*;

const AT: OffsetDateTime = datetime!(2026-01-05 12:00 UTC);

/// A SmartBot with a 5% take profit holding one position of 0.01 BTC that cost 1000 (entry 100000).
fn holding_bot() -> Bot {
    let symbol = Symbol::parse("BTC-BRL").unwrap();
    let context = TradingContext::new(UserId::new(), ExchangeId::MercadoBitcoin, &symbol, ContextMode::Paper, AT);
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "1000",
        "allocated_balance": "5000", "risk": {"take_profit_percent": "5"}});
    let mut bot = Bot::new(&context, "smart".into(), BotConfig::parse(BotKind::Smart, &config).unwrap(), AT);
    let mut position = Position::new(PositionId::new(), AT);
    position.quantity = dec!(0.01);
    position.cost = dec!(1000);
    bot.positions.push(position);
    bot
}

fn kinds(alerts: &[Alert]) -> Vec<AlertKind> {
    alerts.iter().map(|a| a.kind).collect()
}

#[test]
fn take_profit_is_near_from_one_percent_below_the_target() {
    let bot = holding_bot();
    // Target 105000; near from 103950 (99% of it) up.
    assert!(take_profit_near(&bot, dec!(103949.99)).is_empty());
    assert_eq!(take_profit_near(&bot, dec!(103950)), vec![(dec!(100000), dec!(105000))]);
    assert_eq!(take_profit_near(&bot, dec!(106000)).len(), 1, "past the target it is still due");

    let alerts = bot_alerts(&bot, Some((dec!(104000), AT)), None, None);
    assert_eq!(kinds(&alerts), [AlertKind::TakeProfitNear]);
    assert_eq!(alerts[0].since, Some(AT));
    assert!(alerts[0].message.contains("105000"), "{}", alerts[0].message);
}

#[test]
fn a_closed_position_or_no_take_profit_is_never_near() {
    let mut bot = holding_bot();
    bot.positions[0].status = domain::bots::PositionStatus::Closed;
    assert!(take_profit_near(&bot, dec!(105000)).is_empty());
}

#[test]
fn a_quiet_bot_has_no_alert() {
    assert!(bot_alerts(&holding_bot(), Some((dec!(100000), AT)), None, None).is_empty());
    assert!(bot_alerts(&holding_bot(), None, None, None).is_empty());
}

#[test]
fn breaker_soft_stop_withdrawal_and_hold_each_raise_theirs() {
    let mut bot = holding_bot();
    bot.breaker.tripped = Some(Trip { at: AT, reason: TripReason::ConsecutiveLosses { count: 5 } });
    bot.buying_halted = true;
    bot.entry_hold = Some("spread of 3% on BTC-BRL".into());
    bot.status = BotStatus::Paused;
    bot.status_reason = Some(format!("{SHORTFALL_REASON}: the exchange holds 1 BRL, the bots need 2 BRL"));

    let alerts = bot_alerts(&bot, None, Some(AT), None);

    assert_eq!(
        kinds(&alerts),
        [AlertKind::BreakerTripped, AlertKind::SoftStopHit, AlertKind::FundsWithdrawn, AlertKind::EntriesHeld]
    );
    assert_eq!(alerts[0].severity, Severity::Critical);
    assert!(alerts[0].message.contains("5 losing trades in a row"));
    assert_eq!(alerts[1].since, Some(AT));
    assert!(alerts.iter().all(|a| a.bot_id == Some(bot.id) && a.context_id == Some(bot.context_id)));

    bot.status_reason = Some("paused by its owner".into());
    assert!(!kinds(&bot_alerts(&bot, None, None, None)).contains(&AlertKind::FundsWithdrawn));
}

#[test]
fn the_plan_alert_is_info_at_the_limit_and_a_warning_over_it() {
    assert_eq!(plan_alert("bots", 1, Limit::Limited(2), None), None);
    assert_eq!(plan_alert("bots", 9, Limit::Unlimited, None), None);
    let at = plan_alert("bots", 2, Limit::Limited(2), Some(AT)).unwrap();
    assert_eq!((at.kind, at.severity, at.since), (AlertKind::PlanLimitReached, Severity::Info, Some(AT)));
    let over = plan_alert("contexts", 3, Limit::Limited(1), None).unwrap();
    assert_eq!(over.severity, Severity::Warning);
    assert!(over.message.contains("3 contexts for a limit of 1"), "{}", over.message);
}
