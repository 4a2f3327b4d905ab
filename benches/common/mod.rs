//! What the benchmark programs share: a throw-away database on the PostgreSQL server at
//! `BENCH_DATABASE_URL` (any database's URL on it; by default the local server),
//! reading a Bot API call's parameters in a fake Bot API, and a process's CPU time and
//! peak memory.

use axum::{
    body::Bytes,
    extract::{FromRequest, Multipart, Request},
};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, PgPool};

/// A fresh, migrated database, dropped by [`BenchDb::drop_now`].
pub struct BenchDb {
    pub name: String,
    pub url: String,
    pub pool: PgPool,
    admin: PgConnection,
}

impl BenchDb {
    pub async fn create(prefix: &str, connections: u32) -> BenchDb {
        let server = std::env::var("BENCH_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("{prefix}_{}", std::process::id());
        let mut admin = PgConnection::connect(&server).await.expect("PostgreSQL is running");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        let mut url = reqwest::Url::parse(&server).unwrap();
        url.set_path(&name);
        let pool =
            sqlx::postgres::PgPoolOptions::new().max_connections(connections).connect(url.as_str()).await.unwrap();
        merchant_bot::storage::MIGRATOR.run(&pool).await.unwrap();
        BenchDb { name, url: url.to_string(), pool, admin }
    }

    /// Transactions committed or rolled back in this database so far, as the server's
    /// statistics have them.
    #[allow(dead_code)] // not every program counts them
    pub async fn transactions(&mut self) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1")
            .bind(&self.name)
            .fetch_one(&mut self.admin)
            .await
            .unwrap_or(0)
    }

    /// Waits (up to 10 s) until no session is connected to this database, so the
    /// sessions' statistics have reached the server's counters (a session reports the
    /// rest of its own when it ends). The pool must be closed first.
    #[allow(dead_code)]
    pub async fn wait_until_unused(&mut self) {
        for _ in 0..200 {
            let sessions = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM pg_stat_activity WHERE datname = $1")
                .bind(&self.name)
                .fetch_one(&mut self.admin)
                .await
                .unwrap_or(0);
            if sessions == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    pub async fn drop_now(mut self) {
        self.pool.close().await;
        let sql = format!("DROP DATABASE {} WITH (FORCE)", self.name);
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut self.admin).await;
    }
}

/// The parameters of a Bot API call, JSON or multipart (text fields only; a field that
/// is JSON is read as JSON).
#[allow(dead_code)] // not every program has a fake Bot API
pub async fn bot_api_params(request: Request) -> Value {
    let multipart =
        request.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("multipart"));
    if multipart {
        let mut fields = serde_json::Map::new();
        let Ok(mut form) = Multipart::from_request(request, &()).await else { return json!({}) };
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().unwrap_or_default().to_owned();
            let Ok(bytes) = field.bytes().await else { break };
            if let Ok(text) = std::str::from_utf8(&bytes) {
                fields.insert(name, serde_json::from_str(text).unwrap_or(Value::String(text.to_owned())));
            }
        }
        Value::Object(fields)
    } else {
        let body = Bytes::from_request(request, &()).await.unwrap_or_default();
        serde_json::from_slice(&body).unwrap_or(json!({}))
    }
}

/// CPU time (user and system) a process (`self` or a pid) has used so far, in seconds,
/// from `/proc/<pid>/stat`.
#[allow(dead_code)] // not every program measures processes
pub fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces and parentheses): utime
    // and stime are the 12th and 13th of those, in clock ticks (100 a second on Linux).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// A process's peak resident memory (`VmHWM`), in MB.
#[allow(dead_code)] // not every program measures processes
pub fn peak_rss_mb(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// CPU time (s) each PostgreSQL process on this machine has used so far, by pid: the
/// server's share of a run, when the server runs here (empty when it does not).
#[allow(dead_code)] // not every program measures the server
pub fn postgres_cpu() -> std::collections::HashMap<u32, f64> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Default::default() };
    dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(|pid| (pid, cpu_seconds(&pid.to_string())))
        .collect()
}

/// The CPU PostgreSQL's processes used between two [`postgres_cpu`] readings (a process
/// started in between counts from zero).
#[allow(dead_code)]
pub fn postgres_cpu_since(before: &std::collections::HashMap<u32, f64>) -> f64 {
    postgres_cpu().iter().map(|(pid, now)| now - before.get(pid).copied().unwrap_or(0.0)).sum()
}

/// The machine's CPU (s, all cores) used by anything and left idle, so far, from
/// `/proc/stat`.
#[allow(dead_code)]
pub fn machine_cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> =
        stat.lines().next().unwrap_or("").split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user)
    let at = |i: usize| ticks.get(i).copied().unwrap_or(0.0) / 100.0;
    (at(0) + at(1) + at(2) + at(5) + at(6) + at(7), at(3) + at(4))
}
