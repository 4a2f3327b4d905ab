//! The control API under `/_sim/`: what a payment, an admin or time would do at a real
//! gateway. Each call acts on the demo account unless the body names another
//! (`api_key`, `user_id`, `partner_id`). Answers `{"ok":true}` or a 404 with the reason.

use axum::{
    Json, Router,
    extract::{Path, State as AxState},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;

use super::{DEMO, Shared, bukalapak, now};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/_sim/requests", get(requests))
        .route("/_sim/qris/invoices/{id}/{action}", post(qris_invoice))
        .route("/_sim/qris/withdrawals/{id}/{action}", post(qris_withdrawal))
        .route("/_sim/qris/settings", post(qris_settings))
        .route("/_sim/bukalapak/mutations", post(bukalapak_mutation))
        .route("/_sim/bukalapak/withdrawals/{id}/state", post(bukalapak_withdrawal))
        .route("/_sim/bukalapak/new-day", post(bukalapak_new_day))
        .route("/_sim/snap/disbursements", post(snap_add_disbursement))
        .route("/_sim/snap/disbursements/{id}/status", post(snap_disbursement_status))
        .route("/_sim/snap/token-ttl", post(snap_token_ttl))
        .route("/_sim/snap/expire-tokens", post(snap_expire_tokens))
}

fn ok() -> Response {
    Json(json!({"ok": true})).into_response()
}

/// The request makes no sense in the current state (paying a paid invoice).
fn conflict(why: &str) -> Response {
    (StatusCode::CONFLICT, Json(json!({"ok": false, "error": why}))).into_response()
}

fn not_found(what: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"ok": false, "error": format!("{what} not found")}))).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Body {
    api_key: Option<String>,
    user_id: Option<String>,
    partner_id: Option<String>,
    admin_note: Option<String>,
    qris_string: Option<bool>,
    amount: Option<i64>,
    credit: Option<bool>,
    action: Option<String>,
    state: Option<String>,
    status: Option<String>,
    transaction_id: Option<String>,
    seconds: Option<i64>,
}

/// The body, or defaults when there is none.
fn body(raw: Option<Json<Body>>) -> Body {
    raw.map(|Json(b)| b).unwrap_or_default()
}

async fn requests(AxState(sim): AxState<Shared>) -> Response {
    Json(json!(*sim.requests.lock().expect("lock"))).into_response()
}

async fn qris_invoice(
    AxState(sim): AxState<Shared>,
    Path((id, action)): Path<(String, String)>,
    raw: Option<Json<Body>>,
) -> Response {
    let b = body(raw);
    let mut state = sim.qris.lock().expect("lock");
    let key = b.api_key.unwrap_or_else(|| DEMO.qris_api_key.to_owned());
    let Some(account) = state.accounts.get_mut(&key) else { return not_found("account") };
    let Some(invoice) = account.invoices.iter_mut().find(|i| i.id == id) else { return not_found("invoice") };
    match action.as_str() {
        "pay" if invoice.status == "pending" => {
            invoice.status = "paid".into();
            account.balance += invoice.amount;
        }
        "expire" if invoice.status == "pending" => invoice.status = "expired".into(),
        "pay" | "expire" => return conflict(&format!("invoice is {}", invoice.status)),
        _ => return not_found("action"),
    }
    ok()
}

async fn qris_withdrawal(
    AxState(sim): AxState<Shared>,
    Path((id, action)): Path<(String, String)>,
    raw: Option<Json<Body>>,
) -> Response {
    let b = body(raw);
    let mut state = sim.qris.lock().expect("lock");
    let key = b.api_key.unwrap_or_else(|| DEMO.qris_api_key.to_owned());
    let Some(account) = state.accounts.get_mut(&key) else { return not_found("account") };
    let Some(w) = account.withdrawals.iter_mut().find(|w| w.id == id) else { return not_found("withdrawal") };
    if w.status != "pending" {
        return conflict(&format!("withdrawal is {}", w.status));
    }
    match action.as_str() {
        "approve" => w.status = "success".into(),
        "reject" => {
            w.status = "rejected".into();
            w.admin_note = Some(b.admin_note.unwrap_or_else(|| "Nomor DANA tidak terdaftar".into()));
            account.balance += w.amount + w.fee;
        }
        _ => return not_found("action"),
    }
    w.processed_at = Some(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
    ok()
}

async fn qris_settings(AxState(sim): AxState<Shared>, raw: Option<Json<Body>>) -> Response {
    let b = body(raw);
    if let Some(with_string) = b.qris_string {
        sim.qris.lock().expect("lock").qris_string = with_string;
    }
    ok()
}

async fn bukalapak_mutation(AxState(sim): AxState<Shared>, raw: Option<Json<Body>>) -> Response {
    let b = body(raw);
    let mut state = sim.bukalapak.lock().expect("lock");
    let bukalapak::State { accounts, next_id } = &mut *state;
    let user = b.user_id.unwrap_or_else(|| DEMO.bukalapak_user_id.to_owned());
    let Some(account) = accounts.get_mut(&user) else { return not_found("account") };
    let amount = b.amount.filter(|a| *a > 0).unwrap_or(10_000);
    let id = account.add_mutation(next_id, b.credit.unwrap_or(true), b.action.as_deref().unwrap_or("remit"), amount);
    Json(json!({"ok": true, "id": id})).into_response()
}

async fn bukalapak_withdrawal(AxState(sim): AxState<Shared>, Path(id): Path<u64>, raw: Option<Json<Body>>) -> Response {
    let b = body(raw);
    let mut state = sim.bukalapak.lock().expect("lock");
    let bukalapak::State { accounts, next_id } = &mut *state;
    let user = b.user_id.unwrap_or_else(|| DEMO.bukalapak_user_id.to_owned());
    let Some(account) = accounts.get_mut(&user) else { return not_found("account") };
    let new_state = b.state.unwrap_or_else(|| "transferred".into());
    let Some(w) = account.withdrawals.iter_mut().find(|w| w.id == id) else { return not_found("withdrawal") };
    let at = now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    w.state = new_state.clone();
    w.updated_at = at.clone();
    let refund = match new_state.as_str() {
        "cancelled" | "rejected" => {
            w.cancelled_at = Some(at);
            Some(w.amount)
        }
        _ => {
            w.processed_at = Some(at);
            None
        }
    };
    if let Some(amount) = refund {
        account.add_mutation(next_id, true, "restore", amount);
    }
    ok()
}

async fn bukalapak_new_day(AxState(sim): AxState<Shared>) -> Response {
    for account in sim.bukalapak.lock().expect("lock").accounts.values_mut() {
        account.last_withdrawal_day = None;
    }
    ok()
}

async fn snap_add_disbursement(AxState(sim): AxState<Shared>, raw: Option<Json<Body>>) -> Response {
    let b = body(raw);
    let mut state = sim.snap.lock().expect("lock");
    let partner = b.partner_id.unwrap_or_else(|| DEMO.snap_partner_id.to_owned());
    let Some(account) = state.accounts.get_mut(&partner) else { return not_found("account") };
    let id = b.transaction_id.unwrap_or_else(|| (4_565_456_600 + account.disbursements.len() as i64).to_string());
    let status = b.status.unwrap_or_else(|| "pending".into());
    account.disbursements.push(super::snap::Disbursement {
        transaction_id: id.clone(),
        processed_ms: (status != "pending").then(|| now().timestamp_millis()),
        status,
        amount: b.amount.unwrap_or(25_000),
        fee: 2_000,
        bank_code: "BNI".into(),
        account_number: "1234567890".into(),
        account_name: "Siti Aminah".into(),
        posted_ms: now().timestamp_millis(),
        notes: String::new(),
    });
    Json(json!({"ok": true, "transaction_id": id})).into_response()
}

async fn snap_disbursement_status(
    AxState(sim): AxState<Shared>,
    Path(id): Path<String>,
    raw: Option<Json<Body>>,
) -> Response {
    let b = body(raw);
    let mut state = sim.snap.lock().expect("lock");
    let partner = b.partner_id.unwrap_or_else(|| DEMO.snap_partner_id.to_owned());
    let Some(account) = state.accounts.get_mut(&partner) else { return not_found("account") };
    let Some(d) = account.disbursements.iter_mut().find(|d| d.transaction_id == id) else {
        return not_found("disbursement");
    };
    d.status = b.status.unwrap_or_else(|| "success".into());
    d.processed_ms = (d.status != "pending").then(|| now().timestamp_millis());
    ok()
}

async fn snap_token_ttl(AxState(sim): AxState<Shared>, raw: Option<Json<Body>>) -> Response {
    let b = body(raw);
    for account in sim.snap.lock().expect("lock").accounts.values_mut() {
        account.token_ttl_secs = b.seconds.filter(|s| *s > 0).unwrap_or(900);
    }
    ok()
}

async fn snap_expire_tokens(AxState(sim): AxState<Shared>) -> Response {
    for account in sim.snap.lock().expect("lock").accounts.values_mut() {
        account.tokens.clear();
    }
    ok()
}
