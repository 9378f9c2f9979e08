//! The coupon amounts' exact text form, checked as the schema's pattern states it: a positive
//! decimal with at most `int_digits` integer digits (no leading zero) and at most 2 decimals
//! (`20`, `12.5`, `0.05`), so what the schema allows and what the server accepts are the same.

use std::str::FromStr;

use application::{FieldCode, FieldError};
use rust_decimal::Decimal;

/// Whether `text` is such a decimal.
fn well_formed(text: &str, int_digits: usize) -> bool {
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f) || f.len() > 2) {
        return false;
    }
    if int == "0" {
        // `0.x`: a fraction that is not zero.
        return frac.is_some_and(|f| f.bytes().any(|b| b != b'0'));
    }
    !int.starts_with('0') && int.len() <= int_digits
}

/// The decimal of `raw`, or an error naming `field` pushed onto `errors`.
pub(super) fn parse(
    field: &str,
    raw: Option<&str>,
    int_digits: usize,
    errors: &mut Vec<FieldError>,
) -> Option<Decimal> {
    let raw = raw?;
    match Decimal::from_str(raw).ok().filter(|_| well_formed(raw, int_digits)) {
        Some(value) => Some(value),
        None => {
            let why = format!("a decimal above 0 with at most {int_digits} integer digits and 2 decimals");
            errors.push(FieldError::new(field, FieldCode::Invalid, why));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_pattern_states() {
        for ok in ["20", "12.5", "99.99", "0.05", "0.5", "0.10", "1.00"] {
            assert!(well_formed(ok, 2), "{ok}");
        }
        for bad in ["0", "0.0", "0.00", "100", "05", "1.", ".5", "1.234", "+5", " 5", "1e2", "-1", ""] {
            assert!(!well_formed(bad, 2), "{bad}");
        }
        assert!(well_formed("999999.99", 6));
        assert!(!well_formed("1000000", 6));
    }
}
