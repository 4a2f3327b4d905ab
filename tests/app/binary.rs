//! The `merchant-bot` binary as an operator runs it: start-up failures in one line,
//! `keygen`, `rotate-key`, and a clean exit on SIGTERM.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use merchant_bot::{
    crypto::MasterKey,
    domain::{AccountLabel, Credentials, TelegramUserId},
    storage::{accounts, users},
};

use crate::support::{FakeTelegram, TestDb, fake_telegram::BOT_TOKEN};

fn bot() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_merchant-bot"));
    cmd.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> (Output, Duration) {
    let started = Instant::now();
    let out = cmd.stdin(Stdio::null()).output().expect("the binary runs");
    (out, started.elapsed())
}

/// The single line the binary printed on standard error.
fn one_line_error(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure, got {:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
    lines[0].to_owned()
}

#[test]
fn without_a_token_it_names_teloxide_token() {
    let (out, _) = run(&mut bot());
    let line = one_line_error(&out);
    assert!(line.contains("TELOXIDE_TOKEN"), "{line}");
}

#[test]
fn a_malformed_master_key_is_named() {
    let (out, _) = run(bot().env("TELOXIDE_TOKEN", "1:abc").env("MASTER_KEY", "bm90IDMyIGJ5dGVz"));
    let line = one_line_error(&out);
    assert!(line.contains("MASTER_KEY") && line.contains("32"), "{line}");
}

#[test]
fn an_unreachable_database_fails_after_the_connect_timeout_with_one_clear_line() {
    // The wait is DATABASE_CONNECT_TIMEOUT (8 s unless set; the config's tests check the
    // default), shortened here so nobody waits for it.
    let (out, took) = run(bot()
        .env("TELOXIDE_TOKEN", "1:abc")
        .env("MASTER_KEY", MasterKey::generate())
        .env("DATABASE_URL", "postgres://postgres:pw@127.0.0.1:1/merchant_bot")
        .env("DATABASE_CONNECT_TIMEOUT", "150ms"));
    let line = one_line_error(&out);
    assert!(line.contains("DATABASE_URL") && line.contains("cannot reach"), "{line}");
    assert!(line.contains("gave up after 150ms"), "{line}");
    assert!(!line.contains(":pw@"), "the password is not printed: {line}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn keygen_prints_a_44_character_base64_key() {
    let (out, _) = run(bot().arg("keygen"));
    assert!(out.status.success());
    let key = String::from_utf8(out.stdout).unwrap();
    let key = key.trim_end();
    assert_eq!(key.len(), 44, "{key:?}");
    assert!(MasterKey::parse(key).is_ok());
}

#[tokio::test]
async fn rotate_key_re_encrypts_stored_credentials() {
    let db = TestDb::new().await;
    let (old_raw, new_raw) = (MasterKey::generate(), MasterKey::generate());
    let (old, new) = (MasterKey::parse(&old_raw).unwrap(), MasterKey::parse(&new_raw).unwrap());
    users::touch(&db.pool, TelegramUserId::new(11), None).await.unwrap();
    let creds = Credentials::Qris { api_key: "qris-api-key-123456".into() };
    let account = accounts::insert(&db.pool, &old, TelegramUserId::new(11), &AccountLabel::parse("q").unwrap(), &creds)
        .await
        .unwrap();

    let mut child = bot()
        .args(["rotate-key"])
        .env("DATABASE_URL", &db.url)
        .env("MASTER_KEY", &old_raw)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{new_raw}").unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("re-encrypted 1 credential"), "{stderr}");
    assert!(!stderr.contains(&new_raw) && !stderr.contains(&old_raw));
    assert_eq!(accounts::credentials(&db.pool, &new, TelegramUserId::new(11), account.id).await.unwrap(), creds);
}

/// The bot as a process against the fake Bot API and `db`, its log piped.
fn bot_process(tg: &FakeTelegram, db: &TestDb) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_merchant-bot"));
    command
        .env_clear()
        .env("RUST_LOG", "info")
        .env("TELOXIDE_TOKEN", BOT_TOKEN)
        .env("TELOXIDE_API_URL", &tg.url)
        .env("DATABASE_URL", &db.url)
        .env("MASTER_KEY", MasterKey::generate())
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

#[tokio::test]
async fn sigterm_stops_the_bot_with_exit_status_zero() {
    let db = TestDb::new().await;
    let tg = FakeTelegram::start().await;
    let mut child = bot_process(&tg, &db).spawn().unwrap();
    // Started: the command menu is registered just before polling begins.
    for _ in 0..3 {
        tg.call("setMyCommands").await;
    }
    // Polling: the first getUpdates has arrived.
    crate::support::eventually(|| async { if tg.polls() > 0 { Ok(()) } else { Err("the bot never polled") } }).await;
    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait()).await.expect("exits within 15 s").unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).await.unwrap();
    assert!(status.success(), "exit status {status:?}; log:\n{stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no colour codes into a pipe: {stderr:?}");
}

#[tokio::test]
async fn log_format_json_writes_one_json_object_per_line() {
    let tg = FakeTelegram::start().await;
    let db = TestDb::new().await;
    // An address the test holds: start-up fails after logging a few lines.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_merchant-bot"))
        .env_clear()
        .env("RUST_LOG", "info")
        .env("LOG_FORMAT", "json")
        .env("TELOXIDE_TOKEN", BOT_TOKEN)
        .env("TELOXIDE_API_URL", &tg.url)
        .env("DATABASE_URL", &db.url)
        .env("MASTER_KEY", MasterKey::generate())
        .env("LISTEN_ADDR", taken.local_addr().unwrap().to_string())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with('{')).collect();
    assert!(!lines.is_empty(), "{stderr}");
    for line in lines {
        let value: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(value["level"].is_string() && value["fields"]["message"].is_string(), "{line}");
    }
}

#[tokio::test]
async fn a_handler_panic_is_one_json_line_and_the_bot_answers_and_goes_on() {
    let tg = FakeTelegram::start().await;
    let db = TestDb::new().await;
    let mut child = bot_process(&tg, &db).env("LOG_FORMAT", "json").env("FAULT_PANIC_TEXT", "boom").spawn().unwrap();
    let ann = crate::support::TestUser::new(4401, "Ann", Some("en"));
    tg.send_text(&ann, "boom");
    assert!(tg.message(ann.id).await.text.contains("Something went wrong on our side"));
    tg.send_text(&ann, "/help");
    assert!(tg.message(ann.id).await.text.contains("/deposit"), "the bot goes on");
    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    tokio::time::timeout(Duration::from_secs(15), child.wait()).await.expect("exits within 15 s").unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).await.unwrap();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let panics: Vec<&serde_json::Value> = lines.iter().filter(|l| l["fields"]["message"] == "panic").collect();
    assert_eq!(panics.len(), 1, "{stderr}");
    assert_eq!(panics[0]["fields"]["panic"], "injected fault: FAULT_PANIC_TEXT");
    assert!(lines.iter().any(|l| l["fields"]["message"] == "an update handler panicked; the bot goes on"));
}

/// `merchant-bot demo` as the README runs it, against the fake Bot API and `db`.
fn demo(tg: &FakeTelegram, db: &TestDb, dir: &std::path::Path) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_merchant-bot"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("TELOXIDE_TOKEN", BOT_TOKEN)
        .env("TELOXIDE_API_URL", &tg.url)
        .env("DATABASE_URL", &db.url)
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .arg("demo")
        .arg("--data-dir")
        .arg(dir)
        .args(["--simulator-listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Reads the demo's guide from its standard output, up to the last line it prints.
async fn guide(child: &mut tokio::process::Child) -> String {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.as_mut().unwrap()).lines();
    let mut text = String::new();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            text.push_str(&line);
            text.push('\n');
            if line.contains("snap ") && line.contains("partner_id") {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read).await.expect("the demo prints its guide");
    text
}

async fn stop(mut child: tokio::process::Child) {
    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait()).await.expect("exits within 15 s").unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn the_demo_keeps_its_key_in_a_private_file_so_accounts_linked_before_a_restart_stay_readable() {
    let db = TestDb::new().await;
    let tg = FakeTelegram::start().await;
    let dir = std::env::temp_dir().join(format!("merchant-bot-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ann = crate::support::TestUser::new(5151, "Ann", Some("en"));

    let mut first = demo(&tg, &db, &dir);
    let printed = guide(&mut first).await;
    for expected in ["/link", "/deposit 25000", "curl -X POST http://127.0.0.1:", "/_sim/qris/invoices/<id>/pay"] {
        assert!(printed.contains(expected), "the guide says {expected:?}:\n{printed}");
    }
    let key_file = dir.join("master.key");
    assert!(printed.contains(&key_file.display().to_string()), "the guide names the key file:\n{printed}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    let key = std::fs::read_to_string(&key_file).unwrap();

    // Link the demo QRIS account through the chat.
    tg.send_text(&ann, "/link");
    let choose = tg.message(ann.id).await;
    assert_eq!(choose.buttons.len(), 4, "the demo offers all three gateways: {:?}", choose.buttons);
    tg.press(&ann, &choose, &choose.button("QRIS"));
    tg.edit(ann.id).await;
    tg.send_text(&ann, "kasir");
    tg.message(ann.id).await;
    tg.send_text(&ann, merchant_bot::simulator::DEMO.qris_api_key);
    tg.message(ann.id).await;
    assert!(tg.edit(ann.id).await.text.contains("Linked <b>kasir</b>"));
    stop(first).await;

    let mut second = demo(&tg, &db, &dir);
    guide(&mut second).await;
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key, "the same key after a restart");
    tg.send_text(&ann, "/balance");
    let balance = tg.message(ann.id).await;
    assert!(balance.text.contains("<b>kasir</b>") && balance.text.contains("Rp "), "{}", balance.text);
    assert!(!balance.text.contains("cannot be read"), "{}", balance.text);
    stop(second).await;
    tg.assert_no_rejections();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn healthcheck_exits_0_when_healthz_says_ok_and_1_when_nothing_answers() {
    let app = crate::support::TestApp::spawn().await;
    let addr = app.http_url().trim_start_matches("http://").to_owned();
    let out = tokio::task::spawn_blocking(move || bot().arg("healthcheck").env("LISTEN_ADDR", addr).output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let (out, _) = run(bot().arg("healthcheck").env("LISTEN_ADDR", "127.0.0.1:1"));
    assert_eq!(out.status.code(), Some(1), "a container runtime reads 1 as unhealthy");
    assert!(one_line_error(&out).contains("unhealthy"));
}
