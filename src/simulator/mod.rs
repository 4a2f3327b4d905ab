//! `merchant-bot simulate`: the three gateways' APIs served from memory, on the same wire
//! contract as the real ones (their quirks and error messages included), so the whole
//! bot can be tried without real accounts, and tests have a realistic counterpart.
//!
//! Demo credentials (see [`DEMO`]) work out of the box. A control API under `/_sim/`
//! moves things along: pay or expire an invoice, approve or reject a withdrawal, change
//! a disbursement, add a mutation, and count the requests each endpoint received.

// Helpers return a ready error `Response` as their `Err`: simple, and the size of an
// error answer does not matter in a simulator.
#![allow(clippy::result_large_err)]

mod bukalapak;
mod control;
mod qris;
mod snap;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    extract::{Request, State},
    middleware::{self, Next},
    response::Response,
};

/// The credentials the simulator accepts from the start.
pub struct Demo {
    pub bukalapak_user_id: &'static str,
    pub bukalapak_api_key: &'static str,
    pub bukalapak_password: &'static str,
    pub bukalapak_bank_account_id: &'static str,
    pub qris_api_key: &'static str,
    pub snap_partner_id: &'static str,
    pub snap_client_secret: &'static str,
    pub snap_account_id: &'static str,
}

pub const DEMO: Demo = Demo {
    bukalapak_user_id: "204254",
    bukalapak_api_key: "Sy7PRGGr4foUk22uzjMu",
    bukalapak_password: "testing1234",
    bukalapak_bank_account_id: "41812",
    qris_api_key: "demo-qris-key",
    snap_partner_id: "b3ed7d4b-a96c-6c08-b3c7-12c3124242d9",
    snap_client_secret: "demo-snap-secret",
    snap_account_id: "1001",
};

/// Everything the simulator holds.
pub struct Sim {
    /// Public base URL, for the `qris_image` links it hands out.
    pub base_url: String,
    pub bukalapak: Mutex<bukalapak::State>,
    pub qris: Mutex<qris::State>,
    pub snap: Mutex<snap::State>,
    /// Requests per `METHOD /path`.
    pub requests: Mutex<HashMap<String, u64>>,
}

pub type Shared = Arc<Sim>;

impl Sim {
    pub fn new(base_url: String) -> Shared {
        Arc::new(Sim {
            base_url,
            bukalapak: Mutex::new(bukalapak::State::with_demo()),
            qris: Mutex::new(qris::State::with_demo()),
            snap: Mutex::new(snap::State::with_demo()),
            requests: Mutex::new(HashMap::new()),
        })
    }
}

async fn count(State(sim): State<Shared>, request: Request, next: Next) -> Response {
    let key = format!("{} {}", request.method(), request.uri().path());
    if !request.uri().path().starts_with("/_sim/") {
        *sim.requests.lock().expect("lock").entry(key).or_default() += 1;
    }
    next.run(request).await
}

/// The simulator's routes.
pub fn router(sim: Shared) -> Router {
    Router::new()
        .merge(bukalapak::routes())
        .merge(qris::routes())
        .merge(snap::routes())
        .merge(control::routes())
        .layer(middleware::from_fn_with_state(sim.clone(), count))
        .with_state(sim)
}

/// A running simulator.
pub struct Running {
    pub addr: SocketAddr,
    pub url: String,
    pub sim: Shared,
    pub task: tokio::task::JoinHandle<()>,
}

/// Binds `listen` (port 0 for any) and serves until the task is dropped or aborted.
pub async fn start(listen: SocketAddr) -> std::io::Result<Running> {
    start_at(listen, None).await
}

/// Like [`start`], with the public URL the simulator's image links should use.
pub async fn start_at(listen: SocketAddr, public_url: Option<String>) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let sim = Sim::new(public_url.map(|u| u.trim_end_matches('/').to_owned()).unwrap_or_else(|| url.clone()));
    let app = router(sim.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the simulator stopped");
        }
    });
    Ok(Running { addr, url, sim, task })
}

/// Now, in the simulator's clock.
pub(crate) fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now().with_timezone(&crate::providers::json::jakarta())
}
