//! The ids of the bot's records, each its own type: an account id cannot be passed where
//! a withdrawal's is wanted, nor the other way round. They are the database's `bigint`
//! keys (decoded in `storage`), and travel in callback data and stored dialogues as bare
//! numbers (`serde(transparent)`), so nothing stored before changes.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> $name {
                $name(id)
            }

            pub const fn get(self) -> i64 {
                self.0
            }

            /// Parses the decimal id of callback data or a command argument.
            pub fn parse(text: &str) -> Option<$name> {
                text.trim().parse().ok().map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id!(
    /// A linked account (`linked_accounts.id`).
    AccountId,
    /// An invoice made through the bot (`invoices.id`).
    InvoiceId,
    /// A withdrawal made through the bot (`withdrawals.id`).
    WithdrawalId,
    /// A Telegram user: a merchant, a staff member, a customer (`users.telegram_id`).
    TelegramUserId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_travel_as_bare_numbers() {
        assert_eq!(AccountId::parse(" 42 "), Some(AccountId::new(42)));
        assert_eq!(WithdrawalId::parse("4x"), None);
        assert_eq!(serde_json::to_string(&InvoiceId::new(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<WithdrawalId>("9").unwrap(), WithdrawalId::new(9));
        assert_eq!(AccountId::new(5).to_string(), "5");
    }
}
