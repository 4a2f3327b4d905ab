//! The integration tests, in one binary (one link step): the whole bot through the fake
//! Bot API, the storage layer on real PostgreSQL, and the `merchant-bot` binary itself.

mod architecture;
mod binary;
mod chat_basics;
mod deposits;
mod front;
mod gateways;
mod inline_invoices;
mod linking;
mod locales;
mod messages;
mod notifications;
mod pay_links;
mod reads;
mod reports;
mod services;
mod staff;
mod storage;
mod support;
mod withdrawals;
