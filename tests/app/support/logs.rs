//! Every log line of the test process, captured with the production filter at `trace`,
//! so a test can assert that no secret was logged by us or by a library.

use std::{
    io::Write,
    sync::{Mutex, OnceLock},
};

static CAPTURED: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();

struct Sink(&'static Mutex<Vec<u8>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts capturing (once per process) and returns the capture so far.
pub fn captured() -> String {
    let buffer = *CAPTURED.get_or_init(|| {
        let buffer: &'static Mutex<Vec<u8>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt};
        // The production filters, asked for everything, and a library's own most
        // specific target asked for too: neither may bring out a URL-logging line.
        let filter =
            merchant_bot::cli::log_filter("trace,reqwest::connect=trace,hyper_util=trace").expect("a valid filter");
        let layer = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(move || Sink(buffer));
        // Installs the `log` bridge too, so libraries that use `log` are captured.
        tracing_subscriber::registry().with(layer).with(filter).with(merchant_bot::cli::url_safe_filter()).init();
        buffer
    });
    String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned()
}

/// The database queries run for the update of `user` that made the gateway call `call`
/// (sqlx logs every query at debug, inside the span of the update it serves).
pub fn queries_of_update(logs: &str, user: i64, call: &str) -> Vec<String> {
    let marker = format!("call=\"{call}\"");
    let update = logs
        .lines()
        .filter(|l| l.contains(&format!("user={user}}}")) && l.contains(&marker))
        .find_map(|l| l.split("update{id=").nth(1)?.split(' ').next().map(str::to_owned))
        .unwrap_or_else(|| panic!("no update of user {user} made the gateway call {call}:\n{logs}"));
    let span = format!("update{{id={update} user={user}}}");
    logs.lines().filter(|l| l.contains(&span) && l.contains("sqlx::query")).map(str::to_owned).collect()
}
