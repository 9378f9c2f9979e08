//! Unit tests for settings: defaults, every kind of bad value, secret redaction.

use std::time::Duration;

use super::*;

const JWT: &str = "0123456789abcdef0123456789abcdef-jwt";
// base64 of 32 zero bytes and of 32 0x01 bytes.
const KEY_A: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
const KEY_B: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

fn with_secrets(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut pairs = vec![("BOTFLEET_JWT_SECRET", JWT), ("BOTFLEET_ENCRYPTION_KEY", KEY_A)];
    pairs.extend_from_slice(extra);
    pairs
}

fn load(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    Settings::from_pairs(pairs)
}

fn only_error(pairs: &[(&str, &str)]) -> SettingError {
    let err = load(pairs).expect_err("settings should be rejected");
    assert_eq!(err.0.len(), 1, "{err}");
    err.0[0].clone()
}

#[test]
fn defaults_apply_when_only_secrets_are_set() {
    let s = load(&with_secrets(&[])).unwrap();

    assert_eq!(s.http.addr.to_string(), "127.0.0.1:8080");
    assert!(s.http.workers >= 1);
    assert_eq!(s.http.json_limit_bytes, 65_536);
    assert_eq!(s.http.slow_request_threshold, Duration::from_millis(500));
    assert!(s.http.cors_origins.is_empty() && s.http.trusted_proxies.is_empty());
    assert_eq!((s.jwt.issuer.as_str(), s.jwt.audience.as_str()), ("botfleet", "botfleet-api"));
    assert_eq!(s.store, StoreSettings::Embedded { data_dir: "./data".into() });
    assert_eq!((s.log.format, s.log.level.as_str()), (LogFormat::Pretty, "info"));
    assert!(!s.dev_mode && s.generated_secrets.is_empty());
}

#[test]
fn every_value_can_be_overridden() {
    let s = load(&with_secrets(&[
        ("BOTFLEET_HTTP_ADDR", "[::]:9000"),
        ("BOTFLEET_HTTP_WORKERS", "3"),
        ("BOTFLEET_JSON_LIMIT_BYTES", "1024"),
        ("BOTFLEET_SLOW_REQUEST_MS", "50"),
        ("BOTFLEET_CORS_ORIGINS", "https://App.example.com, http://localhost:5173"),
        ("BOTFLEET_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1"),
        ("BOTFLEET_LOG_FORMAT", "JSON"),
        ("BOTFLEET_LOG_LEVEL", "warn,api=debug"),
        ("BOTFLEET_DATA_DIR", ":memory:"),
    ]))
    .unwrap();

    assert_eq!((s.http.addr.port(), s.http.workers, s.http.json_limit_bytes), (9000, 3, 1024));
    assert_eq!(s.http.slow_request_threshold, Duration::from_millis(50));
    assert_eq!(s.http.cors_origins, ["https://app.example.com", "http://localhost:5173"]);
    assert!(s.http.trusted_proxies.contains("10.9.9.9".parse().unwrap()));
    assert_eq!(s.log.format, LogFormat::Json);
    assert_eq!(s.store, StoreSettings::InMemory);
}

#[test]
fn mongodb_uri_selects_mongo_and_stays_secret() {
    let s = load(&with_secrets(&[("MONGODB_URI", "mongodb://user:pa55word@db:27017"), ("BOTFLEET_DATA_DIR", "/x")]))
        .unwrap();

    let StoreSettings::Mongo { uri, database } = &s.store else { panic!("expected mongo, got {:?}", s.store) };
    assert_eq!((uri.expose(), database.as_str()), ("mongodb://user:pa55word@db:27017", "botfleet"));
    assert!(!format!("{s:?}").contains("pa55word"));
}

#[test]
fn bad_values_name_the_variable_and_the_expected_form() {
    let cases: &[(&str, &str, &str)] = &[
        ("BOTFLEET_HTTP_ADDR", "localhost", "socket address"),
        ("BOTFLEET_HTTP_WORKERS", "0", "positive integer"),
        ("BOTFLEET_JSON_LIMIT_BYTES", "lots", "positive number of bytes"),
        ("BOTFLEET_SLOW_REQUEST_MS", "-1", "milliseconds"),
        ("BOTFLEET_DEV_MODE", "maybe", "`true` or `false`"),
        ("BOTFLEET_TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.0/40", "CIDR"),
        ("BOTFLEET_CORS_ORIGINS", "https://a.example.com/path", "origin"),
        ("BOTFLEET_CORS_ORIGINS", "*", "origin"),
        ("BOTFLEET_LOG_FORMAT", "xml", "`pretty` or `json`"),
        ("BOTFLEET_LOG_LEVEL", "info,[[[", "tracing filter"),
        ("MONGODB_URI", "postgres://x", "mongodb://"),
    ];
    for (var, value, expected) in cases {
        let err = only_error(&with_secrets(&[(var, value)]));

        assert_eq!(err.var, *var, "for {var}={value}");
        assert!(err.message.contains(expected), "{var}={value}: {}", err.message);
    }
}

#[test]
fn all_errors_are_reported_at_once() {
    let err = load(&[("BOTFLEET_HTTP_ADDR", "nope"), ("BOTFLEET_LOG_FORMAT", "xml")]).unwrap_err();

    assert_eq!(
        err.vars(),
        ["BOTFLEET_HTTP_ADDR", "BOTFLEET_JWT_SECRET", "BOTFLEET_ENCRYPTION_KEY", "BOTFLEET_LOG_FORMAT"]
    );
    assert!(err.to_string().contains("BOTFLEET_JWT_SECRET: is required"), "{err}");
}

#[test]
fn short_jwt_secret_is_refused_without_echoing_it() {
    let err = only_error(&[("BOTFLEET_JWT_SECRET", "tooshort-s3cr3t"), ("BOTFLEET_ENCRYPTION_KEY", KEY_A)]);

    assert_eq!(err.var, "BOTFLEET_JWT_SECRET");
    assert!(err.message.contains("at least 32 bytes"), "{}", err.message);
    assert!(!err.message.contains("tooshort-s3cr3t"));
}

#[test]
fn encryption_key_accepts_single_and_rotation_forms() {
    let rotation = format!("k2:{KEY_B},k1:{KEY_A}");
    for key in [KEY_A, rotation.as_str()] {
        assert!(check_encryption_key(&Secret::new(key)).is_ok(), "{key}");
    }
}

#[test]
fn malformed_encryption_keys_are_refused_without_echoing_them() {
    let short = "c2hvcnQta2V5"; // base64 of "short-key"
    let cases = [
        short.to_owned(),
        "not base64!".to_owned(),
        format!("k1:{KEY_A},k1:{KEY_B}"),
        format!("k1:{KEY_A},{KEY_B}"),
        format!("bad id:{KEY_A}"),
        format!("k1:{short}"),
        // 33 characters: one more than the cipher's key ids allow (the settings once let it pass).
        format!("{}:{KEY_A}", "k".repeat(33)),
    ];
    for key in cases {
        let pairs = [("BOTFLEET_JWT_SECRET", JWT), ("BOTFLEET_ENCRYPTION_KEY", key.as_str())];
        let err = only_error(&pairs);

        assert_eq!(err.var, "BOTFLEET_ENCRYPTION_KEY", "{key}");
        assert!(!err.message.contains(short) && !err.message.contains(KEY_B), "{}", err.message);
    }
}

#[test]
fn dev_mode_generates_missing_secrets_and_records_them() {
    let s = load(&[("BOTFLEET_DEV_MODE", "true")]).unwrap();

    assert!(s.dev_mode);
    assert_eq!(s.generated_secrets, ["BOTFLEET_JWT_SECRET", "BOTFLEET_ENCRYPTION_KEY"]);
    assert!(check_jwt_secret(&s.jwt.secret).is_ok());
    assert!(check_encryption_key(&s.encryption_key).is_ok());
}

#[test]
fn dev_mode_still_refuses_a_bad_secret_that_was_set() {
    let err = only_error(&[("BOTFLEET_DEV_MODE", "1"), ("BOTFLEET_JWT_SECRET", "short")]);

    assert_eq!(err.var, "BOTFLEET_JWT_SECRET");
}

#[test]
fn debug_output_redacts_every_secret() {
    let s = load(&with_secrets(&[])).unwrap();
    let debug = format!("{s:?}");

    assert!(!debug.contains(JWT) && !debug.contains(KEY_A), "{debug}");
    assert!(debug.contains("[REDACTED]"));
}
