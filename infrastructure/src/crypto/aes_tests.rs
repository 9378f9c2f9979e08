//! Unit tests of [`AesGcmCipher`]: round trips, tampering, rotation and keyring parsing.

use super::*;

/// Standard base64 of `n` bytes all equal to `byte`.
fn key_b64(byte: u8, n: usize) -> String {
    STANDARD.encode(vec![byte; n])
}

fn single_key_cipher() -> AesGcmCipher {
    AesGcmCipher::from_env_value(&Secret::new(key_b64(7, 32))).unwrap()
}

#[test]
fn round_trip_with_a_plain_key_uses_key_id_k1() {
    let cipher = single_key_cipher();

    let value = cipher.encrypt(&Secret::new("api-secret-ü-123")).unwrap();

    assert_eq!(value.key_id, DEFAULT_KEY_ID);
    assert_eq!(STANDARD.decode(&value.nonce).unwrap().len(), NONCE_LEN);
    assert_eq!(cipher.decrypt(&value).unwrap().expose(), "api-secret-ü-123");
}

#[test]
fn empty_plaintext_round_trips() {
    let cipher = single_key_cipher();
    assert_eq!(cipher.decrypt(&cipher.encrypt(&Secret::new("")).unwrap()).unwrap().expose(), "");
}

#[test]
fn two_encryptions_of_one_value_differ() {
    let cipher = single_key_cipher();

    let a = cipher.encrypt(&Secret::new("same")).unwrap();
    let b = cipher.encrypt(&Secret::new("same")).unwrap();

    assert_ne!(a.nonce, b.nonce);
    assert_ne!(a.ciphertext, b.ciphertext);
}

#[test]
fn tampered_ciphertext_fails() {
    let cipher = single_key_cipher();
    let mut value = cipher.encrypt(&Secret::new("secret")).unwrap();
    let mut bytes = STANDARD.decode(&value.ciphertext).unwrap();
    bytes[0] ^= 1;
    value.ciphertext = STANDARD.encode(bytes);

    assert!(cipher.decrypt(&value).is_err());
}

#[test]
fn tampered_nonce_fails() {
    let cipher = single_key_cipher();
    let mut value = cipher.encrypt(&Secret::new("secret")).unwrap();
    let mut bytes = STANDARD.decode(&value.nonce).unwrap();
    bytes[11] ^= 0x80;
    value.nonce = STANDARD.encode(bytes);

    assert!(cipher.decrypt(&value).is_err());
}

#[test]
fn relabelled_key_id_fails_even_when_both_ids_hold_the_same_key() {
    // Same key bytes under two ids: only the associated data can tell them apart.
    let cipher = AesGcmCipher::from_env_value(&Secret::new(format!("a:{k},b:{k}", k = key_b64(1, 32)))).unwrap();
    let mut value = cipher.encrypt(&Secret::new("secret")).unwrap();
    assert_eq!(value.key_id, "a");
    value.key_id = "b".to_owned();

    let err = cipher.decrypt(&value).unwrap_err().to_string();

    assert!(err.contains("failed authentication"), "{err}");
}

#[test]
fn malformed_nonce_is_refused() {
    let cipher = single_key_cipher();
    let mut value = cipher.encrypt(&Secret::new("secret")).unwrap();
    value.nonce = STANDARD.encode([0u8; 8]);
    assert!(cipher.decrypt(&value).unwrap_err().to_string().contains("nonce must decode to 12 bytes, got 8"));
    value.nonce = "!!".to_owned();
    assert!(cipher.decrypt(&value).unwrap_err().to_string().contains("nonce is not base64"));
}

#[test]
fn a_rotated_out_key_still_decrypts_and_the_first_key_encrypts() {
    let old = AesGcmCipher::from_env_value(&Secret::new(format!("k1:{}", key_b64(1, 32)))).unwrap();
    let written_before_rotation = old.encrypt(&Secret::new("old secret")).unwrap();
    let rotated =
        AesGcmCipher::from_env_value(&Secret::new(format!("k2:{} , k1:{}", key_b64(2, 32), key_b64(1, 32)))).unwrap();

    let fresh = rotated.encrypt(&Secret::new("new secret")).unwrap();

    assert_eq!(rotated.decrypt(&written_before_rotation).unwrap().expose(), "old secret");
    assert!(rotated.needs_reencryption(&written_before_rotation));
    assert_eq!(rotated.current_key_id(), "k2");
    assert_eq!(fresh.key_id, "k2");
    assert!(!rotated.needs_reencryption(&fresh));
    assert_eq!(rotated.decrypt(&fresh).unwrap().expose(), "new secret");
}

#[test]
fn an_unknown_key_id_fails() {
    let old = AesGcmCipher::from_env_value(&Secret::new(format!("k1:{}", key_b64(1, 32)))).unwrap();
    let value = old.encrypt(&Secret::new("secret")).unwrap();
    let dropped = AesGcmCipher::from_env_value(&Secret::new(format!("k2:{}", key_b64(2, 32)))).unwrap();

    let err = dropped.decrypt(&value).unwrap_err().to_string();

    assert_eq!(err, "unknown encryption key id `k1`");
}

#[test]
fn a_different_key_under_the_same_id_fails() {
    let value = single_key_cipher().encrypt(&Secret::new("secret")).unwrap();
    let other = AesGcmCipher::from_env_value(&Secret::new(key_b64(8, 32))).unwrap();
    assert!(other.decrypt(&value).is_err());
}

#[test]
fn bad_key_formats_are_refused_with_a_message_that_hides_the_value() {
    let short = key_b64(9, 16);
    let cases: Vec<(String, EncryptionKeyError, &str)> = vec![
        ("  ".into(), EncryptionKeyError::Empty, "BOTFLEET_ENCRYPTION_KEY is empty"),
        (
            "not-base64!".into(),
            EncryptionKeyError::NotBase64 { id: "k1".into() },
            "BOTFLEET_ENCRYPTION_KEY: key `k1` is not base64",
        ),
        (
            short.clone(),
            EncryptionKeyError::WrongLength { id: "k1".into(), got: 16 },
            "BOTFLEET_ENCRYPTION_KEY: key `k1` must decode to 32 bytes, got 16",
        ),
        (
            format!("k2:{},old:{short}", key_b64(1, 32)),
            EncryptionKeyError::WrongLength { id: "old".into(), got: 16 },
            "BOTFLEET_ENCRYPTION_KEY: key `old` must decode to 32 bytes, got 16",
        ),
        (
            format!("bad id:{}", key_b64(1, 32)),
            EncryptionKeyError::InvalidKeyId { position: 1 },
            "BOTFLEET_ENCRYPTION_KEY: entry 1 has an invalid key id (1 to 32 of A-Z a-z 0-9 _ -)",
        ),
        (
            format!("k1:{k},{k}", k = key_b64(1, 32)),
            EncryptionKeyError::InvalidKeyId { position: 2 },
            "BOTFLEET_ENCRYPTION_KEY: entry 2 has an invalid key id (1 to 32 of A-Z a-z 0-9 _ -)",
        ),
        (
            format!("k1:{k},k1:{k}", k = key_b64(1, 32)),
            EncryptionKeyError::DuplicateKeyId { id: "k1".into() },
            "BOTFLEET_ENCRYPTION_KEY: key id `k1` appears more than once",
        ),
    ];
    for (value, expected, message) in cases {
        let err = AesGcmCipher::from_env_value(&Secret::new(value.as_str())).unwrap_err();
        assert_eq!(err, expected, "for {value:?}");
        assert_eq!(err.to_string(), message);
        for secret in [short.as_str(), &key_b64(1, 32), "not-base64!"] {
            assert!(!err.to_string().contains(secret));
        }
    }
}

#[test]
fn debug_shows_key_ids_but_no_key_material() {
    let key = key_b64(3, 32);
    let cipher = AesGcmCipher::from_env_value(&Secret::new(format!("k2:{key},k1:{}", key_b64(4, 32)))).unwrap();

    let debug = format!("{cipher:?}");

    assert_eq!(debug, r#"AesGcmCipher { current_key_id: "k2", key_ids: ["k2", "k1"], .. }"#);
    assert!(!debug.contains(&key));
}

#[test]
fn dev_mode_round_trips_with_a_random_key() {
    let a = AesGcmCipher::generate_dev();
    let b = AesGcmCipher::generate_dev();
    let value = a.encrypt(&Secret::new("secret")).unwrap();

    assert_eq!(value.key_id, DEV_KEY_ID);
    assert_eq!(a.decrypt(&value).unwrap().expose(), "secret");
    assert!(b.decrypt(&value).is_err());
}
