//! Load: the real bot — the release `merchant-bot` binary as its own process, configured
//! by environment only — against a fake Bot API and the gateway simulator on loopback,
//! with N merchants each running a realistic mix in a closed loop: /balance, /deposit (an
//! image), /mutations and a page turn, a whole /withdraw dialogue. Then the same harness
//! drives the floor: a minimal teloxide echo bot (no throttle), also its own process.
//! Prints updates per second, p50/p99 latency per step after the first 5 s (bot-side: from the moment the
//! update was handed to the bot until its answer reached the Bot API; and the merchant's
//! whole round trip), each process's peak RSS and CPU time, and the ratio to the floor.
//!
//! `cargo bench --bench load` (`-- 100 20 1000` for 100 merchants, 20 s per run and
//! 1,000 ms for a merchant to read an answer before the next step; the default is
//! 10,000 merchants). Needs PostgreSQL at 127.0.0.1:5432 (or BENCH_DATABASE_URL).

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{Path, Request, State},
    routing::post,
};
use merchant_bot::{
    crypto::MasterKey,
    domain::{AccountLabel, Credentials, TelegramUserId},
    simulator::{self, DEMO},
    storage,
};
use serde_json::{Value, json};
use teloxide::prelude::*;
use tokio::{
    process::{Child, Command},
    sync::{Notify, mpsc},
};

mod common;

const TOKEN: &str = "1:load";

/// What the bot sent to a chat: the method, the message id, the first button's data.
struct Reply {
    method: String,
    message_id: i64,
    button: Option<String>,
    at: Instant,
}

#[derive(Default)]
struct Fake {
    queue: Mutex<VecDeque<Value>>,
    next_update: Mutex<i64>,
    next_message: Mutex<i64>,
    arrived: Notify,
    chats: Mutex<HashMap<i64, mpsc::UnboundedSender<Reply>>>,
    /// When each update was handed to the bot (the answer to its getUpdates).
    handed: Mutex<HashMap<i64, Instant>>,
    /// The bot is polling.
    polling: Notify,
    polled: std::sync::atomic::AtomicBool,
}

impl Fake {
    fn push(&self, mut update: Value) -> i64 {
        let mut next = self.next_update.lock().unwrap();
        *next += 1;
        update["update_id"] = json!(*next);
        self.queue.lock().unwrap().push_back(update);
        self.arrived.notify_waiters();
        *next
    }

    fn message_id(&self) -> i64 {
        let mut next = self.next_message.lock().unwrap();
        *next += 1;
        *next
    }
}

fn ok(result: Value) -> Json<Value> {
    Json(json!({"ok": true, "result": result}))
}

async fn api(
    State(fake): State<Arc<Fake>>,
    Path((_, method)): Path<(String, String)>,
    request: Request,
) -> Json<Value> {
    let method = method.to_lowercase();
    let params = common::bot_api_params(request).await;
    match method.as_str() {
        "getme" => {
            ok(json!({"id": 1, "is_bot": true, "first_name": "Load", "username": "load_bot", "can_join_groups": true,
            "can_read_all_group_messages": false, "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false}))
        }
        "getupdates" => {
            if !fake.polled.swap(true, std::sync::atomic::Ordering::SeqCst) {
                fake.polling.notify_waiters();
            }
            let offset = params["offset"].as_i64().unwrap_or(0);
            let deadline = Instant::now() + Duration::from_millis(500);
            loop {
                let notified = fake.arrived.notified();
                let batch: Vec<Value> = {
                    let mut queue = fake.queue.lock().unwrap();
                    while queue.front().is_some_and(|u| u["update_id"].as_i64().unwrap_or(0) < offset) {
                        queue.pop_front();
                    }
                    queue.iter().take(100).cloned().collect()
                };
                if !batch.is_empty() || tokio::time::timeout_at(deadline.into(), notified).await.is_err() {
                    let now = Instant::now();
                    let mut handed = fake.handed.lock().unwrap();
                    for u in &batch {
                        handed.entry(u["update_id"].as_i64().unwrap_or(0)).or_insert(now);
                    }
                    return ok(Value::Array(batch));
                }
            }
        }
        "sendmessage" | "sendphoto" | "editmessagetext" | "editmessagecaption" => {
            let chat = params["chat_id"]
                .as_i64()
                .or_else(|| params["chat_id"].as_str().and_then(|s| s.parse().ok()))
                .unwrap_or(0);
            let message_id = params["message_id"].as_i64().unwrap_or_else(|| fake.message_id());
            let markup = match &params["reply_markup"] {
                Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                v => v.clone(),
            };
            let button = markup["inline_keyboard"].as_array().and_then(|rows| {
                // Prefer ▶ and ✅ (the steps the merchants take), else the first button.
                let all: Vec<&Value> = rows.iter().flat_map(|r| r.as_array().into_iter().flatten()).collect();
                all.iter()
                    .find(|b| b["text"].as_str().is_some_and(|t| t.contains('▶') || t.contains('✅')))
                    .or(all.first())
                    .and_then(|b| b["callback_data"].as_str().map(str::to_owned))
            });
            let text = params["text"].as_str().or(params["caption"].as_str()).unwrap_or("");
            // The merchants write in Indonesian: "coba lagi" ends every "try again"
            // apology (busy, unavailable or slow gateway, an internal error), ⏳ starts the
            // slow-gateway notice.
            if text.contains("coba lagi") || text.starts_with('⏳') {
                APOLOGIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            if let Some(tx) = fake.chats.lock().unwrap().get(&chat) {
                let _ = tx.send(Reply { method: method.clone(), message_id, button, at: Instant::now() });
            }
            ok(
                json!({"message_id": message_id, "date": 0, "chat": {"id": chat, "type": "private", "first_name": "M"}, "text": ""}),
            )
        }
        _ => ok(json!(true)),
    }
}

fn text_update(chat: i64, text: &str) -> Value {
    json!({"message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private", "first_name": "M"},
        "from": {"id": chat, "is_bot": false, "first_name": "M", "language_code": "id"}, "text": text,
        "entities": if text.starts_with('/') { json!([{"type": "bot_command", "offset": 0, "length": text.split(' ').next().unwrap().len()}]) } else { json!([]) }}})
}

fn press_update(chat: i64, message_id: i64, data: &str) -> Value {
    json!({"callback_query": {"id": format!("q{chat}{message_id}"), "from": {"id": chat, "is_bot": false, "first_name": "M"},
        "message": {"message_id": message_id, "date": 1, "chat": {"id": chat, "type": "private", "first_name": "M"}, "text": ""},
        "chat_instance": "c", "data": data}})
}

/// Per step: (bot-side, round trip).
type Latencies = Arc<Mutex<BTreeMap<&'static str, (Vec<Duration>, Vec<Duration>)>>>;

/// One merchant's conversation with the bot.
struct Session {
    fake: Arc<Fake>,
    rx: mpsc::UnboundedReceiver<Reply>,
    latencies: Latencies,
    updates: u64,
    /// How long the merchant takes to read an answer before the next step.
    think: Duration,
    until: Instant,
    chat: i64,
    /// Steps started before this (the first seconds: connections being opened, caches
    /// filling) are not in the latencies.
    warm: Instant,
}

/// The first seconds of a run, left out of the latencies.
const WARM_UP: Duration = Duration::from_secs(5);

/// Messages that came after their step was over (none expected).
static STALE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Answers that were an apology instead of what was asked (none expected).
static APOLOGIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Steps that got no answer within 30 s.
static UNANSWERED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Session {
    /// Sends one update and waits for `answers` messages or edits in the chat.
    async fn step(&mut self, name: &'static str, update: Value, answers: usize) -> Option<Reply> {
        if Instant::now() + self.think >= self.until {
            return None;
        }
        tokio::time::sleep(self.think).await;
        if Instant::now() >= self.until {
            return None;
        }
        // An answer that came after its step was over is not this step's.
        while self.rx.try_recv().is_ok() {
            STALE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        self.updates += 1;
        let started = Instant::now();
        let id = self.fake.push(update);
        let mut last: Option<Reply> = None;
        for _ in 0..answers {
            match tokio::time::timeout(Duration::from_secs(30), self.rx.recv()).await {
                Ok(Some(reply)) => last = Some(reply),
                _ => {
                    eprintln!("chat {}: no answer to {name} within 30 s", self.chat);
                    UNANSWERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return None;
                }
            }
        }
        let answered = last.as_ref().map_or_else(Instant::now, |r| r.at);
        let handed = self.fake.handed.lock().unwrap().remove(&id).unwrap_or(started);
        if started < self.warm {
            return last;
        }
        let mut latencies = self.latencies.lock().unwrap();
        let entry = latencies.entry(name).or_default();
        entry.0.push(answered.saturating_duration_since(handed));
        entry.1.push(started.elapsed());
        last
    }
}

/// One merchant, in a closed loop until `until`: each step waits for the bot's answer.
async fn merchant(
    fake: Arc<Fake>,
    chat: i64,
    echo: bool,
    (until, seconds): (Instant, u64),
    think: Duration,
    latencies: Latencies,
) -> u64 {
    let (tx, rx) = mpsc::unbounded_channel();
    fake.chats.lock().unwrap().insert(chat, tx);
    // Merchants start spread over one think time, not all in the same instant.
    tokio::time::sleep(think.mul_f64((chat * 7919 % 1000) as f64 / 1000.0)).await;
    let warm = until - Duration::from_secs(seconds) + WARM_UP;
    let mut s = Session { fake, rx, latencies, updates: 0, think, until, chat, warm };
    if echo {
        while s.step("echo", text_update(chat, "halo"), 1).await.is_some() {}
        return s.updates;
    }
    // The round's nine steps in four parts. Each merchant starts at the part of one of
    // the nine steps (chat % 9), so that from the first seconds the steps are taken in
    // the proportions of a steady state (each once per round), not all merchants on the
    // same step at once: the figures then do not depend on how far the merchants got.
    let mut part = match chat % 9 {
        0 => 0,
        1 => 1,
        2 | 3 => 2,
        _ => 3,
    };
    while Instant::now() < until {
        match part {
            0 => {
                let _ = s.step("/balance", text_update(chat, "/balance"), 1).await;
            }
            1 => {
                let _ = s.step("/deposit (image)", text_update(chat, "/deposit 25000"), 1).await;
            }
            2 => {
                if let Some(list) = s.step("/mutations", text_update(chat, "/mutations"), 1).await
                    && let Some(next) = list.button
                {
                    let _ = s.step("page ▶", press_update(chat, list.message_id, &next), 1).await;
                }
            }
            _ => {
                let _ = s.step("/withdraw", text_update(chat, "/withdraw"), 1).await;
                let _ = s.step("withdraw amount", text_update(chat, "10000"), 1).await;
                let _ = s.step("withdraw number", text_update(chat, "081234567890"), 1).await;
                if let Some(summary) = s.step("withdraw name", text_update(chat, "Budi Santoso"), 1).await
                    && let Some(confirm) = summary.button
                    && summary.method == "sendmessage"
                {
                    let _ = s.step("withdraw confirm", press_update(chat, summary.message_id, &confirm), 2).await;
                }
            }
        }
        part = (part + 1) % 4;
    }
    s.updates
}

/// PostgreSQL's CPU (µs) for one trivial statement, each its own transaction, with 10
/// sessions sending them for 3 s: `SELECT 1`, or (`write`) a one-row upsert committed
/// as the bot's writes are. What a statement costs the server before it does anything
/// of the bot's: the protocol, the backend's wake-up, the commit.
async fn probe(pool: &sqlx::PgPool, write: bool) -> f64 {
    sqlx::query("CREATE TABLE IF NOT EXISTS probe (k int PRIMARY KEY, v jsonb NOT NULL)").execute(pool).await.unwrap();
    let until = Instant::now() + Duration::from_secs(3);
    let before = common::postgres_cpu();
    let sessions: Vec<_> = (0..10)
        .map(|session: i32| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut statements = 0u64;
                while Instant::now() < until {
                    if write {
                        sqlx::query(
                            "INSERT INTO probe VALUES ($1, '{\"n\": 1}') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
                        )
                        .bind(session * 1000 + (statements % 1000) as i32)
                        .execute(&pool)
                        .await
                        .unwrap();
                    } else {
                        sqlx::query("SELECT 1").execute(&pool).await.unwrap();
                    }
                    statements += 1;
                }
                statements
            })
        })
        .collect();
    let mut statements = 0;
    for s in sessions {
        statements += s.await.unwrap();
    }
    common::postgres_cpu_since(&before) * 1e6 / statements as f64
}

/// A process's peak RSS (MB) and CPU time used so far (s).
fn process_figures(pid: u32) -> (f64, f64) {
    let pid = pid.to_string();
    (common::peak_rss_mb(&pid), common::cpu_seconds(&pid))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

/// What one run measured.
struct Run {
    rate: f64,
    latencies: BTreeMap<&'static str, (Vec<Duration>, Vec<Duration>)>,
    rss_mb: f64,
    cpu_s: f64,
    seconds: f64,
    /// CPU over the run of the harness (this process: the fake Bot API, the merchants,
    /// the gateway simulator) and of PostgreSQL's processes (when the server runs here).
    harness_cpu_s: f64,
    postgres_cpu_s: f64,
    /// The whole machine's CPU used over the run, and left idle (s, all cores).
    machine_busy_s: f64,
    machine_idle_s: f64,
    /// Database transactions over the run (counted for the bot's run only).
    transactions: Option<i64>,
}

impl Run {
    /// The worst bot-side p99 over the steps (without or with the image).
    fn worst_p99(&self, image: bool) -> f64 {
        self.latencies
            .iter()
            .filter(|(k, _)| k.contains("image") == image)
            .map(|(_, v)| percentile(&v.0, 0.99))
            .fold(0.0, f64::max)
    }
}

/// Runs the merchants against the bot process polling `fake`.
async fn drive(fake: Arc<Fake>, pid: u32, merchants: i64, seconds: u64, think: Duration, echo: bool) -> Run {
    let latencies: Latencies = Arc::default();
    let (_, cpu_before) = process_figures(pid);
    let (harness_before, postgres_before) = (common::cpu_seconds("self"), common::postgres_cpu());
    let (busy_before, idle_before) = common::machine_cpu();
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (1..=merchants)
        .map(|chat| tokio::spawn(merchant(fake.clone(), chat, echo, (until, seconds), think, latencies.clone())))
        .collect();
    let mut updates = 0;
    for t in tasks {
        updates += t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "  ({} in {elapsed:.1} s; so far {} steps unanswered, {} late answers, {} answers an apology)",
        if echo { "echo" } else { "merchant-bot" },
        UNANSWERED.load(std::sync::atomic::Ordering::Relaxed),
        STALE.load(std::sync::atomic::Ordering::Relaxed),
        APOLOGIES.load(std::sync::atomic::Ordering::Relaxed)
    );
    let (rss_mb, cpu_after) = process_figures(pid);
    let harness_cpu_s = common::cpu_seconds("self") - harness_before;
    let postgres_cpu_s = common::postgres_cpu_since(&postgres_before);
    let (busy_after, idle_after) = common::machine_cpu();
    let mut all = latencies.lock().unwrap().clone();
    all.values_mut().for_each(|(a, b)| {
        a.sort();
        b.sort();
    });
    Run {
        rate: updates as f64 / elapsed,
        latencies: all,
        rss_mb,
        cpu_s: cpu_after - cpu_before,
        seconds: elapsed,
        harness_cpu_s,
        postgres_cpu_s,
        machine_busy_s: busy_after - busy_before,
        machine_idle_s: idle_after - idle_before,
        transactions: None,
    }
}

fn report(name: &str, run: &Run) {
    let updates = run.rate * run.seconds;
    let per_update = |cpu_s: f64| cpu_s * 1e3 / updates;
    let bot = per_update(run.cpu_s);
    println!(
        "{name}: {:.0} updates/s; process: peak RSS {:.0} MB, CPU {:.1} s over {:.0} s ({:.0} % of a core, {:.2} ms an update)",
        run.rate,
        run.rss_mb,
        run.cpu_s,
        run.seconds,
        run.cpu_s / run.seconds * 100.0,
        bot
    );
    println!("  {:<24} {:>7}  {:>22}  {:>22}", "step", "n", "bot-side p50 / p99 ms", "round trip p50 / p99 ms");
    for (step, (bot_side, round_trip)) in &run.latencies {
        println!(
            "  {step:<24} {:>7}  {:>10.2} / {:>9.2}  {:>10.2} / {:>9.2}",
            bot_side.len(),
            percentile(bot_side, 0.5),
            percentile(bot_side, 0.99),
            percentile(round_trip, 0.5),
            percentile(round_trip, 0.99)
        );
    }
    // Where the machine's CPU went, per update: what stands between this rate and a
    // higher one on this machine.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let (server, harness) = (per_update(run.postgres_cpu_s), per_update(run.harness_cpu_s));
    let rest = (per_update(run.machine_busy_s) - bot - server - harness).max(0.0);
    let transactions = run
        .transactions
        .filter(|&t| t > 0)
        .map(|t| {
            format!(
                " ({:.1} transactions an update, {:.0} µs each)",
                t as f64 / updates,
                server * 1e3 * updates / t as f64
            )
        })
        .unwrap_or_default();
    println!(
        "  the machine's CPU an update: the bot {bot:.2} ms, PostgreSQL {server:.2} ms{transactions}, the harness {harness:.2} ms, \
         the rest of the machine {rest:.2} ms; {:.0} % of {cores} cores busy; at these costs the {cores} cores serve at most {:.0} updates/s",
        run.machine_busy_s / (run.machine_busy_s + run.machine_idle_s) * 100.0,
        cores * 1e3 / (bot + server + harness + rest)
    );
}

async fn serve(fake: Arc<Fake>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().route("/{token}/{method}", post(api)).with_state(fake);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// Starts `command` and waits until it polls `fake`.
async fn start_polling(mut command: Command, fake: &Fake, what: &str) -> Child {
    let polling = fake.polling.notified();
    let child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{what} starts: {e}"));
    if !fake.polled.load(std::sync::atomic::Ordering::SeqCst) {
        tokio::time::timeout(Duration::from_secs(60), polling).await.unwrap_or_else(|_| panic!("{what} polls"));
    }
    child
}

/// The floor, in its own process: a minimal teloxide echo bot, no throttle, the
/// dispatcher's defaults. Started by the harness as this same program with
/// `LOAD_ROLE=echo`.
async fn echo_bot(api_url: String) {
    let bot = teloxide::Bot::new(TOKEN).set_api_url(api_url.parse().unwrap());
    let handler = Update::filter_message().endpoint(|bot: teloxide::Bot, msg: Message| async move {
        bot.send_message(msg.chat.id, msg.text().unwrap_or_default()).await?;
        Ok::<(), teloxide::RequestError>(())
    });
    Dispatcher::builder(bot, handler).build().dispatch().await;
}

#[tokio::main]
async fn main() {
    if std::env::var("LOAD_ROLE").as_deref() == Ok("echo") {
        return echo_bot(std::env::var("LOAD_API_URL").expect("LOAD_API_URL")).await;
    }
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let merchants: i64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    // A person reads an answer before the next step; Telegram allows a bot about one
    // message a second in one chat, so a merchant faster than that would be paced.
    let think = Duration::from_millis(args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2000));
    println!(
        "{merchants} merchants, {seconds} s per run, each waiting {} ms after an answer (at most {:.0} updates/s offered)",
        think.as_millis(),
        merchants as f64 / think.as_secs_f64()
    );

    // The floor first.
    let fake = Arc::new(Fake::default());
    let url = serve(fake.clone()).await;
    let mut echo = Command::new(std::env::current_exe().unwrap());
    echo.env("LOAD_ROLE", "echo").env("LOAD_API_URL", &url);
    let mut echo = start_polling(echo, &fake, "the echo bot").await;
    let floor = drive(fake, echo.id().unwrap(), merchants, seconds, think, true).await;
    let _ = echo.kill().await;

    // The bot: the release binary, configured by environment only.
    let mut db = common::BenchDb::create("merchant_bot_load", 20).await;
    let pool = db.pool.clone();
    let sim = simulator::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = reqwest::Client::new();
    for _ in 0..10 {
        client.post(format!("{}/_sim/bukalapak/mutations", sim.url)).json(&json!({})).send().await.unwrap();
    }
    let key_text = MasterKey::generate();
    let key = MasterKey::parse(&key_text).unwrap();
    let setup = Instant::now();
    let (kasir, toko) = (AccountLabel::parse("kasir").unwrap(), AccountLabel::parse("toko").unwrap());
    for chat in 1..=merchants {
        storage::users::touch(&pool, TelegramUserId::new(chat), Some("id")).await.unwrap();
        let qris = Credentials::Qris { api_key: DEMO.qris_api_key.into() };
        storage::accounts::insert(&pool, &key, TelegramUserId::new(chat), &kasir, &qris).await.unwrap();
        let bukalapak =
            Credentials::Bukalapak { user_id: DEMO.bukalapak_user_id.into(), api_key: DEMO.bukalapak_api_key.into() };
        storage::accounts::insert(&pool, &key, TelegramUserId::new(chat), &toko, &bukalapak).await.unwrap();
    }
    println!("({merchants} merchants set up in {:.1} s)", setup.elapsed().as_secs_f64());
    if common::postgres_cpu().is_empty() {
        println!("(PostgreSQL runs elsewhere: its CPU is not measured)");
    } else {
        let (read_us, write_us) = (probe(&pool, false).await, probe(&pool, true).await);
        println!(
            "PostgreSQL here, 10 sessions at once: {read_us:.0} µs of its CPU for a trivial read, {write_us:.0} µs for a \
             one-row write with its commit (each its own transaction)"
        );
    }
    let fake = Arc::new(Fake::default());
    let url = serve(fake.clone()).await;
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut bot = Command::new(env!("CARGO_BIN_EXE_merchant-bot"));
    bot.env_clear()
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", &url)
        .env("DATABASE_URL", &db.url)
        .env("MASTER_KEY", &key_text)
        .env("BUKALAPAK_API_URL", &sim.url)
        .env("QRIS_API_URL", &sim.url)
        .env("SNAP_API_URL", &sim.url)
        .env("LISTEN_ADDR", format!("127.0.0.1:{metrics_port}"))
        .env("RUST_LOG", "warn")
        // No notification may land in a chat in the middle of a step (it would be taken
        // for the step's answer): the poller waits an hour. The notifier has its own
        // program (benches/notifier.rs).
        .env("NOTIFY_POLL_INTERVAL", "1h")
        .stderr(std::fs::File::create("target/load-bot.log").expect("target/ is writable"));
    let mut bot = start_polling(bot, &fake, "merchant-bot").await;
    pool.close().await;
    let transactions_before = db.transactions().await;
    let mut run = drive(fake, bot.id().unwrap(), merchants, seconds, think, false).await;
    // The bot's own measure of its handlers, for comparison with the harness's.
    let metrics = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics")).await.unwrap().text().await.unwrap();
    let handler_buckets: Vec<String> = metrics
        .lines()
        .filter(|l| l.starts_with("merchant_bot_handler_seconds_bucket") && !l.contains("+Inf"))
        .map(str::to_owned)
        .collect();
    let _ = bot.kill().await;
    db.wait_until_unused().await;
    run.transactions = Some(db.transactions().await - transactions_before);

    report(&format!("echo floor ({merchants} chats)"), &floor);
    report(&format!("merchant-bot ({merchants} merchants)"), &run);
    println!(
        "side by side: merchant-bot {:.0} updates/s, echo floor {:.0} updates/s: the floor is {:.1}x the bot",
        run.rate,
        floor.rate,
        floor.rate / run.rate
    );
    println!(
        "worst bot-side p99: {:.1} ms without an image, {:.1} ms with (echo: {:.1} ms); bot peak RSS {:.0} MB, echo {:.0} MB",
        run.worst_p99(false),
        run.worst_p99(true),
        floor.worst_p99(false),
        run.rss_mb,
        floor.rss_mb
    );
    println!("the bot's own handler times (/metrics; cumulative: how many took at most each bound):");
    let mut by_handler: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in handler_buckets {
        // merchant_bot_handler_seconds_bucket{handler="callback",le="0.005"} 185
        let field =
            |name: &str| line.split(&format!("{name}=\"")).nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
        let count = line.rsplit(' ').next().unwrap_or("");
        let bound_ms = field("le").parse::<f64>().unwrap_or(0.0) * 1000.0;
        by_handler.entry(field("handler").to_owned()).or_default().push(format!("≤{bound_ms}ms {count}"));
    }
    for (handler, buckets) in by_handler {
        println!("  {handler:<9} {}", buckets.join(", "));
    }
    db.drop_now().await;
}
