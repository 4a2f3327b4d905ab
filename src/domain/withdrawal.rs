//! A withdrawal's state as the bot records it (`withdrawals.status`, which a CHECK
//! constraint holds to these names). The moves between them are written once, in
//! `storage::withdrawals`: each is one conditional statement.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WithdrawalState {
    /// Amount and destination chosen, not confirmed: nothing sent.
    Draft,
    /// Confirm was taken (once); waiting for the PIN or the Bukalapak password. Never sent.
    Confirmed,
    /// Claimed for its one request to the gateway (a lease while it runs).
    Submitting,
    /// The gateway took it; watched until it is paid out or rejected.
    Submitted,
    /// The gateway refused it: nothing was sent out.
    Refused,
    /// Cancelled by the merchant before it was sent.
    Cancelled,
    /// A draft nobody confirmed in time.
    Expired,
    /// In doubt (a timeout, a lost answer, a process that died): settled from the
    /// gateway's history, never sent again.
    Unknown,
    /// Paid out.
    Success,
    /// The gateway's admin rejected it after taking it.
    Rejected,
}

impl WithdrawalState {
    pub const ALL: [WithdrawalState; 10] = [
        WithdrawalState::Draft,
        WithdrawalState::Confirmed,
        WithdrawalState::Submitting,
        WithdrawalState::Submitted,
        WithdrawalState::Refused,
        WithdrawalState::Cancelled,
        WithdrawalState::Expired,
        WithdrawalState::Unknown,
        WithdrawalState::Success,
        WithdrawalState::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawalState::Draft => "draft",
            WithdrawalState::Confirmed => "confirmed",
            WithdrawalState::Submitting => "submitting",
            WithdrawalState::Submitted => "submitted",
            WithdrawalState::Refused => "refused",
            WithdrawalState::Cancelled => "cancelled",
            WithdrawalState::Expired => "expired",
            WithdrawalState::Unknown => "unknown",
            WithdrawalState::Success => "success",
            WithdrawalState::Rejected => "rejected",
        }
    }

    pub fn parse(name: &str) -> Option<WithdrawalState> {
        WithdrawalState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Money left (or is leaving) the account: taken by the gateway or paid out.
    pub fn is_sent(self) -> bool {
        matches!(self, WithdrawalState::Submitted | WithdrawalState::Success)
    }

    /// Not known yet whether the gateway made it.
    pub fn is_in_doubt(self) -> bool {
        matches!(self, WithdrawalState::Submitting | WithdrawalState::Unknown)
    }
}

impl fmt::Display for WithdrawalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read from the database: a name the CHECK constraint does not allow is an error.
impl TryFrom<String> for WithdrawalState {
    type Error = String;

    fn try_from(name: String) -> Result<WithdrawalState, String> {
        WithdrawalState::parse(&name).ok_or_else(|| format!("unknown withdrawal status {name:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_the_books_sort_them() {
        for s in WithdrawalState::ALL {
            assert_eq!(WithdrawalState::try_from(s.as_str().to_owned()), Ok(s));
            assert!(!(s.is_sent() && s.is_in_doubt()));
        }
        assert!(WithdrawalState::try_from("SUCCESS".to_owned()).is_err());
    }
}

/// A DANA number to withdraw to: `08…` or `628…`, 10 to 15 digits (spaces, dashes and
/// a leading `+` are ignored when typed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DanaNumber(String);

impl DanaNumber {
    pub fn parse(text: &str) -> Option<DanaNumber> {
        let digits: String = text.trim().trim_start_matches('+').chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let ok = digits.bytes().all(|b| b.is_ascii_digit())
            && (10..=15).contains(&digits.len())
            && (digits.starts_with("08") || digits.starts_with("628"));
        ok.then_some(DanaNumber(digits))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The name on a DANA account: 2 to 50 letters, spaces, dots, apostrophes and dashes
/// (runs of spaces made one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DanaName(String);

impl DanaName {
    pub fn parse(text: &str) -> Option<DanaName> {
        let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let ok = (2..=50).contains(&name.chars().count())
            && name.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '\'' | '-'));
        ok.then_some(DanaName(name))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A Bukalapak `bank_account_id`: 1 to 20 digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccountId(String);

impl BankAccountId {
    pub fn parse(text: &str) -> Option<BankAccountId> {
        let id = text.trim();
        let ok = !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| BankAccountId(id.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod destination_tests {
    use super::*;

    #[test]
    fn dana_numbers() {
        assert_eq!(DanaNumber::parse("0812-3456-7890").map(DanaNumber::into_inner).as_deref(), Some("081234567890"));
        assert_eq!(
            DanaNumber::parse("+62 812 3456 7890").map(DanaNumber::into_inner).as_deref(),
            Some("6281234567890")
        );
        for bad in ["12345", "0712345678", "08123", "0812345678901234", "08123abc890", ""] {
            assert_eq!(DanaNumber::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn dana_names_and_bank_account_ids() {
        assert_eq!(DanaName::parse("  Siti   Rahma ").map(DanaName::into_inner).as_deref(), Some("Siti Rahma"));
        for bad in ["S", "Siti <b>", "Siti1", &"a".repeat(51)] {
            assert_eq!(DanaName::parse(bad), None, "{bad}");
        }
        assert_eq!(BankAccountId::parse(" 12345 ").map(BankAccountId::into_inner).as_deref(), Some("12345"));
        for bad in ["", "12a", "123456789012345678901", "-1"] {
            assert_eq!(BankAccountId::parse(bad), None, "{bad}");
        }
    }
}
