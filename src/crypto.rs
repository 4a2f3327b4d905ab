//! Credentials at rest: ChaCha20-Poly1305 under `MASTER_KEY`.
//!
//! Each sealed value carries the id of the key that sealed it (so a key can be rotated
//! and a wrong key is named as such) and is bound by associated data to the row it
//! belongs to: a ciphertext copied into another row does not open.

use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chacha20poly1305::{
    ChaCha20Poly1305, Key, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use sha2::{Digest, Sha256};

/// The key that encrypts credentials. `Debug` shows only its id.
#[derive(Clone)]
pub struct MasterKey {
    cipher: ChaCha20Poly1305,
    id: String,
}

/// Why a `MASTER_KEY` value was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("it is not base64")]
    NotBase64,
    #[error("it decodes to {0} bytes; it must be 32 (use `merchant-bot keygen`)")]
    WrongLength(usize),
}

/// Why a stored credential could not be opened. Never garbage: either the exact
/// plaintext comes back, or one of these.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("the credential was sealed with key {stored}, but MASTER_KEY is key {current}")]
    WrongKey { stored: String, current: String },
    #[error("the credential does not authenticate: it was altered or does not belong to this row")]
    Tampered,
    #[error("the stored nonce is malformed")]
    BadNonce,
}

/// A sealed value as stored: ciphertext (with its tag), nonce and key id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
    pub key_id: String,
}

impl MasterKey {
    pub fn parse(base64: &str) -> Result<MasterKey, KeyError> {
        let bytes = B64.decode(base64.trim()).map_err(|_| KeyError::NotBase64)?;
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::WrongLength(bytes.len()))?;
        Ok(MasterKey::from_bytes(bytes))
    }

    fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        // The id is a hash of the key under a label, so it identifies the key without
        // revealing anything useful about it.
        let digest = Sha256::new().chain_update(b"merchant-bot master key id\0").chain_update(bytes).finalize();
        let id = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        MasterKey { cipher: ChaCha20Poly1305::new(&Key::from(bytes)), id }
    }

    /// A fresh random key, base64 (44 characters), as `merchant-bot keygen` prints it.
    pub fn generate() -> String {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        B64.encode(bytes)
    }

    /// The key's id, stored beside every ciphertext it seals.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Sealed {
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad })
            .expect("ChaCha20-Poly1305 encrypts any message of credential size");
        Sealed { ciphertext, nonce: nonce.to_vec(), key_id: self.id.clone() }
    }

    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.key_id != self.id {
            return Err(OpenError::WrongKey { stored: sealed.key_id.clone(), current: self.id.clone() });
        }
        let nonce: [u8; 12] = sealed.nonce.as_slice().try_into().map_err(|_| OpenError::BadNonce)?;
        self.cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: &sealed.ciphertext, aad })
            .map_err(|_| OpenError::Tampered)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::parse(&MasterKey::generate()).unwrap()
    }

    #[test]
    fn generated_keys_are_44_base64_chars_and_parse() {
        let raw = MasterKey::generate();
        assert_eq!(raw.len(), 44);
        assert_ne!(raw, MasterKey::generate());
        assert!(MasterKey::parse(&raw).is_ok());
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert_eq!(MasterKey::parse("not base64!").unwrap_err(), KeyError::NotBase64);
        assert_eq!(MasterKey::parse("c2hvcnQ=").unwrap_err(), KeyError::WrongLength(5));
    }

    #[test]
    fn round_trip_and_failures() {
        let k = key();
        let sealed = k.seal(b"secret", b"row 1");
        assert!(!sealed.ciphertext.windows(6).any(|w| w == b"secret"));
        assert_eq!(k.open(&sealed, b"row 1").unwrap(), b"secret");
        assert_eq!(k.open(&sealed, b"row 2").unwrap_err(), OpenError::Tampered);
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert_eq!(k.open(&tampered, b"row 1").unwrap_err(), OpenError::Tampered);
        let other = key();
        assert!(matches!(other.open(&sealed, b"row 1"), Err(OpenError::WrongKey { .. })));
        // A row relabelled with the other key's id still does not open.
        let mut relabelled = sealed;
        relabelled.key_id = other.id().to_owned();
        assert_eq!(other.open(&relabelled, b"row 1").unwrap_err(), OpenError::Tampered);
        assert_eq!(format!("{k:?}"), format!("MasterKey({})", k.id()));
    }
}
