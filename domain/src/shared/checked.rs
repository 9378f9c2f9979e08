//! Overflow-free arithmetic for money paths: a computation that would leave the range of a
//! `Decimal` gives `None` (or [`Overflow`]) instead of panicking, so a bad value reaching a bot
//! becomes an error of that bot, never a crash.

use rust_decimal::Decimal;

/// A money computation left the range of a `Decimal` (about ±7.9e28).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a money computation overflowed")]
pub struct Overflow;

/// `a * b / c`, exact when the product fits, else computed through the ratio so a share of a
/// large figure never overflows (with `b <= c` the result is at most `a`). `None` when the result
/// itself does not fit or `c` is zero.
pub fn mul_div(a: Decimal, b: Decimal, c: Decimal) -> Option<Decimal> {
    if c.is_zero() {
        return None;
    }
    match a.checked_mul(b) {
        Some(product) => product.checked_div(c),
        None => b.checked_div(c).and_then(|ratio| a.checked_mul(ratio)),
    }
}

/// `percent` % of `value` (`value * percent / 100`).
pub fn percent_of(value: Decimal, percent: Decimal) -> Option<Decimal> {
    mul_div(value, percent, Decimal::ONE_HUNDRED)
}

/// `value * (1 + percent / 100)`.
pub fn plus_percent(value: Decimal, percent: Decimal) -> Option<Decimal> {
    percent_of(value, percent).and_then(|extra| value.checked_add(extra))
}

/// The sum of `values`, `None` when it overflows.
pub fn sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, Decimal::checked_add)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn exact_when_it_fits_and_through_the_ratio_when_not() {
        assert_eq!(mul_div(dec!(10), dec!(1), dec!(3)), Some(dec!(3.3333333333333333333333333333)));
        let big = Decimal::MAX / dec!(2);
        assert_eq!(mul_div(big, dec!(1000), dec!(2000)), Some(big / dec!(2)));
        assert_eq!(mul_div(Decimal::MAX, dec!(2), dec!(1)), None);
        assert_eq!(mul_div(dec!(1), dec!(1), Decimal::ZERO), None);
    }

    #[test]
    fn the_issue_s_figures_overflow_into_none() {
        let allocated = dec!(79228162514264337593543950335);
        assert_eq!(percent_of(allocated, dec!(10)), Some(allocated / dec!(10)));
        assert_eq!(plus_percent(allocated, dec!(10)), None);
        assert_eq!(sum([Decimal::MAX, Decimal::ONE]), None);
        assert_eq!(sum([dec!(1), dec!(2)]), Some(dec!(3)));
    }
}
