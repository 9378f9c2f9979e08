//! Instants in an order's JSON as RFC 3339 text, formatted on the stack: the same text as
//! `time::serde::rfc3339`, without the `String` it allocates per instant (a page of 50 orders
//! writes at least 100 of them).

use serde::Serializer;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Longest RFC 3339 text `time` writes: `-9999-12-31T23:59:59.999999999+23:59` and change.
const MAX_LEN: usize = 48;

fn write<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    let mut buffer = [0u8; MAX_LEN];
    let mut out = &mut buffer[..];
    at.format_into(&mut out, &Rfc3339).map_err(serde::ser::Error::custom)?;
    // What is left of the buffer says how much was written (the count `format_into` returns
    // leaves out some of the fraction's digits).
    let written = MAX_LEN - out.len();
    // `format_into` writes ASCII only.
    let text = std::str::from_utf8(&buffer[..written]).map_err(serde::ser::Error::custom)?;
    s.serialize_str(text)
}

/// `#[serde(serialize_with = "instant::required")]`.
pub(super) fn required<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    write(at, s)
}

/// `#[serde(serialize_with = "instant::optional")]`.
pub(super) fn optional<S: Serializer>(at: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => write(at, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    #[derive(serde::Serialize)]
    struct Ours {
        #[serde(serialize_with = "super::required")]
        at: time::OffsetDateTime,
        #[serde(serialize_with = "super::optional")]
        maybe: Option<time::OffsetDateTime>,
    }

    #[derive(serde::Serialize)]
    struct Times {
        #[serde(with = "time::serde::rfc3339")]
        at: time::OffsetDateTime,
        #[serde(with = "time::serde::rfc3339::option")]
        maybe: Option<time::OffsetDateTime>,
    }

    #[test]
    fn the_text_is_the_time_crates() {
        let instants = [
            datetime!(2025-01-01 00:00:00 UTC),
            datetime!(2025-06-30 23:59:59.123 UTC),
            datetime!(2025-06-30 23:59:59.123456789 +05:30),
            datetime!(9999-12-31 23:59:59.999999999 -23:59),
        ];
        for at in instants {
            for maybe in [None, Some(at)] {
                let ours = serde_json::to_string(&Ours { at, maybe }).unwrap();
                assert_eq!(ours, serde_json::to_string(&Times { at, maybe }).unwrap());
            }
        }
    }
}
