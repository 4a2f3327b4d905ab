//! Counters and histograms for `/metrics`, in Prometheus' text format. A small registry
//! of our own: a handful of series does not need a metrics framework.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        LazyLock, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}", self.counts[i]);
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Default)]
struct Registry {
    updates: Mutex<BTreeMap<&'static str, u64>>,
    handlers: Mutex<BTreeMap<&'static str, Histogram>>,
    gateway: Mutex<BTreeMap<(String, String, String), Histogram>>,
    queued: AtomicU64,
    sent: AtomicU64,
    failed: AtomicU64,
    panics: AtomicU64,
    last_update: Mutex<Option<DateTime<Utc>>>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::default);

/// An update arrived (`message`, `callback_query`, `other`).
pub fn update(kind: &'static str) {
    *REGISTRY.updates.lock().expect("metrics lock").entry(kind).or_default() += 1;
    *REGISTRY.last_update.lock().expect("metrics lock") = Some(Utc::now());
}

/// When the last update arrived.
pub fn last_update() -> Option<DateTime<Utc>> {
    *REGISTRY.last_update.lock().expect("metrics lock")
}

/// Times a handler; records when dropped.
pub struct Timer {
    kind: &'static str,
    started: Instant,
}

impl Timer {
    pub fn start(kind: &'static str) -> Timer {
        Timer { kind, started: Instant::now() }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let seconds = self.started.elapsed().as_secs_f64();
        REGISTRY.handlers.lock().expect("metrics lock").entry(self.kind).or_default().observe(seconds);
    }
}

/// One gateway call (the final attempt), with its outcome (`2xx`, `4xx`, `5xx`,
/// `timeout`, `error`).
pub fn gateway_call(provider: &str, endpoint: &str, outcome: &str, latency: Duration) {
    let key = (provider.to_owned(), endpoint.to_owned(), outcome.to_owned());
    REGISTRY.gateway.lock().expect("metrics lock").entry(key).or_default().observe(latency.as_secs_f64());
}

pub fn notifications_queued(n: u64) {
    REGISTRY.queued.fetch_add(n, Ordering::Relaxed);
}

pub fn notification_sent() {
    REGISTRY.sent.fetch_add(1, Ordering::Relaxed);
}

/// An update handler panicked (caught; the bot went on).
pub fn handler_panicked() {
    REGISTRY.panics.fetch_add(1, Ordering::Relaxed);
}

pub fn notification_failed() {
    REGISTRY.failed.fetch_add(1, Ordering::Relaxed);
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Everything in Prometheus' text exposition format; `outbox_depth` is read from the
/// database by the caller.
pub fn render(outbox_depth: Option<i64>) -> String {
    let mut out = String::new();
    out.push_str("# HELP merchant_bot_updates_total Telegram updates received, by kind.\n# TYPE merchant_bot_updates_total counter\n");
    for (kind, n) in REGISTRY.updates.lock().expect("metrics lock").iter() {
        let _ = writeln!(out, "merchant_bot_updates_total{{kind=\"{kind}\"}} {n}");
    }
    out.push_str("# HELP merchant_bot_handler_seconds Time to handle an update, by handler.\n# TYPE merchant_bot_handler_seconds histogram\n");
    for (kind, h) in REGISTRY.handlers.lock().expect("metrics lock").iter() {
        h.render(&mut out, "merchant_bot_handler_seconds", &format!("handler=\"{kind}\""));
    }
    out.push_str("# HELP merchant_bot_gateway_seconds Gateway calls by provider, endpoint and outcome.\n# TYPE merchant_bot_gateway_seconds histogram\n");
    for ((provider, endpoint, outcome), h) in REGISTRY.gateway.lock().expect("metrics lock").iter() {
        let labels = format!(
            "provider=\"{}\",endpoint=\"{}\",outcome=\"{}\"",
            escape(provider),
            escape(endpoint),
            escape(outcome)
        );
        h.render(&mut out, "merchant_bot_gateway_seconds", &labels);
    }
    for (name, help, value) in [
        ("merchant_bot_notifications_queued_total", "Notifications written to the outbox.", &REGISTRY.queued),
        ("merchant_bot_notifications_sent_total", "Notifications Telegram accepted.", &REGISTRY.sent),
        ("merchant_bot_notifications_failed_total", "Notifications given up.", &REGISTRY.failed),
        ("merchant_bot_handler_panics_total", "Update handlers that panicked (caught).", &REGISTRY.panics),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", value.load(Ordering::Relaxed));
    }
    if let Some(depth) = outbox_depth {
        let _ = writeln!(
            out,
            "# HELP merchant_bot_outbox_depth Notifications waiting to be sent.\n# TYPE merchant_bot_outbox_depth gauge\nmerchant_bot_outbox_depth {depth}"
        );
    }
    out
}
