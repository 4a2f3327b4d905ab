//! Money. Never a float: an [`Amount`] is a whole number of sen (1/100 rupiah), exact.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// An amount of Indonesian rupiah, stored as whole sen. Gateways speak in rupiah, some
/// with two decimals (`"11000.00"`); all of them fit exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Amount(i64);

impl Amount {
    pub const ZERO: Amount = Amount(0);

    pub const fn from_sen(sen: i64) -> Amount {
        Amount(sen)
    }

    /// Whole rupiah; `None` if the amount overflows.
    pub fn from_rupiah(rupiah: i64) -> Option<Amount> {
        rupiah.checked_mul(100).map(Amount)
    }

    pub const fn sen(self) -> i64 {
        self.0
    }

    /// The amount in whole rupiah, if it has no sen.
    pub fn whole_rupiah(self) -> Option<i64> {
        (self.0 % 100 == 0).then_some(self.0 / 100)
    }

    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Parses a decimal rupiah amount as gateways write it: `11000`, `11000.00`,
    /// `-500.5`. At most two decimals; anything else is refused, never rounded.
    pub fn parse_decimal(text: &str) -> Option<Amount> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if digits.contains('.') && frac.is_empty() {
            return None;
        }
        // Trailing zeros beyond two decimals are exact ("11000.000"); other digits are not.
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac_sen: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
        let sen = whole.checked_mul(100)?.checked_add(frac_sen)?;
        Some(Amount(if negative { -sen } else { sen }))
    }

    /// `Rp 1.250.000` in Indonesian, `Rp 1,250,000` in English; sen are shown only when
    /// there are some (`Rp 1.250,50`).
    pub fn format(self, lang: Lang) -> String {
        let (group, decimal) = match lang {
            Lang::Id => ('.', ','),
            Lang::En => (',', '.'),
        };
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let digits = (abs / 100).to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(c);
        }
        match abs % 100 {
            0 => format!("{sign}Rp {grouped}"),
            sen => format!("{sign}Rp {grouped}{decimal}{sen:02}"),
        }
    }
}

impl fmt::Display for Amount {
    /// Plain decimal rupiah (`11000`, `11000.50`), as sent to gateways and logged.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        match abs % 100 {
            0 => write!(f, "{sign}{}", abs / 100),
            sen => write!(f, "{sign}{}.{sen:02}", abs / 100),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(Amount::parse_decimal("11000.00"), Amount::from_rupiah(11000));
        assert_eq!(Amount::parse_decimal("11000"), Amount::from_rupiah(11000));
        assert_eq!(Amount::parse_decimal("0.5"), Some(Amount::from_sen(50)));
        assert_eq!(Amount::parse_decimal("12.345000"), None);
        assert_eq!(Amount::parse_decimal("-2000.10"), Some(Amount::from_sen(-200_010)));
        for bad in ["", "-", "1.", ".5", "1e5", "1,000", "12.345", "abc", "99999999999999999999"] {
            assert_eq!(Amount::parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn formatting_per_language() {
        let a = Amount::from_rupiah(1_250_000).unwrap();
        assert_eq!(a.format(Lang::Id), "Rp 1.250.000");
        assert_eq!(a.format(Lang::En), "Rp 1,250,000");
        assert_eq!(Amount::from_sen(125_050).format(Lang::Id), "Rp 1.250,50");
        assert_eq!(Amount::from_sen(125_050).format(Lang::En), "Rp 1,250.50");
        assert_eq!(Amount::from_rupiah(999).unwrap().format(Lang::Id), "Rp 999");
        assert_eq!(Amount::from_rupiah(-1000).unwrap().format(Lang::En), "-Rp 1,000");
        assert_eq!(Amount::ZERO.format(Lang::Id), "Rp 0");
        assert_eq!(Amount::from_sen(1_100_050).to_string(), "11000.50");
        assert_eq!(Amount::from_rupiah(25_000).unwrap().to_string(), "25000");
    }
}
