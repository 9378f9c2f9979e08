//! Unit and property tests of a bot's funds accounting.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;

fn down8(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(8, rust_decimal::RoundingStrategy::ToZero)
}

#[test]
fn a_sale_beyond_a_decimal_is_refused_and_changes_nothing() {
    let mut f = Funds::new(dec!(1000000000000000));
    f.block(dec!(500000000000000)).unwrap();
    f.fill_buy(dec!(500000000000000), dec!(1000000000000000000000000000), dec!(0), FeeAsset::Quote).unwrap();
    f.lock(dec!(1000000000000000000000000000)).unwrap();
    let before = f.clone();
    let sold_at_the_top = Decimal::MAX;
    let refused = f.fill_sell(dec!(1000000000000000000000000000), sold_at_the_top, dec!(0), FeeAsset::Quote);
    // The proceeds fit in a Decimal, but not added to what is still available.
    assert_eq!(refused, Err(FundsError::Overflow));
    assert_eq!(f, before);
    assert!(f.is_consistent());
}

#[test]
fn a_round_trip_with_fees_in_both_assets() {
    let mut f = Funds::new(dec!(1000));
    f.block(dec!(500)).unwrap();
    f.fill_buy(dec!(499), dec!(0.01), dec!(0.00001), FeeAsset::Base).unwrap();
    f.release(dec!(1)).unwrap();
    assert_eq!((f.available, f.blocked, f.invested, f.holdings), (dec!(501), dec!(0), dec!(499), dec!(0.00999)));
    assert!(f.is_consistent());

    f.lock(dec!(0.00999)).unwrap();
    let profit = f.fill_sell(dec!(0.00999), dec!(549), dec!(0.55), FeeAsset::Quote).unwrap();
    assert_eq!(profit, dec!(49.45));
    assert_eq!((f.holdings, f.invested, f.available, f.proceeds), (dec!(0), dec!(0), dec!(1049.45), dec!(548.45)));
    assert_eq!((f.fees_base, f.fees_quote), (dec!(0.00001), dec!(0.55)));
    assert!(f.is_consistent());
}

#[test]
fn a_base_fee_reduces_what_can_be_sold() {
    let mut f = Funds::new(dec!(100));
    f.block(dec!(100)).unwrap();
    f.fill_buy(dec!(100), dec!(1), dec!(0.001), FeeAsset::Base).unwrap();
    assert_eq!(f.lock(dec!(1)), Err(FundsError::NotHeld { held: dec!(0.999), wanted: dec!(1) }));
    f.lock(dec!(0.999)).unwrap();
}

#[test]
fn refusals_leave_the_books_untouched() {
    let mut f = Funds::new(dec!(10));
    let before = f.clone();
    assert!(f.block(dec!(11)).is_err());
    assert!(f.release(dec!(1)).is_err());
    assert!(f.fill_buy(dec!(1), dec!(1), dec!(0), FeeAsset::Quote).is_err());
    assert!(f.lock(dec!(1)).is_err());
    assert!(f.block(dec!(0)).is_err());
    assert_eq!(f, before);
}

#[derive(Clone, Debug)]
enum Step {
    Buy { quote: u32, price: u32, fee_bps: u32, base_fee: bool, fill_pct: u32 },
    Sell { pct: u32, price: u32, fee_bps: u32, base_fee: bool, fill_pct: u32 },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let buy = (1u32..5_000, 1_000u32..100_000, 0u32..50, any::<bool>(), 0u32..=100).prop_map(
        |(quote, price, fee_bps, base_fee, fill_pct)| Step::Buy { quote, price, fee_bps, base_fee, fill_pct },
    );
    let sell = (1u32..=100, 1_000u32..100_000, 0u32..50, any::<bool>(), 0u32..=100)
        .prop_map(|(pct, price, fee_bps, base_fee, fill_pct)| Step::Sell { pct, price, fee_bps, base_fee, fill_pct });
    prop::collection::vec(prop_oneof![buy, sell], 1..40)
}

fn pct(value: Decimal, pct: u32) -> Decimal {
    (value * Decimal::from(pct) / Decimal::ONE_HUNDRED).round_dp(8)
}

proptest! {
    /// Across any sequence of blocks, partial fills, cancellations and sales, nothing goes negative
    /// and `allocated + realized == available + blocked + invested` holds exactly.
    #[test]
    fn funds_are_conserved(steps in steps()) {
        let mut f = Funds::new(dec!(10000));
        for step in steps {
            match step {
                Step::Buy { quote, price, fee_bps, base_fee, fill_pct } => {
                    let amount = Decimal::from(quote).min(f.available);
                    if amount <= Decimal::ZERO || f.block(amount).is_err() { continue; }
                    let fee_rate = Decimal::from(fee_bps) / dec!(10000);
                    // Rounded down, as an exchange does, so spend + fee never exceeds what was
                    // blocked (half-up rounding of both could pass it by one unit of the 8th place).
                    let spend = down8(pct(amount, fill_pct) / (Decimal::ONE + fee_rate));
                    let quantity = (spend / Decimal::from(price)).round_dp(8);
                    if spend > Decimal::ZERO && quantity > Decimal::ZERO {
                        let (fee, asset) = if base_fee {
                            ((quantity * fee_rate).round_dp(8), FeeAsset::Base)
                        } else {
                            (down8(spend * fee_rate), FeeAsset::Quote)
                        };
                        if asset == FeeAsset::Base && fee >= quantity { f.release(amount).unwrap(); continue; }
                        f.fill_buy(spend, quantity, fee, asset).unwrap();
                    }
                    if f.blocked > Decimal::ZERO { let rest = f.blocked; f.release(rest).unwrap(); }
                }
                Step::Sell { pct: share, price, fee_bps, base_fee, fill_pct } => {
                    let quantity = pct(f.free_holdings(), share);
                    if quantity <= Decimal::ZERO { continue; }
                    f.lock(quantity).unwrap();
                    let fee_rate = Decimal::from(fee_bps) / dec!(10000);
                    let filled = pct(quantity, fill_pct);
                    if filled > Decimal::ZERO {
                        let (fee, asset, sold) = if base_fee {
                            let fee = (filled * fee_rate).round_dp(8);
                            (fee, FeeAsset::Base, filled - fee)
                        } else {
                            (Decimal::ZERO, FeeAsset::Quote, filled)
                        };
                        let received = (sold * Decimal::from(price)).round_dp(8);
                        let fee = if asset == FeeAsset::Quote { (received * fee_rate).round_dp(8) } else { fee };
                        if sold > Decimal::ZERO && received > Decimal::ZERO {
                            f.fill_sell(sold, received, fee, asset).unwrap();
                        }
                    }
                    let rest = f.holdings_locked;
                    if rest > Decimal::ZERO { f.unlock(rest).unwrap(); }
                }
            }
            prop_assert!(f.is_consistent(), "books out of balance: {f:?}");
        }
    }
}
