//! `/pin`: set, change or remove the withdrawal PIN (4–8 digits, typed twice, each
//! message deleted) and the amount above which withdrawals ask for it. Only an Argon2id
//! hash is stored; changing anything needs the current PIN.

use teloxide::{prelude::*, types::InlineKeyboardMarkup};

use super::{
    ButtonAction, ChatDialogue, Ctx, HandlerResult, State, buttons::PinChoice, dialogue_err, format, state::PinNext,
};
use crate::{domain::Amount, pin, storage::users, tr};

/// What a typed PIN turned out to be.
pub enum PinCheck {
    Right,
    /// Wrong; `left` more tries before withdrawals lock.
    Wrong {
        left: i32,
    },
    /// Wrong too often (now or before): withdrawals and PIN changes are locked.
    Locked,
}

/// Reads a PIN message (deleted at once) and checks it against the stored hash. A wrong
/// one counts towards the lock; a right one clears the count.
pub async fn check_typed(ctx: &Ctx, msg: &Message) -> anyhow::Result<PinCheck> {
    let typed = msg.text().unwrap_or_default().trim().to_owned();
    super::delete_secret_message(ctx, msg).await?;
    let state = users::pin_state(&ctx.app.pool, ctx.user).await?;
    // The try is counted before the (slow) hash check, so parallel guesses cannot
    // exceed the limit; a right PIN gives it back.
    let Some(tries) = users::pin_attempt(&ctx.app.pool, ctx.user, pin::MAX_FAILURES, pin::LOCK_MINUTES).await? else {
        return Ok(PinCheck::Locked);
    };
    let right = match &state.hash {
        Some(hash) => pin::verify(typed, hash.clone()).await,
        None => false,
    };
    if right {
        users::pin_succeeded(&ctx.app.pool, ctx.user).await?;
        return Ok(PinCheck::Right);
    }
    if tries >= pin::MAX_FAILURES {
        return Ok(PinCheck::Locked);
    }
    Ok(PinCheck::Wrong { left: pin::MAX_FAILURES - tries })
}

fn threshold_text(ctx: &Ctx, rupiah: i64) -> String {
    format::rupiah(rupiah.max(0) as u64).format(ctx.lang)
}

/// `/pin`: what is set, with buttons.
pub async fn menu(ctx: &Ctx) -> HandlerResult {
    let state = users::pin_state(&ctx.app.pool, ctx.user).await?;
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
    let has_pin = users::pin_state(&ctx.app.pool, ctx.user).await?.hash.is_some();
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
            users::set_pin(&ctx.app.pool, ctx.user, None).await?;
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
    if !pin::is_valid(&typed) {
        return ctx.tell(tr!(ctx.lang, "pin-invalid")).await;
    }
    let hash = pin::hash(typed).await?;
    ctx.say(tr!(ctx.lang, "pin-ask-repeat")).await?;
    dialogue.update(State::PinRepeat { hash }).await.map_err(dialogue_err)
}

pub async fn on_repeat(ctx: &Ctx, dialogue: &ChatDialogue, msg: &Message, hash: String) -> HandlerResult {
    let typed = msg.text().unwrap_or_default().trim().to_owned();
    super::delete_secret_message(ctx, msg).await?;
    if !pin::verify(typed, hash.clone()).await {
        ctx.say(tr!(ctx.lang, "pin-mismatch")).await?;
        return dialogue.update(State::PinNew).await.map_err(dialogue_err);
    }
    users::set_pin(&ctx.app.pool, ctx.user, Some(&hash)).await?;
    dialogue.exit().await.map_err(dialogue_err)?;
    let threshold = users::pin_state(&ctx.app.pool, ctx.user).await?.threshold;
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
    users::set_pin_threshold(&ctx.app.pool, ctx.user, rupiah).await?;
    dialogue.exit().await.map_err(dialogue_err)?;
    ctx.tell(tr!(ctx.lang, "pin-threshold-saved", threshold = threshold_text(ctx, rupiah))).await
}
