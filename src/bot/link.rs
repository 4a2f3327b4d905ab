//! `/link`: provider (buttons) → label (typed, or the suggested one by button) → each
//! credential in its own message, deleted as soon as it is read → verified with a
//! harmless gateway call → stored sealed, echoed only masked.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, MessageId},
};

use super::{ButtonAction, ChatDialogue, Ctx, HandlerResult, State, format, state::SealedPartial};
use crate::{
    domain::{AccountLabel, Credentials, LabelError, Provider},
    i18n::Html,
    secret::Secret,
    services::linking::{self, LinkError, credentials, fields},
    tr,
};

fn seal_partial(ctx: &Ctx, values: &[String]) -> SealedPartial {
    linking::seal_partial(&ctx.app, ctx.chat.0, values)
}

fn open_partial(ctx: &Ctx, partial: &Option<SealedPartial>) -> Option<Vec<String>> {
    linking::open_partial(&ctx.app, ctx.chat.0, partial)
}

/// `/link`: the provider buttons (only the providers whose gateway is configured).
pub async fn start(ctx: &Ctx, dialogue: &ChatDialogue) -> HandlerResult {
    let mut rows = Vec::new();
    for provider in linking::offered(&ctx.app) {
        rows.push(vec![
            ctx.app
                .button(ctx.user, format::provider(provider, ctx.lang), ButtonAction::LinkProvider { provider })
                .await?,
        ]);
    }
    rows.push(vec![ctx.app.button(ctx.user, tr!(ctx.lang, "button-cancel"), ButtonAction::LinkCancel).await?]);
    ctx.say_with(tr!(ctx.lang, "link-choose-provider"), InlineKeyboardMarkup::new(rows)).await?;
    dialogue.update(State::LinkProvider).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// The provider button: ask for the label.
pub async fn on_provider(ctx: &Ctx, dialogue: &ChatDialogue, message: MessageId, provider: Provider) -> HandlerResult {
    if !matches!(dialogue.get().await.map_err(|e| anyhow::anyhow!("{e}"))?, Some(State::LinkProvider)) {
        return ctx.edit(message, tr!(ctx.lang, "callback-stale"), None).await;
    }
    let suggested = linking::suggest_label(&ctx.app, ctx.user, provider).await?;
    let button = ctx
        .app
        .button(
            ctx.user,
            tr!(ctx.lang, "link-use-label", label = &suggested),
            ButtonAction::LinkUseLabel { label: suggested.clone() },
        )
        .await?;
    let text = tr!(ctx.lang, "link-ask-label", provider = format::provider(provider, ctx.lang), label = &suggested);
    ctx.edit(message, text, Some(InlineKeyboardMarkup::new([[button]]))).await?;
    dialogue.update(State::LinkLabel { provider, suggested }).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// A typed label, or the suggested one from its button.
pub async fn on_label(ctx: &Ctx, dialogue: &ChatDialogue, provider: Provider, raw: &str) -> HandlerResult {
    let label = match AccountLabel::parse(raw) {
        Ok(label) => label,
        Err(e) => {
            let reason = match e {
                LabelError::Length => tr!(ctx.lang, "label-error-length"),
                LabelError::Characters => tr!(ctx.lang, "label-error-characters"),
            };
            ctx.say(tr!(ctx.lang, "link-label-invalid", reason = Html(reason))).await?;
            return Ok(());
        }
    };
    let existing = linking::existing(&ctx.app, ctx.user, &label).await?;
    if let Some(existing) = existing {
        let replace = ctx
            .app
            .button(
                ctx.user,
                tr!(ctx.lang, "button-replace"),
                ButtonAction::LinkReplace { provider, label: label.to_string() },
            )
            .await?;
        let cancel = ctx.app.button(ctx.user, tr!(ctx.lang, "button-cancel"), ButtonAction::LinkCancel).await?;
        let text = tr!(
            ctx.lang,
            "link-label-exists",
            label = label.as_str(),
            provider = format::provider(existing.provider, ctx.lang)
        );
        ctx.say_with(text, InlineKeyboardMarkup::new([[replace, cancel]])).await?;
        return Ok(());
    }
    ask_field(ctx, dialogue, provider, label.to_string(), false, 0, None).await
}

/// The replace button after a label that is taken.
pub async fn on_replace(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    message: MessageId,
    provider: Provider,
    label: String,
) -> HandlerResult {
    if !matches!(dialogue.get().await.map_err(|e| anyhow::anyhow!("{e}"))?, Some(State::LinkLabel { .. })) {
        return ctx.edit(message, tr!(ctx.lang, "callback-stale"), None).await;
    }
    ctx.edit(message, tr!(ctx.lang, "link-replacing", label = &label), None).await?;
    ask_field(ctx, dialogue, provider, label, true, 0, None).await
}

async fn ask_field(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    provider: Provider,
    label: String,
    replace: bool,
    step: usize,
    partial: Option<SealedPartial>,
) -> HandlerResult {
    let all = fields(provider);
    let text = tr!(ctx.lang, "link-ask-field", field = all[step], step = step + 1, steps = all.len());
    ctx.say(text).await?;
    dialogue
        .update(State::LinkCredential { provider, label, replace, step, partial })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// One credential message: read, deleted at once, then the next question or the check.
pub async fn on_credential(ctx: &Ctx, dialogue: &ChatDialogue, msg: &Message, state: State) -> HandlerResult {
    let State::LinkCredential { provider, label, replace, step, partial } = state else { return Ok(()) };
    let value = msg.text().unwrap_or_default().trim().to_owned();
    // Deleted before anything else can fail.
    super::delete_secret_message(ctx, msg).await?;
    let field = fields(provider)[step];
    if !linking::is_plausible(&value) {
        ctx.say(tr!(ctx.lang, "link-field-invalid", field = field)).await?;
        return Ok(());
    }
    let Some(mut values) = open_partial(ctx, &partial) else {
        // Sealed under another MASTER_KEY (rotated mid-dialogue): start the fields over.
        return ask_field(ctx, dialogue, provider, label, replace, 0, None).await;
    };
    values.push(value);
    if values.len() < fields(provider).len() {
        let sealed = seal_partial(ctx, &values);
        return ask_field(ctx, dialogue, provider, label, replace, step + 1, Some(sealed)).await;
    }
    let credentials = credentials(provider, &values).expect("one value per field");
    drop(values);
    finish(ctx, dialogue, provider, label, replace, credentials).await
}

async fn finish(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    provider: Provider,
    label: String,
    replace: bool,
    credentials: Credentials,
) -> HandlerResult {
    let provider_name = format::provider(provider, ctx.lang);
    let checking = ctx.say(tr!(ctx.lang, "link-checking", provider = &provider_name)).await?;
    let first_field = fields(provider)[0];
    let label = AccountLabel::parse(&label).map_err(|e| anyhow::anyhow!("a label checked earlier: {e}"))?;
    let account = match linking::link(&ctx.app, ctx.user, &label, &credentials, replace).await? {
        Ok(account) => account,
        Err(LinkError::LabelChanged) => {
            // Another device linked or unlinked this label meanwhile.
            ctx.edit(checking.id, tr!(ctx.lang, "link-label-changed"), None).await?;
            dialogue.exit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            return Ok(());
        }
        Err(e @ (LinkError::Rejected(_) | LinkError::Unverified(_))) => {
            let text = match &e {
                LinkError::Unverified(other) => {
                    tr!(ctx.lang, "link-failed", error = Html(other.user_text(ctx.lang)), field = first_field)
                }
                _ => tr!(ctx.lang, "link-rejected", provider = &provider_name, field = first_field),
            };
            ctx.edit(checking.id, text, None).await?;
            // Start the fields over: the user may retry or /cancel.
            let label = label.to_string();
            dialogue
                .update(State::LinkCredential { provider, label, replace, step: 0, partial: None })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            return Ok(());
        }
    };
    dialogue.exit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let masked: Vec<String> = masked_fields(&credentials)
        .into_iter()
        .map(|(name, value)| format!("<code>{name}</code>: <code>{value}</code>"))
        .collect();
    let default = if account.is_default { tr!(ctx.lang, "link-is-default") } else { tr!(ctx.lang, "link-not-default") };
    let text = tr!(
        ctx.lang,
        "link-done",
        label = label.as_str(),
        provider = &provider_name,
        masked = Html(masked.join("\n")),
        default = Html(default)
    );
    ctx.edit(checking.id, text, None).await?;
    Ok(())
}

/// Each field, masked (`Sy7P…zjMu`).
fn masked_fields(c: &Credentials) -> Vec<(&'static str, String)> {
    let m = |s: &str| Secret::from(s).masked();
    match c {
        Credentials::Bukalapak { user_id, api_key } => vec![("user_id", m(user_id)), ("api_key", api_key.masked())],
        Credentials::Qris { api_key } => vec![("api_key", api_key.masked())],
        Credentials::Snap { partner_id, client_secret, account_id } => {
            vec![
                ("partner_id", m(partner_id)),
                ("account_id", m(account_id)),
                ("client_secret", client_secret.masked()),
            ]
        }
    }
}
