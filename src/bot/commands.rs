//! The commands: their names (English), localized descriptions, registration with
//! `setMyCommands`, and routing to the handler of each.

use crate::domain::TelegramUserId;
use futures::FutureExt;
use teloxide::{
    prelude::*,
    types::{BotCommand, BotCommandScope, Me, MessageId, Recipient},
    utils::command::BotCommands,
};

use super::{
    App, Bot, ChatDialogue, Ctx, HandlerResult, ReadCommand, Seen, State, deposit, fallback_lang, link, notify, pin,
    qris_static, reads, start, withdraw,
};
use crate::{i18n::Lang, secret::looks_like_secret, services, tr};

#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start`, or `/start pay_<token>` from a pay link.
    Start(String),
    Help,
    Language,
    Link,
    Accounts,
    Balance(String),
    Withdrawals(String),
    Mutations(String),
    Disbursement(String),
    Subaccounts(String),
    Va(String),
    Deposit(String),
    Invoice(String),
    Invoices,
    Qris(String),
    Withdraw(String),
    Report(String),
    Export(String),
    Notify,
    Pin,
    Group(String),
    Staff,
    Cancel,
}

/// Every command, in menu order, with its name.
pub const MENU: [&str; 23] = [
    "start",
    "help",
    "language",
    "link",
    "accounts",
    "balance",
    "deposit",
    "invoice",
    "invoices",
    "qris",
    "withdraw",
    "withdrawals",
    "mutations",
    "disbursement",
    "subaccounts",
    "va",
    "report",
    "export",
    "notify",
    "pin",
    "group",
    "staff",
    "cancel",
];

/// The description of a command in the menu and in /help.
pub fn description(name: &str, lang: Lang) -> String {
    match name {
        "start" => tr!(lang, "cmd-start"),
        "help" => tr!(lang, "cmd-help"),
        "language" => tr!(lang, "cmd-language"),
        "link" => tr!(lang, "cmd-link"),
        "accounts" => tr!(lang, "cmd-accounts"),
        "balance" => tr!(lang, "cmd-balance"),
        "withdrawals" => tr!(lang, "cmd-withdrawals"),
        "mutations" => tr!(lang, "cmd-mutations"),
        "disbursement" => tr!(lang, "cmd-disbursement"),
        "subaccounts" => tr!(lang, "cmd-subaccounts"),
        "va" => tr!(lang, "cmd-va"),
        "deposit" => tr!(lang, "cmd-deposit"),
        "invoice" => tr!(lang, "cmd-invoice"),
        "invoices" => tr!(lang, "cmd-invoices"),
        "qris" => tr!(lang, "cmd-qris"),
        "withdraw" => tr!(lang, "cmd-withdraw"),
        "report" => tr!(lang, "cmd-report"),
        "export" => tr!(lang, "cmd-export"),
        "pin" => tr!(lang, "cmd-pin"),
        "notify" => tr!(lang, "cmd-notify"),
        "group" => tr!(lang, "cmd-group"),
        "staff" => tr!(lang, "cmd-staff"),
        "cancel" => tr!(lang, "cmd-cancel"),
        other => unreachable!("{other} is not in MENU"),
    }
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Start(_) => "start",
            Command::Help => "help",
            Command::Language => "language",
            Command::Link => "link",
            Command::Accounts => "accounts",
            Command::Balance(_) => "balance",
            Command::Withdrawals(_) => "withdrawals",
            Command::Mutations(_) => "mutations",
            Command::Disbursement(_) => "disbursement",
            Command::Subaccounts(_) => "subaccounts",
            Command::Va(_) => "va",
            Command::Deposit(_) => "deposit",
            Command::Invoice(_) => "invoice",
            Command::Invoices => "invoices",
            Command::Qris(_) => "qris",
            Command::Withdraw(_) => "withdraw",
            Command::Report(_) => "report",
            Command::Export(_) => "export",
            Command::Pin => "pin",
            Command::Notify => "notify",
            Command::Group(_) => "group",
            Command::Staff => "staff",
            Command::Cancel => "cancel",
        }
    }

    /// Whether the command shows or asks for something private, and so is answered only
    /// in a private chat.
    fn private(&self) -> bool {
        !matches!(self, Command::Start(_) | Command::Help | Command::Language | Command::Cancel | Command::Group(_))
    }

    /// What staff may do: make invoices and see the ones they made (and the basics).
    fn for_staff(&self) -> bool {
        matches!(
            self,
            Command::Start(_)
                | Command::Help
                | Command::Language
                | Command::Cancel
                | Command::Deposit(_)
                | Command::Invoice(_)
                | Command::Invoices
                | Command::Staff
        )
    }

    /// Shows the user's own data but asks for no secret: allowed in a group the user
    /// enabled with `/group on`.
    fn shows_only(&self) -> bool {
        matches!(
            self,
            Command::Accounts
                | Command::Balance(_)
                | Command::Withdrawals(_)
                | Command::Mutations(_)
                | Command::Disbursement(_)
                | Command::Subaccounts(_)
                | Command::Va(_)
                | Command::Deposit(_)
                | Command::Invoice(_)
                | Command::Invoices
                | Command::Report(_)
        )
    }
}

/// `/group on|off` in a group: show (or stop showing) the sender's own balances, lists
/// and invoices there. Secrets are never asked in a group either way.
async fn group(ctx: &Ctx, msg: &Message, args: &str) -> HandlerResult {
    if msg.chat.is_private() {
        return ctx.tell(tr!(ctx.lang, "group-only-in-group")).await;
    }
    match args.trim() {
        "on" => {
            services::groups::enable(&ctx.app, ctx.chat.0, ctx.user).await?;
            ctx.tell(tr!(ctx.lang, "group-enabled")).await
        }
        "off" => {
            services::groups::disable(&ctx.app, ctx.chat.0, ctx.user).await?;
            ctx.tell(tr!(ctx.lang, "group-disabled")).await
        }
        _ => ctx.tell(tr!(ctx.lang, "group-usage")).await,
    }
}

/// The command menu in `lang`.
pub fn menu(lang: Lang) -> Vec<BotCommand> {
    MENU.iter().map(|name| BotCommand::new(*name, description(name, lang))).collect()
}

/// Registers the menu for Indonesian and English clients, and English as the default.
pub async fn register(bot: &Bot) -> Result<(), teloxide::RequestError> {
    bot.set_my_commands(menu(Lang::En)).await?;
    for lang in Lang::ALL {
        bot.set_my_commands(menu(lang)).language_code(lang.code()).await?;
    }
    Ok(())
}

/// After `/language`, the user's own private chat shows the menu in the chosen language,
/// whatever their Telegram client's language is.
pub async fn register_for_chat(bot: &Bot, chat: ChatId, lang: Lang) -> Result<(), teloxide::RequestError> {
    bot.set_my_commands(menu(lang)).scope(BotCommandScope::Chat { chat_id: Recipient::Id(chat) }).await?;
    Ok(())
}

/// The context of a message from a user, with the user's row read before the handler
/// (`bot::enter`, which also says sorry when it cannot be read); `None` for a message
/// without a sender.
fn context(bot: &Bot, app: &App, msg: &Message, seen: &Seen) -> Option<Ctx> {
    let from = msg.from.as_ref()?;
    let user = seen.user()?;
    Some(Ctx::entered(bot.clone(), app.clone(), user.lang(), TelegramUserId::new(from.id.0 as i64), msg.chat.id, seen))
}

pub use crate::telegram::refused_as_built;

/// [`refused_as_built`] for a handler's error.
fn refused_by_telegram(e: &anyhow::Error) -> Option<String> {
    refused_as_built(e.downcast_ref::<teloxide::RequestError>()?)
}

/// Logs a failed handler and tells the user, in one place. A message Telegram refused
/// is the bot's own fault: the log names Telegram's error and the message keys the
/// update rendered (the refused one is among the newest), and the user is told so
/// rather than "something went wrong on our side".
pub async fn report(ctx: &Ctx, what: &str, result: HandlerResult) -> HandlerResult {
    let Err(e) = result else { return Ok(()) };
    match refused_by_telegram(&e) {
        Some(telegram) => {
            let keys = crate::i18n::rendered_keys().join(",");
            tracing::error!(what, telegram, keys, "Telegram refused a message the bot built");
            ctx.say(tr!(ctx.lang, "error-reply-refused")).await?;
        }
        None => {
            tracing::error!(what, error = format!("{e:#}"), "handler failed");
            ctx.say(tr!(ctx.lang, "error-internal")).await?;
        }
    }
    Ok(())
}

/// Handles one update: every log line it writes carries the update's id, and the
/// message keys it renders are remembered for [`report`]. A panic in the handler is
/// caught here: logged with the update id, answered with the generic apology, and the
/// bot goes on serving this chat and every other.
///
/// A command in a private chat that has not answered after `SLOW_NOTICE_AFTER` (its
/// gateway is slow) tells the user so; its answer then replaces that message.
///
/// `work` comes boxed, and the handlers box the branch they take: a future is as large
/// as its largest branch, so an update would otherwise carry the state of every
/// dialogue step it does not take (kilobytes each, for every update handled at once).
pub async fn in_update(
    bot: &Bot,
    app: &App,
    update: &Update,
    work: futures::future::BoxFuture<'_, HandlerResult>,
) -> HandlerResult {
    use tracing::Instrument;
    let span = super::update_span(update);
    // Only messages in a private chat get the notice: a button's answer replaces the
    // pressed message, and groups get no chatter.
    let slow_chat = match &update.kind {
        teloxide::types::UpdateKind::Message(m) if m.chat.is_private() => Some(m.chat.id),
        _ => None,
    };
    // The reliability program's injected fault (FAULT_PANIC_TEXT; never set in a real
    // deployment) goes through the same path as any other panic.
    let injected =
        app.config.fault_panic_text.as_deref().is_some_and(
            |text| matches!(&update.kind, teloxide::types::UpdateKind::Message(m) if m.text() == Some(text)),
        );
    let work = async move {
        if injected {
            panic!("injected fault: FAULT_PANIC_TEXT");
        }
        work.await
    };
    let work = super::with_slow_notice(bot, app, update.from(), slow_chat, crate::i18n::tracking(work));
    let caught = std::panic::AssertUnwindSafe(work).catch_unwind().instrument(span.clone()).await;
    let Err(panic) = caught else {
        // In webhook mode, Telegram's request for this update may now be answered.
        super::webhook_ack::handled(update.id.0);
        return caught.unwrap_or(Ok(()));
    };
    let what = crate::app::panic_text(panic.as_ref());
    // The span is attached to the future, never entered across an await: an entered
    // guard held over one would lend this update's span to whatever else runs on the
    // thread meanwhile.
    async {
        tracing::error!(panic = what, "an update handler panicked; the bot goes on");
        crate::metrics::handler_panicked();
        if let Some(chat) = update.chat() {
            let lang = fallback_lang(update.from());
            if let Err(e) = app.limiter.send(chat.id, bot.send_message(chat.id, tr!(lang, "error-internal"))).await {
                tracing::warn!(error = %e, "could not tell the user after a panic");
            }
        }
    }
    .instrument(span)
    .await;
    // Only now: a process that dies before the apology went out leaves the update to be
    // delivered again, so the user is not left without an answer.
    super::webhook_ack::handled(update.id.0);
    Ok(())
}

/// Runs a command, answering with a localized apology if it fails.
#[allow(clippy::too_many_arguments)] // dptree hands each dependency over as a parameter
pub async fn handle(
    bot: Bot,
    app: App,
    msg: Message,
    me: Me,
    cmd: Command,
    dialogue: ChatDialogue,
    seen: Seen,
    update: Update,
) -> HandlerResult {
    in_update(&bot.clone(), &app.clone(), &update, handle_tracked(bot, app, msg, me, cmd, dialogue, seen).boxed()).await
}

async fn handle_tracked(
    bot: Bot,
    app: App,
    msg: Message,
    me: Me,
    cmd: Command,
    dialogue: ChatDialogue,
    seen: Seen,
) -> HandlerResult {
    let _timer = crate::metrics::Timer::start("command");
    let Some(ctx) = context(&bot, &app, &msg, &seen) else { return Ok(()) };
    if cmd.private()
        && !msg.chat.is_private()
        && !(cmd.shows_only() && services::groups::enabled(&app, msg.chat.id.0, ctx.user).await?)
    {
        ctx.say(tr!(ctx.lang, "private-only", bot = me.username())).await?;
        return Ok(());
    }
    if let Some(refusal) = super::staff::refusal(&ctx, &seen, cmd.for_staff(), cmd.name()).await? {
        ctx.say(refusal).await?;
        return Ok(());
    }
    let result = match &cmd {
        Command::Start(parameter) => start::start(&ctx, &msg, parameter, &seen).boxed().await,
        Command::Help => start::help(&ctx).boxed().await,
        Command::Language => start::language(&ctx).boxed().await,
        Command::Cancel => start::cancel(&ctx, &dialogue).boxed().await,
        Command::Link => link::start(&ctx, &dialogue).boxed().await,
        Command::Accounts => super::accounts::show(&ctx, None, None).boxed().await,
        Command::Balance(args) => reads::balance(&ctx, args).boxed().await,
        Command::Withdrawals(args) => reads::read(&ctx, ReadCommand::Withdrawals, args).boxed().await,
        Command::Mutations(args) => reads::read(&ctx, ReadCommand::Mutations, args).boxed().await,
        Command::Disbursement(args) => reads::read(&ctx, ReadCommand::Disbursement, args).boxed().await,
        Command::Subaccounts(args) => reads::read(&ctx, ReadCommand::SubAccounts, args).boxed().await,
        Command::Va(args) => reads::read(&ctx, ReadCommand::VirtualAccounts, args).boxed().await,
        Command::Deposit(args) => reads::read(&ctx, ReadCommand::Deposit, args).boxed().await,
        Command::Invoice(reference) => deposit::one(&ctx, reference).boxed().await,
        Command::Invoices => deposit::list(&ctx, None, 1).boxed().await,
        Command::Qris(args) => qris_static::command(&ctx, args).boxed().await,
        Command::Withdraw(args) => withdraw::start(&ctx, &dialogue, args).boxed().await,
        Command::Report(args) => super::report::report(&ctx, args).boxed().await,
        Command::Export(args) => super::report::export(&ctx, args).boxed().await,
        Command::Pin => pin::menu(&ctx).boxed().await,
        Command::Notify => notify::show(&ctx, None).boxed().await,
        Command::Group(args) => group(&ctx, &msg, args).boxed().await,
        Command::Staff => super::staff::show(&ctx, None, &seen).boxed().await,
    };
    report(&ctx, cmd.name(), result).await
}

/// Deletes a message that carried a secret nobody asked for, and says why.
async fn deleted_secret(ctx: &Ctx, msg: &Message, why: String) -> HandlerResult {
    super::delete_secret_message(ctx, msg).await?;
    ctx.tell(why).await
}

/// A message while a dialogue waits for one (a label, a credential).
pub async fn dialogue_message(
    bot: Bot,
    app: App,
    msg: Message,
    dialogue: ChatDialogue,
    state: State,
    seen: Seen,
    update: Update,
) -> HandlerResult {
    in_update(
        &bot.clone(),
        &app.clone(),
        &update,
        dialogue_message_tracked(bot, app, msg, dialogue, state, seen).boxed(),
    )
    .await
}

async fn dialogue_message_tracked(
    bot: Bot,
    app: App,
    msg: Message,
    dialogue: ChatDialogue,
    state: State,
    seen: Seen,
) -> HandlerResult {
    let _timer = crate::metrics::Timer::start("dialogue");
    if !msg.chat.is_private() {
        return Ok(());
    }
    let Some(ctx) = context(&bot, &app, &msg, &seen) else { return Ok(()) };
    // A secret where none is asked: in a photo's caption, or pasted as the name.
    if msg.caption().is_some_and(looks_like_secret) {
        let result = deleted_secret(&ctx, &msg, tr!(ctx.lang, "secret-in-caption")).await;
        return report(&ctx, "dialogue", result).await;
    }
    if matches!(state, State::LinkLabel { .. }) && msg.text().is_some_and(looks_like_secret) {
        let result = deleted_secret(&ctx, &msg, tr!(ctx.lang, "secret-not-a-label")).await;
        return report(&ctx, "dialogue", result).await;
    }
    let result = match (&state, msg.text()) {
        (State::LinkLabel { provider, .. }, Some(text)) => {
            link::on_label(&ctx, &dialogue, *provider, text).boxed().await
        }
        (State::LinkCredential { .. }, Some(_)) => {
            link::on_credential(&ctx, &dialogue, &msg, state.clone()).boxed().await
        }
        (State::LinkProvider, _) => ctx.tell(tr!(ctx.lang, "link-press-button")).boxed().await,
        (State::WithdrawAmount { account_id, balance }, Some(text)) => {
            withdraw::on_amount(&ctx, &dialogue, *account_id, *balance, text).boxed().await
        }
        (State::WithdrawDanaNumber { account_id, amount }, Some(text)) => {
            withdraw::on_dana_number(&ctx, &dialogue, *account_id, *amount, text).boxed().await
        }
        (State::WithdrawDanaName { account_id, amount, number }, Some(text)) => {
            withdraw::on_dana_name(&ctx, &dialogue, *account_id, *amount, number.clone(), text).boxed().await
        }
        (State::WithdrawBankAccount { account_id, amount }, Some(text)) => {
            withdraw::on_bank_account(&ctx, &dialogue, *account_id, *amount, text).boxed().await
        }
        (State::WithdrawConfirm { .. }, _) => ctx.tell(tr!(ctx.lang, "withdraw-press-button")).boxed().await,
        (State::WithdrawPin { withdrawal_id, message }, Some(_)) => {
            withdraw::on_pin(&ctx, &dialogue, &msg, *withdrawal_id, MessageId(*message)).boxed().await
        }
        (State::WithdrawPassword { withdrawal_id, message }, Some(_)) => {
            withdraw::on_password(&ctx, &dialogue, &msg, *withdrawal_id, MessageId(*message)).boxed().await
        }
        (State::PinCurrent { next }, Some(_)) => pin::on_current(&ctx, &dialogue, &msg, *next).boxed().await,
        (State::PinNew, Some(_)) => pin::on_new(&ctx, &dialogue, &msg).boxed().await,
        (State::PinRepeat { hash }, Some(_)) => pin::on_repeat(&ctx, &dialogue, &msg, hash.clone()).boxed().await,
        (State::PinThreshold, Some(text)) => pin::on_threshold(&ctx, &dialogue, text).boxed().await,
        (State::DisplayName { account_id }, Some(text)) => {
            super::accounts::on_display_name(&ctx, &dialogue, *account_id, text).boxed().await
        }
        _ => ctx.tell(tr!(ctx.lang, "dialogue-text-please")).boxed().await,
    };
    report(&ctx, "dialogue", result).await
}

/// A photo in a private chat: perhaps the merchant's printed static QRIS.
pub async fn photo(bot: Bot, app: App, msg: Message, seen: Seen, update: Update) -> HandlerResult {
    in_update(&bot.clone(), &app.clone(), &update, photo_tracked(bot, app, msg, seen).boxed()).await
}

async fn photo_tracked(bot: Bot, app: App, msg: Message, seen: Seen) -> HandlerResult {
    let _timer = crate::metrics::Timer::start("photo");
    if !msg.chat.is_private() {
        return Ok(());
    }
    let Some(ctx) = context(&bot, &app, &msg, &seen) else { return Ok(()) };
    let result = if msg.caption().is_some_and(looks_like_secret) {
        deleted_secret(&ctx, &msg, tr!(ctx.lang, "secret-in-caption")).await
    } else {
        qris_static::on_photo(&ctx, &msg).await
    };
    report(&ctx, "photo", result).await
}

/// A message that is not one of our commands. In a private chat the user is pointed to
/// /help; in a group only what is addressed to the bot gets an answer.
pub async fn other_message(bot: Bot, app: App, msg: Message, me: Me, seen: Seen, update: Update) -> HandlerResult {
    in_update(&bot.clone(), &app.clone(), &update, other_message_tracked(bot, app, msg, me, seen).boxed()).await
}

async fn other_message_tracked(bot: Bot, app: App, msg: Message, me: Me, seen: Seen) -> HandlerResult {
    let _timer = crate::metrics::Timer::start("other");
    let (Some(text), Some(from)) = (msg.text(), msg.from.as_ref()) else { return Ok(()) };
    let first = text.split_whitespace().next().unwrap_or_default();
    let addressed = text.starts_with('/') && first.ends_with(&format!("@{}", me.username()));
    if !msg.chat.is_private() && !addressed {
        return Ok(());
    }
    if text.starts_with('/') && first.contains('@') && !addressed {
        return Ok(()); // a command for another bot
    }
    // A key or password sent when no dialogue asks for one (the dialogue expired, or it
    // went on from another device) must not stay in the chat.
    if msg.chat.is_private() && looks_like_secret(text) {
        let Some(ctx) = context(&bot, &app, &msg, &seen) else { return Ok(()) };
        let result = deleted_secret(&ctx, &msg, tr!(ctx.lang, "secret-unexpected")).await;
        return report(&ctx, "other", result).await;
    }
    let lang = seen.lang(Some(from));
    let reply = if text.starts_with('/') { tr!(lang, "unknown-command") } else { tr!(lang, "unknown-text") };
    app.limiter.send(msg.chat.id, bot.send_message(msg.chat.id, reply)).await?;
    Ok(())
}
