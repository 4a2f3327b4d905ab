//! The withdrawal PIN as a use case: checking a typed PIN (counted before the slow hash,
//! so parallel guesses cannot pass the limit), setting, removing, the threshold above
//! which withdrawals ask for it, and the lock after too many wrong ones.

use crate::domain::TelegramUserId;
use chrono::{DateTime, Utc};

use crate::{app::App, domain::Amount, pin, storage::users};

pub use crate::storage::users::PinState;

/// What a typed PIN turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum PinCheck {
    Right,
    /// Wrong; `left` more tries before withdrawals lock.
    Wrong {
        left: i32,
    },
    /// Wrong too often (now or before): withdrawals and PIN changes are locked.
    Locked,
}

/// A new PIN that is not 4 to 8 digits.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a PIN is 4 to 8 digits")]
pub struct InvalidPin;

pub async fn state(app: &App, user: TelegramUserId) -> sqlx::Result<PinState> {
    users::pin_state(&app.pool, user).await
}

/// Checks `typed` against the stored hash. A wrong one counts towards the lock; a
/// right one clears the count.
pub async fn check(app: &App, user: TelegramUserId, typed: String) -> anyhow::Result<PinCheck> {
    let state = users::pin_state(&app.pool, user).await?;
    // The try is counted before the (slow) hash check, so parallel guesses cannot
    // exceed the limit; a right PIN gives it back.
    let Some(tries) = users::pin_attempt(&app.pool, user, pin::MAX_FAILURES, pin::LOCK_MINUTES).await? else {
        return Ok(PinCheck::Locked);
    };
    let right = match &state.hash {
        Some(hash) => pin::verify(typed, hash.clone()).await,
        None => false,
    };
    if right {
        users::pin_succeeded(&app.pool, user).await?;
        return Ok(PinCheck::Right);
    }
    if tries >= pin::MAX_FAILURES {
        return Ok(PinCheck::Locked);
    }
    Ok(PinCheck::Wrong { left: pin::MAX_FAILURES - tries })
}

/// The hash of a new PIN (on a blocking thread), to be confirmed by its repetition.
pub async fn hash_new(typed: String) -> anyhow::Result<Result<String, InvalidPin>> {
    if !pin::is_valid(&typed) {
        return Ok(Err(InvalidPin));
    }
    Ok(Ok(pin::hash(typed).await?))
}

/// Whether the repetition matches the new PIN's hash.
pub async fn repeated(typed: String, hash: &str) -> bool {
    pin::verify(typed, hash.to_owned()).await
}

/// Saves the new PIN's hash; the threshold in force (rupiah).
pub async fn set(app: &App, user: TelegramUserId, hash: &str) -> sqlx::Result<i64> {
    users::set_pin(&app.pool, user, Some(hash)).await?;
    Ok(users::pin_state(&app.pool, user).await?.threshold)
}

pub async fn remove(app: &App, user: TelegramUserId) -> sqlx::Result<()> {
    users::set_pin(&app.pool, user, None).await
}

/// Withdrawals above `rupiah` ask for the PIN (`0`: always).
pub async fn set_threshold(app: &App, user: TelegramUserId, rupiah: i64) -> sqlx::Result<()> {
    users::set_pin_threshold(&app.pool, user, rupiah).await
}

/// Until when withdrawals are locked by wrong PINs, if they are now (read now).
pub async fn locked_until(app: &App, user: TelegramUserId) -> sqlx::Result<Option<DateTime<Utc>>> {
    Ok(locked_in(&users::pin_state(&app.pool, user).await?, app.clock.now()))
}

/// Until when `state` locks withdrawals, if it does at `now`.
pub fn locked_in(state: &PinState, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    state.locked_until.filter(|t| *t > now)
}

/// Whether a withdrawal of `amount` asks for the PIN: one is set and the amount is above
/// the threshold.
pub fn asks_for(state: &PinState, amount: Amount) -> bool {
    state.hash.is_some() && amount > Amount::from_rupiah(state.threshold.max(0)).unwrap_or_default()
}
