//! `/notify`: turn each kind of notification on or off. Off means nothing of that kind
//! is queued (the watches still keep the bot's own records up to date). Also the daily
//! summary: off, or at an hour (WIB), and whether a day with nothing to report comes too.

use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{ButtonAction, Ctx, HandlerResult};
use crate::{
    i18n::Html,
    notifier::events::NotifyKind,
    services::notifications::{self, DAILY_HOURS},
    tr,
};

/// The settings, each a button that switches it.
pub async fn show(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for (kind, on) in notifications::kinds(&ctx.app, ctx.user).await? {
        let state = if on { tr!(ctx.lang, "notify-on") } else { tr!(ctx.lang, "notify-off") };
        lines.push(format!("{} {}", if on { "🔔" } else { "🔕" }, kind.name(ctx.lang)));
        let label = format!("{}: {state}", kind.name(ctx.lang));
        rows.push(vec![ctx.app.button(ctx.user, label, ButtonAction::NotifyToggle { kind }).await?]);
    }
    let (hour, quiet_days) = notifications::daily(&ctx.app, ctx.user).await?;
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
    notifications::toggle(&ctx.app, ctx.user, kind).await?;
    show(ctx, Some(message)).await
}

/// The daily summary's choices: an hour, off, and quiet days.
pub async fn daily_menu(ctx: &Ctx, message: MessageId) -> HandlerResult {
    let (hour, quiet_days) = notifications::daily(&ctx.app, ctx.user).await?;
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
    notifications::set_daily_hour(&ctx.app, ctx.user, hour).await?;
    show(ctx, Some(message)).await
}

pub async fn toggle_quiet_days(ctx: &Ctx, message: MessageId) -> HandlerResult {
    notifications::toggle_quiet_days(&ctx.app, ctx.user).await?;
    daily_menu(ctx, message).await
}
