//! merchant-bot: a Telegram bot that turns chat commands into calls to a merchant's own
//! payment-gateway accounts.
//!
//! A map for newcomers:
//! - [`cli`]: the subcommands (`run`, `demo`, `migrate`, `keygen`, `rotate-key`, `healthcheck`,
//!   `simulate`); `main.rs` only calls it.
//! - [`local_postgres`]: a PostgreSQL of the bot's own for the demo and the tests.
//! - [`config`]: the typed configuration read from the environment and flags.
//! - [`domain`]: the merchant's words as types (`Provider`, `Credentials`, `AccountLabel`).
//! - [`crypto`] and [`secret`]: credentials sealed at rest, secrets that never print.
//! - [`storage`]: PostgreSQL, one module per table family, and the dialogue storage.
//! - [`app`]: `App`, what every part reaches (pool, config, gateways); [`telegram`]: the
//!   Bot API client type and what Telegram's refusals mean.
//! - [`bot`]: the update tree (`schema()`), handlers and typed callback data.
//! - [`reports`]: periods in WIB, a period's figures, the sales chart, the CSV export and
//!   the daily summary, without Telegram.
//! - [`i18n`]: Fluent texts from `locales/` (Indonesian and English), looked up with `tr!`.

pub mod app;
pub mod bot;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod local_postgres;
pub mod metrics;
pub mod notifier;
pub mod pin;
pub mod providers;
pub mod qr;
pub mod reports;
pub mod secret;
pub mod simulator;
pub mod storage;
pub mod telegram;
pub mod withdrawals;
