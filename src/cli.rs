//! The subcommands. Every failure ends in one line on standard error naming what is
//! wrong and a non-zero exit status; no panic, no backtrace.

use std::{io::BufRead, process::ExitCode};

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::{
    bot::{self, App, RunOptions},
    config::{Cli, Command, ConfigError},
    crypto::MasterKey,
    storage,
};

/// Entry point of the `merchant-bot` binary.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("merchant-bot: {}", one_line(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The log filter for `RUST_LOG`, with the HTTP libraries held at `info` whatever it
/// says: at `debug` they print request URLs, and URLs carry the bot token (Bot API) or
/// an api key (the QRIS gateway's query).
pub fn log_filter(user: &str) -> Result<EnvFilter, ConfigError> {
    let clamped = format!("{user},reqwest=info,hyper=info,hyper_util=info,teloxide_core=info");
    EnvFilter::try_new(clamped).map_err(|e| ConfigError { var: "RUST_LOG", problem: format!("is malformed: {e}") })
}

fn init_logging(filter: &str) -> Result<(), ConfigError> {
    let filter = log_filter(filter)?;
    // Logs go to standard error, leaving standard output to `keygen`.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
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
            init_logging(settings.log_filter())?;
            let url = settings.database_url()?;
            storage::connect_and_migrate(&url).await?;
            tracing::info!(database = storage::redact_url(&url), "migrations applied");
            Ok(())
        }
        Command::RotateKey => {
            init_logging(settings.log_filter())?;
            let current = settings.master_key()?;
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let new = MasterKey::parse(&line)
                .map_err(|e| anyhow::anyhow!("the new key on standard input is malformed: {e}"))?;
            if new.id() == current.id() {
                anyhow::bail!("the new key is the current MASTER_KEY; nothing to rotate");
            }
            let pool = storage::connect_and_migrate(&settings.database_url()?).await?;
            let count = storage::accounts::rotate_key(&pool, &current, &new).await?;
            eprintln!(
                "re-encrypted {count} credential(s) under key {}; set MASTER_KEY to the new key before starting the bot",
                new.id()
            );
            Ok(())
        }
        Command::Simulate { listen, public_url } => {
            init_logging(settings.log_filter())?;
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
            init_logging(settings.log_filter())?;
            let config = settings.config()?;
            let pool = storage::connect_and_migrate(&config.database_url).await?;
            let running = bot::start(App::new(pool, config), RunOptions::default()).await?;
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
    }
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
