//! The QRIS gateway as documented (paths per PRODUCT.md 1.2): `apikey` in the query,
//! errors as `{"error":…}` or `{"success":false,…}`, Jakarta times without an offset.

use std::collections::HashMap;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State as AxState},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::{DateTime, Duration, FixedOffset};
use serde_json::{Value, json};

use super::{DEMO, Shared, now};
use crate::{
    domain::Amount,
    qr::payload::{Field, Qris, sample_static, write_tlv},
};

pub const FEE_PER_MILLE: i64 = 7;
pub const WITHDRAW_FEE: i64 = 1_000;
pub const INVOICE_LIFETIME_MINUTES: i64 = 30;

pub struct Invoice {
    pub id: String,
    pub amount: i64,
    pub fee: i64,
    pub total: i64,
    pub status: String,
    pub payload: String,
    pub created_at: DateTime<FixedOffset>,
    pub expired_at: DateTime<FixedOffset>,
}

pub struct Withdrawal {
    pub id: String,
    pub amount: i64,
    pub fee: i64,
    pub status: String,
    pub account_number: String,
    pub account_name: String,
    pub admin_note: Option<String>,
    pub created_at: String,
    pub processed_at: Option<String>,
}

pub struct Account {
    pub balance: i64,
    pub merchant: Qris,
    pub invoices: Vec<Invoice>,
    pub withdrawals: Vec<Withdrawal>,
}

pub struct State {
    pub accounts: HashMap<String, Account>,
    /// Whether invoices carry `qris_string` (some deployments) or only `qris_image`.
    pub qris_string: bool,
}

impl State {
    pub fn with_demo() -> State {
        let mut accounts = HashMap::new();
        accounts.insert(
            DEMO.qris_api_key.to_owned(),
            Account {
                balance: 1_000_000,
                merchant: sample_static("TOKO SIMULASI", "JAKARTA", "1234567"),
                invoices: vec![],
                withdrawals: vec![],
            },
        );
        State { accounts, qris_string: true }
    }
}

impl Invoice {
    /// Pending invoices past their time read as expired.
    fn refresh(&mut self) {
        if self.status == "pending" && now() > self.expired_at {
            self.status = "expired".into();
        }
    }

    fn json(&self, base_url: &str, with_string: bool) -> Value {
        let mut v = json!({
            "invoice_id": self.id,
            "amount": self.amount,
            "fee": self.fee,
            "total": self.total,
            "status": self.status,
            "qris_image": format!("{base_url}/qris/{}.png", self.id),
            "expired_at": self.expired_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            "created_at": self.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        });
        if with_string {
            v["qris_string"] = json!(self.payload);
        }
        v
    }
}

impl Withdrawal {
    fn json(&self) -> Value {
        json!({
            "success": true,
            "withdraw_id": self.id,
            "amount": self.amount,
            "fee": self.fee,
            "total_deduct": self.amount + self.fee,
            "status": self.status,
            "method": "dana",
            "account_number": self.account_number,
            "account_name": self.account_name,
            "admin_note": self.admin_note,
            "created_at": self.created_at,
            "processed_at": self.processed_at,
        })
    }
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/balance", get(balance))
        .route("/api/v1/invoice/create", get(create))
        .route("/api/v1/invoice/status", get(status))
        .route("/api/v1/invoice/cancel", post(cancel))
        .route("/api/v1/withdraw", post(withdraw))
        .route("/api/v1/withdraw/status", get(withdraw_status))
        .route("/api/v1/withdraw/history", get(history))
        .route("/qris/{file}", get(image))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

fn failure(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"success": false, "message": message}))).into_response()
}

type Params = Query<HashMap<String, String>>;

fn key(params: &HashMap<String, String>, state: &State) -> Result<String, Response> {
    match params.get("apikey") {
        Some(k) if state.accounts.contains_key(k) => Ok(k.clone()),
        _ => Err(error(StatusCode::UNAUTHORIZED, "API key tidak valid")),
    }
}

/// A fresh gateway-style id (24 hex digits).
pub fn new_id() -> String {
    let mut bytes = [0u8; 12];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The dynamic QRIS of an invoice: the merchant's code with the total and the invoice id
/// as reference (tag 62, sub-tag 05).
fn invoice_payload(merchant: &Qris, total: i64, id: &str) -> String {
    let amount = Amount::from_rupiah(total).expect("bounded amount");
    let dynamic = merchant.with_amount(amount).expect("merchant payload is valid");
    let mut fields: Vec<Field> = dynamic.fields().iter().filter(|f| f.tag != 63 && f.tag != 62).cloned().collect();
    fields.push(Field {
        tag: 62,
        value: write_tlv(&[Field { tag: 5, value: id[..id.len().min(25)].to_owned() }]).expect("short"),
    });
    fields.sort_by_key(|f| f.tag);
    Qris::build(fields).expect("valid fields").to_string()
}

async fn balance(AxState(sim): AxState<Shared>, Query(params): Params) -> Response {
    let state = sim.qris.lock().expect("lock");
    match key(&params, &state) {
        Ok(k) => Json(json!({"balance": state.accounts[&k].balance})).into_response(),
        Err(r) => r,
    }
}

async fn create(AxState(sim): AxState<Shared>, Query(params): Params) -> Response {
    let mut state = sim.qris.lock().expect("lock");
    let k = match key(&params, &state) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let amount: i64 = match params.get("amount").and_then(|a| a.parse().ok()) {
        Some(a) if (1_000..=10_000_000).contains(&a) => a,
        Some(_) => return failure(StatusCode::BAD_REQUEST, "Nominal harus antara 1000 dan 10000000"),
        None => return failure(StatusCode::BAD_REQUEST, "Parameter amount wajib diisi"),
    };
    // 0.7 %, rounded up to the rupiah.
    let fee = (amount * FEE_PER_MILLE + 999) / 1000;
    let with_string = state.qris_string;
    let account = state.accounts.get_mut(&k).expect("checked");
    let id = new_id();
    let created_at = now();
    let invoice = Invoice {
        payload: invoice_payload(&account.merchant, amount + fee, &id),
        id,
        amount,
        fee,
        total: amount + fee,
        status: "pending".into(),
        created_at,
        expired_at: created_at + Duration::minutes(INVOICE_LIFETIME_MINUTES),
    };
    let mut body = invoice.json(&sim.base_url, with_string);
    body["success"] = json!(true);
    body.as_object_mut().expect("object").remove("created_at");
    body.as_object_mut().expect("object").remove("status");
    account.invoices.push(invoice);
    Json(body).into_response()
}

async fn status(AxState(sim): AxState<Shared>, Query(params): Params) -> Response {
    let mut state = sim.qris.lock().expect("lock");
    let k = match key(&params, &state) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let with_string = state.qris_string;
    let id = params.get("invoice_id").cloned().unwrap_or_default();
    match state.accounts.get_mut(&k).expect("checked").invoices.iter_mut().find(|i| i.id == id) {
        Some(invoice) => {
            invoice.refresh();
            Json(invoice.json(&sim.base_url, with_string)).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "Invoice tidak ditemukan"),
    }
}

async fn cancel(AxState(sim): AxState<Shared>, Query(params): Params, body: Bytes) -> Response {
    let mut state = sim.qris.lock().expect("lock");
    let k = match key(&params, &state) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let from_body = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("invoice_id").and_then(Value::as_str).map(str::to_owned));
    let id = params.get("invoice_id").cloned().or(from_body).unwrap_or_default();
    let Some(invoice) = state.accounts.get_mut(&k).expect("checked").invoices.iter_mut().find(|i| i.id == id) else {
        return error(StatusCode::NOT_FOUND, "Invoice tidak ditemukan");
    };
    invoice.refresh();
    if invoice.status != "pending" {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("Invoice tidak bisa dibatalkan, status saat ini: {}", invoice.status),
        );
    }
    invoice.status = "expired".into();
    Json(json!({"success": true, "invoice_id": invoice.id, "status": "expired", "message": "Invoice berhasil dibatalkan"})).into_response()
}

async fn withdraw(AxState(sim): AxState<Shared>, Query(params): Params, body: Bytes) -> Response {
    let mut state = sim.qris.lock().expect("lock");
    let k = match key(&params, &state) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return failure(StatusCode::BAD_REQUEST, "Body harus berupa JSON");
    };
    let amount = body.get("amount").and_then(Value::as_i64).unwrap_or(0);
    let number = body.get("accountNumber").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let name = body.get("accountName").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    if amount < 10_000 {
        return failure(StatusCode::BAD_REQUEST, "Minimal penarikan Rp 10.000");
    }
    let digits_ok = number.bytes().all(|b| b.is_ascii_digit()) && (10..=15).contains(&number.len());
    if !digits_ok || !(number.starts_with("08") || number.starts_with("628")) {
        return failure(StatusCode::BAD_REQUEST, "Nomor DANA tidak valid");
    }
    if name.is_empty() {
        return failure(StatusCode::BAD_REQUEST, "Nama akun wajib diisi");
    }
    let account = state.accounts.get_mut(&k).expect("checked");
    if amount + WITHDRAW_FEE > account.balance {
        return failure(StatusCode::BAD_REQUEST, "Saldo tidak mencukupi");
    }
    account.balance -= amount + WITHDRAW_FEE;
    let withdrawal = Withdrawal {
        id: new_id(),
        amount,
        fee: WITHDRAW_FEE,
        status: "pending".into(),
        account_number: number,
        account_name: name,
        admin_note: None,
        created_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        processed_at: None,
    };
    let answer = json!({
        "success": true,
        "message": "Permintaan penarikan berhasil diajukan",
        "withdraw_id": withdrawal.id,
        "amount": amount,
        "fee": WITHDRAW_FEE,
        "total_deduct": amount + WITHDRAW_FEE,
        "new_balance": account.balance,
        "status": "pending",
        "created_at": withdrawal.created_at,
    });
    account.withdrawals.push(withdrawal);
    Json(answer).into_response()
}

async fn withdraw_status(AxState(sim): AxState<Shared>, Query(params): Params) -> Response {
    let state = sim.qris.lock().expect("lock");
    let k = match key(&params, &state) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let id = params.get("withdraw_id").cloned().unwrap_or_default();
    match state.accounts[&k].withdrawals.iter().find(|w| w.id == id) {
        Some(w) => Json(w.json()).into_response(),
        None => error(StatusCode::NOT_FOUND, "Withdraw tidak ditemukan"),
    }
}

async fn history(AxState(sim): AxState<Shared>, Query(params): Params) -> Response {
    let state = sim.qris.lock().expect("lock");
    let k = match key(&params, &state) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let page: usize = params.get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1);
    let limit: usize = params.get("limit").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(10).min(100);
    let status = params.get("status").filter(|s| !s.is_empty());
    let matching: Vec<&Withdrawal> =
        state.accounts[&k].withdrawals.iter().rev().filter(|w| status.is_none_or(|s| &w.status == s)).collect();
    let total = matching.len();
    let data: Vec<Value> = matching.iter().skip((page - 1) * limit).take(limit).map(|w| w.json()).collect();
    Json(json!({
        "success": true,
        "data": data,
        "pagination": {"page": page, "limit": limit, "total": total, "total_pages": total.div_ceil(limit)},
    }))
    .into_response()
}

async fn image(AxState(sim): AxState<Shared>, Path(file): Path<String>) -> Response {
    let id = file.trim_end_matches(".png");
    let payload = {
        let state = sim.qris.lock().expect("lock");
        state.accounts.values().flat_map(|a| a.invoices.iter()).find(|i| i.id == id).map(|i| i.payload.clone())
    };
    match payload.map(|p| crate::qr::image::qr_png(&p, 6)) {
        Some(Ok(png)) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        Some(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}
