//! What a user wants to hear about: each kind of notification on or off, and the daily
//! summary (off, or at an hour WIB, and whether quiet days come too).

use crate::domain::AccountId;
use crate::domain::TelegramUserId;
use crate::{
    app::App,
    domain::events::{NotifyKind, WatchKind},
    reports::daily,
    storage::users,
};

/// The hours offered for the daily summary (WIB).
pub const DAILY_HOURS: [u8; 8] = [7, 12, 17, 18, 19, 20, 21, 22];

/// Each kind, on or off (on for a user the bot has not seen).
pub async fn kinds(app: &App, user: TelegramUserId) -> sqlx::Result<Vec<(NotifyKind, bool)>> {
    users::notify_settings(&app.pool, user).await
}

pub async fn toggle(app: &App, user: TelegramUserId, kind: NotifyKind) -> sqlx::Result<()> {
    users::toggle_notify(&app.pool, user, kind).await
}

/// The daily summary's hour (or `None`: off), and whether quiet days come too.
pub async fn daily(app: &App, user: TelegramUserId) -> sqlx::Result<(Option<u8>, bool)> {
    daily::setting(&app.pool, user).await
}

/// Sets the daily summary's hour (`None`, or an hour that is not one, turns it off).
pub async fn set_daily_hour(app: &App, user: TelegramUserId, hour: Option<u8>) -> sqlx::Result<()> {
    daily::set_hour(&app.pool, user, hour.filter(|h| *h < 24)).await
}

pub async fn toggle_quiet_days(app: &App, user: TelegramUserId) -> sqlx::Result<()> {
    daily::toggle_quiet_days(&app.pool, user).await
}

/// Watches a pending SNAP disbursement for a week, until it succeeds or fails.
pub async fn watch_disbursement(
    app: &App,
    owner: TelegramUserId,
    account_id: AccountId,
    transaction_id: &str,
) -> sqlx::Result<()> {
    let week = Some(std::time::Duration::from_secs(7 * 24 * 3600));
    crate::storage::watches::watch(&app.pool, owner, account_id, WatchKind::Disbursement, transaction_id, week).await?;
    Ok(())
}
