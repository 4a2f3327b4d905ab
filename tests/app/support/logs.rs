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
        let filter = merchant_bot::cli::log_filter("trace").expect("a valid filter");
        // Installs the `log` bridge too, so libraries that use `log` are captured.
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(move || Sink(buffer)).init();
        buffer
    });
    String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned()
}
