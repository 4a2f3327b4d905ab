//! What a customer is shown and how they reach it: the seller's display name and the
//! pay link's token.

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

/// The name customers see on an invoice card, set per account in `/accounts`: 1 to 64
/// characters after trimming, no control characters (it goes into captions and images).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    #[error("the display name is empty")]
    Empty,
    #[error("the display name is longer than 64 characters")]
    TooLong,
    #[error("the display name holds a control character")]
    Control,
}

impl DisplayName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(text: &str) -> Result<DisplayName, DisplayNameError> {
        // Runs of spaces (and a pasted line break) are one space.
        let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(DisplayNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(DisplayNameError::Control);
        }
        Ok(DisplayName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a `t.me/<bot>?start=…` link opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// An invoice's card, for a customer.
    Pay,
    /// A one-time staff invite.
    Staff,
}

impl LinkKind {
    fn prefix(self) -> &'static str {
        match self {
            LinkKind::Pay => "pay_",
            LinkKind::Staff => "staff_",
        }
    }
}

/// A link's token: 128 random bits as 22 base64url characters. The start parameter
/// (`pay_<token>`, `staff_<token>`) is within Telegram's 64 characters and its alphabet
/// `[A-Za-z0-9_-]`.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

/// A pay link's token.
pub type PayToken = LinkToken;

impl LinkToken {
    const LEN: usize = 22;

    pub fn generate() -> LinkToken {
        let mut bytes = [0u8; 16];
        rand::fill(&mut bytes);
        LinkToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as stored or typed; `None` unless it has the shape of one.
    pub fn parse(text: &str) -> Option<LinkToken> {
        let ok = text.len() == Self::LEN && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        // The last character carries 2 bits of padding: only 16 of 64 are ever made.
        let canonical = ok && URL_SAFE_NO_PAD.decode(text).is_ok_and(|b| URL_SAFE_NO_PAD.encode(b) == text);
        canonical.then(|| LinkToken(text.to_owned()))
    }

    /// The token in a `/start` parameter of `kind` (`pay_<token>`).
    pub fn from_start(parameter: &str, kind: LinkKind) -> Option<LinkToken> {
        parameter.trim().strip_prefix(kind.prefix()).and_then(LinkToken::parse)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `https://t.me/<bot>?start=pay_<token>`: opens the bot with what the token names.
    pub fn link(&self, bot_username: &str, kind: LinkKind) -> String {
        format!("https://t.me/{bot_username}?start={}{}", kind.prefix(), self.0)
    }
}

/// Never printed in full: it opens an invoice's card.
impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkToken({}…)", &self.0[..4])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_name_is_trimmed_bounded_and_printable() {
        assert_eq!(DisplayName::parse("  Toko   Ani \n Jaya ").unwrap().as_str(), "Toko Ani Jaya");
        assert_eq!(DisplayName::parse(" \n "), Err(DisplayNameError::Empty));
        assert_eq!(DisplayName::parse(&"é".repeat(64)).unwrap().as_str().chars().count(), 64);
        assert_eq!(DisplayName::parse(&"é".repeat(65)), Err(DisplayNameError::TooLong));
        assert_eq!(DisplayName::parse("Toko\u{0007}Ani"), Err(DisplayNameError::Control));
    }

    #[test]
    fn tokens_are_random_canonical_and_fit_a_start_parameter() {
        let a = PayToken::generate();
        let b = PayToken::generate();
        assert_ne!(a, b);
        let start = format!("pay_{}", a.as_str());
        assert!(start.len() <= 64);
        assert_eq!(PayToken::from_start(&start, LinkKind::Pay), Some(a.clone()));
        assert_eq!(PayToken::from_start(&start, LinkKind::Staff), None, "a pay link is no invite");
        assert_eq!(a.link("toko_bot", LinkKind::Pay), format!("https://t.me/toko_bot?start={start}"));
        assert!(!format!("{a:?}").contains(a.as_str()));
        // Altered, cut, lengthened, foreign alphabet, non-canonical last character.
        let mut altered = a.as_str().to_owned();
        altered.replace_range(0..1, if altered.starts_with('A') { "B" } else { "A" });
        assert_eq!(PayToken::parse(&altered).map(|t| t == a), Some(false));
        for junk in [&a.as_str()[..21], &format!("{}A", a.as_str()), "!!!!!!!!!!!!!!!!!!!!!!", "AAAAAAAAAAAAAAAAAAAAAB"]
        {
            assert_eq!(PayToken::parse(junk), None, "{junk}");
        }
        assert_eq!(PayToken::from_start(a.as_str(), LinkKind::Pay), None, "the prefix is needed");
    }
}
