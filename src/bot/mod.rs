//! The Telegram side: the update tree ([`schema`]), its handlers, and running it by long
//! polling until a shutdown signal.

mod accounts;
pub mod buttons;
mod callbacks;
pub mod commands;
mod deposit;
pub mod format;
mod inline;
mod link;
mod notify;
pub mod paced;
mod pay;
mod pin;
mod qris_static;
mod reads;
pub mod report;
mod staff;
pub mod start;
pub mod state;
pub mod webhook_ack;
mod withdraw;

use std::{sync::Arc, time::Duration};

use teloxide::{
    dispatching::{
        Dispatcher, ShutdownToken, UpdateHandler,
        dialogue::{Dialogue, ErasedStorage, Storage},
    },
    error_handlers::LoggingErrorHandler,
    prelude::*,
    types::{ChatAction, InlineKeyboardMarkup, MessageId, User},
    update_listeners::{Polling, webhooks},
};
use tokio::task::JoinHandle;

use crate::{
    i18n::Lang,
    storage::{self, dialogue::PgDialogueStorage},
    tr,
};

pub use buttons::{ButtonAction, Callback, FirstStep, ReadCommand, VaKindArg};
pub use state::State;

pub use crate::{
    app::App,
    telegram::{Bot, build_bot},
};
pub type HandlerResult = anyhow::Result<()>;
pub type DialogueStorage = ErasedStorage<State>;
pub type ChatDialogue = Dialogue<State, DialogueStorage>;

/// One update's context: who, where, in which language.
#[derive(Clone)]
pub struct Ctx {
    pub bot: Bot,
    pub app: App,
    pub lang: Lang,
    /// The Telegram user the update is from.
    pub user: i64,
    pub chat: ChatId,
    /// The user's accounts with their credentials, read and opened at most once per
    /// update ([`Ctx::accounts`]).
    pub opened: Arc<tokio::sync::OnceCell<Vec<storage::accounts::OpenedAccount>>>,
}

tokio::task_local! {
    /// Within one update: whether the handler said anything yet, and the "gateway is
    /// slow" message sent meanwhile, which its first answer replaces.
    static SLOW: std::cell::RefCell<SlowNotice>;
}

#[derive(Default)]
struct SlowNotice {
    answered: bool,
    notice: Option<(ChatId, MessageId)>,
}

/// Runs `work` (one update's handler); if it has not said anything after
/// `SLOW_NOTICE_AFTER`, tells the user in `chat` that the gateway is slow. The handler's first message then
/// replaces that notice; a notice nothing replaced is deleted at the end.
pub async fn with_slow_notice<F: std::future::Future>(
    bot: &Bot,
    app: &App,
    from: Option<&User>,
    chat: Option<ChatId>,
    work: F,
) -> F::Output {
    let after = app.config.slow_notice_after;
    SLOW.scope(std::cell::RefCell::new(SlowNotice::default()), async {
        let mut work = std::pin::pin!(work);
        let output = match chat {
            None => work.await,
            Some(chat) => {
                tokio::select! {
                    output = &mut work => output,
                    _ = tokio::time::sleep(after) => {
                        if !SLOW.with(|s| s.borrow().answered) {
                            let lang = match from {
                                Some(user) => app.user(user).await.map(|u| u.lang()).unwrap_or(fallback_lang(Some(user))),
                                None => Lang::En,
                            };
                            match app.limiter.send(chat, bot.send_message(chat, tr!(lang, "gateway-slow"))).await {
                                Ok(sent) => SLOW.with(|s| s.borrow_mut().notice = Some((chat, sent.id))),
                                Err(e) => tracing::warn!(error = %e, "could not say that the gateway is slow"),
                            }
                        }
                        work.await
                    }
                }
            }
        };
        if let Some((chat, id)) = SLOW.with(|s| s.borrow_mut().notice.take()) {
            let _ = bot.delete_message(chat, id).await;
        }
        output
    })
    .await
}

/// Marks the update answered, and takes the slow notice in `chat` if there is one.
fn answering(chat: ChatId) -> Option<MessageId> {
    SLOW.try_with(|s| {
        let mut s = s.borrow_mut();
        s.answered = true;
        match s.notice {
            Some((c, _)) if c == chat => s.notice.take().map(|(_, id)| id),
            _ => None,
        }
    })
    .ok()
    .flatten()
}

impl Ctx {
    pub fn new(bot: Bot, app: App, lang: Lang, user: i64, chat: ChatId) -> Ctx {
        Ctx { bot, app, lang, user, chat, opened: Arc::default() }
    }

    /// The user's accounts (the default first, then by label) with their credentials
    /// opened: one database read and one decryption per account in an update, however
    /// many times it is asked.
    pub async fn accounts(&self) -> Result<&[storage::accounts::OpenedAccount], storage::accounts::AccountError> {
        let opened = self
            .opened
            .get_or_try_init(|| storage::accounts::list_opened(&self.app.pool, self.app.key(), self.user))
            .await?;
        Ok(opened)
    }

    /// The user's accounts, without their credentials.
    pub async fn account_list(&self) -> Result<Vec<storage::accounts::LinkedAccount>, storage::accounts::AccountError> {
        Ok(self.accounts().await?.iter().map(|(a, _)| a.clone()).collect())
    }

    /// A new message; or, if the user was told the gateway is slow, that message
    /// replaced by this one.
    pub async fn say(&self, text: impl Into<String>) -> Result<Message, teloxide::RequestError> {
        match answering(self.chat) {
            Some(notice) => self.send(self.bot.edit_message_text(self.chat, notice, text)).await,
            None => self.send(self.bot.send_message(self.chat, text)).await,
        }
    }

    /// Sends `request` (a message or an edit in this chat) within Telegram's limits.
    pub async fn send<R>(&self, request: R) -> Result<teloxide::requests::Output<R>, teloxide::RequestError>
    where
        R: teloxide::requests::Request<Err = teloxide::RequestError>,
    {
        self.app.limiter.send(self.chat, request).await
    }

    pub async fn say_with(
        &self,
        text: impl Into<String>,
        keyboard: InlineKeyboardMarkup,
    ) -> Result<Message, teloxide::RequestError> {
        match answering(self.chat) {
            Some(notice) => self.send(self.bot.edit_message_text(self.chat, notice, text).reply_markup(keyboard)).await,
            None => self.send(self.bot.send_message(self.chat, text).reply_markup(keyboard)).await,
        }
    }

    /// A new message, as a handler result.
    pub async fn tell(&self, text: impl Into<String>) -> HandlerResult {
        self.say(text).await?;
        Ok(())
    }

    /// Replaces the text (and the buttons) of one of the bot's messages.
    pub async fn edit(
        &self,
        message: MessageId,
        text: impl Into<String>,
        keyboard: Option<InlineKeyboardMarkup>,
    ) -> HandlerResult {
        let _ = SLOW.try_with(|s| s.borrow_mut().answered = true);
        let request = self.bot.edit_message_text(self.chat, message, text);
        let result = match keyboard {
            Some(k) => self.send(request.reply_markup(k)).await,
            None => self.send(request).await,
        };
        match result {
            Ok(_) => Ok(()),
            // Pressing a button that leads to the same page again changes nothing.
            Err(teloxide::RequestError::Api(teloxide::ApiError::MessageNotModified)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// A new message, or an edit of `message`.
    pub async fn send_or_edit(
        &self,
        message: Option<MessageId>,
        text: String,
        keyboard: Option<InlineKeyboardMarkup>,
    ) -> HandlerResult {
        match (message, keyboard) {
            (Some(id), keyboard) => self.edit(id, text, keyboard).await,
            (None, Some(k)) => self.say_with(text, k).await.map(|_| ()).map_err(Into::into),
            (None, None) => self.say(text).await.map(|_| ()).map_err(Into::into),
        }
    }

    /// "typing…" while the gateway is asked; failing to show it is harmless.
    pub async fn typing(&self) {
        let _ = self.bot.send_chat_action(self.chat, ChatAction::Typing).await;
    }
}

/// A dialogue storage failure, as a handler error.
pub(crate) fn dialogue_err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("dialogue storage: {e}")
}

/// Deletes a message that carried a secret (a credential, a PIN, a password) right
/// after it was read. If Telegram refuses (too old, no right), the user is asked to.
pub async fn delete_secret_message(ctx: &Ctx, msg: &Message) -> HandlerResult {
    if let Err(e) = ctx.bot.delete_message(ctx.chat, msg.id).await {
        tracing::warn!(error = %e, "could not delete a message that carried a secret");
        ctx.say(tr!(ctx.lang, "link-delete-failed")).await?;
    }
    Ok(())
}

/// The language to use when the database could not tell: Telegram's.
pub fn fallback_lang(user: Option<&User>) -> Lang {
    Lang::from_telegram(user.and_then(|u| u.language_code.as_deref()))
}

/// The user who sent an update, as just recorded (`None` if the update has no sender).
#[derive(Clone, Debug)]
pub struct Seen(pub Option<storage::users::UserRow>);

impl Seen {
    /// The user's language: as chosen, else Telegram's.
    pub fn lang(&self, from: Option<&User>) -> Lang {
        self.0.as_ref().map(|u| u.lang()).unwrap_or_else(|| fallback_lang(from))
    }

    /// Whether the user is staff (of someone's accounts) now, or was.
    pub fn staff(&self) -> storage::staff::StaffRole {
        self.0.as_ref().map(|u| u.staff).unwrap_or_default()
    }
}

/// What [`enter`] found.
#[derive(Clone)]
struct Entered {
    dialogue: ChatDialogue,
    state: State,
    seen: Seen,
    turn: InFlight,
}

/// The update's place among those handled at once (`App::in_flight`), held until its
/// handling is over (dropped with the update's dependencies).
#[derive(Clone)]
pub struct InFlight(#[allow(dead_code)] Arc<tokio::sync::OwnedSemaphorePermit>);

/// The span of one update's work: its id and its sender.
pub fn update_span(update: &Update) -> tracing::Span {
    tracing::info_span!("update", id = update.id.0, user = update.from().map(|u| u.id.0))
}

/// Records the sender and reads the chat's dialogue in one database round trip (what
/// teloxide's `enter_dialogue` does, plus the user's row), and hands the dialogue, its
/// state and the user to the handlers. If they cannot be read, the user is told (in
/// Telegram's language) and the update goes no further.
fn enter() -> UpdateHandler<anyhow::Error> {
    dptree::filter_map_async(|update: Update, bot: Bot, app: App, storage: Arc<DialogueStorage>| async move {
        let chat = update.chat()?.id;
        let turn = InFlight(Arc::new(app.in_flight.clone().acquire_owned().await.ok()?));
        let read = async {
            match update.from() {
                Some(from) => {
                    let (user, row) = storage::users::touch_with_dialogue(
                        &app.pool,
                        from.id.0 as i64,
                        from.language_code.as_deref(),
                        chat.0,
                    )
                    .await?;
                    let state = storage::dialogue::read_stored(&app.pool, chat, row).await?;
                    Ok::<_, anyhow::Error>((Some(user), state))
                }
                None => Ok((None, storage.clone().get_dialogue(chat).await.map_err(dialogue_err)?)),
            }
        };
        match tracing::Instrument::instrument(read, update_span(&update)).await {
            Ok((user, state)) => Some(Entered {
                dialogue: ChatDialogue::new(storage, chat),
                state: state.unwrap_or_default(),
                seen: Seen(user),
                turn,
            }),
            Err(e) => {
                tracing::error!(
                    error = format!("{e:#}"),
                    "could not read the user and the dialogue; the update is dropped"
                );
                let sorry = bot.send_message(chat, tr!(fallback_lang(update.from()), "error-internal"));
                if let Err(e) = app.limiter.send(chat, sorry).await {
                    tracing::warn!(error = %e, "could not say sorry for an update that could not be read");
                }
                None
            }
        }
    })
    .map(|e: Entered| e.dialogue)
    .map(|e: Entered| e.state)
    .map(|e: Entered| e.seen)
    .map(|e: Entered| e.turn)
}

/// The whole update tree. A pure function, so tests run exactly what production runs.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let messages = Update::filter_message()
        .chain(enter())
        .branch(teloxide::filter_command::<commands::Command, _>().endpoint(commands::handle))
        .branch(dptree::filter(|state: State| state != State::Idle).endpoint(commands::dialogue_message))
        .branch(dptree::filter(|msg: Message| msg.photo().is_some()).endpoint(commands::photo))
        .endpoint(commands::other_message);
    // A button of an inline message has no chat the bot can see: no user row or
    // dialogue to read, only the press.
    let inline_presses = Update::filter_callback_query()
        .filter(|q: CallbackQuery| q.message.is_none() && q.inline_message_id.is_some())
        .endpoint(inline::press);
    let callbacks = Update::filter_callback_query().chain(enter()).endpoint(callbacks::handle);
    let inline_queries = Update::filter_inline_query().endpoint(inline::query);
    let chosen = Update::filter_chosen_inline_result().endpoint(inline::chosen);
    dptree::entry()
        .inspect(|update: Update| {
            let kind = match update.kind {
                teloxide::types::UpdateKind::Message(_) => "message",
                teloxide::types::UpdateKind::CallbackQuery(_) => "callback_query",
                teloxide::types::UpdateKind::InlineQuery(_) => "inline_query",
                teloxide::types::UpdateKind::ChosenInlineResult(_) => "chosen_inline_result",
                _ => "other",
            };
            crate::metrics::update(kind);
        })
        .branch(messages)
        .branch(inline_presses)
        .branch(callbacks)
        .branch(inline_queries)
        .branch(chosen)
}

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
