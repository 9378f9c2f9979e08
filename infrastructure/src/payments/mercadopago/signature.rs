//! Mercado Pago's `x-signature` webhook signature: header parsing, manifest and HMAC-SHA256 check.
//!
//! Header `x-signature: ts=<ts>,v1=<hex>`: split on `,`, each part on its first `=`, trimmed.
//! Manifest `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` (trailing `;`), a segment left out when
//! its value is absent. `v1` is `hex(HMAC-SHA256(webhook secret, manifest))`, compared in constant time.
//! The Orders docs lower-case an alphanumeric `data.id` in the manifest while the official SDKs use it
//! as received, so a match on either form is accepted (numeric payment ids are the same in both).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use domain::shared::secret::Secret;
use domain::subscriptions::PaymentError;

type HmacSha256 = Hmac<Sha256>;

/// The parts of an `x-signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SignatureHeader {
    /// The `ts` value, verbatim (milliseconds in current docs, seconds in older ones).
    pub ts: String,
    /// Every `v1` value, decoded from hex.
    pub v1: Vec<Vec<u8>>,
}

/// Parses `ts=…,v1=…`; a missing `ts` or `v1`, or a `v1` that is not hex, is an invalid signature.
pub(super) fn parse_header(raw: &str) -> Result<SignatureHeader, PaymentError> {
    let mut ts = None;
    let mut v1 = Vec::new();
    for part in raw.split(',') {
        let Some((key, value)) = part.split_once('=') else { continue };
        match key.trim() {
            "ts" if ts.is_none() => ts = Some(value.trim().to_owned()).filter(|t| !t.is_empty()),
            "v1" => v1.push(
                hex::decode(value.trim())
                    .map_err(|_| PaymentError::InvalidSignature("x-signature v1 is not hex".into()))?,
            ),
            _ => {}
        }
    }
    let ts = ts.ok_or_else(|| PaymentError::InvalidSignature("x-signature has no ts".into()))?;
    if v1.is_empty() {
        return Err(PaymentError::InvalidSignature("x-signature has no v1".into()));
    }
    Ok(SignatureHeader { ts, v1 })
}

/// The signed manifest `id:<data.id>;request-id:<x-request-id>;ts:<ts>;`, leaving out each segment
/// whose value is absent or empty. `data_id` is used exactly as given.
pub fn signature_manifest(data_id: Option<&str>, request_id: Option<&str>, ts: Option<&str>) -> String {
    [("id", data_id), ("request-id", request_id), ("ts", ts)]
        .into_iter()
        .filter_map(|(key, value)| value.map(str::trim).filter(|v| !v.is_empty()).map(|v| format!("{key}:{v};")))
        .collect()
}

/// `hex(HMAC-SHA256(secret, manifest))`, the `v1` Mercado Pago sends for that manifest.
pub fn sign_manifest(secret: &str, manifest: &str) -> String {
    hex::encode(mac(secret.as_bytes(), manifest))
}

fn mac(secret: &[u8], manifest: &str) -> Vec<u8> {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(manifest.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether one of the header's `v1` values signs the manifest built from `data_id` as received or
/// lower-cased.
pub(super) fn verify(
    secret: &Secret,
    header: &SignatureHeader,
    data_id: Option<&str>,
    request_id: Option<&str>,
) -> bool {
    let mut candidates = vec![data_id.map(str::to_owned)];
    if let Some(lower) = data_id.map(str::to_ascii_lowercase).filter(|l| Some(l.as_str()) != data_id) {
        candidates.push(Some(lower));
    }
    let mut matched = subtle::Choice::from(0);
    for id in &candidates {
        let expected =
            mac(secret.expose().as_bytes(), &signature_manifest(id.as_deref(), request_id, Some(&header.ts)));
        for given in &header.v1 {
            // Lengths are public (32 bytes); ct_eq on unequal lengths is simply false.
            matched |= expected.as_slice().ct_eq(given.as_slice());
        }
    }
    matched.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "your_secret_key_here";
    const MANIFEST: &str =
        "id:ord01jq4s4ky8hwq6na5pxb65b3d3;request-id:2066ca19-c6f1-498a-be75-1923005edd06;ts:1742505638683;";
    const V1: &str = "633f91233312dd391ec75fa0bea539cfc2d6c4918873305b84a96cc1c58db71c";

    #[test]
    fn reference_vector() {
        let manifest = signature_manifest(
            Some("ord01jq4s4ky8hwq6na5pxb65b3d3"),
            Some("2066ca19-c6f1-498a-be75-1923005edd06"),
            Some("1742505638683"),
        );
        assert_eq!(manifest, MANIFEST);
        assert_eq!(sign_manifest(SECRET, &manifest), V1);
    }

    #[test]
    fn upper_case_id_matches_through_its_lower_case_form() {
        let header = parse_header(&format!(" ts = 1742505638683 , v1 = {V1} ")).unwrap();
        let request_id = Some("2066ca19-c6f1-498a-be75-1923005edd06");
        assert!(verify(&Secret::new(SECRET), &header, Some("ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"), request_id));
        assert!(!verify(&Secret::new("other"), &header, Some("ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"), request_id));
        assert!(!verify(&Secret::new(SECRET), &header, Some("ORD01JQ4S4KY8HWQ6NA5PXB65B3D4"), request_id));
    }

    #[test]
    fn absent_segments_are_left_out() {
        assert_eq!(signature_manifest(Some("123"), None, Some("17")), "id:123;ts:17;");
        assert_eq!(signature_manifest(None, Some(""), Some("17")), "ts:17;");
    }

    #[test]
    fn header_parsing() {
        assert!(parse_header("v1=00").is_err());
        assert!(parse_header("ts=1").is_err());
        assert!(parse_header("ts=1,v1=zz").is_err());
        let header = parse_header("ts=1,v1=ab,extra,v1=cd").unwrap();
        assert_eq!(header, SignatureHeader { ts: "1".into(), v1: vec![vec![0xab], vec![0xcd]] });
    }
}
