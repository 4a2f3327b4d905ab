//! Bukalapak Dompet as documented: Basic auth, errors as `{"status":"ERROR"}` with HTTP
//! 200, several messages joined by `", "`, the balance only in mutations.

use std::collections::HashMap;

use axum::{
    Form, Json, Router,
    extract::{Query, State as AxState},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{DEMO, Shared, now};

pub struct Mutation {
    pub id: u64,
    pub credit: bool,
    pub action: String,
    pub amount: i64,
    pub initial_balance: i64,
    pub final_balance: i64,
    pub transaction_id: u64,
    pub created_at: String,
}

pub struct Withdrawal {
    pub id: u64,
    pub amount: i64,
    pub bank_account_id: String,
    pub state: String,
    pub created_at: String,
    pub updated_at: String,
    pub processed_at: Option<String>,
    pub cancelled_at: Option<String>,
}

pub struct Account {
    pub api_key: String,
    pub password: String,
    pub bank_accounts: Vec<String>,
    /// Oldest first.
    pub mutations: Vec<Mutation>,
    pub withdrawals: Vec<Withdrawal>,
    pub last_withdrawal_day: Option<chrono::NaiveDate>,
}

impl Account {
    pub fn balance(&self) -> i64 {
        self.mutations.last().map(|m| m.final_balance).unwrap_or(0)
    }

    pub fn add_mutation(&mut self, next_id: &mut u64, credit: bool, action: &str, amount: i64) -> u64 {
        let initial = self.balance();
        let final_balance = if credit { initial + amount } else { initial - amount };
        *next_id += 1;
        let at = now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        self.mutations.push(Mutation {
            id: *next_id,
            credit,
            action: action.to_owned(),
            amount,
            initial_balance: initial,
            final_balance,
            transaction_id: 51_000 + *next_id,
            created_at: at,
        });
        *next_id
    }
}

pub struct State {
    pub accounts: HashMap<String, Account>,
    pub next_id: u64,
}

impl State {
    pub fn with_demo() -> State {
        let mut state = State { accounts: HashMap::new(), next_id: 345 };
        let mut demo = Account {
            api_key: DEMO.bukalapak_api_key.to_owned(),
            password: DEMO.bukalapak_password.to_owned(),
            bank_accounts: vec![DEMO.bukalapak_bank_account_id.to_owned()],
            mutations: Vec::new(),
            withdrawals: Vec::new(),
            last_withdrawal_day: None,
        };
        demo.add_mutation(&mut state.next_id, true, "remit", 30_000);
        demo.add_mutation(&mut state.next_id, true, "topup", 1_220_000);
        state.accounts.insert(DEMO.bukalapak_user_id.to_owned(), demo);
        state
    }
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1/dompet/history/mutations.json", get(mutations))
        .route("/v2/dompet/history/withdrawals.json", get(withdrawals))
        .route("/v2/dompet/withdraw.json", post(withdraw))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"status": "ERROR", "message": message}))).into_response()
}

/// The user id of valid Basic credentials.
fn authenticate(state: &State, headers: &HeaderMap) -> Result<String, Response> {
    let unauthorized = || error(StatusCode::UNAUTHORIZED, "Otentikasi gagal. Periksa user ID dan API key Anda.");
    let header = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(unauthorized)?;
    let encoded = header.strip_prefix("Basic ").ok_or_else(unauthorized)?;
    let decoded = B64.decode(encoded.trim()).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(unauthorized)?;
    let (user, key) = decoded.split_once(':').ok_or_else(unauthorized)?;
    match state.accounts.get(user) {
        Some(account) if account.api_key == key => Ok(user.to_owned()),
        _ => Err(unauthorized()),
    }
}

#[derive(Deserialize)]
struct Paging {
    page: Option<String>,
    per_page: Option<String>,
}

impl Paging {
    fn bounds(&self) -> (usize, usize) {
        let page = self.page.as_deref().and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1);
        let per_page =
            self.per_page.as_deref().and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(10usize).min(100);
        (page, per_page)
    }
}

fn page_of<T>(items: impl DoubleEndedIterator<Item = T>, paging: &Paging) -> Vec<T> {
    let (page, per_page) = paging.bounds();
    items.rev().skip((page - 1) * per_page).take(per_page).collect()
}

async fn mutations(AxState(sim): AxState<Shared>, headers: HeaderMap, Query(paging): Query<Paging>) -> Response {
    let state = sim.bukalapak.lock().expect("lock");
    let user = match authenticate(&state, &headers) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let history: Vec<Value> = page_of(state.accounts[&user].mutations.iter(), &paging)
        .into_iter()
        .map(|m| {
            json!({
                "id": m.id,
                "type": if m.credit { "Deposit::Credit" } else { "Deposit::Debit" },
                "action": m.action,
                "amount": m.amount,
                "initial_balance": m.initial_balance,
                "final_balance": m.final_balance,
                "transaction_id": m.transaction_id,
                "created_at": m.created_at,
                "updated_at": m.created_at,
            })
        })
        .collect();
    Json(json!({"status": "OK", "history": history, "message": null})).into_response()
}

async fn withdrawals(AxState(sim): AxState<Shared>, headers: HeaderMap, Query(paging): Query<Paging>) -> Response {
    let state = sim.bukalapak.lock().expect("lock");
    let user = match authenticate(&state, &headers) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let history: Vec<Value> = page_of(state.accounts[&user].withdrawals.iter(), &paging)
        .into_iter()
        .map(|w| {
            json!({
                "amount": w.amount,
                "bank_account_id": w.bank_account_id.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::from(w.bank_account_id.clone())),
                "cancelled_at": w.cancelled_at,
                "created_at": w.created_at,
                "deposit_id": 1,
                "id": w.id,
                "processed_at": w.processed_at,
                "state": w.state,
                "updated_at": w.updated_at,
            })
        })
        .collect();
    Json(json!({"status": "OK", "history": history, "message": null})).into_response()
}

async fn withdraw(
    AxState(sim): AxState<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut state = sim.bukalapak.lock().expect("lock");
    let user = match authenticate(&state, &headers) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let field =
        |name: &str| form.get(&format!("deposit_withdrawal[{name}]")).map(|s| s.trim().to_owned()).unwrap_or_default();
    let (amount, bank_account_id, password) = (field("amount"), field("bank_account_id"), field("password"));
    let today = now().date_naive();
    let account = state.accounts.get(&user).expect("authenticated");
    let mut messages = Vec::new();
    let amount: i64 = match amount.parse() {
        Ok(a) if a > 0 => a,
        _ => return withdraw_error("Jumlah penarikan tidak valid."),
    };
    if !account.bank_accounts.contains(&bank_account_id) {
        messages.push("Rekening pencairan harus milik Anda.");
    }
    if account.last_withdrawal_day == Some(today) {
        messages.push("Pencairan hanya bisa dilakukan satu kali sehari.");
    }
    if account.password != password {
        messages.push("Password tidak valid.");
    }
    if messages.is_empty() && amount > account.balance() {
        messages.push("Saldo tidak mencukupi.");
    }
    if !messages.is_empty() {
        return withdraw_error(&messages.join(", "));
    }
    let State { accounts, next_id } = &mut *state;
    let account = accounts.get_mut(&user).expect("authenticated");
    account.add_mutation(next_id, false, "withdrawal", amount);
    account.last_withdrawal_day = Some(today);
    let id = account.withdrawals.last().map(|w| w.id + 1).unwrap_or(4);
    let at = now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    account.withdrawals.push(Withdrawal {
        id,
        amount,
        bank_account_id,
        state: "pending".into(),
        created_at: at.clone(),
        updated_at: at,
        processed_at: None,
        cancelled_at: None,
    });
    Json(json!({
        "status": "OK",
        "withdrawal_id": id,
        "message": "Pencairan akan diproses oleh tim Bukalapak. Dana akan ditransfer ke rekening Anda dalam waktu 1x24 jam."
    }))
    .into_response()
}

fn withdraw_error(message: &str) -> Response {
    Json(json!({"status": "ERROR", "withdrawal_id": null, "message": message})).into_response()
}
