//! The gateway clients against mocked servers (every endpoint, with the documents'
//! example bodies verbatim, and every way an answer can go wrong), and against the
//! simulator.

mod bukalapak;
mod qris;
mod secrets;
pub mod simulator;
mod snap;

use std::time::Duration;

use merchant_bot::{
    domain::{Amount, Credentials},
    providers::{Gateway, GatewayUrls, Gateways, Http, HttpOptions},
};
use reqwest::Url;

/// An example body from the gateways' documents (`tests/fixtures`).
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Short timeouts and backoff so failure paths are quick.
pub fn http() -> Http {
    Http::new(HttpOptions { timeout: Duration::from_millis(500), read_retries: 2, backoff: Duration::from_millis(10) })
}

/// A client for `credentials` against `url` (every provider pointed at it).
pub fn client(url: &str, credentials: Credentials) -> Gateway {
    client_on(url, credentials, std::sync::Arc::default())
}

/// The same, with token lifetimes measured on `clock` (which the test moves).
pub fn client_on(url: &str, credentials: Credentials, clock: std::sync::Arc<merchant_bot::clock::Clock>) -> Gateway {
    let url = Some(Url::parse(url).unwrap());
    let urls = GatewayUrls { bukalapak: url.clone(), qris: url.clone(), snap: url };
    Gateways::new(http(), urls).with_clock(clock).client(&credentials).unwrap()
}

pub fn rp(rupiah: i64) -> Amount {
    Amount::from_rupiah(rupiah).unwrap()
}
