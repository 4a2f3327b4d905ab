//! `/accounts`: the linked accounts, with buttons to make one the default and to unlink
//! (after a confirmation). Unlinking deletes the credentials and ends the watches.

use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{ButtonAction, Ctx, HandlerResult, format};
use crate::{
    i18n::Html,
    storage::accounts::{self, AccountError},
    tr,
};

/// The list and its buttons, as a new message or replacing `message`.
pub async fn show(ctx: &Ctx, message: Option<MessageId>, notice: Option<String>) -> HandlerResult {
    let list = accounts::list(&ctx.app.pool, ctx.user).await?;
    let mut text = notice.map(|n| format!("{n}\n\n")).unwrap_or_default();
    if list.is_empty() {
        text.push_str(&tr!(ctx.lang, "accounts-none"));
        return ctx.send_or_edit(message, text, None).await;
    }
    text.push_str(&tr!(ctx.lang, "accounts-header"));
    text.push('\n');
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for account in &list {
        let marker = if account.is_default { "⭐" } else { "•" };
        let provider = format::provider(account.provider, ctx.lang);
        lines.push(tr!(
            ctx.lang,
            "accounts-line",
            marker = Html(marker.into()),
            label = account.label.as_str(),
            provider = provider
        ));
        let mut row = Vec::new();
        if !account.is_default {
            let label = tr!(ctx.lang, "button-make-default", label = account.label.as_str());
            row.push(ctx.app.button(ctx.user, label, ButtonAction::MakeDefault { account_id: account.id }).await?);
        }
        let label = tr!(ctx.lang, "button-unlink", label = account.label.as_str());
        row.push(ctx.app.button(ctx.user, label, ButtonAction::AskUnlink { account_id: account.id }).await?);
        rows.push(row);
    }
    let mut text = format::fit_lines(ctx.lang, text, &lines, "\n");
    text.push_str("\n\n");
    text.push_str(&tr!(ctx.lang, "accounts-hint"));
    ctx.send_or_edit(message, text, Some(InlineKeyboardMarkup::new(rows))).await
}

pub async fn make_default(ctx: &Ctx, message: MessageId, account_id: i64) -> HandlerResult {
    let notice = match accounts::set_default(&ctx.app.pool, ctx.user, account_id).await {
        Ok(()) => {
            let account = accounts::get(&ctx.app.pool, ctx.user, account_id).await?;
            account.map(|a| tr!(ctx.lang, "accounts-default-set", label = a.label.as_str()))
        }
        Err(AccountError::NotFound) => Some(tr!(ctx.lang, "account-gone")),
        Err(e) => return Err(e.into()),
    };
    show(ctx, Some(message), notice).await
}

pub async fn ask_unlink(ctx: &Ctx, message: MessageId, account_id: i64) -> HandlerResult {
    let Some(account) = accounts::get(&ctx.app.pool, ctx.user, account_id).await? else {
        return show(ctx, Some(message), Some(tr!(ctx.lang, "account-gone"))).await;
    };
    let yes =
        ctx.app.button(ctx.user, tr!(ctx.lang, "button-unlink-confirm"), ButtonAction::Unlink { account_id }).await?;
    let no = ctx.app.button(ctx.user, tr!(ctx.lang, "button-keep"), ButtonAction::ShowAccounts).await?;
    let text = tr!(
        ctx.lang,
        "accounts-confirm-unlink",
        label = account.label.as_str(),
        provider = format::provider(account.provider, ctx.lang)
    );
    ctx.edit(message, text, Some(InlineKeyboardMarkup::new([[yes, no]]))).await
}

pub async fn unlink(ctx: &Ctx, message: MessageId, account_id: i64) -> HandlerResult {
    let notice = match accounts::unlink(&ctx.app.pool, ctx.app.key(), ctx.user, account_id).await {
        Ok(removed) => {
            tracing::info!(account_id, "account unlinked");
            tr!(ctx.lang, "accounts-unlinked", label = removed.label.as_str())
        }
        Err(AccountError::NotFound) => tr!(ctx.lang, "account-gone"),
        Err(e) => return Err(e.into()),
    };
    show(ctx, Some(message), Some(notice)).await
}
