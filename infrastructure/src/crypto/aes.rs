//! AES-256-GCM encryption of secrets at rest, with a keyring so keys can rotate.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{anyhow, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::credentials::{EncryptedValue, SecretCipher};
use domain::shared::secret::Secret;
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::{Zeroize as _, Zeroizing};

/// The environment variable that holds the keyring.
pub const ENCRYPTION_KEY_ENV: &str = "BOTFLEET_ENCRYPTION_KEY";

/// The key id given to a keyring written as a single plain base64 key.
pub const DEFAULT_KEY_ID: &str = "k1";

/// The key id of the throw-away key made by [`AesGcmCipher::generate_dev`].
pub const DEV_KEY_ID: &str = "dev";

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const MAX_KEY_ID_LEN: usize = 32;

/// Why a keyring value was refused. Messages name the entry, never its key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncryptionKeyError {
    /// The value holds no key.
    #[error("{ENCRYPTION_KEY_ENV} is empty")]
    Empty,
    /// An entry's key id is empty, too long or uses other characters than `A-Z a-z 0-9 _ -`.
    #[error("{ENCRYPTION_KEY_ENV}: entry {position} has an invalid key id (1 to 32 of A-Z a-z 0-9 _ -)")]
    InvalidKeyId {
        /// 1-based position of the entry.
        position: usize,
    },
    /// Two entries share a key id.
    #[error("{ENCRYPTION_KEY_ENV}: key id `{id}` appears more than once")]
    DuplicateKeyId {
        /// The repeated id.
        id: String,
    },
    /// An entry's key is not standard base64.
    #[error("{ENCRYPTION_KEY_ENV}: key `{id}` is not base64")]
    NotBase64 {
        /// The entry's key id.
        id: String,
    },
    /// An entry's key does not decode to 32 bytes.
    #[error("{ENCRYPTION_KEY_ENV}: key `{id}` must decode to 32 bytes, got {got}")]
    WrongLength {
        /// The entry's key id.
        id: String,
        /// How many bytes it decoded to.
        got: usize,
    },
}

/// One named 256-bit key; the bytes are wiped when it is dropped.
struct KeyEntry {
    id: String,
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl KeyEntry {
    // The cipher is rebuilt per call (microseconds) so that the only long-lived copy of the key is
    // the zeroizing one.
    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new_from_slice(self.key.as_slice()).expect("an AES-256 key is 32 bytes")
    }
}

/// [`SecretCipher`] with AES-256-GCM: a fresh random 96-bit nonce per value, the key id stored
/// beside the ciphertext and authenticated as associated data (so relabelling a value with another
/// key id makes it fail to decrypt).
///
/// The keyring has one current key, used to encrypt, and any number of older keys still accepted
/// to decrypt. Build it from [`ENCRYPTION_KEY_ENV`] with [`AesGcmCipher::from_env_value`].
/// Keys are zeroized on drop and `Debug` shows key ids only.
pub struct AesGcmCipher {
    /// Never empty; the first entry is the current key.
    keys: Vec<KeyEntry>,
}

impl AesGcmCipher {
    /// Parses the value of `BOTFLEET_ENCRYPTION_KEY`. Two forms are accepted:
    ///
    /// - one key: the standard base64 (with padding) of exactly 32 random bytes, e.g. the output of
    ///   `openssl rand -base64 32`. Its key id is [`DEFAULT_KEY_ID`] (`k1`).
    /// - a keyring for rotation: `id1:base64,id2:base64,...`. The FIRST entry is the current key and
    ///   encrypts every new value; the others only decrypt values written under them. Ids are 1 to
    ///   32 of `A-Z a-z 0-9 _ -` and are stored beside each ciphertext, so never reuse an id for a
    ///   different key. To rotate, put a new entry first and keep the old one until every value has
    ///   been re-encrypted. Whitespace around entries is ignored.
    ///
    /// Errors name the faulty entry (`not base64`, `must decode to 32 bytes, got N`) and never echo
    /// key material.
    pub fn from_env_value(value: &Secret) -> Result<Self, EncryptionKeyError> {
        let value = value.expose().trim();
        if value.is_empty() {
            return Err(EncryptionKeyError::Empty);
        }
        // Standard base64 has no ':' or ',', so a value without ':' is a single plain key.
        if !value.contains(':') && !value.contains(',') {
            return Ok(Self { keys: vec![parse_entry(DEFAULT_KEY_ID, value)?] });
        }
        let mut keys: Vec<KeyEntry> = Vec::new();
        for (index, entry) in value.split(',').enumerate() {
            let position = index + 1;
            let (id, key) = entry.split_once(':').ok_or(EncryptionKeyError::InvalidKeyId { position })?;
            let id = id.trim();
            if !is_valid_key_id(id) {
                return Err(EncryptionKeyError::InvalidKeyId { position });
            }
            if keys.iter().any(|k| k.id == id) {
                return Err(EncryptionKeyError::DuplicateKeyId { id: id.to_owned() });
            }
            keys.push(parse_entry(id, key.trim())?);
        }
        Ok(Self { keys })
    }

    /// Reads and parses [`ENCRYPTION_KEY_ENV`]; a missing variable is [`EncryptionKeyError::Empty`].
    pub fn from_env() -> Result<Self, EncryptionKeyError> {
        Self::from_env_value(&Secret::new(std::env::var(ENCRYPTION_KEY_ENV).unwrap_or_default()))
    }

    /// Dev mode only: a keyring with one random key (id [`DEV_KEY_ID`]) that lives as long as the
    /// process. Values encrypted with it cannot be read after a restart, so never use it where data
    /// must survive; production must set [`ENCRYPTION_KEY_ENV`].
    pub fn generate_dev() -> Self {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(key.as_mut_slice());
        Self { keys: vec![KeyEntry { id: DEV_KEY_ID.to_owned(), key }] }
    }

    /// The id of the key new values are encrypted with.
    pub fn current_key_id(&self) -> &str {
        &self.keys[0].id
    }

    /// Whether `value` was encrypted with an older key and should be re-encrypted.
    pub fn needs_reencryption(&self, value: &EncryptedValue) -> bool {
        value.key_id != self.current_key_id()
    }
}

fn is_valid_key_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn parse_entry(id: &str, encoded: &str) -> Result<KeyEntry, EncryptionKeyError> {
    let decoded =
        Zeroizing::new(STANDARD.decode(encoded).map_err(|_| EncryptionKeyError::NotBase64 { id: id.to_owned() })?);
    if decoded.len() != KEY_LEN {
        return Err(EncryptionKeyError::WrongLength { id: id.to_owned(), got: decoded.len() });
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    key.copy_from_slice(&decoded);
    Ok(KeyEntry { id: id.to_owned(), key })
}

impl SecretCipher for AesGcmCipher {
    fn encrypt(&self, plaintext: &Secret) -> anyhow::Result<EncryptedValue> {
        let entry = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let payload = Payload { msg: plaintext.expose().as_bytes(), aad: entry.id.as_bytes() };
        let ciphertext = entry
            .cipher()
            .encrypt(&Nonce::from(nonce), payload)
            .map_err(|_| anyhow!("encryption with key `{}` failed", entry.id))?;
        Ok(EncryptedValue {
            key_id: entry.id.clone(),
            nonce: STANDARD.encode(nonce),
            ciphertext: STANDARD.encode(ciphertext),
        })
    }

    fn decrypt(&self, value: &EncryptedValue) -> anyhow::Result<Secret> {
        let entry = self
            .keys
            .iter()
            .find(|k| k.id == value.key_id)
            .ok_or_else(|| anyhow!("unknown encryption key id `{}`", value.key_id))?;
        let nonce = STANDARD.decode(&value.nonce).context("encrypted value: nonce is not base64")?;
        let nonce: [u8; NONCE_LEN] = nonce
            .as_slice()
            .try_into()
            .map_err(|_| anyhow!("encrypted value: nonce must decode to {NONCE_LEN} bytes, got {}", nonce.len()))?;
        let ciphertext = STANDARD.decode(&value.ciphertext).context("encrypted value: ciphertext is not base64")?;
        let payload = Payload { msg: &ciphertext, aad: entry.id.as_bytes() };
        let plaintext = entry
            .cipher()
            .decrypt(&Nonce::from(nonce), payload)
            .map_err(|_| anyhow!("encrypted value failed authentication under key `{}`", entry.id))?;
        String::from_utf8(plaintext).map(Secret::new).map_err(|err| {
            err.into_bytes().zeroize();
            anyhow!("decrypted value is not UTF-8")
        })
    }
}

impl std::fmt::Debug for AesGcmCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("AesGcmCipher").field("current_key_id", &ids[0]).field("key_ids", &ids).finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "aes_tests.rs"]
mod tests;
