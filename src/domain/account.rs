//! Gateways, their credentials and the labels merchants give their accounts.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// The payment gateways the bot speaks to (PRODUCT.md section 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Bukalapak,
    Qris,
    Snap,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Bukalapak, Provider::Qris, Provider::Snap];

    /// The name stored in the database and used in callback data.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Bukalapak => "bukalapak",
            Provider::Qris => "qris",
            Provider::Snap => "snap",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read from the database: a name the CHECK constraint does not allow is an error.
impl TryFrom<String> for Provider {
    type Error = String;

    fn try_from(name: String) -> Result<Provider, String> {
        name.parse()
    }
}

impl FromStr for Provider {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| format!("unknown provider {s:?}"))
    }
}

/// The credentials of one linked account. Serialized only to be sealed
/// ([`crate::crypto`]); the secret parts redact themselves everywhere else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum Credentials {
    Bukalapak { user_id: String, api_key: Secret },
    Qris { api_key: Secret },
    Snap { partner_id: String, client_secret: Secret, account_id: String },
}

impl Credentials {
    pub fn provider(&self) -> Provider {
        match self {
            Credentials::Bukalapak { .. } => Provider::Bukalapak,
            Credentials::Qris { .. } => Provider::Qris,
            Credentials::Snap { .. } => Provider::Snap,
        }
    }
}

/// A merchant's name for a linked account: 1–32 of `a-z 0-9 _ -`, starting with a letter
/// or digit; input is trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountLabel(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LabelError {
    #[error("a label is 1 to 32 characters")]
    Length,
    #[error("a label uses only letters, digits, '-' and '_', and starts with a letter or digit")]
    Characters,
}

impl AccountLabel {
    pub fn parse(raw: &str) -> Result<AccountLabel, LabelError> {
        let label = raw.trim().to_lowercase();
        if label.is_empty() || label.chars().count() > 32 {
            return Err(LabelError::Length);
        }
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        let starts_well = label.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !starts_well || !label.chars().all(ok_char) {
            return Err(LabelError::Characters);
        }
        Ok(AccountLabel(label))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(AccountLabel::parse("  Toko-1 ").unwrap().as_str(), "toko-1");
        assert_eq!(AccountLabel::parse("").unwrap_err(), LabelError::Length);
        assert_eq!(AccountLabel::parse(&"a".repeat(33)).unwrap_err(), LabelError::Length);
        assert_eq!(AccountLabel::parse("-x").unwrap_err(), LabelError::Characters);
        assert_eq!(AccountLabel::parse("toko 1").unwrap_err(), LabelError::Characters);
        assert_eq!(AccountLabel::parse("tokó").unwrap_err(), LabelError::Characters);
    }

    #[test]
    fn providers_round_trip() {
        for p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>().unwrap(), p);
        }
        assert!("paypal".parse::<Provider>().is_err());
    }

    #[test]
    fn credentials_debug_hides_secrets() {
        let c = Credentials::Snap {
            partner_id: "p-1".into(),
            client_secret: "topsecretvalue".into(),
            account_id: "a".into(),
        };
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
