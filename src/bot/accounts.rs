//! `/accounts`: the linked accounts, with buttons to make one the default and to unlink
//! (after a confirmation). Unlinking deletes the credentials and ends the watches.

use crate::domain::AccountId;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{ButtonAction, ChatDialogue, Ctx, HandlerResult, State, format};
use crate::{
    domain::{DisplayName, DisplayNameError, Provider},
    i18n::Html,
    services::accounts::{self, AccountError},
    tr,
};

/// The list and its buttons, as a new message or replacing `message`.
pub async fn show(ctx: &Ctx, message: Option<MessageId>, notice: Option<String>) -> HandlerResult {
    let list = accounts::list(&ctx.app, ctx.user).await?;
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
        if let Some(name) = &account.display_name {
            lines.push(format!("    {}", tr!(ctx.lang, "accounts-display-name", name = name)));
        }
        let mut row = Vec::new();
        if !account.is_default {
            let label = tr!(ctx.lang, "button-make-default", label = account.label.as_str());
            row.push(ctx.app.button(ctx.user, label, ButtonAction::MakeDefault { account_id: account.id }).await?);
        }
        let label = tr!(ctx.lang, "button-unlink", label = account.label.as_str());
        row.push(ctx.app.button(ctx.user, label, ButtonAction::AskUnlink { account_id: account.id }).await?);
        rows.push(row);
        if account.provider == Provider::Qris {
            // Only QRIS accounts make invoices, so only they have customers to name.
            let label = tr!(ctx.lang, "button-display-name", label = account.label.as_str());
            let ask = ButtonAction::AskDisplayName { account_id: account.id };
            rows.push(vec![ctx.app.button(ctx.user, label, ask).await?]);
        }
    }
    let mut text = format::fit_lines(ctx.lang, text, &lines, "\n");
    text.push_str("\n\n");
    text.push_str(&tr!(ctx.lang, "accounts-hint"));
    ctx.send_or_edit(message, text, Some(InlineKeyboardMarkup::new(rows))).await
}

pub async fn make_default(ctx: &Ctx, message: MessageId, account_id: AccountId) -> HandlerResult {
    let notice = match accounts::make_default(&ctx.app, ctx.user, account_id).await {
        Ok(a) => Some(tr!(ctx.lang, "accounts-default-set", label = a.label.as_str())),
        Err(AccountError::NotFound) => Some(tr!(ctx.lang, "account-gone")),
        Err(e) => return Err(e.into()),
    };
    show(ctx, Some(message), notice).await
}

pub async fn ask_unlink(ctx: &Ctx, message: MessageId, account_id: AccountId) -> HandlerResult {
    let Some(account) = accounts::get(&ctx.app, ctx.user, account_id).await? else {
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

pub async fn unlink(ctx: &Ctx, message: MessageId, account_id: AccountId) -> HandlerResult {
    let notice = match accounts::unlink(&ctx.app, ctx.user, account_id).await {
        Ok(removed) => tr!(ctx.lang, "accounts-unlinked", label = removed.label.as_str()),
        Err(AccountError::NotFound) => tr!(ctx.lang, "account-gone"),
        Err(e) => return Err(e.into()),
    };
    show(ctx, Some(message), Some(notice)).await
}

/// The display-name button: asks for the name customers see.
pub async fn ask_display_name(ctx: &Ctx, dialogue: &ChatDialogue, account_id: AccountId) -> HandlerResult {
    let Some(account) = accounts::get(&ctx.app, ctx.user, account_id).await? else {
        return ctx.tell(tr!(ctx.lang, "account-gone")).await;
    };
    dialogue.update(State::DisplayName { account_id }).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let current = match &account.display_name {
        Some(name) => format!("<b>{}</b>", crate::i18n::escape_html(name)),
        None => tr!(ctx.lang, "display-name-none"),
    };
    ctx.tell(tr!(ctx.lang, "display-name-ask", label = account.label.as_str(), current = Html(current))).await
}

/// The name typed in answer; `-` clears it.
pub async fn on_display_name(ctx: &Ctx, dialogue: &ChatDialogue, account_id: AccountId, text: &str) -> HandlerResult {
    let name = match text.trim() {
        "-" => None,
        typed => match DisplayName::parse(typed) {
            Ok(name) => Some(name),
            Err(e) => {
                let key = match e {
                    DisplayNameError::Empty => "display-name-empty",
                    DisplayNameError::TooLong => "display-name-too-long",
                    DisplayNameError::Control => "display-name-control",
                };
                return ctx.tell(crate::i18n::translate(ctx.lang, key, None)).await;
            }
        },
    };
    dialogue.exit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(account) = accounts::set_display_name(&ctx.app, ctx.user, account_id, name.as_ref()).await? else {
        return ctx.tell(tr!(ctx.lang, "account-gone")).await;
    };
    let notice = match &name {
        Some(name) => tr!(ctx.lang, "display-name-set", name = name.as_str(), label = account.label.as_str()),
        None => tr!(ctx.lang, "display-name-cleared", label = account.label.as_str()),
    };
    show(ctx, None, Some(notice)).await
}
