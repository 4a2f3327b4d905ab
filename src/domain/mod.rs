//! Domain types in the merchant's words. Each is built by `parse`, so an invalid value
//! cannot exist past the edge of the program.

mod account;
mod money;

pub use account::{AccountLabel, Credentials, LabelError, Provider};
pub use money::{Amount, AmountError};
