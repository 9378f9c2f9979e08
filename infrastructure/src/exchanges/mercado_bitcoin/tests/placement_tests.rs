//! Body values and the quote-amount filter check.

use domain::market::{MarketFilters, Symbol};
use rust_decimal_macros::dec;

use super::*;

fn market(trading: bool) -> Market {
    Market {
        symbol: Symbol::parse("BTC-BRL").unwrap(),
        trading,
        filters: MarketFilters {
            tick_size: dec!(0.01),
            step_size: dec!(0.00000001),
            min_quantity: dec!(0.00001),
            max_quantity: dec!(10),
            min_notional: dec!(1),
        },
    }
}

#[test]
fn prices_are_sent_as_exact_json_numbers() {
    assert_eq!(json_number(dec!(125000.50), "p").unwrap().to_string(), "125000.5");
    assert_eq!(json_number(dec!(50.00), "p").unwrap().to_string(), "50");
    assert_eq!(json_number(dec!(0.00000001), "p").unwrap().to_string(), "1e-8");
    let too_precise = json_number(dec!(1234567890.123456789), "limitPrice");
    assert!(matches!(too_precise, Err(ExchangeError::Rejected { code, .. }) if code == "PRECISION"));
}

#[test]
fn quote_amount_checks() {
    assert!(check_cost(&market(true), dec!(50), dec!(250000)).is_ok());
    assert_eq!(check_cost(&market(false), dec!(50), dec!(250000)), Err(FilterViolation::MarketClosed));
    assert!(matches!(
        check_cost(&market(true), dec!(0.5), dec!(250000)),
        Err(FilterViolation::BelowMinNotional { .. })
    ));
    assert!(matches!(check_cost(&market(true), dec!(2), dec!(250000)), Err(FilterViolation::BelowMinQuantity { .. })));
    assert_eq!(check_cost(&market(true), dec!(0), dec!(1)), Err(FilterViolation::NonPositiveQuantity));
    assert_eq!(check_cost(&market(true), dec!(5), dec!(0)), Err(FilterViolation::NonPositivePrice));
}
