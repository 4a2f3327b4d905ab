//! The Telegram side: the update tree ([`schema`]) and its handlers. Running it is
//! [`crate::run`]'s.

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

use crate::domain::TelegramUserId;
use std::sync::Arc;

use teloxide::{
    dispatching::{
        UpdateHandler,
        dialogue::{Dialogue, ErasedStorage},
    },
    prelude::*,
    types::{ChatAction, InlineKeyboardMarkup, MessageId, User},
};

use crate::{i18n::Lang, services, tr};

pub use buttons::{ButtonAction, Callback, FirstStep, ReadCommand, VaKindArg};
pub use state::State;

pub use crate::{app::App, telegram::Bot};
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
    pub user: TelegramUserId,
    pub chat: ChatId,
    /// What the update's first read brought (the PIN settings, the accounts sealed);
    /// `None` for an update that had no such read (an inline query's).
    pub known: Option<Arc<services::users::Known>>,
    /// The user's accounts with their credentials, opened at most once per update
    /// ([`Ctx::accounts`]).
    pub opened: Arc<tokio::sync::OnceCell<Vec<services::accounts::OpenedAccount>>>,
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
    /// The chat action waiting to be shown ([`Ctx::busy`]), called off by the answer.
    busy: Option<tokio::task::AbortHandle>,
}

/// How long an update may take before the chat shows what the bot is doing ("typing…",
/// "sending photo…"). Telegram recommends chat actions only for a noticeable wait; an
/// answer within this needs none, and costs one request less.
pub const BUSY_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

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
        if let Some(busy) = SLOW.with(|s| s.borrow_mut().busy.take()) {
            busy.abort();
        }
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
        if let Some(busy) = s.busy.take() {
            busy.abort();
        }
        match s.notice {
            Some((c, _)) if c == chat => s.notice.take().map(|(_, id)| id),
            _ => None,
        }
    })
    .ok()
    .flatten()
}

impl Ctx {
    pub fn new(bot: Bot, app: App, lang: Lang, user: TelegramUserId, chat: ChatId) -> Ctx {
        Ctx { bot, app, lang, user, chat, known: None, opened: Arc::default() }
    }

    /// The context of an update whose first read found the user (`seen`): the PIN
    /// settings and the accounts come from that read, not from the database again.
    pub fn entered(bot: Bot, app: App, lang: Lang, user: TelegramUserId, chat: ChatId, seen: &Seen) -> Ctx {
        Ctx { known: seen.0.as_ref().map(|(_, known)| known.clone()), ..Ctx::new(bot, app, lang, user, chat) }
    }

    /// The user's accounts (their own first, the default first, then by label) with
    /// their credentials opened: read with the user when the update began (or once, if
    /// it had no such read), and one decryption per account in an update, however many
    /// times it is asked. An update that links, unlinks or shares accounts does not ask
    /// after changing them.
    pub async fn accounts(&self) -> Result<&[services::accounts::OpenedAccount], services::accounts::AccountError> {
        let opened = self
            .opened
            .get_or_try_init(|| async {
                match &self.known {
                    Some(known) => services::accounts::open_read(&self.app, &known.accounts),
                    None => services::accounts::opened(&self.app, self.user).await,
                }
            })
            .await?;
        Ok(opened)
    }

    /// One of the user's own accounts (not one they are staff on), from [`Ctx::accounts`].
    pub async fn own_account(
        &self,
        id: crate::domain::AccountId,
    ) -> Result<Option<services::accounts::LinkedAccount>, services::accounts::AccountError> {
        Ok(self.accounts().await?.iter().map(|(a, _)| a).find(|a| a.id == id && a.owner_id == self.user).cloned())
    }

    /// The user's PIN settings as the update began (read with the user), or read now.
    /// Only for decisions at the start of a step; after a PIN was typed in this update,
    /// its count and lock are read again ([`services::pin::locked_until`]).
    pub async fn pin(&self) -> anyhow::Result<services::pin::PinState> {
        match &self.known {
            Some(known) => Ok(known.pin.clone()),
            None => Ok(services::pin::state(&self.app, self.user).await?),
        }
    }

    /// The user's accounts, without their credentials.
    pub async fn account_list(
        &self,
    ) -> Result<Vec<services::accounts::LinkedAccount>, services::accounts::AccountError> {
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

    /// "typing…" while the gateway is asked, if the answer takes longer than
    /// [`BUSY_AFTER`].
    pub fn typing(&self) {
        self.busy(ChatAction::Typing)
    }

    /// Shows `action` in the chat once the update has gone [`BUSY_AFTER`] without an
    /// answer; the handler's first message (or its end) calls it off. Failing to show it
    /// is harmless.
    pub fn busy(&self, action: ChatAction) {
        let (bot, chat, clock) = (self.bot.clone(), self.chat, self.app.clock.clone());
        let task = tokio::spawn(async move {
            clock.sleep_until(clock.instant() + BUSY_AFTER).await;
            let _ = bot.send_chat_action(chat, action).await;
        });
        let kept = SLOW.try_with(|s| {
            let mut s = s.borrow_mut();
            if s.answered {
                // Answered already: nothing is being waited for.
                task.abort();
            } else if let Some(earlier) = s.busy.replace(task.abort_handle()) {
                earlier.abort();
            }
        });
        if kept.is_err() {
            // Outside an update's scope nothing would call it off.
            task.abort();
        }
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

/// The user who sent an update, as just recorded, and what the same read brought for
/// the update's [`Ctx`] (`None` if the update has no sender).
#[derive(Clone)]
pub struct Seen(pub Option<(services::users::UserRow, Arc<services::users::Known>)>);

impl Seen {
    /// The user's row.
    pub fn user(&self) -> Option<&services::users::UserRow> {
        self.0.as_ref().map(|(user, _)| user)
    }

    /// The user's language: as chosen, else Telegram's.
    pub fn lang(&self, from: Option<&User>) -> Lang {
        self.user().map(|u| u.lang()).unwrap_or_else(|| fallback_lang(from))
    }

    /// Whether the user is staff (of someone's accounts) now, or was.
    pub fn staff(&self) -> services::staff::StaffRole {
        self.user().map(|u| u.staff).unwrap_or_default()
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
/// teloxide's `enter_dialogue` does, plus the user's row, PIN settings and accounts),
/// and hands the dialogue, its state and the user to the handlers. If they cannot be
/// read, the user is told (in Telegram's language) and the update goes no further.
fn enter() -> UpdateHandler<anyhow::Error> {
    dptree::filter_map_async(|update: Update, bot: Bot, app: App, storage: Arc<DialogueStorage>| async move {
        let chat = update.chat()?.id;
        let turn = InFlight(Arc::new(app.in_flight.clone().acquire_owned().await.ok()?));
        let read = async {
            match update.from() {
                Some(from) => {
                    let (user, state, known) = services::users::enter(
                        &app,
                        TelegramUserId::new(from.id.0 as i64),
                        from.language_code.as_deref(),
                        chat.0,
                    )
                    .await?;
                    Ok::<_, anyhow::Error>((Some((user, Arc::new(known))), state))
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
