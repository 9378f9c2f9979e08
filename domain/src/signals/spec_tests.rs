//! Indicator specs: JSON shape and defaults, names, warm-ups, and field-named validation.

use rust_decimal_macros::dec;
use serde_json::json;

use super::analysis::vote;
use super::test_support::wavy;
use super::*;

fn parse(value: serde_json::Value) -> Result<IndicatorSpec, serde_json::Error> {
    serde_json::from_value(value)
}

#[test]
fn omitted_parameters_take_their_defaults() {
    assert_eq!(parse(json!({"indicator": "rsi"})).unwrap(), IndicatorSpec::Rsi(RsiSpec::default()));
    let rsi = parse(json!({"indicator": "rsi", "oversold": 25})).unwrap();
    assert_eq!(rsi, IndicatorSpec::Rsi(RsiSpec { period: 14, oversold: dec!(25), overbought: dec!(70) }));
    let bb = parse(json!({"indicator": "bollinger", "std_dev": "2.5"})).unwrap();
    assert_eq!(bb, IndicatorSpec::Bollinger(BollingerSpec { period: 20, std_dev: dec!(2.5) }));
    let mfi = parse(json!({"indicator": "mfi"})).unwrap();
    assert_eq!(mfi, IndicatorSpec::Mfi(MfiSpec { period: 14, oversold: dec!(20), overbought: dec!(80) }));
    let cross = parse(json!({"indicator": "ema_cross", "slow": 50})).unwrap();
    assert_eq!(cross, IndicatorSpec::EmaCross(CrossSpec { fast: 9, slow: 50 }));
    let volume = parse(json!({"indicator": "volume"})).unwrap();
    assert_eq!(volume, IndicatorSpec::Volume(VolumeSpec { period: 20, spike_ratio: dec!(1.5) }));
    let vol = parse(json!({"indicator": "volatility", "max_percent": 2})).unwrap();
    assert_eq!(vol, IndicatorSpec::Volatility(VolatilitySpec { period: 20, max_percent: dec!(2) }));
    let atr = parse(json!({"indicator": "atr", "max_percent": 3})).unwrap();
    assert_eq!(atr, IndicatorSpec::Atr(AtrSpec { period: 14, stop_multiplier: dec!(2), max_percent: Some(dec!(3)) }));
}

#[test]
fn refuses_unknown_indicators_unknown_fields_and_a_missing_volatility_cap() {
    for bad in [
        json!({"indicator": "macd"}),
        json!({"indicator": "rsi", "perod": 10}),
        json!({"indicator": "volatility"}),
        json!({"period": 14}),
    ] {
        assert!(parse(bad.clone()).is_err(), "{bad} was accepted");
    }
}

#[test]
fn every_spec_round_trips_under_its_name() {
    let all: Vec<IndicatorSpec> =
        IndicatorSpec::standard_set(dec!(2)).into_iter().chain(IndicatorSpec::advanced_set()).collect();
    let names: Vec<&str> = all.iter().map(IndicatorSpec::name).collect();
    let expected = [
        "rsi",
        "sma_cross",
        "ema_cross",
        "bollinger",
        "volume",
        "volatility",
        "vwap",
        "mfi",
        "volume_profile",
        "atr",
        "obv",
    ];
    assert_eq!(names, expected);
    for spec in &all {
        let value = serde_json::to_value(spec).unwrap();
        assert_eq!(value["indicator"], spec.name());
        assert_eq!(&parse(value).unwrap(), spec);
        assert_eq!(spec.is_advanced(), expected[6..].contains(&spec.name()), "{spec:?}");
        let filter = matches!(spec.name(), "volatility" | "atr");
        assert_eq!(spec.role() == Role::Filter, filter);
    }
}

#[test]
fn warm_up_is_exactly_the_candles_needed_for_a_reading() {
    let custom = [
        IndicatorSpec::Rsi(RsiSpec { period: 5, ..RsiSpec::default() }),
        IndicatorSpec::SmaCross(CrossSpec { fast: 3, slow: 7 }),
        IndicatorSpec::EmaCross(CrossSpec { fast: 2, slow: 4 }),
        IndicatorSpec::Bollinger(BollingerSpec { period: 6, ..BollingerSpec::default() }),
        IndicatorSpec::Volume(VolumeSpec { period: 4, ..VolumeSpec::default() }),
        IndicatorSpec::Volatility(VolatilitySpec { period: 3, max_percent: dec!(99) }),
        IndicatorSpec::Vwap(VwapSpec { period: 5 }),
        IndicatorSpec::Mfi(MfiSpec { period: 6, ..MfiSpec::default() }),
        IndicatorSpec::VolumeProfile(VolumeProfileSpec { period: 5, bins: 3 }),
        IndicatorSpec::Atr(AtrSpec { period: 4, ..AtrSpec::default() }),
        IndicatorSpec::Obv(ObvSpec { period: 6 }),
    ];
    let defaults = IndicatorSpec::standard_set(dec!(99)).into_iter().chain(IndicatorSpec::advanced_set());
    let candles = wavy(60);
    for spec in custom.into_iter().chain(defaults) {
        let n = spec.warm_up();
        assert!(!vote(&spec, &candles[..n]).values.is_empty(), "{spec:?} has no reading on {n} candles");
        assert!(vote(&spec, &candles[..n - 1]).values.is_empty(), "{spec:?} read {} candles", n - 1);
        let needed = analyze(std::slice::from_ref(&spec), &candles[..n - 1]);
        let direction = spec.role() == Role::Direction;
        if direction {
            assert_eq!(needed, Err(SignalError::NotEnoughCandles { needed: n, got: n - 1 }));
        }
    }
}

#[test]
fn validation_names_every_bad_field() {
    let specs = [
        IndicatorSpec::Rsi(RsiSpec { period: 0, oversold: dec!(80), overbought: dec!(70) }),
        IndicatorSpec::SmaCross(CrossSpec { fast: 21, slow: 9 }),
        IndicatorSpec::Bollinger(BollingerSpec { period: 1001, std_dev: dec!(0) }),
        IndicatorSpec::Volume(VolumeSpec { period: 20, spike_ratio: dec!(0.9) }),
        IndicatorSpec::Volatility(VolatilitySpec { period: 1, max_percent: dec!(-1) }),
        IndicatorSpec::Mfi(MfiSpec { period: 14, oversold: dec!(-5), overbought: dec!(101) }),
        IndicatorSpec::VolumeProfile(VolumeProfileSpec { period: 24, bins: 1 }),
        IndicatorSpec::Atr(AtrSpec { period: 14, stop_multiplier: dec!(0), max_percent: Some(dec!(0)) }),
    ];
    let errors = validate_specs(&specs).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "indicators[0].period",
            "indicators[0].overbought",
            "indicators[1].slow",
            "indicators[2].period",
            "indicators[2].std_dev",
            "indicators[3].spike_ratio",
            "indicators[4].period",
            "indicators[4].max_percent",
            "indicators[5].oversold",
            "indicators[5].overbought",
            "indicators[6].bins",
            "indicators[7].stop_multiplier",
            "indicators[7].max_percent",
        ]
    );
    assert_eq!(errors[0].message, "must be between 1 and 1000, got 0");
    let relative: Vec<String> = specs[1].validate().into_iter().map(|e| e.field).collect();
    assert_eq!(relative, ["slow"]);
    assert_eq!(errors[2].message, "must be greater than fast (21), got 9");
}

#[test]
fn the_list_needs_a_direction_and_no_repeats() {
    assert!(validate_specs(&IndicatorSpec::standard_set(dec!(2))).is_ok());
    assert!(validate_specs(&IndicatorSpec::advanced_set()).is_ok());
    let field = |specs: &[IndicatorSpec]| validate_specs(specs).unwrap_err()[0].field.clone();
    assert_eq!(field(&[]), "indicators");
    assert_eq!(field(&[IndicatorSpec::Atr(AtrSpec::default())]), "indicators");
    let twice =
        [IndicatorSpec::Rsi(RsiSpec::default()), IndicatorSpec::Rsi(RsiSpec { period: 7, ..RsiSpec::default() })];
    let errors = validate_specs(&twice).unwrap_err();
    assert_eq!(errors[0].field, "indicators[1].indicator");
    assert_eq!(errors[0].message, "`rsi` is already configured at indicators[0]");
}
