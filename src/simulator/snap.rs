//! The SNAP-style partner gateway: a signed B2B token, then disbursements (in the nested
//! `data.data` shape of the example), statements (sub accounts) and virtual accounts,
//! with numbers written as strings the way the examples write them.

use std::collections::HashMap;

use axum::{
    Json, Router,
    extract::{Path, Query, State as AxState},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::{DEMO, Shared, now, qris::new_id};
use crate::providers::snap::signature;

pub struct Disbursement {
    pub transaction_id: String,
    pub status: String,
    pub amount: i64,
    pub fee: i64,
    pub bank_code: String,
    pub account_number: String,
    pub account_name: String,
    pub posted_ms: i64,
    pub processed_ms: Option<i64>,
    pub notes: String,
}

pub struct Account {
    pub client_secret: String,
    pub account_id: String,
    pub tokens: HashMap<String, DateTime<FixedOffset>>,
    pub token_ttl_secs: i64,
    pub token_requests: u64,
    pub balance: i64,
    pub disbursements: Vec<Disbursement>,
    pub sub_accounts: Vec<Value>,
    pub virtual_accounts: Vec<Value>,
}

pub struct State {
    pub accounts: HashMap<String, Account>,
}

impl State {
    pub fn with_demo() -> State {
        let posted = 1_714_618_220_440;
        let disbursement = |id: &str, status: &str, amount: i64| Disbursement {
            transaction_id: id.to_owned(),
            status: status.to_owned(),
            amount,
            fee: 2_000,
            bank_code: "BRI".into(),
            account_number: "63434554".into(),
            account_name: "John Doe".into(),
            posted_ms: posted,
            processed_ms: (status != "pending").then_some(posted),
            notes: "lorem ipsum".into(),
        };
        let sub_accounts = (0..12)
            .map(|i| {
                json!({
                    "id": (436_546_545 + i).to_string(),
                    "name": format!("Sub Akun {:02}", i + 1),
                    "email": format!("sub{:02}@example.com", i + 1),
                    "phone": format!("6268229342{:04}", 7611 + i),
                    "status": if i % 5 == 4 { "inactive" } else { "active" },
                })
            })
            .collect();
        let virtual_accounts = (0..16)
            .map(|i| {
                let temporary = i < 13;
                let bank = ["BRI", "BCA", "BNI"][i as usize % 3];
                json!({
                    "id": (2_374_354 + i).to_string(),
                    "amount": {"value": if temporary { format!("{}.00", 11_000 + 1_000 * i) } else { "0.00".into() }, "currency": "IDR"},
                    "kind": if temporary { "temporary" } else { "permanent" },
                    "status": if i % 3 == 0 { "expired" } else { "active" },
                    "bank_code": bank,
                    "number": format!("4654365435{:06}", 4546 + i),
                    "created_at": (1_714_616_095_080_i64 + i * 60_000).to_string(),
                })
            })
            .collect();
        let demo = Account {
            client_secret: DEMO.snap_client_secret.to_owned(),
            account_id: DEMO.snap_account_id.to_owned(),
            tokens: HashMap::new(),
            token_ttl_secs: 900,
            token_requests: 0,
            balance: 13_000,
            disbursements: vec![
                disbursement("4565456565", "success", 11_000),
                disbursement("4565456566", "pending", 50_000),
            ],
            sub_accounts,
            virtual_accounts,
        };
        State { accounts: HashMap::from([(DEMO.snap_partner_id.to_owned(), demo)]) }
    }
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1.0/access-token/b2b", post(token))
        .route("/api/v1.0/disbursements/{account_id}/{transaction_id}", get(disbursement))
        .route("/api/v1.0/statements/{account_id}", get(statements))
        .route("/api/v1.0/virtual-accounts/{account_id}", get(virtual_accounts))
}

pub fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"status": status.as_u16(), "success": false, "error": {"code": status.as_u16(), "message": message}}))).into_response()
}

fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, "Unauthorized partner, please sign in")
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn token(AxState(sim): AxState<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let mut state = sim.snap.lock().expect("lock");
    let (Some(partner), Some(timestamp), Some(sig)) =
        (header(&headers, "x-client-key"), header(&headers, "x-timestamp"), header(&headers, "x-signature"))
    else {
        return unauthorized();
    };
    let Some(account) = state.accounts.get_mut(partner) else { return unauthorized() };
    let fresh = DateTime::parse_from_rfc3339(timestamp).is_ok_and(|t| (now() - t).num_seconds().abs() < 300);
    if !fresh || sig != signature(&account.client_secret, partner, timestamp) {
        return unauthorized();
    }
    if body.get("grantType").and_then(Value::as_str) != Some("client_credentials") {
        return error(StatusCode::BAD_REQUEST, "grantType must be client_credentials");
    }
    account.token_requests += 1;
    let token = format!("{}{}", new_id(), new_id());
    account.tokens.insert(token.clone(), now() + chrono::Duration::seconds(account.token_ttl_secs));
    Json(json!({
        "responseCode": "2007300",
        "responseMessage": "Successful",
        "accessToken": token,
        "tokenType": "Bearer",
        "expiresIn": account.token_ttl_secs.to_string(),
    }))
    .into_response()
}

/// The partner of a request with a valid token for `account_id`, or the error answer.
fn authorize(state: &State, headers: &HeaderMap, account_id: &str) -> Result<String, Response> {
    let partner = header(headers, "x-partner-id").ok_or_else(unauthorized)?;
    let account = state.accounts.get(partner).ok_or_else(unauthorized)?;
    let token = header(headers, "authorization").and_then(|h| h.strip_prefix("Bearer ")).ok_or_else(unauthorized)?;
    match account.tokens.get(token) {
        Some(expiry) if *expiry > now() => {}
        _ => return Err(unauthorized()),
    }
    if account.account_id != account_id {
        return Err(error(StatusCode::NOT_FOUND, "Account not found"));
    }
    Ok(partner.to_owned())
}

fn money(value: i64) -> Value {
    json!({"value": format!("{value}.00"), "currency": "IDR"})
}

async fn disbursement(
    AxState(sim): AxState<Shared>,
    headers: HeaderMap,
    Path((account_id, transaction_id)): Path<(String, String)>,
) -> Response {
    let state = sim.snap.lock().expect("lock");
    let partner = match authorize(&state, &headers, &account_id) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let account = &state.accounts[&partner];
    let Some(d) = account.disbursements.iter().find(|d| d.transaction_id == transaction_id) else {
        return error(StatusCode::NOT_FOUND, "Disbursement not found");
    };
    Json(json!({
        "status": 200,
        "success": true,
        "data": {
            "status": 200,
            "success": true,
            "data": {
                "transaction_id": d.transaction_id,
                "status": d.status,
                "amount": money(d.amount),
                "fees": [{"name": "transfer service fee", "value": format!("{}.00", d.fee), "currency": "IDR"}],
                "total_amount": money(d.amount + d.fee),
                "bank": {"code": d.bank_code, "account_number": d.account_number, "account_name": d.account_name},
                "processed_timestamp": d.processed_ms.map(|ms| ms.to_string()),
                "post_timestamp": d.posted_ms.to_string(),
                "notes": d.notes,
            },
            "balance_after": money(account.balance),
        }
    }))
    .into_response()
}

fn paged(items: &[Value], page: usize) -> Value {
    const PER_PAGE: usize = 10;
    let total_pages = items.len().div_ceil(PER_PAGE).max(1);
    let data: Vec<Value> = items.iter().skip((page - 1) * PER_PAGE).take(PER_PAGE).cloned().collect();
    json!({
        "status": 200,
        "success": true,
        "pagination": {"count": data.len(), "total": items.len(), "perPage": PER_PAGE, "currentPage": page, "totalPages": total_pages, "links": {}},
        "data": data,
    })
}

fn page_param(params: &HashMap<String, String>) -> usize {
    params.get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1)
}

async fn statements(
    AxState(sim): AxState<Shared>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let state = sim.snap.lock().expect("lock");
    match authorize(&state, &headers, &account_id) {
        Ok(partner) => Json(paged(&state.accounts[&partner].sub_accounts, page_param(&params))).into_response(),
        Err(r) => r,
    }
}

async fn virtual_accounts(
    AxState(sim): AxState<Shared>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let state = sim.snap.lock().expect("lock");
    let partner = match authorize(&state, &headers, &account_id) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(kind) = params.get("kind").filter(|k| *k == "temporary" || *k == "permanent") else {
        return error(StatusCode::BAD_REQUEST, "kind must be temporary or permanent");
    };
    let of_kind: Vec<Value> =
        state.accounts[&partner].virtual_accounts.iter().filter(|v| v["kind"] == kind.as_str()).cloned().collect();
    Json(paged(&of_kind, page_param(&params))).into_response()
}
