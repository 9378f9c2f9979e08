//! Configuration parsing: defaults, every bad field named, unknown fields refused.

use serde_json::json;

use super::*;

fn fields(kind: BotKind, value: serde_json::Value) -> Vec<String> {
    BotConfig::parse(kind, &value).unwrap_err().into_iter().map(|i| i.field).collect()
}

#[test]
fn defaults_apply() {
    let c = BotConfig::parse(
        BotKind::Smart,
        &json!({"mode": {"type": "manual"}, "purchase_amount": "10", "allocated_balance": "100"}),
    )
    .unwrap();
    let BotConfig::Smart(s) = &c else { panic!() };
    assert_eq!(s.order_type, EntryOrderType::Market);
    assert_eq!(c.breaker(), BreakerPreset::Moderate);
    assert_eq!(c.risk(), RiskConfig::default());
}

#[test]
fn missing_unknown_and_mistyped_fields_are_named() {
    assert_eq!(fields(BotKind::Dca, json!({"frequency": "1h"})), vec!["config.purchase_amount"]);
    assert_eq!(
        fields(
            BotKind::Smart,
            json!({"mode": {"type": "manual"}, "purchase_amount": "1", "allocated_balance": "2", "purchase_amont": "1"})
        ),
        vec!["config.purchase_amont"]
    );
    assert_eq!(
        fields(BotKind::Smart, json!({"mode": {"type": "manual"}, "purchase_amount": "ten", "allocated_balance": "2"})),
        vec!["config.purchase_amount"]
    );
    assert_eq!(fields(BotKind::Dca, json!([1, 2])), vec!["config"]);
    let bad_frequency =
        json!({"purchase_amount": "1", "frequency": "2h", "allocated_balance": "2", "take_profit_percent": "1"});
    assert_eq!(fields(BotKind::Dca, bad_frequency), vec!["config.frequency"]);
}

#[test]
fn every_rule_is_reported_at_once() {
    let got = fields(
        BotKind::Smart,
        json!({"mode": {"type": "continuous", "interval_seconds": 0}, "purchase_amount": "0", "allocated_balance": "0",
               "risk": {"stop_loss_soft_percent": "9", "stop_loss_hard_percent": "5"},
               "circuit_breaker": {"preset": "custom", "max_consecutive_losses": 0, "max_daily_loss_percent": "10"}}),
    );
    for f in [
        "config.allocated_balance",
        "config.circuit_breaker.max_consecutive_losses",
        "config.risk.stop_loss_soft_percent",
        "config.purchase_amount",
        "config.mode.interval_seconds",
    ] {
        assert!(got.contains(&f.to_owned()), "{f} missing from {got:?}");
    }
}

#[test]
fn kind_specific_rules() {
    let cron = json!({"mode": {"type": "scheduled", "cron": "0 25 * * *", "time_zone": "Nowhere/City"},
        "purchase_amount": "1", "allocated_balance": "2"});
    assert_eq!(fields(BotKind::Smart, cron), vec!["config.mode.cron"]);
    let channel = json!({"base_price": "100", "top_price": "90", "buy_threshold_percent": "2", "sell_threshold_percent": "2",
        "min_profit_percent": "0.5", "capital_percent": "120", "allocated_balance": "1000",
        "risk": {"stop_loss_hard_percent": "5"}});
    assert_eq!(fields(BotKind::Channel, channel), vec!["config.top_price", "config.capital_percent", "config.risk"]);
    let dca = json!({"purchase_amount": "200", "frequency": "24h", "allocated_balance": "100", "take_profit_percent": "5",
        "max_cycles": 0, "risk": {"take_profit_percent": "3"}});
    assert_eq!(
        fields(BotKind::Dca, dca),
        vec!["config.purchase_amount", "config.max_cycles", "config.risk.take_profit_percent"]
    );
}

#[test]
fn the_issue_s_overflowing_figures_are_refused_naming_each_field() {
    let smart = json!({"mode": {"type": "manual"}, "purchase_amount": "79228162514264337593543950",
        "allocated_balance": "79228162514264337593543950335"});
    assert_eq!(fields(BotKind::Smart, smart), vec!["config.allocated_balance", "config.purchase_amount"]);
    let channel = json!({"base_price": "79228162514264337593543950", "top_price": "79228162514264337593543950335",
        "buy_threshold_percent": "79228162514264337593543950", "sell_threshold_percent": "2",
        "min_profit_percent": "0.5", "capital_percent": "20", "allocated_balance": "1000"});
    assert_eq!(
        fields(BotKind::Channel, channel),
        vec!["config.base_price", "config.top_price", "config.buy_threshold_percent"]
    );
    let places = json!({"mode": {"type": "manual"}, "purchase_amount": "1.0000000000000000001",
        "allocated_balance": "10", "max_open_positions": 1001});
    assert_eq!(fields(BotKind::Smart, places), vec!["config.purchase_amount", "config.max_open_positions"]);
}

#[test]
fn a_stored_configuration_out_of_bounds_computes_to_none_instead_of_panicking() {
    let channel: super::ChannelConfig = serde_json::from_value(json!({"base_price": "79228162514264337593543950",
        "top_price": "79228162514264337593543950335", "buy_threshold_percent": "79228162514264337593543950",
        "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "2000",
        "allocated_balance": "79228162514264337593543950335"}))
    .unwrap();
    assert_eq!(channel.buy_trigger(channel.base_price.unwrap()), None);
    assert_eq!(channel.operation_amount(channel.allocated_balance), None);
    let limits = super::BreakerLimits::MODERATE;
    let allocated = rust_decimal::Decimal::MAX;
    assert_eq!(limits.daily_loss_limit(allocated), Some(allocated / rust_decimal::Decimal::TEN));
    let mut breaker = super::CircuitBreaker::new(super::BreakerLimits {
        max_consecutive_losses: 5,
        max_daily_loss_percent: rust_decimal::Decimal::MAX,
    });
    let at = time::macros::datetime!(2026-01-05 00:00 UTC);
    assert_eq!(breaker.record_trade(rust_decimal::Decimal::MIN, allocated, at), None);
    assert_eq!(breaker.record_trade(rust_decimal::Decimal::MIN, allocated, at), None);
    assert_eq!(breaker.daily_loss(at), rust_decimal::Decimal::MAX);
}

#[test]
fn a_dca_bot_s_own_take_profit_and_stop_loss_are_named_as_sent_and_once() {
    let dca = |tp: &str, sl: &str| {
        json!({"purchase_amount": "1", "frequency": "1h", "allocated_balance": "2", "take_profit_percent": tp,
               "stop_loss_percent": sl})
    };
    assert_eq!(fields(BotKind::Dca, dca("-1", "5")), vec!["config.take_profit_percent"]);
    assert_eq!(fields(BotKind::Dca, dca("5", "101")), vec!["config.stop_loss_percent"]);
}

#[test]
fn the_breaker_may_be_off_on_a_smart_bot_only() {
    let off = json!({"preset": "off"});
    let smart = json!({"mode": {"type": "manual"}, "purchase_amount": "10", "allocated_balance": "100",
        "circuit_breaker": off});
    let config = BotConfig::parse(BotKind::Smart, &smart).unwrap();
    assert!(config.breaker().is_off());
    let channel = json!({"base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "20",
        "allocated_balance": "2000", "circuit_breaker": off});
    assert_eq!(fields(BotKind::Channel, channel), vec!["config.circuit_breaker.preset"]);
    let dca = json!({"purchase_amount": "1", "frequency": "1h", "allocated_balance": "2", "take_profit_percent": "1",
        "circuit_breaker": off});
    assert_eq!(fields(BotKind::Dca, dca), vec!["config.circuit_breaker.preset"]);
}
