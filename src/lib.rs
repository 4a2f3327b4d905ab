//! merchant-bot: a Telegram bot that turns chat commands into calls to a merchant's own
//! payment-gateway accounts.
//!
//! A map for newcomers, lowest layer first (docs/architecture.md has the rule of who
//! may import whom; `tests/app/architecture.rs` checks it):
//! - [`i18n`]: Fluent texts from `locales/` (Indonesian and English), looked up with `tr!`.
//! - [`crypto`] and [`secret`]: credentials sealed at rest, secrets that never print.
//! - [`clock`]: the time the bot reads (rules, send limits, token lifetimes), which tests
//!   move instead of waiting.
//! - [`metrics`]: the counters behind `/metrics`.
//! - [`domain`]: the merchant's words as types (`Amount`, `Provider`, `Credentials`,
//!   `AccountLabel`, `DisplayName`, `LinkToken`, `InvoiceState`, `WithdrawalState`,
//!   the ids `AccountId`, `InvoiceId`, `WithdrawalId`, `TelegramUserId`, `Period`) and what a notification says (`events`).
//! - [`config`]: the typed configuration read from the environment and flags.
//! - [`providers`]: one client per gateway, the shared HTTP layer, tolerant JSON helpers.
//! - [`qr`]: QRIS payloads (TLV, CRC16), the invoice image, reading QR codes.
//! - [`simulator`]: the three gateways from memory (`merchant-bot simulate`, the demo, tests).
//! - [`local_postgres`]: a PostgreSQL of the bot's own for the demo and the tests.
//! - [`storage`]: PostgreSQL, one module per table family, and the dialogue storage.
//! - [`cards`]: an invoice's card (caption and image) for the merchant or a customer,
//!   stamped once the invoice has ended.
//! - [`withdrawals`], [`pin`], [`reports`]: rules without Telegram: a withdrawal sent at
//!   most once and settled when in doubt; the PIN hash; a period's figures, the sales
//!   chart, the CSV export and the daily summary.
//! - [`app`]: `App`, what every part reaches (pool, config, gateways, clock); [`telegram`]: the
//!   Bot API client type and what Telegram's refusals mean.
//! - [`services`]: the use cases (accounts, linking, invoices, withdrawals, PIN, staff,
//!   static QRIS, notification settings, reports): `&App` and the user in, a typed result
//!   out; the chat layer's only way to the database and the gateways.
//! - [`notifier`]: the poller, the outbox sender, the daily summary loop; [`http`]:
//!   `/healthz`, `/metrics` and the webhook's server.
//! - [`bot`]: the update tree (`schema()`), handlers and typed callback data: parse, call
//!   a use case, render the reply.
//! - [`run`]: start-up and one shutdown for the bot and its background tasks.
//! - [`cli`]: the subcommands (`run`, `demo`, `migrate`, `keygen`, `rotate-key`,
//!   `healthcheck`, `simulate`); `main.rs` only calls it.

pub mod app;
pub mod bot;
pub mod cards;
pub mod cli;
pub mod clock;
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
pub mod run;
pub mod secret;
pub mod services;
pub mod simulator;
pub mod storage;
pub mod telegram;
pub mod withdrawals;
