//! The notifier under load: 10,000 watches over 1,000 users, a mocked gateway that flips
//! 1,000 of them to paid, a fake Bot API. Prints the time from the flip to the last
//! delivery, the send rate against the configured limit, the database transactions per
//! poll cycle and the CPU used. Needs PostgreSQL at 127.0.0.1:5432 (or
//! BENCH_DATABASE_URL, a URL of any database on the server).
//!
//! `cargo bench --bench notifier`

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::{get, post},
};
use merchant_bot::{
    app::App,
    config::Settings,
    crypto::MasterKey,
    domain::{AccountLabel, Credentials, TelegramUserId},
    notifier::Notifier,
    providers::HttpOptions,
    storage,
    telegram::build_bot,
};
use serde_json::{Value, json};
use sqlx::PgPool;

mod common;

const USERS: i64 = 1_000;
const WATCHES_PER_USER: i64 = 10;
const FLIPS: usize = 1_000;

#[derive(Default)]
struct Gateway {
    paid: Mutex<HashSet<String>>,
    calls: AtomicU64,
}

async fn invoice_status(
    State(g): State<Arc<Gateway>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    g.calls.fetch_add(1, Ordering::Relaxed);
    let id = q.get("invoice_id").cloned().unwrap_or_default();
    let status = if g.paid.lock().unwrap().contains(&id) { "paid" } else { "pending" };
    Json(
        json!({"invoice_id": id, "amount": 10000, "fee": 70, "total": 10070, "status": status, "qris_image": "http://x/y.png"}),
    )
}

#[derive(Default)]
struct Telegram {
    sent: Mutex<Vec<Instant>>,
}

async fn bot_api(
    State(t): State<Arc<Telegram>>,
    axum::extract::Path((_, method)): axum::extract::Path<(String, String)>,
    body: axum::body::Bytes,
) -> Json<Value> {
    let method = method.to_lowercase();
    if method == "getme" {
        return Json(
            json!({"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "B", "username": "b", "can_join_groups": true,
            "can_read_all_group_messages": false, "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false}}),
        );
    }
    let params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    t.sent.lock().unwrap().push(Instant::now());
    Json(
        json!({"ok": true, "result": {"message_id": 1, "date": 0, "chat": {"id": params["chat_id"], "type": "private", "first_name": "U"}, "text": "ok"}}),
    )
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

async fn commits(pool: &PgPool, db: &str) -> i64 {
    sqlx::query_scalar("SELECT xact_commit FROM pg_stat_database WHERE datname = $1")
        .bind(db)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let bench_db = common::BenchDb::create("merchant_bot_bench", 10).await;
    let (pool, db) = (bench_db.pool.clone(), bench_db.name.clone());

    let gateway = Arc::new(Gateway::default());
    let gateway_url =
        serve(Router::new().route("/api/v1/invoice/status", get(invoice_status)).with_state(gateway.clone())).await;
    let telegram = Arc::new(Telegram::default());
    let telegram_url =
        serve(Router::new().route("/{token}/{method}", post(bot_api)).with_state(telegram.clone())).await;

    let key = MasterKey::generate();
    let settings = Settings {
        token: Some("1:bench".into()),
        api_url: Some(telegram_url),
        database_url: Some(bench_db.url.clone()),
        master_key: Some(key),
        qris_api_url: Some(gateway_url),
        notify_poll_interval: Some("1s".into()),
        ..Settings::default()
    };
    let config = settings.config().unwrap();

    // 1,000 users with one QRIS account and ten watched invoices each.
    let started = Instant::now();
    for user in 1..=USERS {
        storage::users::touch(&pool, TelegramUserId::new(user), Some("en")).await.unwrap();
        let account = storage::accounts::insert(
            &pool,
            &config.master_key,
            TelegramUserId::new(user),
            &AccountLabel::parse("kasir").unwrap(),
            &Credentials::Qris { api_key: format!("key-{user}").into() },
        )
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO watches (owner_id, account_id, kind, gateway_id, last_state)
             SELECT $1, $2, 'invoice', 'inv-' || $1 || '-' || n, 'pending' FROM generate_series(1, $3) n",
        )
        .bind(user)
        .bind(account.id)
        .bind(WATCHES_PER_USER)
        .execute(&pool)
        .await
        .unwrap();
    }
    // The planner's statistics, as a live database's autovacuum keeps them: right after a
    // bulk load the tables look empty to it, and the claim's plan then reads the whole
    // due index once per account (150–380 ms a claim instead of ~10 ms).
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    println!(
        "notifier: {} watches over {USERS} users (set up in {:.1} s)",
        USERS * WATCHES_PER_USER,
        started.elapsed().as_secs_f64()
    );

    let limit = config.telegram_rate_limit;
    let app = App::with_http(
        pool.clone(),
        config.clone(),
        HttpOptions {
            timeout: Duration::from_secs(5),
            read_retries: 1,
            backoff: Duration::from_millis(50),
            ..HttpOptions::default()
        },
    );
    let cpu_before = common::cpu_seconds("self");
    let wall_before = Instant::now();
    let notifier = Notifier::start(app.clone(), build_bot(&config));

    // One full cycle over every watch, with nothing to report.
    let before = commits(&pool, &db).await;
    let calls_before = gateway.calls.load(Ordering::Relaxed);
    while gateway.calls.load(Ordering::Relaxed) - calls_before < (USERS * WATCHES_PER_USER) as u64 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cycle = wall_before.elapsed();
    let cycle_cpu = common::cpu_seconds("self") - cpu_before;
    tokio::time::sleep(Duration::from_millis(1_500)).await; // statistics are flushed within a second
    let per_cycle = commits(&pool, &db).await - before;
    println!(
        "  one poll cycle over all watches: {:.1} s, CPU {cycle_cpu:.2} s (the harness's mocked gateway and Bot API included), {per_cycle} database transactions ({:.2} per watch)",
        cycle.as_secs_f64(),
        per_cycle as f64 / (USERS * WATCHES_PER_USER) as f64
    );

    // Flip one invoice of each user to paid.
    let flipped_at = Instant::now();
    {
        let mut paid = gateway.paid.lock().unwrap();
        for user in 1..=FLIPS as i64 {
            paid.insert(format!("inv-{user}-1"));
        }
    }
    while telegram.sent.lock().unwrap().len() < FLIPS {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if flipped_at.elapsed() > Duration::from_secs(300) {
            panic!("only {} of {FLIPS} delivered after 5 minutes", telegram.sent.lock().unwrap().len());
        }
    }
    let sent = telegram.sent.lock().unwrap().clone();
    let last = *sent.iter().max().unwrap();
    let first = *sent.iter().min().unwrap();
    let flip_to_last = last - flipped_at;
    let rate = (FLIPS - 1) as f64 / (last - first).as_secs_f64();
    // The highest number of messages in any one-second window.
    let mut times: Vec<Instant> = sent.clone();
    times.sort();
    let peak = times
        .iter()
        .enumerate()
        .map(|(i, t)| times[i..].iter().take_while(|u| **u - *t < Duration::from_secs(1)).count())
        .max()
        .unwrap_or(0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let duplicates = telegram.sent.lock().unwrap().len() - FLIPS;
    let cpu = common::cpu_seconds("self") - cpu_before;
    let wall = wall_before.elapsed().as_secs_f64();
    println!("  {FLIPS} flips: last delivery {:.1} s after the flip", flip_to_last.as_secs_f64());
    println!(
        "  send rate {rate:.1} messages/s against a limit of {limit} (TELEGRAM_RATE_LIMIT; peak {peak} in one second); duplicates: {duplicates}"
    );
    println!("  CPU: {cpu:.1} s over {wall:.1} s of wall time ({:.0} % of one core)", 100.0 * cpu / wall);
    notifier.shutdown(Duration::from_secs(5)).await;
    bench_db.drop_now().await;
}
