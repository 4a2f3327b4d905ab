//! The HTTP side on `LISTEN_ADDR`, in both update modes: `/healthz` and `/metrics` (and,
//! in webhook mode, the webhook itself, merged in by [`crate::run::start`]).

use std::time::Duration;

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use serde_json::json;

use crate::{app::App, metrics, storage};

pub fn router(app: App) -> Router {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics_text)).with_state(app)
}

async fn database_up(app: &App) -> bool {
    let ping = sqlx::query_scalar!(r#"SELECT 1 AS "one!""#).fetch_one(&app.pool);
    matches!(tokio::time::timeout(Duration::from_secs(2), ping).await, Ok(Ok(1)))
}

/// 200 when the database answers, 503 when it does not; with the time of the last
/// update, so a stuck bot shows.
async fn healthz(State(app): State<App>) -> impl IntoResponse {
    let up = database_up(&app).await;
    let body = json!({
        "status": if up { "ok" } else { "unavailable" },
        "database": if up { "up" } else { "down" },
        "last_update": metrics::last_update().map(|t| t.to_rfc3339()),
    });
    (if up { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}

async fn metrics_text(State(app): State<App>) -> impl IntoResponse {
    let depth =
        tokio::time::timeout(Duration::from_secs(2), storage::outbox::depth(&app.pool)).await.ok().and_then(Result::ok);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics::render(depth))
}
