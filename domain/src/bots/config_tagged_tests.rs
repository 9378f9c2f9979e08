//! Tagged enums decode as serde's derive did (same values, same refusals) and name the exact
//! field of a bad value inside them, whatever the order of the object's keys.

use serde::Deserialize;
use serde_json::{json, Value};

use super::*;
use crate::bots::{BotConfig, BotKind, BreakerLimits, BreakerPreset, CronSchedule, SmartMode};
use crate::signals::IndicatorSpec;

/// serde's own decoders of the same enums, as they were derived before.
mod derived {
    use serde::Deserialize;

    use crate::bots::{BreakerLimits, CronSchedule};
    use crate::signals::{
        AtrSpec, BollingerSpec, CrossSpec, MfiSpec, ObvSpec, RsiSpec, VolatilitySpec, VolumeProfileSpec, VolumeSpec,
        VwapSpec,
    };

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
    #[allow(dead_code)]
    pub enum SmartMode {
        Continuous { interval_seconds: u32 },
        Scheduled(CronSchedule),
        Manual,
    }

    #[derive(Debug, Deserialize)]
    #[serde(tag = "indicator", rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum IndicatorSpec {
        Rsi(RsiSpec),
        SmaCross(CrossSpec),
        EmaCross(CrossSpec),
        Bollinger(BollingerSpec),
        Volume(VolumeSpec),
        Volatility(VolatilitySpec),
        Vwap(VwapSpec),
        Mfi(MfiSpec),
        VolumeProfile(VolumeProfileSpec),
        Atr(AtrSpec),
        Obv(ObvSpec),
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case", tag = "preset")]
    #[allow(dead_code)]
    pub enum BreakerPreset {
        Conservative,
        Moderate,
        Aggressive,
        Custom(BreakerLimits),
    }
}

/// Inputs of every shape: each variant, extra, missing and mistyped fields, bad tags.
fn mode_inputs() -> Vec<Value> {
    vec![
        json!({"type": "continuous", "interval_seconds": 60}),
        json!({"interval_seconds": 60, "type": "continuous"}),
        json!({"type": "continuous", "interval_seconds": -5}),
        json!({"type": "continuous", "interval_seconds": 60, "extra": 1}),
        json!({"type": "continuous"}),
        json!({"type": "scheduled", "cron": "0 9 * * *"}),
        json!({"time_zone": "UTC", "type": "scheduled", "cron": "0 9 * * *", "extra": true}),
        json!({"type": "scheduled", "cron": 5}),
        json!({"type": "manual"}),
        json!({"type": "manual", "extra": 1}),
        json!({"type": "sometimes"}),
        json!({"type": 3}),
        json!({}),
        json!(5),
        json!("manual"),
    ]
}

fn breaker_inputs() -> Vec<Value> {
    vec![
        json!({"preset": "moderate"}),
        json!({"preset": "moderate", "max_consecutive_losses": 3}),
        json!({"preset": "custom", "max_consecutive_losses": 3, "max_daily_loss_percent": "5"}),
        json!({"max_consecutive_losses": 3, "max_daily_loss_percent": "5", "preset": "custom"}),
        json!({"preset": "custom", "max_consecutive_losses": -3, "max_daily_loss_percent": "5"}),
        json!({"preset": "custom", "max_consecutive_losses": 3}),
        json!({"preset": "custom", "max_consecutive_losses": 3, "max_daily_loss_percent": "5", "x": 1}),
        json!({"preset": "reckless"}),
        json!([]),
    ]
}

fn same_as_derived<T, D>(inputs: Vec<Value>)
where
    T: for<'de> Deserialize<'de> + serde::Serialize + std::fmt::Debug,
    D: for<'de> Deserialize<'de> + std::fmt::Debug,
{
    for input in inputs {
        let text = input.to_string();
        let ours = serde_json::from_str::<T>(&text);
        let theirs = serde_json::from_str::<D>(&text);
        assert_eq!(ours.is_ok(), theirs.is_ok(), "{input}: ours {ours:?}, serde's {theirs:?}");
        // From a `Value` (keys sorted, the tag not always first) the answer is the same.
        assert_eq!(serde_json::from_value::<T>(input.clone()).is_ok(), ours.is_ok(), "{input} from a Value");
        if let Ok(value) = ours {
            let again: T = serde_json::from_value(serde_json::to_value(&value).unwrap()).unwrap();
            assert_eq!(format!("{again:?}"), format!("{value:?}"), "{input} round trip");
        }
    }
}

fn indicator_inputs() -> Vec<Value> {
    let mut inputs: Vec<Value> = IndicatorSpec::standard_set(5.into())
        .into_iter()
        .chain(IndicatorSpec::advanced_set())
        .map(|spec| serde_json::to_value(spec).unwrap())
        .collect();
    inputs.extend([
        json!({"indicator": "rsi"}),
        json!({"period": 3, "indicator": "vwap"}),
        json!({"indicator": "volatility"}),
        json!({"indicator": "rsi", "period": -3}),
        json!({"indicator": "rsi", "perod": 3}),
        json!({"indicator": "obv", "period": "3"}),
        json!({"indicator": "macd"}),
        json!({"period": 3}),
        json!(null),
    ]);
    inputs
}

#[test]
fn decodes_what_serde_s_derive_decoded_and_refuses_what_it_refused() {
    same_as_derived::<IndicatorSpec, derived::IndicatorSpec>(indicator_inputs());
    same_as_derived::<SmartMode, derived::SmartMode>(mode_inputs());
    same_as_derived::<BreakerPreset, derived::BreakerPreset>(breaker_inputs());
}

#[test]
fn every_variant_round_trips() {
    let modes = [
        SmartMode::Continuous { interval_seconds: 7 },
        SmartMode::Scheduled(CronSchedule { cron: "0 9 * * 1-5".into(), time_zone: "Europe/Lisbon".into() }),
        SmartMode::Manual,
    ];
    for mode in modes {
        assert_eq!(serde_json::from_value::<SmartMode>(serde_json::to_value(&mode).unwrap()).unwrap(), mode);
    }
    let custom = BreakerLimits { max_consecutive_losses: 4, max_daily_loss_percent: 7.into() };
    for preset in
        [BreakerPreset::Conservative, BreakerPreset::Moderate, BreakerPreset::Aggressive, BreakerPreset::Custom(custom)]
    {
        assert_eq!(serde_json::from_value::<BreakerPreset>(serde_json::to_value(preset).unwrap()).unwrap(), preset);
    }
    let specs: Vec<IndicatorSpec> =
        IndicatorSpec::standard_set(5.into()).into_iter().chain(IndicatorSpec::advanced_set()).collect();
    let names: Vec<&str> = specs.iter().map(IndicatorSpec::name).collect();
    assert_eq!(names, <IndicatorSpec as Tagged>::VARIANTS, "every indicator once");
    let text = serde_json::to_string(&specs).unwrap();
    assert_eq!(serde_json::from_str::<Vec<IndicatorSpec>>(&text).unwrap(), specs);
    assert_eq!(serde_json::from_value::<Vec<IndicatorSpec>>(serde_json::from_str(&text).unwrap()).unwrap(), specs);
}

fn first_field(kind: BotKind, config: Value) -> (String, String) {
    let issue = BotConfig::parse(kind, &config).unwrap_err().remove(0);
    (issue.field, issue.message)
}

#[test]
fn a_bad_value_inside_a_tagged_enum_names_its_own_field() {
    let smart = |mode: Value, breaker: Value| json!({"mode": mode, "purchase_amount": "1", "allocated_balance": "2", "circuit_breaker": breaker});
    let moderate = json!({"preset": "moderate"});
    let bad_interval = smart(json!({"type": "continuous", "interval_seconds": -5}), moderate.clone());
    assert_eq!(first_field(BotKind::Smart, bad_interval).0, "config.mode.interval_seconds");
    let bad_cron = smart(json!({"type": "scheduled", "cron": 9}), moderate.clone());
    assert_eq!(first_field(BotKind::Smart, bad_cron).0, "config.mode.cron");
    let missing = smart(json!({"type": "continuous"}), moderate.clone());
    assert_eq!(first_field(BotKind::Smart, missing).0, "config.mode.interval_seconds");
    let breaker = json!({"preset": "custom", "max_consecutive_losses": 3, "max_daily_loss_percent": true});
    let bad_breaker = smart(json!({"type": "manual"}), breaker);
    assert_eq!(first_field(BotKind::Smart, bad_breaker).0, "config.circuit_breaker.max_daily_loss_percent");
    let candle = json!({"timeframe": "1h", "order_amount": "1", "allocated_balance": "2",
        "indicators": [{"indicator": "rsi"}, {"indicator": "bollinger", "period": -3}]});
    assert_eq!(first_field(BotKind::Candle, candle).0, "config.indicators[1].period");
}

#[test]
fn an_unknown_tag_names_the_tag_field_and_the_allowed_values() {
    let config = json!({"mode": {"type": "sometimes"}, "purchase_amount": "1", "allocated_balance": "2"});
    let (field, message) = first_field(BotKind::Smart, config);
    assert_eq!(field, "config.mode.type");
    assert!(message.contains("`continuous`, `scheduled`, `manual`"), "{message}");
    let config = json!({"mode": {"interval_seconds": 5}, "purchase_amount": "1", "allocated_balance": "2"});
    assert_eq!(first_field(BotKind::Smart, config).0, "config.mode.type");
}

#[test]
fn tags_are_written_first_and_nothing_else_changes() {
    let value = json!({"b": [{"z": 1, "type": "x", "a": null}], "a": {"preset": "p", "k": 1.5, "s": "q\"uote"}});
    let text = tag_first_json(&value, &["type", "preset"]);
    // Each tag opens its object; the other members keep serde_json's map order (sorted, or as
    // inserted when a crate of the build turns on `preserve_order`).
    assert!(text.contains(r#"{"preset":"p","#) && text.contains(r#"{"type":"x","#), "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
}
