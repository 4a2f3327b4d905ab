//! The withdrawal PIN: 4 to 8 digits, stored only as an Argon2id hash (PHC string).
//! Hashing is deliberately slow, so it runs off the async threads.

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

/// Wrong PINs in a row before withdrawals lock.
pub const MAX_FAILURES: i32 = 5;
/// How long withdrawals stay locked after too many wrong PINs.
pub const LOCK_MINUTES: i64 = 15;

/// A PIN as typed: 4 to 8 digits, nothing else.
pub fn is_valid(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// The Argon2id hash of a PIN, with a fresh salt.
pub async fn hash(pin: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pin.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing the PIN: {e}"))
    })
    .await?
}

/// Whether `pin` matches `hash`. A malformed stored hash matches nothing.
pub async fn verify(pin: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_four_to_eight_digits() {
        for ok in ["1234", "12345678", "0000"] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in ["123", "123456789", "12a4", "12 34", ""] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_pin_and_does_not_contain_it() {
        let h = hash("482913".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("482913"));
        assert!(verify("482913".into(), h.clone()).await);
        assert!(!verify("482914".into(), h).await);
        assert!(!verify("482913".into(), "garbage".into()).await);
    }
}
