//! An invoice's state as the bot records it (`invoices.status`, which a CHECK constraint
//! holds to these names). The gateways know three of them; `Cancelled` is the bot's own
//! record of a merchant cancelling through it (the gateway then reports it expired).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvoiceState {
    Pending,
    Paid,
    Expired,
    Cancelled,
}

impl InvoiceState {
    pub const ALL: [InvoiceState; 4] =
        [InvoiceState::Pending, InvoiceState::Paid, InvoiceState::Expired, InvoiceState::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceState::Pending => "pending",
            InvoiceState::Paid => "paid",
            InvoiceState::Expired => "expired",
            InvoiceState::Cancelled => "cancelled",
        }
    }

    pub fn parse(name: &str) -> Option<InvoiceState> {
        InvoiceState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Paid, expired or cancelled: nothing will change any more.
    pub fn is_final(self) -> bool {
        self != InvoiceState::Pending
    }
}

impl fmt::Display for InvoiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read from the database: a name the CHECK constraint does not allow is an error.
impl TryFrom<String> for InvoiceState {
    type Error = String;

    fn try_from(name: String) -> Result<InvoiceState, String> {
        InvoiceState::parse(&name).ok_or_else(|| format!("unknown invoice status {name:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_only_pending_is_open() {
        for s in InvoiceState::ALL {
            assert_eq!(InvoiceState::try_from(s.as_str().to_owned()), Ok(s));
            assert_eq!(s.is_final(), s != InvoiceState::Pending);
        }
        assert!(InvoiceState::try_from("PAID".to_owned()).is_err());
    }
}
