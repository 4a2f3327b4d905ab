//! [`Secret`]: a value that must never reach a log line or a chat message by accident.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// Wraps a credential, password or PIN. `Debug` and `Display` print `[redacted]`; the value
/// is reached only through [`Secret::expose`], so every use of it is visible in the code;
/// its memory is overwritten with zeros when it is dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret<T: Zeroize = String>(T);

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Secret {
    /// The masked form shown back to a merchant after linking: the first and last four
    /// characters (`Sy7P…zjMu`); short values are masked entirely.
    /// Enough of the secret to recognise it, never enough to matter: at most a quarter
    /// of its characters (head and tail, up to 4 each); nothing of one under 16.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let shown = (chars.len() / 8).min(4);
        if shown < 2 {
            return "••••".to_owned();
        }
        let head: String = chars[..shown].iter().collect();
        let tail: String = chars[chars.len() - shown..].iter().collect();
        format!("{head}…{tail}")
    }
}

/// Whether a message looks like a credential, a password or a token rather than words,
/// a name or an amount: one token of 16 or more characters with digits and letters of
/// both cases, or 24 or more letters and digits, or a UUID. Used to delete such a
/// message when no dialogue asked for a secret (after the dialogue expired, from a
/// second device, in a photo's caption, or pasted where a name was asked).
pub fn looks_like_secret(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || t.chars().any(char::is_whitespace) {
        return false;
    }
    let n = t.chars().count();
    let digits = t.chars().any(|c| c.is_ascii_digit());
    let lower = t.chars().any(|c| c.is_ascii_lowercase());
    let upper = t.chars().any(|c| c.is_ascii_uppercase());
    let alnum = t.chars().all(|c| c.is_ascii_alphanumeric());
    let uuid = n == 36
        && t.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() });
    (n >= 16 && digits && lower && upper) || (n >= 24 && alnum && digits) || uuid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_tokens_look_like_secrets_and_words_names_and_amounts_do_not() {
        for secret in [
            "Sy7PRGGr4foUk22uzjMu",
            "b3ed7d4b-a96c-6c08-b3c7-12c3124242d9",
            "qris2f9c8e7d6b5a4c3d2e1f0a9b8c7",
            "Rahasia-Sekali-778x",
            " Sy7PRGGr4foUk22uzjMu\n",
        ] {
            assert!(looks_like_secret(secret), "{secret:?}");
        }
        for ordinary in [
            "toko-jakarta-selatan-01",
            "kasir",
            "Rp 25.000",
            "1,5jt",
            "081234567890",
            "John Doe",
            "hello there, is this the bot?",
            "/withdraw",
            "TokoBudiSejahtera",
        ] {
            assert!(!looks_like_secret(ordinary), "{ordinary:?}");
        }
    }

    #[test]
    fn never_printed() {
        let s = Secret::from("Sy7Pq9s8d7f6g5h4zjMu");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Login {
            api_key: Secret,
        }
        assert!(!format!("{:?}", Login { api_key: s.clone() }).contains("Sy7P"));
        assert_eq!(s.masked(), "Sy…Mu", "20 characters: 4 shown");
        assert_eq!(Secret::from("1234").masked(), "••••");
        assert_eq!(Secret::from("abcdefghijkl").masked(), "••••", "12 characters: none shown (8 were)");
        assert_eq!(Secret::from("a".repeat(40).as_str()).masked(), "aaaa…aaaa");
        for n in 0..80 {
            let masked = Secret::from("x".repeat(n).as_str()).masked();
            let shown = masked.chars().filter(|c| *c == 'x').count();
            assert!(shown * 4 <= n, "{n}: {masked}");
        }
    }
}
