//! Faults: two `merchant-bot` processes (the release binary, configured by environment
//! only) share one database and serve one webhook each, behind a fake Bot API that
//! delivers every update to a live replica and redelivers it until it is acknowledged,
//! as Telegram does. Merchants drive withdrawals and invoices through the real
//! dialogues; customers pay the invoices and the gateway's admin settles the
//! withdrawals at the simulator. Meanwhile processes are killed with SIGKILL at random
//! moments (one or both) and restarted, the gateway hangs past the bot's deadline,
//! loses answers after doing the work, fails before it, and answers withdrawals
//! ambiguously; some messages make their handler panic (FAULT_PANIC_TEXT).
//!
//! At the end it compares three records: what the simulator did (the truth), what the
//! database says, and what reached the chats. Prints: withdrawals requested, sent, sent
//! twice, misrecorded, left unknown; notifications due, delivered, duplicated, lost;
//! panics survived.
//!
//! `cargo bench --bench chaos -- --seed 1 --withdrawals 200 --invoices 500 --kills 50`
//! (those are the defaults). Needs PostgreSQL at 127.0.0.1:5432 (or BENCH_DATABASE_URL).
//! Process logs go to `target/chaos/`.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    process::Stdio,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::post,
};
use merchant_bot::{
    crypto::MasterKey,
    domain::{AccountLabel, Credentials, TelegramUserId},
    simulator::{self, DEMO, Sim},
    storage,
};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::{process::Child, sync::Notify};

mod common;

const TOKEN: &str = "7:chaos";
const PANIC_TEXT: &str = "chaos-panic";
/// The bot's gateway deadline in this run; a hung gateway answers after it.
const GATEWAY_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a merchant waits for one answer before starting over.
const ANSWER_WAIT: Duration = Duration::from_secs(10);
const DANA: &str = "081234567890";

struct Args {
    seed: u64,
    withdrawals: u64,
    invoices: u64,
    kills: u64,
    merchants: i64,
}

fn args() -> Args {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str, default: u64| {
        raw.iter().position(|a| a == name).and_then(|i| raw.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
    };
    Args {
        seed: get("--seed", 1),
        withdrawals: get("--withdrawals", 200),
        invoices: get("--invoices", 500),
        kills: get("--kills", 50),
        merchants: get("--merchants", 40) as i64,
    }
}

/// A message the bot sent or edited in a chat.
#[derive(Clone)]
struct Sent {
    /// When the fake Bot API accepted it, since the run's start.
    at: Duration,
    method: String,
    message_id: i64,
    text: String,
    buttons: Vec<(String, String)>,
}

#[derive(Default)]
struct ChatLog {
    sent: Vec<Sent>,
}

/// The fake Bot API: records every message per chat, and delivers updates to the
/// replicas' webhooks.
struct Telegram {
    epoch: Instant,
    chats: Mutex<HashMap<i64, ChatLog>>,
    changed: Notify,
    next_message: AtomicU64,
    next_update: AtomicU64,
    /// The webhook URL of each replica while its process runs.
    replicas: Mutex<[Option<String>; 2]>,
    deliveries: AtomicU64,
    redeliveries: AtomicU64,
    /// Messages Telegram would refuse (none expected): method and reason.
    refused: Mutex<Vec<String>>,
}

fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

async fn bot_api(
    State(tg): State<Arc<Telegram>>,
    Path((_, method)): Path<(String, String)>,
    request: Request,
) -> Response {
    let method = method.to_lowercase();
    let params = common::bot_api_params(request).await;
    let chat = params["chat_id"].as_i64().or_else(|| params["chat_id"].as_str().and_then(|s| s.parse().ok()));
    match method.as_str() {
        "getme" => ok(json!({"id": 7, "is_bot": true, "first_name": "Chaos", "username": "chaos_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false})),
        "sendmessage" | "sendphoto" | "editmessagetext" | "editmessagecaption" => {
            let Some(chat) = chat else { return refuse(&tg, &method, "Bad Request: chat_id is empty") };
            let text = params["text"].as_str().or(params["caption"].as_str()).unwrap_or_default().to_owned();
            if method == "sendmessage" && text.trim().is_empty() {
                return refuse(&tg, &method, "Bad Request: message text is empty");
            }
            let message_id = match params["message_id"].as_i64() {
                Some(id) => id,
                None => tg.next_message.fetch_add(1, Relaxed) as i64 + 1,
            };
            let markup = match &params["reply_markup"] {
                Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                v => v.clone(),
            };
            let buttons = markup["inline_keyboard"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|row| row.as_array().into_iter().flatten())
                .filter_map(|b| Some((b["text"].as_str()?.to_owned(), b["callback_data"].as_str()?.to_owned())))
                .collect();
            tg.chats.lock().unwrap().entry(chat).or_default().sent.push(Sent {
                at: tg.epoch.elapsed(),
                method: method.clone(),
                message_id,
                text,
                buttons,
            });
            tg.changed.notify_waiters();
            ok(json!({"message_id": message_id, "date": 0,
                "chat": {"id": chat, "type": "private", "first_name": "M"}, "text": ""}))
        }
        // An edit of a message in a chat answers with the message (`true` only for an
        // inline message). Not recorded: a card's new image is not a notification.
        "editmessagemedia" | "editmessagereplymarkup" if chat.is_some() => match params["message_id"].as_i64() {
            Some(message_id) => ok(json!({"message_id": message_id, "date": 0,
                "chat": {"id": chat, "type": "private", "first_name": "M"}})),
            None => refuse(&tg, &method, "Bad Request: message identifier is not specified"),
        },
        "setwebhook"
        | "deletewebhook"
        | "setmycommands"
        | "answercallbackquery"
        | "deletemessage"
        | "editmessagereplymarkup"
        | "setchatmenubutton"
        | "sendchataction" => ok(json!(true)),
        _ => ok(json!(true)),
    }
}

fn refuse(tg: &Telegram, method: &str, why: &str) -> Response {
    tg.refused.lock().unwrap().push(format!("{method}: {why}"));
    (StatusCode::BAD_REQUEST, Json(json!({"ok": false, "error_code": 400, "description": why}))).into_response()
}

impl Telegram {
    /// Delivers `update` to a live replica, again and again until one acknowledges it.
    fn deliver(self: &Arc<Self>, mut update: Value, rng: Arc<Mutex<StdRng>>) {
        update["update_id"] = json!(self.next_update.fetch_add(1, Relaxed) + 1);
        let tg = self.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let secret = merchant_bot::run::webhook_secret(TOKEN);
            let mut first = true;
            loop {
                let target = {
                    let live: Vec<String> = tg.replicas.lock().unwrap().iter().flatten().cloned().collect();
                    (!live.is_empty()).then(|| live[rng.lock().unwrap().random_range(0..live.len())].clone())
                };
                if let Some(url) = target {
                    if !first {
                        tg.redeliveries.fetch_add(1, Relaxed);
                    }
                    first = false;
                    tg.deliveries.fetch_add(1, Relaxed);
                    let answer = client
                        .post(&url)
                        .header("X-Telegram-Bot-Api-Secret-Token", &secret)
                        .json(&update)
                        .timeout(Duration::from_secs(60))
                        .send()
                        .await;
                    if answer.is_ok_and(|a| a.status().is_success()) {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
    }

    fn log_len(&self, chat: i64) -> usize {
        self.chats.lock().unwrap().get(&chat).map_or(0, |c| c.sent.len())
    }

    /// The first message sent to `chat` after position `from` that `wanted` accepts.
    async fn wait_for(&self, chat: i64, from: usize, wanted: impl Fn(&Sent) -> bool) -> Option<Sent> {
        let deadline = tokio::time::Instant::now() + ANSWER_WAIT;
        loop {
            let changed = self.changed.notified();
            if let Some(found) = self
                .chats
                .lock()
                .unwrap()
                .get(&chat)
                .and_then(|c| c.sent.iter().skip(from).find(|s| wanted(s)).cloned())
            {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return None;
            }
        }
    }
}

fn text_update(chat: i64, text: &str) -> Value {
    let command = text.starts_with('/');
    json!({"message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private", "first_name": "M"},
        "from": {"id": chat, "is_bot": false, "first_name": "M", "language_code": "en"}, "text": text,
        "entities": if command { json!([{"type": "bot_command", "offset": 0, "length": text.split(' ').next().unwrap_or("").len()}]) } else { json!([]) }}})
}

fn press_update(chat: i64, message_id: i64, data: &str) -> Value {
    json!({"callback_query": {"id": format!("q{chat}-{message_id}"), "from": {"id": chat, "is_bot": false, "first_name": "M", "language_code": "en"},
        "message": {"message_id": message_id, "date": 1, "chat": {"id": chat, "type": "private", "first_name": "M"}, "text": ""},
        "chat_instance": "c", "data": data}})
}

/// What the merchants did, as they saw it.
#[derive(Default)]
struct Tally {
    withdraw_presses: AtomicU64,
    withdraw_answers: AtomicU64,
    withdraw_restarts: AtomicU64,
    deposits_asked: AtomicU64,
    cards_shown: AtomicU64,
    panics_sent: AtomicU64,
    panics_answered: AtomicU64,
}

struct World {
    tg: Arc<Telegram>,
    rng: Arc<Mutex<StdRng>>,
    tally: Tally,
    next_amount: AtomicU64,
}

impl World {
    fn send(&self, update: Value) {
        self.tg.deliver(update, self.rng.clone());
    }

    fn chance(&self, p: f64) -> bool {
        self.rng.lock().unwrap().random_bool(p)
    }

    /// One withdrawal through the dialogue, started over when an answer does not come
    /// (its process was killed). Returns once Confirm was pressed, or after 6 tries.
    async fn withdraw(&self, chat: i64, amount: u64) {
        let steps: [(String, &str); 4] = [
            ("/withdraw".into(), "How much?"),
            (amount.to_string(), "DANA number to pay to"),
            (DANA.into(), "name of that DANA account"),
            ("Budi Santoso".into(), "✅"),
        ];
        'attempt: for _ in 0..6 {
            let mut summary = None;
            for (text, expect) in &steps {
                let from = self.tg.log_len(chat);
                self.send(text_update(chat, text));
                let answer = self
                    .tg
                    .wait_for(chat, from, |s| {
                        s.text.contains(expect) || s.buttons.iter().any(|(t, _)| t.contains(expect))
                    })
                    .await;
                match answer {
                    Some(a) => summary = Some(a),
                    None => {
                        self.tally.withdraw_restarts.fetch_add(1, Relaxed);
                        continue 'attempt;
                    }
                }
            }
            let Some(summary) = summary else { continue };
            let Some((_, data)) = summary.buttons.iter().find(|(t, _)| t.contains('✅')) else { continue };
            let from = self.tg.log_len(chat);
            self.send(press_update(chat, summary.message_id, data));
            self.tally.withdraw_presses.fetch_add(1, Relaxed);
            let done = self
                .tg
                .wait_for(chat, from, |s| {
                    s.text.contains("sent.") || s.text.contains("did not answer") || s.text.contains("refused")
                })
                .await;
            if done.is_some() {
                self.tally.withdraw_answers.fetch_add(1, Relaxed);
            }
            return;
        }
    }

    async fn deposit(&self, chat: i64, amount: u64) {
        let from = self.tg.log_len(chat);
        self.tally.deposits_asked.fetch_add(1, Relaxed);
        self.send(text_update(chat, &format!("/deposit {amount}")));
        let card = self.tg.wait_for(chat, from, |s| s.method == "sendphoto" && s.text.contains("Invoice")).await;
        if card.is_some() {
            self.tally.cards_shown.fetch_add(1, Relaxed);
        }
    }

    async fn panic(&self, chat: i64) {
        let from = self.tg.log_len(chat);
        self.tally.panics_sent.fetch_add(1, Relaxed);
        self.send(text_update(chat, PANIC_TEXT));
        if self.tg.wait_for(chat, from, |s| s.text.contains("Something went wrong on our side")).await.is_some() {
            self.tally.panics_answered.fetch_add(1, Relaxed);
        }
    }

    fn amount(&self, base: u64) -> u64 {
        base + self.next_amount.fetch_add(1, Relaxed)
    }
}

/// One merchant: withdrawals and invoices in a random order until the run's totals are
/// reached.
async fn merchant(world: Arc<World>, chat: i64, args: Arc<Args>) {
    for turn in 0u64.. {
        // Each merchant once makes a handler panic, early in the run.
        if turn == 1 {
            world.panic(chat).await;
        }
        let withdrawals_left = world.tally.withdraw_presses.load(Relaxed) < args.withdrawals;
        let invoices_left = world.tally.cards_shown.load(Relaxed) < args.invoices;
        if !withdrawals_left && !invoices_left {
            return;
        }
        if withdrawals_left && (!invoices_left || world.chance(0.3)) {
            world.withdraw(chat, world.amount(10_000)).await;
        } else {
            world.deposit(chat, world.amount(20_000)).await;
        }
    }
}

/// The gateway's faults, before and after the simulator's own handling.
#[derive(Default)]
struct Faults {
    hung: AtomicU64,
    lost_after_work: AtomicU64,
    failed_before_work: AtomicU64,
    ambiguous: AtomicU64,
    on: AtomicBool,
}

async fn faulty(
    State((faults, rng)): State<(Arc<Faults>, Arc<Mutex<StdRng>>)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/_sim/") || !faults.on.load(Relaxed) {
        return next.run(request).await;
    }
    let withdraw = path == "/api/v1/withdraw";
    let roll: f64 = rng.lock().unwrap().random();
    let ambiguous_body = || match rng.lock().unwrap().random_range(0..3) {
        0 => json!({"error": ""}),
        1 => json!(false),
        _ => json!(0),
    };
    match roll {
        r if r < 0.04 => {
            faults.hung.fetch_add(1, Relaxed);
            tokio::time::sleep(GATEWAY_TIMEOUT + Duration::from_millis(500)).await;
            next.run(request).await
        }
        r if r < 0.08 => {
            faults.lost_after_work.fetch_add(1, Relaxed);
            let _ = next.run(request).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        r if r < 0.11 => {
            faults.failed_before_work.fetch_add(1, Relaxed);
            (StatusCode::SERVICE_UNAVAILABLE, "upstream unavailable").into_response()
        }
        r if withdraw && r < 0.21 => {
            faults.ambiguous.fetch_add(1, Relaxed);
            if r < 0.16 {
                let _ = next.run(request).await;
            }
            (StatusCode::OK, Json(ambiguous_body())).into_response()
        }
        _ => next.run(request).await,
    }
}

/// The two bot processes.
struct Replicas {
    children: [Option<Child>; 2],
    ports: [u16; 2],
    incarnations: [u32; 2],
    env: Vec<(String, String)>,
    kills: u64,
    both_killed: u64,
    died_alone: u64,
    /// When each kill happened, since the run's start.
    kill_times: Vec<Duration>,
}

impl Replicas {
    async fn start(&mut self, i: usize, tg: &Telegram) {
        self.incarnations[i] += 1;
        let log = std::fs::File::create(format!("target/chaos/replica-{i}-{:03}.log", self.incarnations[i]))
            .expect("target/chaos is writable");
        let port = self.ports[i];
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_merchant-bot"))
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("WEBHOOK_URL", format!("http://127.0.0.1:{port}/webhook"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("the merchant-bot binary runs");
        self.children[i] = Some(child);
        tg.replicas.lock().unwrap()[i] = Some(format!("http://127.0.0.1:{port}/webhook"));
    }

    async fn kill(&mut self, i: usize, tg: &Telegram) {
        tg.replicas.lock().unwrap()[i] = None;
        if let Some(mut child) = self.children[i].take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
            self.kills += 1;
            self.kill_times.push(tg.epoch.elapsed());
        }
    }

    /// A process that exited without being killed (it must not happen: a panic is
    /// caught, and nothing else ends the bot) is counted and restarted.
    async fn reap(&mut self, tg: &Telegram) {
        for i in 0..2 {
            if let Some(child) = self.children[i].as_mut()
                && let Ok(Some(_)) = child.try_wait()
            {
                self.died_alone += 1;
                self.children[i] = None;
                self.start(i, tg).await;
            }
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Pays every invoice the bot recorded and approves (or rejects) every withdrawal it
/// recorded as sent, as customers and the gateway's admin would.
async fn customers_and_admin(
    pool: PgPool,
    sim_url: String,
    paid: Arc<Mutex<HashSet<String>>>,
    settled: Arc<Mutex<HashMap<String, bool>>>,
    rng: Arc<Mutex<StdRng>>,
    stop: Arc<AtomicBool>,
) {
    let client = reqwest::Client::new();
    while !stop.load(Relaxed) {
        let invoices: Vec<(String,)> =
            sqlx::query_as("SELECT gateway_invoice_id FROM invoices WHERE status = 'pending'")
                .fetch_all(&pool)
                .await
                .unwrap_or_default();
        for (id,) in invoices {
            if paid.lock().unwrap().contains(&id) {
                continue;
            }
            let answer = client.post(format!("{sim_url}/_sim/qris/invoices/{id}/pay")).send().await;
            if answer.is_ok_and(|a| a.status().is_success()) {
                paid.lock().unwrap().insert(id);
            }
        }
        let withdrawals: Vec<(String,)> = sqlx::query_as(
            "SELECT gateway_withdraw_id FROM withdrawals WHERE status = 'submitted' AND gateway_withdraw_id IS NOT NULL",
        )
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
        for (id,) in withdrawals {
            if settled.lock().unwrap().contains_key(&id) {
                continue;
            }
            let approve = rng.lock().unwrap().random_bool(0.9);
            let action = if approve { "approve" } else { "reject" };
            let answer = client.post(format!("{sim_url}/_sim/qris/withdrawals/{id}/{action}")).send().await;
            if answer.is_ok_and(|a| a.status().is_success()) {
                settled.lock().unwrap().insert(id, approve);
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Every notification the chats received, by the gateway id it names.
type Copies = HashMap<String, Vec<Duration>>;

fn notifications(tg: &Telegram) -> (Copies, Copies) {
    let id_after = |text: &str, prefix: &str| -> Option<String> {
        let rest = &text[text.find(prefix)? + prefix.len()..];
        Some(rest[..rest.find("</code>")?].to_owned())
    };
    let (mut paid, mut withdrawals) = (HashMap::new(), HashMap::new());
    for log in tg.chats.lock().unwrap().values() {
        for s in log.sent.iter().filter(|s| s.method == "sendmessage") {
            if s.text.starts_with("💰 Invoice") && s.text.contains("<b>paid</b>") {
                if let Some(id) = id_after(&s.text, "Invoice <code>") {
                    paid.entry(id).or_insert_with(Vec::new).push(s.at);
                }
            } else if s.text.starts_with("🏦 Withdrawal")
                && let Some(id) = id_after(&s.text, "Withdrawal <code>")
            {
                withdrawals.entry(id).or_insert_with(Vec::new).push(s.at);
            }
        }
    }
    (paid, withdrawals)
}

#[tokio::main]
async fn main() {
    let args = Arc::new(args());
    // This run's logs only.
    let _ = std::fs::remove_dir_all("target/chaos");
    std::fs::create_dir_all("target/chaos").unwrap();
    let rng = Arc::new(Mutex::new(StdRng::seed_from_u64(args.seed)));
    let started = Instant::now();

    // The database.
    let db = common::BenchDb::create("merchant_bot_chaos", 5).await;
    let pool = db.pool.clone();
    let db_url = db.url.clone();
    let key_text = MasterKey::generate();
    let key = MasterKey::parse(&key_text).unwrap();
    let label = AccountLabel::parse("kasir").unwrap();
    for chat in 1..=args.merchants {
        storage::users::touch(&pool, TelegramUserId::new(chat), Some("en")).await.unwrap();
        let qris = Credentials::Qris { api_key: DEMO.qris_api_key.into() };
        storage::accounts::insert(&pool, &key, TelegramUserId::new(chat), &label, &qris).await.unwrap();
    }

    // The simulator, with faults in front of it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_url = format!("http://{}", listener.local_addr().unwrap());
    let sim = Sim::new(sim_url.clone());
    for account in sim.qris.lock().unwrap().accounts.values_mut() {
        account.balance = 1_000_000_000_000;
    }
    let faults = Arc::new(Faults::default());
    let router =
        simulator::router(sim.clone()).layer(middleware::from_fn_with_state((faults.clone(), rng.clone()), faulty));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    // The fake Bot API.
    let tg = Arc::new(Telegram {
        epoch: started,
        chats: Mutex::default(),
        changed: Notify::new(),
        next_message: AtomicU64::new(0),
        next_update: AtomicU64::new(0),
        replicas: Mutex::default(),
        deliveries: AtomicU64::new(0),
        redeliveries: AtomicU64::new(0),
        refused: Mutex::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_url = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().route("/{token}/{method}", post(bot_api)).with_state(tg.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let env: Vec<(String, String)> = [
        ("TELOXIDE_TOKEN", TOKEN),
        ("TELOXIDE_API_URL", &api_url),
        ("DATABASE_URL", &db_url),
        ("MASTER_KEY", &key_text),
        ("QRIS_API_URL", &sim_url),
        ("BUKALAPAK_API_URL", &sim_url),
        ("NOTIFY_POLL_INTERVAL", "1s"),
        ("GATEWAY_TIMEOUT", "2s"),
        ("RESOLVE_EVERY", "2s"),
        ("WITHDRAWAL_GIVE_UP_AFTER", "30s"),
        ("FAULT_PANIC_TEXT", PANIC_TEXT),
        ("RUST_LOG", "info"),
        ("LOG_FORMAT", "plain"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let mut replicas = Replicas {
        children: [None, None],
        ports: [free_port(), free_port()],
        incarnations: [0, 0],
        env,
        kills: 0,
        both_killed: 0,
        died_alone: 0,
        kill_times: Vec::new(),
    };
    replicas.start(0, &tg).await;
    replicas.start(1, &tg).await;
    faults.on.store(true, Relaxed);

    // Customers and the gateway's admin.
    let paid = Arc::new(Mutex::new(HashSet::new()));
    let settled = Arc::new(Mutex::new(HashMap::new()));
    let stop_admin = Arc::new(AtomicBool::new(false));
    let admin_task = tokio::spawn(customers_and_admin(
        pool.clone(),
        sim_url.clone(),
        paid.clone(),
        settled.clone(),
        rng.clone(),
        stop_admin.clone(),
    ));

    // The merchants.
    let world =
        Arc::new(World { tg: tg.clone(), rng: rng.clone(), tally: Tally::default(), next_amount: AtomicU64::new(0) });
    let merchants: Vec<_> =
        (1..=args.merchants).map(|chat| tokio::spawn(merchant(world.clone(), chat, args.clone()))).collect();

    // The killer: until the merchants are done and at least `kills` kills happened.
    let all_done = || merchants.iter().all(|m| m.is_finished());
    while !all_done() || replicas.kills < args.kills {
        let pause = rng.lock().unwrap().random_range(1_000..3_500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        replicas.reap(&tg).await;
        let (both, which, down) = {
            let mut r = rng.lock().unwrap();
            (r.random_bool(0.2), r.random_range(0..2usize), r.random_range(100..1_500))
        };
        let victims: Vec<usize> = if both { vec![0, 1] } else { vec![which] };
        if both {
            replicas.both_killed += 1;
        }
        for &i in &victims {
            replicas.kill(i, &tg).await;
        }
        tokio::time::sleep(Duration::from_millis(down)).await;
        for &i in &victims {
            replicas.start(i, &tg).await;
        }
    }
    for m in merchants {
        m.await.unwrap();
    }
    let drive_time = started.elapsed();

    // Quiet: no more kills or gateway faults; wait for every unknown withdrawal to be
    // settled and every due notification to arrive (or a deadline).
    faults.on.store(false, Relaxed);
    let quiet = Instant::now();
    let deadline = quiet + Duration::from_secs(150);
    loop {
        replicas.reap(&tg).await;
        let open: (i64,) = sqlx::query_as(
            "SELECT count(*) FROM withdrawals WHERE status IN ('submitting', 'unknown') OR (status = 'submitted')",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        let pending: (i64,) =
            sqlx::query_as("SELECT count(*) FROM invoices WHERE status = 'pending'").fetch_one(&pool).await.unwrap();
        let unsent: (i64,) =
            sqlx::query_as("SELECT count(*) FROM notification_outbox WHERE sent_at IS NULL AND failed_at IS NULL")
                .fetch_one(&pool)
                .await
                .unwrap_or((0,));
        if (open.0 == 0 && pending.0 == 0 && unsent.0 == 0) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let settle_time = quiet.elapsed();
    // A last look for late duplicates.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop_admin.store(true, Relaxed);
    let _ = admin_task.await;
    replicas.kill(0, &tg).await;
    replicas.kill(1, &tg).await;
    let final_kills = 2;

    // The truth (the simulator), the record (the database), what the chats got.
    // Each withdrawal the gateway made: its id, amount and status; and how many invoices.
    let (sim_withdrawals, sim_invoices): (Vec<(String, i64, String)>, usize) = {
        let state = sim.qris.lock().unwrap();
        let account = &state.accounts[DEMO.qris_api_key];
        (
            account.withdrawals.iter().map(|w| (w.id.clone(), w.amount, w.status.clone())).collect(),
            account.invoices.len(),
        )
    };
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT amount, status, gateway_withdraw_id FROM withdrawals").fetch_all(&pool).await.unwrap();
    let refusals: Vec<(String, i64)> = sqlx::query_as(
        "SELECT left(coalesce(refusal, ''), 60), count(*) FROM withdrawals WHERE status = 'refused' GROUP BY 1 ORDER BY 2 DESC",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut by_amount: BTreeMap<i64, Vec<&(String, i64, String)>> = BTreeMap::new();
    for w in &sim_withdrawals {
        by_amount.entry(w.1).or_default().push(w);
    }
    let sent_twice: usize = by_amount.values().map(|v| v.len().saturating_sub(1)).sum();
    let mut misrecorded = Vec::new();
    let mut left_unknown = 0;
    let mut recorded_ids = HashSet::new();
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for (amount, status, gateway_id) in &rows {
        *statuses.entry(status.clone()).or_default() += 1;
        let truth = by_amount.get(amount).and_then(|v| v.first());
        if let Some(id) = gateway_id {
            recorded_ids.insert(id.clone());
        }
        let right = match status.as_str() {
            "unknown" | "submitting" => {
                left_unknown += 1;
                true
            }
            // A row that was never sent (or was found not made) is right unless the
            // gateway made it, and then no other row records it: counted below.
            "refused" | "cancelled" | "expired" | "draft" | "confirmed" => true,
            "submitted" => truth.is_some_and(|t| Some(&t.0) == gateway_id.as_ref()),
            "success" => truth.is_some_and(|t| t.2 == "success" && Some(&t.0) == gateway_id.as_ref()),
            "rejected" => truth.is_some_and(|t| t.2 == "rejected" && Some(&t.0) == gateway_id.as_ref()),
            _ => false,
        };
        if !right {
            misrecorded.push(format!("{amount}: recorded {status}, gateway {:?}", truth.map(|t| &t.2)));
        }
    }
    for (id, amount, status) in &sim_withdrawals {
        if !recorded_ids.contains(id) {
            misrecorded.push(format!("{amount}: made at the gateway ({status}, {id}) but not recorded"));
        }
    }

    let (paid_messages, withdrawal_messages) = notifications(&tg);
    let paid_ids: HashSet<String> = paid.lock().unwrap().clone();
    let settled_ids: HashMap<String, bool> = settled.lock().unwrap().clone();
    let due: Vec<(&str, &String)> =
        paid_ids.iter().map(|id| ("invoice", id)).chain(settled_ids.keys().map(|id| ("withdrawal", id))).collect();
    let copies = |kind: &str, id: &String| match kind {
        "invoice" => paid_messages.get(id).cloned().unwrap_or_default(),
        _ => withdrawal_messages.get(id).cloned().unwrap_or_default(),
    };
    let count_of = |kind: &str, id: &String| copies(kind, id).len() as u64;
    let delivered = due.iter().filter(|(k, id)| count_of(k, id) >= 1).count();
    let duplicated: u64 = due.iter().map(|(k, id)| count_of(k, id).saturating_sub(1)).sum();
    let lost: Vec<String> =
        due.iter().filter(|(k, id)| count_of(k, id) == 0).map(|(k, id)| format!("{k} {id}")).collect();
    let unexpected = paid_messages.keys().filter(|id| !paid_ids.contains(*id)).count()
        + withdrawal_messages.keys().filter(|id| !settled_ids.contains_key(*id)).count();
    let orphans = sim_invoices.saturating_sub(paid_ids.len());
    let panics_logged = std::fs::read_dir("target/chaos")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("replica-"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default().matches("an update handler panicked").count())
        .sum::<usize>();

    let apologies = tg
        .chats
        .lock()
        .unwrap()
        .values()
        .flat_map(|c| c.sent.iter())
        .filter(|s| s.text.contains("Something went wrong on our side"))
        .count();
    let t = &world.tally;
    println!("chaos run: seed {}, {} merchants, two bot processes on one database", args.seed, args.merchants);
    println!(
        "  driven for {:.0} s, then {:.0} s without faults to settle",
        drive_time.as_secs_f64(),
        settle_time.as_secs_f64()
    );
    println!(
        "  kills (SIGKILL): {} ({} of both at once), plus {final_kills} at the end; processes that died by themselves: {}",
        replicas.kills - final_kills,
        replicas.both_killed,
        replicas.died_alone
    );
    println!(
        "  gateway faults: {} hung past the deadline, {} answers lost after the work, {} failures before it, {} ambiguous withdraw answers",
        faults.hung.load(Relaxed),
        faults.lost_after_work.load(Relaxed),
        faults.failed_before_work.load(Relaxed),
        faults.ambiguous.load(Relaxed)
    );
    println!(
        "  updates: {} delivered to a webhook, {} of them redeliveries after a replica died or did not acknowledge",
        tg.deliveries.load(Relaxed),
        tg.redeliveries.load(Relaxed)
    );
    println!("withdrawals");
    println!(
        "  requested (Confirm pressed): {}   answered in the chat: {}   dialogues started over: {}",
        t.withdraw_presses.load(Relaxed),
        t.withdraw_answers.load(Relaxed),
        t.withdraw_restarts.load(Relaxed)
    );
    println!("  sent (made at the gateway): {}", sim_withdrawals.len());
    println!("  sent twice: {sent_twice}");
    println!("  misrecorded: {}", misrecorded.len());
    for m in misrecorded.iter().take(10) {
        println!("    {m}");
    }
    println!("  left unknown: {left_unknown}");
    println!("  final states in the database: {statuses:?}");
    for (why, n) in &refusals {
        println!("    refused {n}: {why}");
    }
    println!("invoices");
    println!(
        "  asked: {}   cards shown: {}   recorded and paid: {}   made at the gateway but never recorded: {orphans}",
        t.deposits_asked.load(Relaxed),
        t.cards_shown.load(Relaxed),
        paid_ids.len()
    );
    println!("notifications (invoice paid, withdrawal settled)");
    println!("  due: {} ({} paid invoices, {} settled withdrawals)", due.len(), paid_ids.len(), settled_ids.len());
    println!("  delivered: {delivered}   duplicated: {duplicated}   lost: {}   not due: {unexpected}", lost.len());
    for l in lost.iter().take(10) {
        println!("    lost: {l}");
    }
    for (kind, id) in due.iter().filter(|(k, id)| count_of(k, id) > 1) {
        let times = copies(kind, id);
        let (first, again) = (times[0], times[times.len() - 1]);
        // The kill that separates the copies: the sender was killed after Telegram took
        // the message and before it was marked sent.
        let kill = replicas.kill_times.iter().filter(|k| **k >= first && **k <= again).map(|k| *k - first).min();
        println!(
            "    duplicated: {kind} {id}: {} copies, {:.1} s apart; a kill {} after the first",
            times.len(),
            (again - first).as_secs_f64(),
            kill.map_or("none".to_owned(), |k| format!("{} ms", k.as_millis()))
        );
    }
    println!(
        "panics injected: {}   answered with the apology within 10 s: {}, by the end: {apologies}   logged as caught: {panics_logged}   processes that died: {}",
        t.panics_sent.load(Relaxed),
        t.panics_answered.load(Relaxed),
        replicas.died_alone
    );
    let refused = tg.refused.lock().unwrap().clone();
    println!("messages Telegram would refuse: {}", refused.len());
    for r in refused.iter().take(5) {
        println!("    {r}");
    }
    println!("(process logs: target/chaos/; total {:.0} s)", started.elapsed().as_secs_f64());

    db.drop_now().await;
    let clean = sent_twice == 0 && misrecorded.is_empty() && left_unknown == 0 && duplicated == 0 && lost.is_empty();
    std::process::exit(if clean { 0 } else { 1 });
}
