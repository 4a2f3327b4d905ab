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
