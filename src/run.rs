//! Running the bot: start-up (the token checked, the command lists registered, the
//! dialogue storage, long polling or the webhook), the background tasks (the notifier,
//! the resolver of unknown withdrawals, the HTTP server) and one shutdown for all of them.

use std::{sync::Arc, time::Duration};

use teloxide::{
    dispatching::{Dispatcher, ShutdownToken, dialogue::Storage},
    error_handlers::LoggingErrorHandler,
    prelude::*,
    update_listeners::{Polling, webhooks},
};
use tokio::task::JoinHandle;

use crate::{
    app::App,
    bot::{DialogueStorage, State, commands, paced, schema, webhook_ack},
    storage::{self, dialogue::PgDialogueStorage},
    telegram::{Bot, build_bot},
};

/// How the bot runs, beyond the configuration: production values by default; tests
/// shorten the long-poll. (Sending limits are the `App`'s: [`App::with_limits`].)
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Long-polling timeout of `getUpdates`; a shutdown waits for at most this long.
    pub polling_timeout: Duration,
    /// Whether this process also runs the notification poller and sender.
    pub notifier: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { polling_timeout: Duration::from_secs(10), notifier: true }
    }
}

/// Turns withdrawals whose sender died into `unknown`, settles the unknown ones and
/// forgets expired button actions, now and then every `RESOLVE_EVERY`.
async fn resolve_unknown_withdrawals(app: App) {
    loop {
        let settled = crate::withdrawals::resolve_unknown(
            &app.pool,
            app.key(),
            &app.gateways,
            app.config.withdrawal_give_up_after,
        )
        .await;
        log_round(settled.map(|n| n as u64), "unknown withdrawals settled", "could not settle unknown withdrawals");
        // Withdrawals whose dialogue ended undecided (twice its timeout, so a dialogue
        // still in use is never cut short) are expired: nothing was sent.
        log_round(
            storage::withdrawals::expire_abandoned(&app.pool, app.config.dialogue_timeout * 2).await,
            "abandoned withdrawal drafts expired",
            "could not expire abandoned withdrawal drafts",
        );
        // Expired button actions are forgotten as the bot runs, not only at start-up.
        log_round(
            storage::actions::purge_expired(&app.pool).await,
            "forgot expired button actions",
            "could not purge expired button actions",
        );
        tokio::time::sleep(app.config.resolve_every).await;
    }
}

/// One line for a background round that did something, or failed; none for an idle one.
fn log_round<N: Into<u64>, E: std::fmt::Display>(result: Result<N, E>, done: &str, failed: &str) {
    match result.map(Into::into) {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "{done}"),
        Err(e) => tracing::warn!(error = format!("{e:#}"), "{failed}"),
    }
}

/// Stops a background task when the bot stops.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A running bot. [`Running::shutdown`] stops taking updates, lets the handlers in
/// flight finish, and returns.
pub struct Running {
    token: ShutdownToken,
    task: JoinHandle<anyhow::Result<()>>,
    /// Where /healthz, /metrics (and the webhook) are served.
    pub http_addr: std::net::SocketAddr,
}

impl Running {
    /// Asks the bot to stop; safe to call from a signal handler, more than once.
    pub fn shutdown_token(&self) -> ShutdownToken {
        self.token.clone()
    }

    /// Stops the bot and waits for it to finish.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        request_shutdown(&self.token, &self.task).await;
        self.wait().await
    }

    /// Waits until the bot stops (after a shutdown request, or a fatal error).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.map_err(|e| anyhow::anyhow!("the bot task failed: {e}"))?
    }
}

/// Requests a shutdown, waiting out the moment before the dispatcher has started.
async fn request_shutdown(token: &ShutdownToken, task: &JoinHandle<anyhow::Result<()>>) {
    loop {
        match token.shutdown() {
            Ok(done) => return done.await,
            Err(_) if !task.is_finished() => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(_) => return,
        }
    }
}

/// Checks the token with Telegram, registers the command lists and starts taking
/// updates by long polling. Updates that waited while the bot was down are processed,
/// never dropped.
pub async fn start(app: App, options: RunOptions) -> anyhow::Result<Running> {
    let bot = build_bot(&app.config);
    let me = bot
        .get_me()
        .await
        .map_err(|e| anyhow::anyhow!("TELOXIDE_TOKEN: Telegram refused the bot token or is unreachable: {e}"))?;
    tracing::info!(username = me.username(), "connected to the Bot API");
    let _ = app.username.set(me.username().to_owned());
    // Withdrawals left 'submitting' by a process that died are found by their expired
    // lease, by every process's resolver, now and every minute (never at start-up only:
    // another replica may be sending its own right now).
    let resolver = tokio::spawn(resolve_unknown_withdrawals(app.clone()));
    if let Err(e) = commands::register(&bot).await {
        // Not fatal: the command menu is a convenience, commands work without it.
        tracing::warn!(error = %e, "could not register the command lists with setMyCommands");
    }
    let storage: Arc<DialogueStorage> =
        PgDialogueStorage::<State>::new(app.pool.clone(), app.config.dialogue_timeout).erase();
    let dispatcher = Dispatcher::builder(bot.clone(), schema())
        .dependencies(dptree::deps![app.clone(), storage])
        .default_handler(|update| async move {
            tracing::debug!(id = update.id.0, "update not handled");
            webhook_ack::handled(update.id.0);
        })
        .error_handler(LoggingErrorHandler::with_custom_text("an update handler failed"))
        .build();
    let token = dispatcher.shutdown_token();

    // /healthz and /metrics in both modes, and the webhook in webhook mode.
    let addr = app.config.listen_addr;
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("LISTEN_ADDR: cannot listen on {addr}: {e}"))?;
    let http_addr = tcp.local_addr()?;
    let mut router = crate::http::router(app.clone());
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let finish = Finish { notifier: None, resolver: AbortOnDrop(resolver), stop_http };
    let task = match app.config.webhook_url.clone() {
        Some(url) => {
            // Every replica derives the same secret from the token, so any of them can
            // take any update; a stopping replica leaves the webhook in place for the others.
            let secret = webhook_secret(&app.config.token);
            bot.set_webhook(url.clone())
                .secret_token(secret.clone())
                .await
                .map_err(|e| anyhow::anyhow!("WEBHOOK_URL: Telegram refused setWebhook: {e}"))?;
            let options_ = webhooks::Options::new(http_addr, url).secret_token(secret);
            let (listener, _stopped, webhook) = webhooks::axum_no_setup(options_);
            // Telegram's request is answered once the update was handled, so an update
            // this process dies with is delivered again.
            router = router.merge(webhook.layer(axum::middleware::from_fn(webhook_ack::ack_after_handling)));
            let finish = Finish {
                notifier: options.notifier.then(|| crate::notifier::Notifier::start(app.clone(), bot.clone())),
                ..finish
            };
            tokio::spawn(dispatch(dispatcher, listener, finish))
        }
        None => {
            // Telegram refuses getUpdates while a webhook is set (left by webhook mode).
            if let Err(e) = bot.delete_webhook().await {
                tracing::warn!(error = %e, "could not make sure no webhook is set");
            }
            let finish = Finish {
                notifier: options.notifier.then(|| crate::notifier::Notifier::start(app.clone(), bot.clone())),
                ..finish
            };
            let listener = paced::Paced {
                inner: Polling::builder(bot).timeout(options.polling_timeout).build(),
                room: app.in_flight.clone(),
            };
            tokio::spawn(dispatch(dispatcher, listener, finish))
        }
    };
    tokio::spawn(async move {
        let server = axum::serve(tcp, router).with_graceful_shutdown(async {
            let _ = http_stopped.await;
        });
        if let Err(e) = server.await {
            tracing::error!(error = %e, "the HTTP server stopped");
        }
    });
    tracing::info!(%http_addr, "serving /healthz and /metrics");
    Ok(Running { token, task, http_addr })
}

/// The webhook's secret token: derived from the bot token, the same for every replica.
pub fn webhook_secret(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(b"merchant-bot webhook secret\0").chain_update(token.as_bytes()).finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What stops with the dispatcher.
struct Finish {
    notifier: Option<crate::notifier::Notifier>,
    resolver: AbortOnDrop,
    stop_http: tokio::sync::oneshot::Sender<()>,
}

async fn dispatch<L>(
    mut dispatcher: Dispatcher<Bot, anyhow::Error, teloxide::dispatching::DefaultKey>,
    listener: L,
    finish: Finish,
) -> anyhow::Result<()>
where
    L: teloxide::update_listeners::UpdateListener + Send,
    L::Err: std::fmt::Debug,
{
    let result = dispatcher
        .try_dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("receiving updates failed"))
        .await
        .map_err(|e| anyhow::anyhow!("the dispatcher stopped: {e}"));
    if let Some(notifier) = finish.notifier {
        notifier.shutdown(Duration::from_secs(5)).await;
    }
    drop(finish.resolver);
    let _ = finish.stop_http.send(());
    result
}
