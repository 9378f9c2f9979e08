//! Stripe webhook signatures: the `Stripe-Signature` header, checked on the raw body bytes.
//!
//! Header: `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`. The signed payload is
//! `"<t>." + body`, the MAC is HMAC-SHA256 keyed with the whole `whsec_…` secret, hex-encoded.
//! Every `v1` value counts (Stripe sends several while a secret is being rolled); `v0` is a
//! test-mode placeholder and is ignored.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};
use time::OffsetDateTime;

use domain::shared::secret::Secret;
use domain::subscriptions::PaymentError;

/// The header carrying the signature (lower case, as [`domain::subscriptions::WebhookRequest`] stores names).
pub const SIGNATURE_HEADER: &str = "stripe-signature";

/// How far the signed timestamp may be from the receiver's clock, either way (Stripe's libraries: 300 s).
pub const TOLERANCE_SECONDS: i64 = 300;

/// Checks `header` against `body` at `now`. Returns the signed timestamp.
///
/// Every failure is [`PaymentError::InvalidSignature`] with a reason that never contains the secret.
pub(super) fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &Secret,
    now: OffsetDateTime,
) -> Result<i64, PaymentError> {
    let header = header.ok_or_else(|| invalid("missing stripe-signature header"))?;
    let parsed = parse_header(header)?;
    let expected = mac(secret.expose().as_bytes(), parsed.timestamp, body);

    // Compare against every candidate without stopping early, so timing tells nothing about which matched.
    let matched = parsed.v1.iter().fold(Choice::from(0), |acc, candidate| acc | candidate.as_slice().ct_eq(&expected));
    if !bool::from(matched) {
        return Err(invalid("no v1 signature matches the payload"));
    }

    let age = now.unix_timestamp() - parsed.timestamp;
    if age > TOLERANCE_SECONDS {
        return Err(invalid("timestamp is older than the 300 s tolerance"));
    }
    if age < -TOLERANCE_SECONDS {
        return Err(invalid("timestamp is more than 300 s in the future"));
    }
    Ok(parsed.timestamp)
}

/// The `Stripe-Signature` header value Stripe would send for `body` signed at `timestamp` with
/// `secret`. For tests and local tooling that post webhooks to our own endpoint.
pub fn signature_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret.as_bytes(), timestamp, body)))
}

/// The header's useful parts.
struct ParsedHeader {
    timestamp: i64,
    v1: Vec<Vec<u8>>,
}

fn parse_header(header: &str) -> Result<ParsedHeader, PaymentError> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => {
                if timestamp.is_some() {
                    return Err(invalid("several timestamps"));
                }
                timestamp = Some(value.parse::<i64>().map_err(|_| invalid("timestamp is not a number"))?);
            }
            "v1" => v1.push(hex::decode(value).map_err(|_| invalid("v1 signature is not hex"))?),
            // v0 and any future scheme are deliberately not trusted.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or_else(|| invalid("no timestamp (t=)"))?;
    if v1.is_empty() {
        return Err(invalid("no v1 signature"));
    }
    Ok(ParsedHeader { timestamp, v1 })
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn invalid(reason: &str) -> PaymentError {
    PaymentError::InvalidSignature(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(seconds).unwrap()
    }

    #[test]
    fn header_items_may_carry_spaces_and_unknown_schemes() {
        let body = br#"{"id":"evt_test","object":"event"}"#;
        let good = signature_header(SECRET, 1_700_000_000, body);
        let header = format!("{}, v0=abcd, x=1, junk", good.replace(",v1", ", v1"));
        assert_eq!(verify(Some(&header), body, &Secret::new(SECRET), at(1_700_000_000)).unwrap(), 1_700_000_000);
    }

    #[test]
    fn tolerance_is_inclusive_at_300_seconds() {
        let body = b"{}";
        let header = signature_header(SECRET, 1_000, body);
        assert!(verify(Some(&header), body, &Secret::new(SECRET), at(1_300)).is_ok());
        assert!(verify(Some(&header), body, &Secret::new(SECRET), at(700)).is_ok());
        assert!(verify(Some(&header), body, &Secret::new(SECRET), at(1_301)).is_err());
        assert!(verify(Some(&header), body, &Secret::new(SECRET), at(699)).is_err());
    }

    #[test]
    fn two_timestamps_are_refused() {
        let body = b"{}";
        let header = format!("{},t=1", signature_header(SECRET, 1_000, body));
        assert!(matches!(
            verify(Some(&header), body, &Secret::new(SECRET), at(1_000)),
            Err(PaymentError::InvalidSignature(_))
        ));
    }
}
