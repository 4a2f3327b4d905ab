//! Webhook mode: Telegram's request for an update is answered only once the update was
//! handled, so an update the process dies with is sent again by Telegram (to any
//! replica) instead of being lost. teloxide's webhook route answers 200 as soon as the
//! update is queued; this middleware in front of it holds the answer until the
//! handler reports the update done ([`handled`]), or [`ACK_WAIT`] passes.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
    time::Duration,
};

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::sync::oneshot;

/// How long an answer waits for its update's handler. Telegram gives a webhook about a
/// minute; an update still queued behind a slow one is acknowledged after this.
pub const ACK_WAIT: Duration = Duration::from_secs(45);

/// The largest update body read (Telegram's updates are far smaller).
const MAX_UPDATE: usize = 1024 * 1024;

static WAITING: LazyLock<Mutex<HashMap<u32, oneshot::Sender<()>>>> = LazyLock::new(Default::default);

/// The handler of update `id` finished (or gave up): its webhook request may be answered.
pub fn handled(id: u32) {
    if let Some(done) = WAITING.lock().expect("webhook waiters").remove(&id) {
        let _ = done.send(());
    }
}

/// The middleware on the webhook route.
pub async fn ack_after_handling(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_UPDATE).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let id = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("update_id").and_then(|id| id.as_u64()))
        .and_then(|id| u32::try_from(id).ok());
    let waiter = id.map(|id| {
        let (done, wait) = oneshot::channel();
        WAITING.lock().expect("webhook waiters").insert(id, done);
        wait
    });
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if let (Some(id), Some(wait)) = (id, waiter) {
        if response.status() == StatusCode::OK && tokio::time::timeout(ACK_WAIT, wait).await.is_err() {
            tracing::warn!(update = id, "acknowledging a webhook update still being handled after {ACK_WAIT:?}");
        }
        WAITING.lock().expect("webhook waiters").remove(&id);
    }
    response
}
