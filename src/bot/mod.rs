//! The Telegram side: the update tree ([`schema`]), its handlers, and running it by long
//! polling until a shutdown signal.

pub mod callback;
pub mod commands;
mod start;
pub mod state;

use std::{sync::Arc, time::Duration};

use sqlx::PgPool;
use teloxide::{
    adaptors::{DefaultParseMode, Throttle, throttle::Limits},
    dispatching::{
        Dispatcher, ShutdownToken, UpdateHandler,
        dialogue::{Dialogue, ErasedStorage, Storage},
    },
    error_handlers::LoggingErrorHandler,
    prelude::*,
    types::{ParseMode, User},
    update_listeners::Polling,
};
use tokio::task::JoinHandle;

use crate::{
    config::Config,
    crypto::MasterKey,
    i18n::Lang,
    storage::{self, dialogue::PgDialogueStorage, users::UserRow},
};

pub use state::State;

/// The bot as handlers use it: Telegram's limits kept by `Throttle` (a 429's
/// `retry_after` is honored and the request retried), replies in HTML.
pub type Bot = DefaultParseMode<Throttle<teloxide::Bot>>;
pub type HandlerResult = anyhow::Result<()>;
pub type DialogueStorage = ErasedStorage<State>;
pub type ChatDialogue = Dialogue<State, DialogueStorage>;

/// What every handler can reach: the database, the key and the configuration.
#[derive(Clone)]
pub struct App {
    pub pool: PgPool,
    pub config: Arc<Config>,
}

impl App {
    pub fn new(pool: PgPool, config: Config) -> App {
        App { pool, config: Arc::new(config) }
    }

    pub fn key(&self) -> &MasterKey {
        &self.config.master_key
    }

    /// Records the user as seen and returns what the bot knows of them.
    pub async fn user(&self, user: &User) -> sqlx::Result<UserRow> {
        storage::users::touch(&self.pool, user.id.0 as i64, user.language_code.as_deref()).await
    }
}

/// The language to use when the database could not tell: Telegram's.
pub fn fallback_lang(user: Option<&User>) -> Lang {
    Lang::from_telegram(user.and_then(|u| u.language_code.as_deref()))
}

/// The whole update tree. A pure function, so tests run exactly what production runs.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let messages = Update::filter_message()
        .enter_dialogue::<Message, DialogueStorage, State>()
        .branch(teloxide::filter_command::<commands::Command, _>().endpoint(commands::handle))
        .endpoint(commands::other_message);
    let callbacks = Update::filter_callback_query().endpoint(callback::handle);
    dptree::entry().branch(messages).branch(callbacks)
}

/// How the bot runs, beyond the configuration: production values by default; tests
/// shorten the long-poll and lift the per-chat limit.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub limits: Limits,
    /// Long-polling timeout of `getUpdates`; a shutdown waits for at most this long.
    pub polling_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { limits: Limits::default(), polling_timeout: Duration::from_secs(10) }
    }
}

/// The Bot API client for `config`.
pub fn build_bot(config: &Config, limits: Limits) -> Bot {
    let bot = teloxide::Bot::new(config.token.clone()).set_api_url(config.api_url.clone());
    Throttle::new_spawn(bot, limits).parse_mode(ParseMode::Html)
}

/// A running bot. [`Running::shutdown`] stops taking updates, lets the handlers in
/// flight finish, and returns.
pub struct Running {
    token: ShutdownToken,
    task: JoinHandle<anyhow::Result<()>>,
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
    let bot = build_bot(&app.config, options.limits);
    let me = bot
        .get_me()
        .await
        .map_err(|e| anyhow::anyhow!("TELOXIDE_TOKEN: Telegram refused the bot token or is unreachable: {e}"))?;
    tracing::info!(username = me.username(), "connected to the Bot API");
    if let Err(e) = commands::register(&bot).await {
        // Not fatal: the command menu is a convenience, commands work without it.
        tracing::warn!(error = %e, "could not register the command lists with setMyCommands");
    }
    let storage: Arc<DialogueStorage> =
        PgDialogueStorage::<State>::new(app.pool.clone(), app.config.dialogue_timeout).erase();
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema())
        .dependencies(dptree::deps![app, storage])
        .default_handler(|update| async move { tracing::debug!(id = update.id.0, "update not handled") })
        .error_handler(LoggingErrorHandler::with_custom_text("an update handler failed"))
        .build();
    let token = dispatcher.shutdown_token();
    let listener = Polling::builder(bot).timeout(options.polling_timeout).build();
    let task = tokio::spawn(async move {
        dispatcher
            .try_dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("getUpdates failed"))
            .await
            .map_err(|e| anyhow::anyhow!("the dispatcher stopped: {e}"))
    });
    Ok(Running { token, task })
}
