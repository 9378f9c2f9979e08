//! A JSON field as a CSV cell, safe to open in a spreadsheet. Text a user typed (a bot's name, an
//! order's reason, an exchange's error message) may start like a formula; a spreadsheet would run
//! it (OWASP "CSV injection"). Such a cell gets a leading `'`, which spreadsheets show as text.
//! Decimals stay numbers: `-1.5` is written as it is.

use serde_json::Value;

/// The first characters that make a spreadsheet read a cell as a formula (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text` is a plain decimal number as the API writes them (`-12.5`, `0.001`): a
/// spreadsheet reads it as a number, never as a formula.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

/// `text` as a cell: with a leading `'` when a spreadsheet would read it as a formula.
fn text_cell(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) && !is_decimal(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A JSON field as a CSV cell: strings as they are (neutralised when they would be a formula),
/// numbers and booleans as JSON writes them, `null` as an empty cell, an object of amounts as
/// `KEY=value` pairs.
pub(super) fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => text_cell(s),
        Value::Object(map) => {
            let pairs = map.iter().map(|(k, v)| format!("{k}={}", cell(v))).collect::<Vec<_>>().join(";");
            text_cell(&pairs)
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_that_starts_like_a_formula_is_written_as_text() {
        for (raw, written) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+1+2", "'+1+2"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1,1)", "'@SUM(1,1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-1.", "'-1."),
            ("-.5", "'-.5"),
            ("-1e5", "'-1e5"),
        ] {
            assert_eq!(cell(&json!(raw)), written, "{raw:?}");
        }
    }

    #[test]
    fn numbers_and_plain_text_stay_as_they_are() {
        for raw in ["-1.5", "-12", "0.00012345", "300000.1", "my bot = good", "BTC-BRL", "", "2026-01-01T00:00:00Z"] {
            assert_eq!(cell(&json!(raw)), raw);
        }
        assert_eq!(cell(&json!(-3)), "-3");
        assert_eq!(cell(&json!(true)), "true");
        assert_eq!(cell(&Value::Null), "");
        assert_eq!(cell(&json!({"BRL": "0.1", "BTC": "-0.5"})), "BRL=0.1;BTC=-0.5");
    }
}
