//! The use cases, without Telegram: what the bot does for a merchant, each a function
//! that takes the [`App`](crate::app::App) and the user it acts for and returns a typed
//! result or a typed error. Nothing here names `teloxide` or renders words (`tr!`): the
//! chat layer (`bot`) parses an update, calls one of these, and renders what came back
//! in the user's language. Every gateway call goes through [`accounts::Usable`], which
//! gives each call its own span.

pub mod accounts;
pub mod buttons;
pub mod groups;
pub mod invoices;
pub mod linking;
pub mod notifications;
pub mod pin;
pub mod reports;
pub mod staff;
pub mod static_qris;
pub mod users;
pub mod withdrawals;
