//! `/pin`: set, change or remove the withdrawal PIN (4–8 digits, typed twice, each
//! message deleted) and the amount above which withdrawals ask for it. Only an Argon2id
//! hash is stored; changing anything needs the current PIN.

use teloxide::{prelude::*, types::InlineKeyboardMarkup};

use super::{
    ButtonAction, ChatDialogue, Ctx, HandlerResult, State, buttons::PinChoice, dialogue_err, format, state::PinNext,
};
use crate::{
    domain::Amount,
    services::pin::{self, PinCheck},
    tr,
};

/// Reads a PIN message (deleted at once) and checks it.
pub async fn check_typed(ctx: &Ctx, msg: &Message) -> anyhow::Result<PinCheck> {
    let typed = msg.text().unwrap_or_default().trim().to_owned();
    super::delete_secret_message(ctx, msg).await?;
    pin::check(&ctx.app, ctx.user, typed).await
}

fn threshold_text(ctx: &Ctx, rupiah: i64) -> String {
    format::rupiah(rupiah.max(0) as u64).format(ctx.lang)
}

/// `/pin`: what is set, with buttons.
pub async fn menu(ctx: &Ctx) -> HandlerResult {
    let state = pin::state(&ctx.app, ctx.user).await?;
    let (text, choices) = match &state.hash {
        None => (tr!(ctx.lang, "pin-none"), vec![(PinChoice::Set, tr!(ctx.lang, "button-pin-set"))]),
        Some(_) => (
            tr!(ctx.lang, "pin-set-info", threshold = threshold_text(ctx, state.threshold)),
            vec![
                (PinChoice::Change, tr!(ctx.lang, "button-pin-change")),
                (PinChoice::Threshold, tr!(ctx.lang, "button-pin-threshold")),
                (PinChoice::Remove, tr!(ctx.lang, "button-pin-remove")),
            ],
        ),
    };
    let mut row = Vec::new();
    for (choice, label) in choices {
        row.push(ctx.app.button(ctx.user, label, ButtonAction::Pin { choice }).await?);
    }
    ctx.say_with(text, InlineKeyboardMarkup::new([row])).await?;
    Ok(())
}

/// A menu button.
pub async fn on_choice(ctx: &Ctx, dialogue: &ChatDialogue, choice: PinChoice) -> HandlerResult {
    let has_pin = pin::state(&ctx.app, ctx.user).await?.hash.is_some();
    let (text, state) = match (choice, has_pin) {
        (PinChoice::Set, false) => (tr!(ctx.lang, "pin-ask-new"), State::PinNew),
        (PinChoice::Change, true) => (tr!(ctx.lang, "pin-ask-current"), State::PinCurrent { next: PinNext::Change }),
        (PinChoice::Remove, true) => (tr!(ctx.lang, "pin-ask-current"), State::PinCurrent { next: PinNext::Remove }),
        (PinChoice::Threshold, true) => {
            (tr!(ctx.lang, "pin-ask-current"), State::PinCurrent { next: PinNext::Threshold })
        }
        _ => return ctx.tell(tr!(ctx.lang, "callback-stale")).await,
    };
    ctx.say(text).await?;
    dialogue.update(state).await.map_err(dialogue_err)
}

/// The current PIN, before a change: wrong ones count towards the lock.
pub async fn on_current(ctx: &Ctx, dialogue: &ChatDialogue, msg: &Message, next: PinNext) -> HandlerResult {
    match check_typed(ctx, msg).await? {
        PinCheck::Right => {}
        PinCheck::Wrong { .. } => return ctx.tell(tr!(ctx.lang, "pin-wrong")).await,
        PinCheck::Locked => {
            dialogue.exit().await.map_err(dialogue_err)?;
            return ctx.tell(tr!(ctx.lang, "pin-locked")).await;
        }
    }
    match next {
        PinNext::Change => {
            ctx.say(tr!(ctx.lang, "pin-ask-new")).await?;
            dialogue.update(State::PinNew).await.map_err(dialogue_err)
        }
        PinNext::Remove => {
            pin::remove(&ctx.app, ctx.user).await?;
            dialogue.exit().await.map_err(dialogue_err)?;
            ctx.tell(tr!(ctx.lang, "pin-removed")).await
        }
        PinNext::Threshold => {
            ctx.say(tr!(ctx.lang, "pin-ask-threshold")).await?;
            dialogue.update(State::PinThreshold).await.map_err(dialogue_err)
        }
    }
}

/// A new PIN: checked, hashed; the hash waits for the repetition.
pub async fn on_new(ctx: &Ctx, dialogue: &ChatDialogue, msg: &Message) -> HandlerResult {
    let typed = msg.text().unwrap_or_default().trim().to_owned();
    super::delete_secret_message(ctx, msg).await?;
    let Ok(hash) = pin::hash_new(typed).await? else {
        return ctx.tell(tr!(ctx.lang, "pin-invalid")).await;
    };
    ctx.say(tr!(ctx.lang, "pin-ask-repeat")).await?;
    dialogue.update(State::PinRepeat { hash }).await.map_err(dialogue_err)
}

pub async fn on_repeat(ctx: &Ctx, dialogue: &ChatDialogue, msg: &Message, hash: String) -> HandlerResult {
    let typed = msg.text().unwrap_or_default().trim().to_owned();
    super::delete_secret_message(ctx, msg).await?;
    if !pin::repeated(typed, &hash).await {
        ctx.say(tr!(ctx.lang, "pin-mismatch")).await?;
        return dialogue.update(State::PinNew).await.map_err(dialogue_err);
    }
    let threshold = pin::set(&ctx.app, ctx.user, &hash).await?;
    dialogue.exit().await.map_err(dialogue_err)?;
    ctx.tell(tr!(ctx.lang, "pin-saved", threshold = threshold_text(ctx, threshold))).await
}

/// The amount above which withdrawals ask for the PIN (`0`: always).
pub async fn on_threshold(ctx: &Ctx, dialogue: &ChatDialogue, text: &str) -> HandlerResult {
    let rupiah = if text.trim() == "0" {
        0
    } else {
        match Amount::parse_user(text, Amount::from_sen(i64::MAX)) {
            Ok(a) => a.whole_rupiah().unwrap_or(0),
            Err(e) => return ctx.tell(format::amount_error(&e, ctx.lang)).await,
        }
    };
    pin::set_threshold(&ctx.app, ctx.user, rupiah).await?;
    dialogue.exit().await.map_err(dialogue_err)?;
    ctx.tell(tr!(ctx.lang, "pin-threshold-saved", threshold = threshold_text(ctx, rupiah))).await
}
