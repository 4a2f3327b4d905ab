//! `/start`, `/help`, `/language` and `/cancel`.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup},
};

use super::{Callback, ChatDialogue, Ctx, HandlerResult, State, commands};
use crate::{i18n::Lang, tr};

pub async fn start(ctx: &Ctx, msg: &Message) -> HandlerResult {
    let name = msg.from.as_ref().map(|u| u.first_name.clone()).unwrap_or_default();
    ctx.say(tr!(ctx.lang, "start-welcome", name = name)).await?;
    Ok(())
}

pub async fn help(ctx: &Ctx) -> HandlerResult {
    let mut text = tr!(ctx.lang, "help-header");
    text.push('\n');
    for name in commands::MENU {
        text.push_str(&format!("\n/{name} — {}", commands::description(name, ctx.lang)));
    }
    text.push_str("\n\n");
    text.push_str(&tr!(ctx.lang, "help-footer"));
    ctx.say(text).await?;
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
            Callback::SetLanguage(lang).encode(),
        )]
    }))
}

pub async fn language(ctx: &Ctx) -> HandlerResult {
    ctx.say_with(tr!(ctx.lang, "language-choose"), language_keyboard()).await?;
    Ok(())
}

pub async fn cancel(ctx: &Ctx, dialogue: &ChatDialogue) -> HandlerResult {
    let state = dialogue.get().await.map_err(|e| anyhow::anyhow!("reading the dialogue: {e}"))?;
    let text = match state {
        None | Some(State::Idle) => tr!(ctx.lang, "cancel-nothing"),
        Some(
            State::WithdrawConfirm { withdrawal_id, .. }
            | State::WithdrawPin { withdrawal_id, .. }
            | State::WithdrawPassword { withdrawal_id, .. },
        ) => return super::withdraw::on_cancel(ctx, dialogue, None, withdrawal_id).await,
        Some(_) => {
            dialogue.exit().await.map_err(|e| anyhow::anyhow!("ending the dialogue: {e}"))?;
            tr!(ctx.lang, "cancel-done")
        }
    };
    ctx.say(text).await?;
    Ok(())
}
