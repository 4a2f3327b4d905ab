//! [`Secret`]: a value that must never reach a log line or a chat message by accident.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Wraps a credential, password or PIN. `Debug` and `Display` print `[redacted]`; the value
/// is reached only through [`Secret::expose`], so every use of it is visible in the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
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

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Secret {
    /// The masked form shown back to a merchant after linking: the first and last four
    /// characters (`Sy7P…zjMu`); short values are masked entirely.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 12 {
            return "••••".to_owned();
        }
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(s.masked(), "Sy7P…zjMu");
        assert_eq!(Secret::from("1234").masked(), "••••");
    }
}
