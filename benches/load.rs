//! Load: the real bot (release build, its production `schema()`, storage and gateway
//! clients) against a fake Bot API and the gateway simulator on loopback, with N
//! merchants each running a realistic mix in a closed loop: /balance, /deposit (an
//! image), /mutations and a page turn, a whole /withdraw dialogue. Then the same harness
//! drives a minimal teloxide echo bot, the floor. Prints updates per second, p50/p99
//! latency per step, peak RSS, and the ratio to the floor.
//!
//! `cargo bench --bench load` (`-- 2000 20` for 2,000 merchants and 20 s per run).
//! Needs PostgreSQL at 127.0.0.1:5432 (or BENCH_DATABASE_URL).

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
    bot::{self, App, RunOptions},
    config::Settings,
    crypto::MasterKey,
    domain::{AccountLabel, Credentials},
    providers::HttpOptions,
    simulator::{self, DEMO},
    storage,
};
use serde_json::{Value, json};
use teloxide::{adaptors::throttle::Limits, prelude::*};
use tokio::sync::{Notify, mpsc};

mod common;

const TOKEN: &str = "1:load";

/// What the bot sent to a chat: the method, the message id, the first button's data.
struct Reply {
    method: String,
    message_id: i64,
    button: Option<String>,
}

#[derive(Default)]
struct Fake {
    queue: Mutex<VecDeque<Value>>,
    next_update: Mutex<i64>,
    next_message: Mutex<i64>,
    arrived: Notify,
    chats: Mutex<HashMap<i64, mpsc::UnboundedSender<Reply>>>,
}

impl Fake {
    fn push(&self, mut update: Value) {
        let mut next = self.next_update.lock().unwrap();
        *next += 1;
        update["update_id"] = json!(*next);
        self.queue.lock().unwrap().push_back(update);
        self.arrived.notify_waiters();
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
            if let Some(tx) = fake.chats.lock().unwrap().get(&chat) {
                let _ = tx.send(Reply { method: method.clone(), message_id, button });
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

type Latencies = Arc<Mutex<BTreeMap<&'static str, Vec<Duration>>>>;

/// One merchant's conversation with the bot.
struct Session {
    fake: Arc<Fake>,
    rx: mpsc::UnboundedReceiver<Reply>,
    latencies: Latencies,
    updates: u64,
}

impl Session {
    /// Sends one update and waits for `answers` messages or edits in the chat.
    async fn step(&mut self, name: &'static str, update: Value, answers: usize) -> Option<Reply> {
        self.updates += 1;
        let started = Instant::now();
        self.fake.push(update);
        let mut last = None;
        for _ in 0..answers {
            match tokio::time::timeout(Duration::from_secs(30), self.rx.recv()).await {
                Ok(Some(reply)) => last = Some(reply),
                _ => return None,
            }
        }
        self.latencies.lock().unwrap().entry(name).or_default().push(started.elapsed());
        last
    }
}

/// One merchant, in a closed loop until `until`: each step waits for the bot's answer.
async fn merchant(fake: Arc<Fake>, chat: i64, echo: bool, until: Instant, latencies: Latencies) -> u64 {
    let (tx, rx) = mpsc::unbounded_channel();
    fake.chats.lock().unwrap().insert(chat, tx);
    let mut s = Session { fake, rx, latencies, updates: 0 };
    while Instant::now() < until {
        if echo {
            if s.step("echo", text_update(chat, "halo"), 1).await.is_none() {
                break;
            }
            continue;
        }
        let _ = s.step("/balance", text_update(chat, "/balance"), 1).await;
        let _ = s.step("/deposit (image)", text_update(chat, "/deposit 25000"), 1).await;
        if let Some(list) = s.step("/mutations", text_update(chat, "/mutations"), 1).await
            && let Some(next) = list.button
        {
            let _ = s.step("page ▶", press_update(chat, list.message_id, &next), 1).await;
        }
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
    s.updates
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

/// Runs the merchants against whatever bot polls `fake`; returns updates per second.
async fn drive(
    fake: Arc<Fake>,
    merchants: i64,
    seconds: u64,
    echo: bool,
) -> (f64, BTreeMap<&'static str, Vec<Duration>>) {
    let latencies: Latencies = Arc::default();
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (1..=merchants)
        .map(|chat| tokio::spawn(merchant(fake.clone(), chat, echo, until, latencies.clone())))
        .collect();
    let mut updates = 0;
    for t in tasks {
        updates += t.await.unwrap();
    }
    let rate = updates as f64 / started.elapsed().as_secs_f64();
    let mut all = latencies.lock().unwrap().clone();
    all.values_mut().for_each(|v| v.sort());
    (rate, all)
}

fn report(name: &str, rate: f64, latencies: &BTreeMap<&'static str, Vec<Duration>>) {
    println!("{name}: {rate:.0} updates/s");
    for (step, times) in latencies {
        println!(
            "  {step:<18} n={:<6} p50 {:>7.2} ms  p99 {:>7.2} ms",
            times.len(),
            percentile(times, 0.5),
            percentile(times, 0.99)
        );
    }
}

async fn serve(fake: Arc<Fake>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().route("/{token}/{method}", post(api)).with_state(fake);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let merchants: i64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let no_limits = Limits {
        messages_per_sec_chat: 1_000_000,
        messages_per_min_chat: 1_000_000,
        messages_per_min_channel_or_supergroup: 1_000_000,
        messages_per_sec_overall: 1_000_000,
    };

    // The floor first: a minimal teloxide echo bot on the same harness.
    let fake = Arc::new(Fake::default());
    let url = serve(fake.clone()).await;
    let echo_bot = teloxide::Bot::new(TOKEN).set_api_url(url.parse().unwrap());
    let echo_bot = teloxide::adaptors::Throttle::new_spawn(echo_bot, no_limits);
    let handler = Update::filter_message().endpoint(
        |bot: teloxide::adaptors::Throttle<teloxide::Bot>, msg: Message| async move {
            bot.send_message(msg.chat.id, msg.text().unwrap_or_default()).await?;
            Ok::<(), teloxide::RequestError>(())
        },
    );
    let mut echo = Dispatcher::builder(echo_bot, handler).build();
    let echo_token = echo.shutdown_token();
    let echo_task = tokio::spawn(async move { echo.dispatch().await });
    let (echo_rate, echo_latencies) = drive(fake, merchants, seconds, true).await;
    if let Ok(done) = echo_token.shutdown() {
        let _ = tokio::time::timeout(Duration::from_secs(5), done).await;
    }
    echo_task.abort();
    report(&format!("echo floor ({merchants} chats)"), echo_rate, &echo_latencies);

    // The bot.
    let db = common::BenchDb::create("merchant_bot_load", 20).await;
    let pool = db.pool.clone();
    let sim = simulator::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = reqwest::Client::new();
    for _ in 0..10 {
        client.post(format!("{}/_sim/bukalapak/mutations", sim.url)).json(&json!({})).send().await.unwrap();
    }
    let fake = Arc::new(Fake::default());
    let url = serve(fake.clone()).await;
    let settings = Settings {
        token: Some(TOKEN.into()),
        api_url: Some(url),
        database_url: Some(db.url.clone()),
        master_key: Some(MasterKey::generate()),
        bukalapak_api_url: Some(sim.url.clone()),
        qris_api_url: Some(sim.url.clone()),
        snap_api_url: Some(sim.url.clone()),
        listen_addr: Some("127.0.0.1:0".into()),
        ..Settings::default()
    };
    let config = settings.config().unwrap();
    let setup = Instant::now();
    let (kasir, toko) = (AccountLabel::parse("kasir").unwrap(), AccountLabel::parse("toko").unwrap());
    for chat in 1..=merchants {
        storage::users::touch(&pool, chat, Some("id")).await.unwrap();
        storage::accounts::insert(
            &pool,
            &config.master_key,
            chat,
            &kasir,
            &Credentials::Qris { api_key: DEMO.qris_api_key.into() },
        )
        .await
        .unwrap();
        let bukalapak =
            Credentials::Bukalapak { user_id: DEMO.bukalapak_user_id.into(), api_key: DEMO.bukalapak_api_key.into() };
        storage::accounts::insert(&pool, &config.master_key, chat, &toko, &bukalapak).await.unwrap();
    }
    println!("({merchants} merchants set up in {:.1} s)", setup.elapsed().as_secs_f64());
    let app = App::with_http(pool.clone(), config, HttpOptions::default());
    let options = RunOptions { limits: no_limits, polling_timeout: Duration::from_secs(10), notifier: false };
    let running = bot::start(app, options).await.unwrap();
    let (rate, latencies) = drive(fake, merchants, seconds, false).await;
    report(&format!("merchant-bot ({merchants} merchants)"), rate, &latencies);
    let bot_p99 =
        latencies.iter().filter(|(k, _)| !k.contains("deposit")).map(|(_, v)| percentile(v, 0.99)).fold(0.0, f64::max);
    let echo_p99 = echo_latencies.get("echo").map(|v| percentile(v, 0.99)).unwrap_or(0.0);
    println!(
        "ratio to the echo floor: {:.1}x the updates/s of echo; worst p99 without an image {bot_p99:.1} ms vs echo {echo_p99:.1} ms",
        echo_rate / rate
    );
    println!(
        "peak RSS of the whole benchmark process (bot, simulator, fake Bot API, {merchants} merchant tasks): {:.0} MB",
        peak_rss_mb()
    );
    let _ = tokio::time::timeout(Duration::from_secs(15), running.shutdown()).await;
    db.drop_now().await;
}
