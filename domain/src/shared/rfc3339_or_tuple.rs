//! A timestamp written as an RFC 3339 string that also reads the `time` crate's default form, the
//! array `[year, ordinal, hour, minute, second, nanosecond, offset h, offset m, offset s]`, which
//! records stored before the string form hold. Use it as `#[serde(with = "...")]`.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// The two forms a stored timestamp may take.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    /// `"2026-03-02T09:00:00Z"`, the form written now.
    Rfc3339(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
    /// The `time` crate's tuple, written before.
    Tuple(i32, u16, u8, u8, u8, u32, i8, i8, i8),
}

/// Writes `at` as an RFC 3339 string.
pub fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    time::serde::rfc3339::serialize(at, serializer)
}

/// Reads an RFC 3339 string or the legacy tuple.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
    match Stored::deserialize(deserializer)
        .map_err(|_| D::Error::custom("expected an RFC 3339 timestamp (or the legacy time tuple)"))?
    {
        Stored::Rfc3339(at) => Ok(at),
        Stored::Tuple(year, ordinal, hour, minute, second, nanosecond, oh, om, os) => {
            let date = Date::from_ordinal_date(year, ordinal).map_err(D::Error::custom)?;
            let time = Time::from_hms_nano(hour, minute, second, nanosecond).map_err(D::Error::custom)?;
            let offset = UtcOffset::from_hms(oh, om, os).map_err(D::Error::custom)?;
            Ok(date.with_time(time).assume_offset(offset))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;
    use time::macros::datetime;
    use time::OffsetDateTime;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Stamped {
        #[serde(with = "super")]
        at: OffsetDateTime,
    }

    #[derive(Serialize)]
    struct Legacy {
        at: OffsetDateTime,
    }

    #[test]
    fn writes_rfc3339_and_reads_it_back() {
        let at = datetime!(2026-03-02 09:15:30.25 UTC);
        let written = serde_json::to_value(Stamped { at }).unwrap();
        assert_eq!(written, json!({"at": "2026-03-02T09:15:30.25Z"}));
        assert_eq!(serde_json::from_value::<Stamped>(written).unwrap(), Stamped { at });
    }

    #[test]
    fn reads_the_tuple_the_time_crate_wrote_before() {
        let at = datetime!(2026-12-04 20:40:01.5 -03:00);
        let legacy = serde_json::to_value(Legacy { at }).unwrap();
        assert_eq!(legacy, json!({"at": [2026, 338, 20, 40, 1, 500_000_000, -3, 0, 0]}), "the form stored before");
        assert_eq!(serde_json::from_value::<Stamped>(legacy).unwrap(), Stamped { at });
    }

    #[test]
    fn refuses_what_is_neither() {
        for bad in [json!("yesterday"), json!(17), json!([2026, 400, 0, 0, 0, 0, 0, 0, 0]), json!([2026, 1])] {
            assert!(serde_json::from_value::<Stamped>(json!({ "at": bad })).is_err(), "{bad}");
        }
    }
}
