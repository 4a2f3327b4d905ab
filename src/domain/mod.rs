//! Domain types in the merchant's words. Each is built by `parse`, so an invalid value
//! cannot exist past the edge of the program.

mod account;
pub mod events;
mod ids;
mod invoice;
mod money;
pub mod period;
mod sharing;
mod withdrawal;

pub use account::{AccountLabel, Credentials, LabelError, Provider};
pub use ids::{AccountId, InvoiceId, TelegramUserId, WithdrawalId};
pub use invoice::InvoiceState;
pub use money::{Amount, AmountError};
pub use period::{Period, PeriodError};
pub use sharing::{DisplayName, DisplayNameError, LinkKind, LinkToken, PayToken};
pub use withdrawal::{BankAccountId, DanaName, DanaNumber, WithdrawalState};
