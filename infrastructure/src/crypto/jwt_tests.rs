//! Unit tests of [`JwtIssuer`]: round trip, expiry at an injected `now`, and every refusal.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;
use time::macros::datetime;

use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-only";
const ISS: &str = "botfleet";
const AUD: &str = "botfleet-api";

fn issuer() -> JwtIssuer {
    JwtIssuer::new(&Secret::new(SECRET), ISS, AUD).unwrap()
}

fn claims() -> AccessClaims {
    let issued_at = datetime!(2025-03-01 12:00:00 UTC);
    AccessClaims {
        user_id: UserId::new(),
        email: "ana@example.com".to_owned(),
        plan: Plan::Pro,
        jti: "jti-1".to_owned(),
        issued_at,
        expires_at: issued_at + DEFAULT_ACCESS_TTL,
        generation: 2,
    }
}

/// The wire claims `issuer()` would sign for `claims()`, as JSON, for hand-made tokens.
fn wire_json(c: &AccessClaims) -> serde_json::Value {
    json!({
        "sub": c.user_id.to_string(), "email": c.email, "plan": "PRO", "jti": c.jti,
        "iat": c.issued_at.unix_timestamp(), "exp": c.expires_at.unix_timestamp(), "gen": c.generation,
        "iss": ISS, "aud": AUD,
    })
}

fn sign_with(alg: Algorithm, payload: &serde_json::Value) -> String {
    jsonwebtoken::encode(&Header::new(alg), payload, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
}

fn during(c: &AccessClaims) -> OffsetDateTime {
    c.issued_at + Duration::minutes(1)
}

#[test]
fn round_trip_returns_the_claims() {
    let (jwt, c) = (issuer(), claims());

    let token = jwt.issue(&c).unwrap();

    assert_eq!(jwt.verify(&token, during(&c)), Ok(c));
}

#[test]
fn the_header_and_payload_hold_the_documented_claims() {
    let c = claims();
    let token = issuer().issue(&c).unwrap();
    let parts: Vec<&str> = token.split('.').collect();

    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();

    assert_eq!(header["alg"], "HS256");
    assert_eq!(payload, wire_json(&c));
}

#[test]
fn expiry_is_checked_against_the_given_now_without_leeway() {
    let (jwt, c) = (issuer(), claims());
    let token = jwt.issue(&c).unwrap();

    assert!(jwt.verify(&token, c.expires_at - Duration::milliseconds(1)).is_ok());
    assert_eq!(jwt.verify(&token, c.expires_at), Err(TokenError::Expired));
    assert_eq!(jwt.verify(&token, c.expires_at + Duration::days(400)), Err(TokenError::Expired));
}

#[test]
fn a_token_signed_with_another_secret_is_invalid_even_when_expired() {
    let c = claims();
    let other = JwtIssuer::new(&Secret::new("x".repeat(32)), ISS, AUD).unwrap();
    let token = other.issue(&c).unwrap();

    assert_eq!(issuer().verify(&token, during(&c)), Err(TokenError::Invalid));
    assert_eq!(issuer().verify(&token, c.expires_at + Duration::hours(1)), Err(TokenError::Invalid));
}

#[test]
fn wrong_issuer_or_audience_is_invalid() {
    let c = claims();
    let wrong_iss = JwtIssuer::new(&Secret::new(SECRET), "someone-else", AUD).unwrap().issue(&c).unwrap();
    let wrong_aud = JwtIssuer::new(&Secret::new(SECRET), ISS, "another-api").unwrap().issue(&c).unwrap();

    assert_eq!(issuer().verify(&wrong_iss, during(&c)), Err(TokenError::Invalid));
    assert_eq!(issuer().verify(&wrong_aud, during(&c)), Err(TokenError::Invalid));
}

#[test]
fn alg_none_is_refused() {
    let c = claims();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(wire_json(&c).to_string());

    for token in [format!("{header}.{payload}."), format!("{header}.{payload}")] {
        assert_eq!(issuer().verify(&token, during(&c)), Err(TokenError::Invalid), "{token}");
    }
}

#[test]
fn other_hmac_algorithms_with_the_same_secret_are_refused() {
    let c = claims();
    let control = sign_with(Algorithm::HS256, &wire_json(&c));
    assert!(issuer().verify(&control, during(&c)).is_ok());

    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let token = sign_with(alg, &wire_json(&c));
        assert_eq!(issuer().verify(&token, during(&c)), Err(TokenError::Invalid), "{alg:?}");
    }
}

#[test]
fn a_tampered_payload_is_refused() {
    let c = claims();
    let token = issuer().issue(&c).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let mut upgraded = wire_json(&c);
    upgraded["plan"] = json!("MAX");
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(upgraded.to_string()), parts[2]);

    assert_eq!(issuer().verify(&forged, during(&c)), Err(TokenError::Invalid));
}

#[test]
fn missing_claims_or_a_bad_subject_are_invalid() {
    let c = claims();
    for field in ["aud", "iss", "exp", "sub", "jti", "email"] {
        let mut payload = wire_json(&c);
        payload.as_object_mut().unwrap().remove(field);
        let token = sign_with(Algorithm::HS256, &payload);
        assert_eq!(issuer().verify(&token, during(&c)), Err(TokenError::Invalid), "without {field}");
    }
    let mut payload = wire_json(&c);
    payload["sub"] = json!("not-a-ulid");
    assert_eq!(issuer().verify(&sign_with(Algorithm::HS256, &payload), during(&c)), Err(TokenError::Invalid));
}

#[test]
fn garbage_is_invalid() {
    for token in ["", "a.b.c", "not a token", "...."] {
        assert_eq!(issuer().verify(token, during(&claims())), Err(TokenError::Invalid), "{token:?}");
    }
}

#[test]
fn configuration_is_checked() {
    assert_eq!(
        JwtIssuer::new(&Secret::new("1".repeat(31)), ISS, AUD).unwrap_err(),
        JwtConfigError::SecretTooShort { got: 31 }
    );
    assert_eq!(JwtIssuer::new(&Secret::new(SECRET), "", AUD).unwrap_err(), JwtConfigError::EmptyIssuer);
    assert_eq!(JwtIssuer::new(&Secret::new(SECRET), ISS, "").unwrap_err(), JwtConfigError::EmptyAudience);
    assert_eq!(issuer().with_access_ttl(Duration::ZERO).unwrap_err(), JwtConfigError::NonPositiveTtl);
    assert_eq!(issuer().access_ttl(), Duration::minutes(15));
    assert_eq!(issuer().with_access_ttl(Duration::minutes(5)).unwrap().access_ttl(), Duration::minutes(5));
}

#[test]
fn issuing_an_already_expired_token_is_an_error() {
    let mut c = claims();
    c.expires_at = c.issued_at;
    assert!(issuer().issue(&c).is_err());
}

#[test]
fn debug_redacts_the_secret() {
    let debug = format!("{:?}", issuer());
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(!debug.contains("0123456789abcdef"), "{debug}");
}

#[test]
fn a_token_from_the_future_is_invalid_beyond_the_leeway() {
    let (jwt, c) = (issuer(), claims());
    let token = jwt.issue(&c).unwrap();

    assert!(jwt.verify(&token, c.issued_at - FUTURE_LEEWAY).is_ok(), "within the leeway");
    assert_eq!(jwt.verify(&token, c.issued_at - FUTURE_LEEWAY - Duration::seconds(1)), Err(TokenError::Invalid));
}

#[test]
fn a_token_not_valid_before_a_future_instant_is_invalid() {
    let c = claims();
    let now = during(&c);
    let mut payload = wire_json(&c);
    payload["nbf"] = json!((now + Duration::minutes(5)).unix_timestamp());
    let future = sign_with(Algorithm::HS256, &payload);
    payload["nbf"] = json!((now - Duration::seconds(30)).unix_timestamp());
    let past = sign_with(Algorithm::HS256, &payload);

    assert_eq!(issuer().verify(&future, now), Err(TokenError::Invalid));
    assert!(issuer().verify(&past, now).is_ok());
}

#[test]
fn a_token_without_a_generation_is_of_generation_zero() {
    let c = claims();
    let mut payload = wire_json(&c);
    payload.as_object_mut().unwrap().remove("gen");

    let verified = issuer().verify(&sign_with(Algorithm::HS256, &payload), during(&c)).unwrap();

    assert_eq!(verified.generation, 0);
}

#[test]
fn a_verified_token_is_decoded_once_and_its_times_checked_at_every_use() {
    let (jwt, c) = (issuer(), claims());
    let token = jwt.issue(&c).unwrap();
    let mut tampered = token.clone();
    tampered.pop();

    assert_eq!(jwt.verify(&tampered, during(&c)), Err(TokenError::Invalid));
    assert_eq!(jwt.verified.len(), 0, "a refused token is not remembered");
    assert_eq!(jwt.verify(&token, during(&c)), Ok(c.clone()));
    assert_eq!(jwt.verify(&token, during(&c)), Ok(c.clone()));
    assert_eq!(jwt.verified.len(), 1);
    // Remembered, yet still refused from the future and once expired (then forgotten).
    assert_eq!(jwt.verify(&token, c.issued_at - FUTURE_LEEWAY - Duration::seconds(1)), Err(TokenError::Invalid));
    assert_eq!(jwt.verify(&token, c.expires_at), Err(TokenError::Expired));
    assert_eq!(jwt.verified.len(), 0);
}
