//! `/notify`: turn each kind of notification on or off. Off means nothing of that kind
//! is queued (the watches still keep the bot's own records up to date).

use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{ButtonAction, Ctx, HandlerResult};
use crate::{i18n::Html, notifier::events::NotifyKind, tr};

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
