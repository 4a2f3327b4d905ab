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
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
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

/// Why a typed amount was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("not a number")]
    NotANumber,
    #[error("zero or negative")]
    NotPositive,
    #[error("fractions of a rupiah")]
    Fractional,
    #[error("above the maximum")]
    TooLarge { max: Amount },
}

/// Digits with grouping separators (`1.250.000`, `1,250,000`): the digits, if every
/// group after the first has three.
fn ungroup(text: &str, sep: char) -> Option<String> {
    let mut groups = text.split(sep);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits = first.to_owned();
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(g);
    }
    Some(digits)
}

impl Amount {
    /// Parses what a merchant types, in whole rupiah: `25000`, `25.000`, `25,000`,
    /// `Rp 25.000`, `25rb`, `25k`, `1,5jt`, `1.5jt`. A separator followed by exactly
    /// three digits groups thousands; otherwise it is a decimal point, allowed only
    /// where it still makes whole rupiah (`1,5jt`). Both kinds at once (`25.000,50`,
    /// `25,000.50`): the last is the decimal point.
    pub fn parse_user(text: &str, max: Amount) -> Result<Amount, AmountError> {
        let mut t: String = text.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
        for prefix in ["rp.", "rp", "idr"] {
            if let Some(rest) = t.strip_prefix(prefix) {
                t = rest.to_owned();
                break;
            }
        }
        if let Some(rest) = t.strip_prefix('-') {
            return Err(if rest.starts_with(|c: char| c.is_ascii_digit()) {
                AmountError::NotPositive
            } else {
                AmountError::NotANumber
            });
        }
        let (number, multiplier) =
            [("juta", 1_000_000), ("jt", 1_000_000), ("ribu", 1_000), ("rb", 1_000), ("k", 1_000)]
                .iter()
                .find_map(|(suffix, m)| t.strip_suffix(suffix).map(|n| (n.to_owned(), *m)))
                .unwrap_or((t.clone(), 1));
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
            return Err(AmountError::NotANumber);
        }
        let (whole, fraction) = match (number.rfind('.'), number.rfind(',')) {
            (Some(d), Some(c)) => {
                let (decimal, group) = if d > c { (d, ',') } else { (c, '.') };
                let whole = ungroup(&number[..decimal], group).ok_or(AmountError::NotANumber)?;
                (whole, number[decimal + 1..].to_owned())
            }
            (Some(at), None) | (None, Some(at)) => {
                let sep = number.as_bytes()[at] as char;
                let after = &number[at + 1..];
                let single = number.matches(sep).count() == 1;
                if single && after.len() != 3 {
                    (number[..at].to_owned(), after.to_owned())
                } else {
                    (ungroup(&number, sep).ok_or(AmountError::NotANumber)?, String::new())
                }
            }
            (None, None) => (number.clone(), String::new()),
        };
        if whole.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AmountError::NotANumber);
        }
        // value = (whole + fraction) × multiplier, exactly, in rupiah.
        let scale = 10i128.checked_pow(fraction.len() as u32).ok_or(AmountError::TooLarge { max })?;
        let whole: i128 = whole.parse().map_err(|_| AmountError::TooLarge { max })?;
        let frac: i128 = if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| AmountError::NotANumber)? };
        // Every step checked: a pasted 40-digit number must be "too large", not a panic.
        let scaled = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(frac))
            .and_then(|v| v.checked_mul(multiplier))
            .ok_or(AmountError::TooLarge { max })?;
        if scaled % scale != 0 {
            return Err(AmountError::Fractional);
        }
        let rupiah = scaled / scale;
        if rupiah <= 0 {
            return Err(AmountError::NotPositive);
        }
        let amount = i64::try_from(rupiah).ok().and_then(Amount::from_rupiah).ok_or(AmountError::TooLarge { max })?;
        if amount > max {
            return Err(AmountError::TooLarge { max });
        }
        Ok(amount)
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
    use proptest::prelude::*;

    use super::*;

    const MAX: Amount = Amount::from_sen(10_000_000 * 100);

    #[test]
    fn typed_amounts() {
        let ok = |t: &str, rupiah: i64| {
            assert_eq!(Amount::parse_user(t, MAX), Ok(Amount::from_rupiah(rupiah).unwrap()), "{t}")
        };
        ok("25000", 25_000);
        ok("25.000", 25_000);
        ok("25,000", 25_000);
        ok("Rp 25.000", 25_000);
        ok("rp25.000", 25_000);
        ok("Rp. 1.250.000", 1_250_000);
        ok("25rb", 25_000);
        ok("25 ribu", 25_000);
        ok("25k", 25_000);
        ok("25K", 25_000);
        ok("1,5jt", 1_500_000);
        ok("1.5jt", 1_500_000);
        ok("2,25 juta", 2_250_000);
        ok("1.500rb", 1_500_000);
        ok("12,345", 12_345);
        ok("25.000,00", 25_000);
        ok("10000000", 10_000_000);
        let err = |t: &str, e: AmountError| assert_eq!(Amount::parse_user(t, MAX), Err(e), "{t}");
        err("abc", AmountError::NotANumber);
        err("", AmountError::NotANumber);
        err("25..000", AmountError::NotANumber);
        err("2.50.000", AmountError::NotANumber);
        err("-5", AmountError::NotPositive);
        err("0", AmountError::NotPositive);
        err("0rb", AmountError::NotPositive);
        err("25.000,50", AmountError::Fractional);
        err("12,345.5", AmountError::Fractional);
        err("25,5", AmountError::Fractional);
        err("1,2345rb", AmountError::Fractional);
        err("10000001", AmountError::TooLarge { max: MAX });
        err("99999999999999999999999", AmountError::TooLarge { max: MAX });
        err("11jt", AmountError::TooLarge { max: MAX });
        // Overflowed the intermediate value (a panic in a debug build) before.
        err("12345678901234567890,12345678901234567890", AmountError::TooLarge { max: MAX });
        err("99999999999999999999999999999999999999,9juta", AmountError::TooLarge { max: MAX });
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_amount_back(rupiah in 1i64..=10_000_000, id in any::<bool>()) {
            let amount = Amount::from_rupiah(rupiah).unwrap();
            let lang = if id { Lang::Id } else { Lang::En };
            prop_assert_eq!(Amount::parse_user(&amount.format(lang), MAX), Ok(amount));
            prop_assert_eq!(Amount::parse_user(&amount.to_string(), MAX), Ok(amount));
        }
    }

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
