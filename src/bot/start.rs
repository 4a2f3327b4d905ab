//! `/start`, `/help`, `/language` and `/cancel`.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup},
};

use super::{Callback, ChatDialogue, Ctx, FirstStep, HandlerResult, State, commands};
use crate::{
    i18n::{Lang, escape_html},
    tr,
};

pub async fn start(ctx: &Ctx, msg: &Message, parameter: &str, seen: &super::Seen) -> HandlerResult {
    if parameter.trim().starts_with("pay_") && msg.chat.is_private() {
        return super::pay::open(ctx, parameter).await;
    }
    if parameter.trim().starts_with("staff_") && msg.chat.is_private() {
        return super::staff::join(ctx, msg, parameter).await;
    }
    if seen.staff() == crate::services::staff::StaffRole::Active {
        return super::staff::show(ctx, None, seen).await;
    }
    let name = msg.from.as_ref().map(|u| u.first_name.clone()).unwrap_or_default();
    let text = tr!(ctx.lang, "start-welcome", name = name);
    // The first steps are private (credentials, balances): buttons only in a private chat.
    if msg.chat.is_private() {
        ctx.say_with(text, first_steps_keyboard(ctx.lang)).await?;
    } else {
        ctx.say(text).await?;
    }
    Ok(())
}

/// The buttons under `/start`: each does what its command does.
pub fn first_steps_keyboard(lang: Lang) -> InlineKeyboardMarkup {
    let button = |step: FirstStep| {
        let text = match step {
            FirstStep::Link => tr!(lang, "button-start-link"),
            FirstStep::Deposit => tr!(lang, "button-start-deposit"),
            FirstStep::Balance => tr!(lang, "button-start-balance"),
            FirstStep::Help => tr!(lang, "button-start-help"),
        };
        InlineKeyboardButton::callback(text, Callback::FirstStep(step).encode())
    };
    InlineKeyboardMarkup::new([
        vec![button(FirstStep::Link)],
        vec![button(FirstStep::Deposit), button(FirstStep::Balance)],
        vec![button(FirstStep::Help)],
    ])
}

/// A first-step button: the same as sending its command, in a private chat.
pub async fn first_step(ctx: &Ctx, dialogue: &ChatDialogue, step: FirstStep) -> HandlerResult {
    match step {
        FirstStep::Link => super::link::start(ctx, dialogue).await,
        FirstStep::Deposit => super::reads::read(ctx, super::ReadCommand::Deposit, "").await,
        FirstStep::Balance => super::reads::balance(ctx, "").await,
        FirstStep::Help => help(ctx).await,
    }
}

/// Every command with its description. Descriptions are plain text (the command menu
/// shows them as they are), so they are escaped here: `/invoice <id>` must reach the
/// user as written, not as an unknown HTML tag.
pub fn help_text(lang: Lang) -> String {
    let mut text = tr!(lang, "help-header");
    text.push('\n');
    for name in commands::MENU {
        text.push_str(&format!("\n/{name} — {}", escape_html(&commands::description(name, lang))));
    }
    text.push_str("\n\n");
    text.push_str(&tr!(lang, "help-footer"));
    text
}

pub async fn help(ctx: &Ctx) -> HandlerResult {
    ctx.say(help_text(ctx.lang)).await?;
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
