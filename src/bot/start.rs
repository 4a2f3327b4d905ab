//! `/start`, `/help`, `/language` and `/cancel`.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup},
};

use super::{Bot, ChatDialogue, State, callback::Action, commands::Command};
use crate::{i18n::Lang, tr};

pub async fn start(bot: &Bot, msg: &Message, lang: Lang) -> anyhow::Result<()> {
    let name = msg.from.as_ref().map(|u| u.first_name.clone()).unwrap_or_default();
    bot.send_message(msg.chat.id, tr!(lang, "start-welcome", name = name)).await?;
    Ok(())
}

pub async fn help(bot: &Bot, msg: &Message, lang: Lang) -> anyhow::Result<()> {
    let mut text = tr!(lang, "help-header");
    text.push('\n');
    for cmd in Command::ALL {
        text.push_str(&format!("\n/{} — {}", cmd.name(), cmd.description(lang)));
    }
    text.push_str("\n\n");
    text.push_str(&tr!(lang, "help-footer"));
    bot.send_message(msg.chat.id, text).await?;
    Ok(())
}

/// The language buttons: each language named in itself.
pub fn language_keyboard() -> InlineKeyboardMarkup {
    let flag = |lang: Lang| match lang {
        Lang::Id => "🇮🇩",
        Lang::En => "🇬🇧",
    };
    InlineKeyboardMarkup::new(Lang::ALL.map(|lang| {
        [InlineKeyboardButton::callback(
            format!("{} {}", flag(lang), tr!(lang, "lang-name")),
            Action::SetLanguage(lang).encode(),
        )]
    }))
}

pub async fn language(bot: &Bot, msg: &Message, lang: Lang) -> anyhow::Result<()> {
    bot.send_message(msg.chat.id, tr!(lang, "language-choose")).reply_markup(language_keyboard()).await?;
    Ok(())
}

pub async fn cancel(bot: &Bot, msg: &Message, lang: Lang, dialogue: &ChatDialogue) -> anyhow::Result<()> {
    let state = dialogue.get().await.map_err(|e| anyhow::anyhow!("reading the dialogue: {e}"))?;
    let text = match state {
        None | Some(State::Idle) => tr!(lang, "cancel-nothing"),
        #[allow(unreachable_patterns)]
        Some(_) => {
            dialogue.exit().await.map_err(|e| anyhow::anyhow!("ending the dialogue: {e}"))?;
            tr!(lang, "cancel-done")
        }
    };
    bot.send_message(msg.chat.id, text).await?;
    Ok(())
}
