//! `/notify`: turn each kind of notification on or off. Off means nothing of that kind
//! is queued (the watches still keep the bot's own records up to date). Also the daily
//! summary: off, or at an hour (WIB), and whether a day with nothing to report comes too.

use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{ButtonAction, Ctx, HandlerResult};
use crate::{i18n::Html, notifier::events::NotifyKind, reports::daily, tr};

/// The hours offered for the daily summary (WIB).
pub const DAILY_HOURS: [u8; 8] = [7, 12, 17, 18, 19, 20, 21, 22];

async fn setting(ctx: &Ctx, kind: NotifyKind) -> sqlx::Result<bool> {
    let on: Option<bool> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {} FROM users WHERE telegram_id = $1", kind.column())))
            .bind(ctx.user)
            .fetch_optional(&ctx.app.pool)
            .await?;
    Ok(on.unwrap_or(true))
}

/// The settings, each a button that switches it.
pub async fn show(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for kind in NotifyKind::ALL {
        let on = setting(ctx, kind).await?;
        let state = if on { tr!(ctx.lang, "notify-on") } else { tr!(ctx.lang, "notify-off") };
        lines.push(format!("{} {}", if on { "🔔" } else { "🔕" }, kind.name(ctx.lang)));
        let label = format!("{}: {state}", kind.name(ctx.lang));
        rows.push(vec![ctx.app.button(ctx.user, label, ButtonAction::NotifyToggle { kind }).await?]);
    }
    let (hour, quiet_days) = daily::setting(&ctx.app.pool, ctx.user).await?;
    let daily = match hour {
        Some(h) => tr!(ctx.lang, "notify-daily-at", hour = format!("{h:02}:00")),
        None => tr!(ctx.lang, "notify-off"),
    };
    lines.push(format!("{} {}", if hour.is_some() { "🔔" } else { "🔕" }, tr!(ctx.lang, "notify-kind-daily")));
    if hour.is_some() && quiet_days {
        lines.push(tr!(ctx.lang, "notify-daily-quiet-days"));
    }
    let label = format!("{}: {daily}", tr!(ctx.lang, "notify-kind-daily"));
    rows.push(vec![ctx.app.button(ctx.user, label, ButtonAction::DailySummaryMenu).await?]);
    let text = tr!(ctx.lang, "notify-settings", list = Html(lines.join("\n")));
    ctx.send_or_edit(message, text, Some(InlineKeyboardMarkup::new(rows))).await
}

pub async fn toggle(ctx: &Ctx, message: MessageId, kind: NotifyKind) -> HandlerResult {
    let column = kind.column();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE users SET {column} = NOT {column}, updated_at = now() WHERE telegram_id = $1"
    )))
    .bind(ctx.user)
    .execute(&ctx.app.pool)
    .await?;
    show(ctx, Some(message)).await
}

/// The daily summary's choices: an hour, off, and quiet days.
pub async fn daily_menu(ctx: &Ctx, message: MessageId) -> HandlerResult {
    let (hour, quiet_days) = daily::setting(&ctx.app.pool, ctx.user).await?;
    let mut rows = Vec::new();
    for chunk in DAILY_HOURS.chunks(4) {
        let mut row = Vec::new();
        for &h in chunk {
            let label = if hour == Some(h) { format!("✓ {h:02}:00") } else { format!("{h:02}:00") };
            row.push(ctx.app.button(ctx.user, label, ButtonAction::DailySummaryHour { hour: Some(h) }).await?);
        }
        rows.push(row);
    }
    let quiet = format!(
        "{}: {}",
        tr!(ctx.lang, "button-daily-quiet-days"),
        if quiet_days { tr!(ctx.lang, "notify-on") } else { tr!(ctx.lang, "notify-off") }
    );
    rows.push(vec![ctx.app.button(ctx.user, quiet, ButtonAction::DailySummaryQuietDays).await?]);
    let off = tr!(ctx.lang, "button-daily-off");
    rows.push(vec![ctx.app.button(ctx.user, off, ButtonAction::DailySummaryHour { hour: None }).await?]);
    ctx.edit(message, tr!(ctx.lang, "notify-daily-menu"), Some(InlineKeyboardMarkup::new(rows))).await
}

pub async fn set_daily_hour(ctx: &Ctx, message: MessageId, hour: Option<u8>) -> HandlerResult {
    daily::set_hour(&ctx.app.pool, ctx.user, hour.filter(|h| *h < 24)).await?;
    show(ctx, Some(message)).await
}

pub async fn toggle_quiet_days(ctx: &Ctx, message: MessageId) -> HandlerResult {
    daily::toggle_quiet_days(&ctx.app.pool, ctx.user).await?;
    daily_menu(ctx, message).await
}
