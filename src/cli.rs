//! The subcommands. Every failure ends in one line on standard error naming what is
//! wrong and a non-zero exit status; no panic, no backtrace.

use std::{io::BufRead, process::ExitCode};

use clap::Parser;
use tracing_subscriber::{
    EnvFilter, Layer, Registry,
    filter::{FilterFn, filter_fn},
    layer::SubscriberExt,
    util::SubscriberInitExt,
};

use crate::{
    app::App,
    config::{Cli, Command, Config, ConfigError, LogFormat, Settings},
    crypto::MasterKey,
    local_postgres::LocalPostgres,
    run::{self, RunOptions},
    storage,
};

/// Entry point of the `merchant-bot` binary.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A container runtime reads 1 as "unhealthy" (2 is reserved there).
    let failure = if matches!(cli.command, Some(Command::Healthcheck)) { 1 } else { 2 };
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("merchant-bot: {}", one_line(&format!("{e:#}")));
            ExitCode::from(failure)
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Libraries whose `debug` and `trace` lines print request URLs, and URLs carry the
/// bot token (Bot API) or an api key (the QRIS gateway's query).
const URL_LOGGING_TARGETS: [&str; 4] = ["reqwest", "hyper", "hyper_util", "teloxide_core"];

/// Whether a line of `meta` may be logged at all: the URL-logging libraries only at
/// `info` and above.
fn url_safe(meta: &tracing::Metadata<'_>) -> bool {
    *meta.level() <= tracing::Level::INFO
        || !URL_LOGGING_TARGETS.iter().any(|t| meta.target() == *t || meta.target().starts_with(&format!("{t}::")))
}

/// The log filter for `RUST_LOG`. Install it with [`url_safe_filter`] beside it:
/// together they hold [`URL_LOGGING_TARGETS`] at `info` whatever `RUST_LOG` names (also
/// `reqwest::connect=trace`, which a directive appended to `RUST_LOG` could not hold
/// back: a more specific target wins there).
pub fn log_filter(user: &str) -> Result<EnvFilter, ConfigError> {
    // sqlx's notices ("relation already exists, skipping") are PostgreSQL chatter.
    EnvFilter::try_new(format!("{user},sqlx::postgres::notice=warn"))
        .map_err(|e| ConfigError { var: "RUST_LOG", problem: format!("is malformed: {e}") })
}

/// A global filter that lets the URL-logging libraries log only at `info` and above.
pub fn url_safe_filter() -> FilterFn<fn(&tracing::Metadata<'_>) -> bool> {
    filter_fn(url_safe as fn(&tracing::Metadata<'_>) -> bool)
}

/// Logs to standard error (standard output is left to `keygen` and `demo`'s guide), in
/// the format LOG_FORMAT names: colour codes only on a terminal.
fn init_logging(settings: &Settings) -> Result<(), ConfigError> {
    let filter = log_filter(settings.log_filter())?;
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let layer: Box<dyn Layer<Registry> + Send + Sync> = match settings.log_format()? {
        LogFormat::Json => Box::new(layer.json().with_current_span(true).with_span_list(false)),
        LogFormat::Pretty => Box::new(layer.with_ansi(true)),
        LogFormat::Plain => Box::new(layer.with_ansi(false)),
    };
    let _ = tracing_subscriber::registry().with(layer).with(filter).with(url_safe_filter()).try_init();
    // A panic becomes one log line in the chosen format (with the update's span when it
    // happens in a handler) instead of Rust's plain "thread … panicked at" text.
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let what = crate::app::panic_text(info.payload());
        tracing::error!(panic = what, location, "panic");
    }));
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Run) {
        Command::Keygen => {
            println!("{}", MasterKey::generate());
            Ok(())
        }
        Command::Migrate => {
            init_logging(&settings)?;
            let url = settings.database_url()?;
            storage::connect_and_migrate(&url, settings.database_connect_timeout()?).await?;
            tracing::info!(database = storage::redact_url(&url), "migrations applied");
            Ok(())
        }
        Command::RotateKey => {
            init_logging(&settings)?;
            let current = settings.master_key()?;
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let new = MasterKey::parse(&line)
                .map_err(|e| anyhow::anyhow!("the new key on standard input is malformed: {e}"))?;
            if new.id() == current.id() {
                anyhow::bail!("the new key is the current MASTER_KEY; nothing to rotate");
            }
            let pool =
                storage::connect_and_migrate(&settings.database_url()?, settings.database_connect_timeout()?).await?;
            let count = storage::accounts::rotate_key(&pool, &current, &new).await?;
            eprintln!(
                "re-encrypted {count} credential(s) under key {}; set MASTER_KEY to the new key before starting the bot",
                new.id()
            );
            Ok(())
        }
        Command::Simulate { listen, public_url } => {
            init_logging(&settings)?;
            let running = crate::simulator::start_at(listen, public_url)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
            let demo = &crate::simulator::DEMO;
            println!("Gateway simulator on {url}\n", url = running.url);
            println!("  BUKALAPAK_API_URL={url} QRIS_API_URL={url} SNAP_API_URL={url}\n", url = running.url);
            println!("Demo credentials for /link:");
            println!(
                "  bukalapak  user_id {}  api_key {}  (withdraw password {}, bank_account_id {})",
                demo.bukalapak_user_id, demo.bukalapak_api_key, demo.bukalapak_password, demo.bukalapak_bank_account_id
            );
            println!("  qris       api_key {}", demo.qris_api_key);
            println!(
                "  snap       partner_id {}  client_secret {}  account_id {}",
                demo.snap_partner_id, demo.snap_client_secret, demo.snap_account_id
            );
            println!("\nControl API: POST {}/_sim/qris/invoices/<id>/pay (see README)", running.url);
            wait_for_signal().await;
            running.task.abort();
            Ok(())
        }
        Command::Run => {
            init_logging(&settings)?;
            let config = settings.config()?;
            run_bot(config, |_| {}).await
        }
        Command::Demo { data_dir, simulator_listen } => {
            init_logging(&settings)?;
            demo(settings, &data_dir, simulator_listen).await
        }
        Command::Healthcheck => healthcheck(&settings).await,
    }
}

/// Runs the bot until SIGINT or SIGTERM; `started` is called once it takes updates.
async fn run_bot(config: Config, started: impl FnOnce(&run::Running)) -> anyhow::Result<()> {
    let pool = storage::connect_and_migrate(&config.database_url, config.database_connect_timeout).await?;
    let running = run::start(App::new(pool, config), RunOptions::default()).await?;
    started(&running);
    let token = running.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: finishing the updates in flight");
        if let Ok(done) = token.shutdown() {
            done.await;
        }
    });
    running.wait().await?;
    tracing::info!("stopped");
    Ok(())
}

/// `/healthz` on LISTEN_ADDR (an unspecified address is asked on loopback).
async fn healthcheck(settings: &Settings) -> anyhow::Result<()> {
    let raw = settings.listen_addr.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("127.0.0.1:8080");
    let mut addr: std::net::SocketAddr =
        raw.parse().map_err(|_| ConfigError { var: "LISTEN_ADDR", problem: format!("is malformed: {raw:?}") })?;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build()?;
    let response = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("unhealthy: /healthz on {addr} did not answer: {e}"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if status.is_success() && body["status"] == "ok" {
        println!("healthy");
        Ok(())
    } else {
        anyhow::bail!("unhealthy: /healthz on {addr} answered {status} {body}")
    }
}

/// The demo's master key: kept in `dir/master.key`, made on first start with mode 0600.
fn demo_key(dir: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    use std::io::Write;
    let path = dir.join("master.key");
    if !path.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
        writeln!(file, "{}", MasterKey::generate())?;
    }
    Ok(path)
}

/// Whether a PostgreSQL server answers at `url` (and lets the bot in), within seconds.
async fn database_answers(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
    let host = parsed.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = parsed.port().unwrap_or(5432);
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(std::time::Duration::from_secs(2), tcp).await {
        Ok(Ok(_)) => {}
        _ => return Err(format!("nothing answers on {host}:{port}")),
    }
    match tokio::time::timeout(
        std::time::Duration::from_secs(15),
        storage::connect_and_migrate(url, storage::CONNECT_TIMEOUT),
    )
    .await
    {
        Ok(Ok(pool)) => {
            pool.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(one_line(&format!("{e:#}"))),
        Err(_) => Err("the server did not answer in time".to_owned()),
    }
}

/// `merchant-bot demo`: everything but the bot token made up on this machine.
async fn demo(
    mut settings: Settings,
    dir: &std::path::Path,
    simulator_listen: std::net::SocketAddr,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    // Others may pass through (the PostgreSQL server runs as `postgres` when the demo
    // runs as root) but not list it; the key file itself is private (0600).
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o711))?;
    if settings.master_key.is_none() && settings.master_key_file.is_none() {
        settings.master_key_file = Some(demo_key(dir)?.display().to_string());
    }
    let simulator = crate::simulator::start_at(simulator_listen, None)
        .await
        .map_err(|e| anyhow::anyhow!("the gateway simulator cannot listen on {simulator_listen}: {e}"))?;
    for url in [&mut settings.bukalapak_api_url, &mut settings.qris_api_url, &mut settings.snap_api_url] {
        *url = Some(simulator.url.clone());
    }
    // Check the rest of the settings (the token above all) before starting a database.
    settings.config()?;
    let wanted = settings.database_url()?;
    let mut own_postgres = None;
    let database = match database_answers(&wanted).await {
        Ok(()) => storage::redact_url(&wanted),
        Err(why) => {
            let folder = dir.join("postgres");
            eprintln!("No usable PostgreSQL at {} ({why}); starting one of its own", storage::redact_url(&wanted),);
            let pg = tokio::task::spawn_blocking(move || LocalPostgres::start(&folder, false)).await??;
            let url = pg.url_for("merchant_bot");
            let shown = format!("{url} (its own server, data in {}; stopped on exit)", pg.data_dir.display());
            settings.database_url = Some(url);
            own_postgres = Some(pg);
            shown
        }
    };
    let config = settings.config()?;
    let key_file = settings.master_key_file.clone();
    let sim_url = simulator.url.clone();
    let result = run_bot(config, |running| print_demo_guide(&sim_url, &database, key_file.as_deref(), running)).await;
    simulator.task.abort();
    drop(own_postgres);
    result
}

fn print_demo_guide(sim: &str, database: &str, key_file: Option<&str>, running: &run::Running) {
    let demo = &crate::simulator::DEMO;
    let key = match key_file {
        Some(path) => format!("{path} (mode 0600; it decrypts the linked accounts: keep it with the database)"),
        None => "from MASTER_KEY".to_owned(),
    };
    println!(
        "\nmerchant-bot demo is running. Stop it with Ctrl-C.\n\
         \n  Gateway simulator  {sim} (Bukalapak, QRIS and SNAP with demo accounts)\n\
         \x20 Database           {database}\n\
         \x20 Master key         {key}\n\
         \x20 Health             http://{health}/healthz\n\
         \nIn Telegram, open your bot and send:\n\
         \x20 /start\n\
         \x20 /link, choose QRIS, and send the api_key {qris}\n\
         \x20 /deposit 25000\n\
         \nPay that invoice as a customer would (its id is on the invoice image):\n\
         \x20 curl -X POST {sim}/_sim/qris/invoices/<id>/pay\n\
         \nSell from any chat (open the links from a second Telegram account):\n\
         \x20 Share with customer, under an invoice: a pay link that opens its card\n\
         \x20 @<your bot> 25000 in any chat: an inline invoice (first switch on /setinline\n\
         \x20   and /setinlinefeedback in @BotFather)\n\
         \x20 /staff, then Invite: a one-time link for a cashier\n\
         \nThe other demo accounts for /link:\n\
         \x20 bukalapak  user_id {bl_user}  api_key {bl_key}  (withdraw password {bl_password}, bank_account_id {bl_bank})\n\
         \x20 snap       partner_id {snap_partner}  client_secret {snap_secret}  account_id {snap_account}\n",
        health = running.http_addr,
        qris = demo.qris_api_key,
        bl_user = demo.bukalapak_user_id,
        bl_key = demo.bukalapak_api_key,
        bl_password = demo.bukalapak_password,
        bl_bank = demo.bukalapak_bank_account_id,
        snap_partner = demo.snap_partner_id,
        snap_secret = demo.snap_client_secret,
        snap_account = demo.snap_account_id,
    );
}

/// SIGINT (Ctrl-C) or SIGTERM (`docker stop`, Kubernetes).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("installing a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
