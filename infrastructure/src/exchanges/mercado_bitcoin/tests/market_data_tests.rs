//! `/symbols` and `/candles` column payloads.

use rust_decimal_macros::dec;

use super::*;

#[test]
fn tick_size_reads_both_minmovement_conventions() {
    let n = |d: Decimal| Some(Num(d));
    assert_eq!(tick_size(n(dec!(0.00000001)), n(dec!(100000000))), dec!(0.00000001));
    assert_eq!(tick_size(n(dec!(1)), n(dec!(100))), dec!(0.01));
    assert_eq!(tick_size(n(dec!(5)), n(dec!(100))), dec!(0.05));
    assert_eq!(tick_size(None, n(dec!(1000))), dec!(0.001));
    assert_eq!(tick_size(None, None), DEFAULT_STEP_SIZE);
}

#[test]
fn symbols_rows_become_markets() {
    let dto: SymbolsDto = serde_json::from_str(include_str!("fixtures/symbols.json")).unwrap();
    let markets = markets_from(&dto);
    assert_eq!(markets.len(), 2);
    assert_eq!(markets[0].symbol.to_string(), "BTC-BRL");
    assert_eq!(markets[0].filters.min_notional, dec!(0.9));
    assert_eq!(markets[1].filters.min_quantity, dec!(0.0001));
    assert!(!markets[1].trading);
}

#[test]
fn candle_columns_must_line_up() {
    let dto: CandlesDto = serde_json::from_str(include_str!("fixtures/candles.json")).unwrap();
    let rows = candles_from(&dto).unwrap();
    assert!(rows[0].open_time < rows[1].open_time);
    let broken: CandlesDto =
        serde_json::from_str(r#"{"t":[1,2],"o":["1"],"h":["1","1"],"l":["1","1"],"c":["1","1"],"v":["1","1"]}"#)
            .unwrap();
    assert!(candles_from(&broken).is_err());
    let empty: CandlesDto = serde_json::from_str("{}").unwrap();
    assert!(candles_from(&empty).unwrap().is_empty());
}
