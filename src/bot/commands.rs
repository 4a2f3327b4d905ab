//! The commands: their names (English), localized descriptions, registration with
//! `setMyCommands`, and routing to the handler of each.

use teloxide::{
    prelude::*,
    types::{BotCommand, BotCommandScope, Me, Recipient},
    utils::command::BotCommands,
};

use super::{App, Bot, ChatDialogue, HandlerResult, fallback_lang, start};
use crate::{i18n::Lang, tr};

#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    Start,
    Help,
    Language,
    Cancel,
}

impl Command {
    /// Every command, in menu order.
    pub const ALL: [Command; 4] = [Command::Start, Command::Help, Command::Language, Command::Cancel];

    pub fn name(&self) -> &'static str {
        match self {
            Command::Start => "start",
            Command::Help => "help",
            Command::Language => "language",
            Command::Cancel => "cancel",
        }
    }

    pub fn description(&self, lang: Lang) -> String {
        match self {
            Command::Start => tr!(lang, "cmd-start"),
            Command::Help => tr!(lang, "cmd-help"),
            Command::Language => tr!(lang, "cmd-language"),
            Command::Cancel => tr!(lang, "cmd-cancel"),
        }
    }
}

/// The command menu in `lang`.
pub fn menu(lang: Lang) -> Vec<BotCommand> {
    Command::ALL.iter().map(|c| BotCommand::new(c.name(), c.description(lang))).collect()
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

/// Runs a command, answering with a localized apology if it fails.
pub async fn handle(bot: Bot, app: App, msg: Message, cmd: Command, dialogue: ChatDialogue) -> HandlerResult {
    let Some(from) = msg.from.clone() else { return Ok(()) };
    let lang = match app.user(&from).await {
        Ok(user) => user.lang(),
        Err(e) => {
            tracing::error!(error = %e, "could not load the user");
            bot.send_message(msg.chat.id, tr!(fallback_lang(Some(&from)), "error-internal")).await?;
            return Ok(());
        }
    };
    let result = match cmd {
        Command::Start => start::start(&bot, &msg, lang).await,
        Command::Help => start::help(&bot, &msg, lang).await,
        Command::Language => start::language(&bot, &msg, lang).await,
        Command::Cancel => start::cancel(&bot, &msg, lang, &dialogue).await,
    };
    if let Err(e) = result {
        tracing::error!(command = cmd.name(), error = format!("{e:#}"), "command failed");
        bot.send_message(msg.chat.id, tr!(lang, "error-internal")).await?;
    }
    Ok(())
}

/// A message that is not one of our commands. In a private chat the user is pointed to
/// /help; in a group only what is addressed to the bot gets an answer.
pub async fn other_message(bot: Bot, app: App, msg: Message, me: Me) -> HandlerResult {
    let (Some(text), Some(from)) = (msg.text(), msg.from.as_ref()) else { return Ok(()) };
    let addressed = text.starts_with('/')
        && text.split_whitespace().next().is_some_and(|w| w.ends_with(&format!("@{}", me.username())));
    if !msg.chat.is_private() && !addressed {
        return Ok(());
    }
    if text.starts_with('/') && text.split_whitespace().next().is_some_and(|w| w.contains('@')) && !addressed {
        return Ok(()); // a command for another bot
    }
    let lang = app.user(from).await.map(|u| u.lang()).unwrap_or_else(|_| fallback_lang(Some(from)));
    let reply = if text.starts_with('/') { tr!(lang, "unknown-command") } else { tr!(lang, "unknown-text") };
    bot.send_message(msg.chat.id, reply).await?;
    Ok(())
}
