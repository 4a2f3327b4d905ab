//! `/deposit <amount>`: a QRIS invoice at the gateway, answered with one PNG (the QR and
//! the invoice's facts) and buttons to check its status or cancel it; `/invoice <id>`
//! and `/invoices` show what was made through the bot.

use crate::domain::{AccountId, InvoiceId};
use chrono::{DateTime, Utc};
use reqwest::Url;
use teloxide::{
    prelude::*,
    types::{ChatAction, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId},
};

use super::{ButtonAction, Ctx, HandlerResult, format};
use crate::{
    cards,
    domain::Amount,
    i18n::escape_html,
    notifier::cards::edit_ended,
    providers::{GatewayError, json::jakarta},
    services::invoices::{self, Audience, Cancelled, CreateError, InvoiceRow, Place, Qr, Shared, Unchecked},
    telegram::Class,
    tr,
};

pub const INVOICES_PER_PAGE: u32 = 5;

/// The largest deposit, from `MAX_DEPOSIT_AMOUNT`.
pub fn max_deposit(ctx: &Ctx) -> Amount {
    format::rupiah(ctx.app.config.max_deposit_amount)
}

fn local(t: &DateTime<Utc>, ctx: &Ctx) -> String {
    format::datetime(&t.with_timezone(&jakarta()), ctx.lang)
}

/// The merchant's caption: the invoice's facts as text, and its status.
pub(super) fn caption(ctx: &Ctx, row: &InvoiceRow) -> String {
    cards::caption(row, Audience::Merchant, ctx.lang)
}

pub(super) async fn keyboard(ctx: &Ctx, row: &InvoiceRow) -> anyhow::Result<Option<InlineKeyboardMarkup>> {
    if row.is_final() {
        return Ok(None);
    }
    let [refresh, cancel, share] = ctx
        .app
        .buttons(
            ctx.user,
            [
                (tr!(ctx.lang, "button-check-status"), ButtonAction::InvoiceRefresh { invoice_id: row.id }),
                (tr!(ctx.lang, "button-cancel-invoice"), ButtonAction::InvoiceCancel { invoice_id: row.id }),
                (tr!(ctx.lang, "button-share-invoice"), ButtonAction::InvoiceShare { invoice_id: row.id }),
            ],
        )
        .await?;
    Ok(Some(InlineKeyboardMarkup::new([vec![refresh, cancel], vec![share]])))
}

/// Creates the invoice on one of the user's QRIS accounts and sends it.
pub async fn create(ctx: &Ctx, message: Option<MessageId>, account_id: AccountId, amount_text: &str) -> HandlerResult {
    let amount = match Amount::parse_user(amount_text, max_deposit(ctx)) {
        Ok(a) => a,
        Err(e) => return ctx.send_or_edit(message, format::amount_error(&e, ctx.lang), None).await,
    };
    let account = match super::reads::client(ctx, account_id).await? {
        Ok(found) => found,
        Err(text) => return ctx.send_or_edit(message, text, None).await,
    };
    if let Some(id) = message {
        ctx.edit(id, tr!(ctx.lang, "invoice-creating", label = account.account.label.as_str()), None).await?;
    }
    ctx.busy(ChatAction::UploadPhoto);
    let (row, qr) = match invoices::create(&ctx.app, ctx.user, &account, amount).await? {
        Ok(made) => made,
        Err(CreateError::Failed(e)) => return ctx.tell(super::reads::gateway_error(ctx, &account.account, &e)).await,
        Err(CreateError::NotWholeRupiah) => {
            return ctx.tell(GatewayError::Unexpected(String::new()).user_text(ctx.lang)).await;
        }
    };
    let keyboard = keyboard(ctx, &row).await?;
    let text = caption(ctx, &row);
    let photo = match &qr {
        Qr::Payload(_) => {
            let png = cards::png(&row, Audience::Merchant, ctx.lang).await.expect("the row holds the payload")?;
            Some(InputFile::memory(png).file_name(format!("invoice-{}.png", row.id)))
        }
        Qr::Image { bytes, why } => {
            tracing::warn!(invoice = row.gateway_invoice_id, why, "sending the gateway's image as it is");
            Some(InputFile::memory(bytes.clone()).file_name(format!("invoice-{}.png", row.id)))
        }
        Qr::Missing { why } => {
            tracing::warn!(invoice = row.gateway_invoice_id, why, "no QR to show");
            None
        }
    };
    let is_photo = photo.is_some();
    let sent = match photo {
        Some(photo) => {
            let request = ctx.bot.send_photo(ctx.chat, photo).caption(text);
            match keyboard {
                Some(k) => ctx.send(request.reply_markup(k)).await?,
                None => ctx.send(request).await?,
            }
        }
        None => {
            let text = format!("{text}\n\n{}", tr!(ctx.lang, "invoice-no-qr"));
            match keyboard {
                Some(k) => ctx.say_with(text, k).await?,
                None => ctx.say(text).await?,
            }
        }
    };
    invoices::posted(&ctx.app, &row, Audience::Merchant, ctx.chat.0, sent.id.0, ctx.lang, is_photo).await?;
    Ok(())
}

/// Edits the invoice's own message (a photo caption, or a text) to its current state.
async fn show(ctx: &Ctx, message: MessageId, row: &InvoiceRow, is_photo: bool) -> HandlerResult {
    if row.is_final() {
        // Stamped, like every other card of the invoice (which the card refresher edits).
        let (bot, lang, place) = (&ctx.bot, ctx.lang, Place::Chat(ctx.chat.0, message.0));
        if !invoices::card_shown(&ctx.app, ctx.chat.0, message.0, row.status).await? {
            // The card refresher claimed it a moment ago and draws the same stamp.
            return Ok(());
        }
        let edited = edit_ended(&ctx.app, bot, &place, is_photo, row, Audience::Merchant, lang, Class::Reply).await;
        match edited {
            Ok(Some(file_id)) => invoices::set_ended_file(&ctx.app, row, &file_id).await?,
            Ok(None) => {}
            Err(e) => {
                invoices::card_reopen(&ctx.app, ctx.chat.0, message.0).await?;
                return Err(e.into());
            }
        }
        return Ok(());
    }
    let keyboard = keyboard(ctx, row).await?;
    if !is_photo {
        return ctx.edit(message, caption(ctx, row), keyboard).await;
    }
    let request = ctx.bot.edit_message_caption(ctx.chat, message).caption(caption(ctx, row));
    let result = match keyboard {
        Some(k) => ctx.send(request.reply_markup(k)).await,
        None => ctx.send(request).await,
    };
    match result {
        Ok(_) | Err(teloxide::RequestError::Api(teloxide::ApiError::MessageNotModified)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Asks the gateway for the status, records it, and returns the row (and an error
/// text if the gateway could not tell).
async fn refreshed(ctx: &Ctx, row: InvoiceRow) -> anyhow::Result<(InvoiceRow, Option<String>)> {
    let (row, unchecked) = invoices::refresh(&ctx.app, ctx.user, ctx.accounts().await?, row).await?;
    let problem = unchecked.map(|why| match why {
        Unchecked::Unusable(why) => super::reads::unusable(ctx, &why),
        Unchecked::Failed(account, e) => super::reads::gateway_error(ctx, &account, &e),
    });
    Ok((row, problem))
}

/// The Check status button.
pub async fn refresh(ctx: &Ctx, message: &Message, invoice_id: InvoiceId) -> HandlerResult {
    let Some(row) = invoices::get(&ctx.app, ctx.user, invoice_id).await? else {
        return ctx.tell(tr!(ctx.lang, "callback-stale")).await;
    };
    let (row, problem) = refreshed(ctx, row).await?;
    show(ctx, message.id, &row, message.photo().is_some()).await?;
    if let Some(problem) = problem {
        ctx.tell(problem).await?;
    }
    Ok(())
}

/// The Cancel invoice button. A paid invoice cannot be cancelled: the gateway's refusal
/// is shown and the caption brought up to date.
pub async fn cancel(ctx: &Ctx, message: &Message, invoice_id: InvoiceId) -> HandlerResult {
    let Some(row) = invoices::get(&ctx.app, ctx.user, invoice_id).await? else {
        return ctx.tell(tr!(ctx.lang, "callback-stale")).await;
    };
    let is_photo = message.photo().is_some();
    match invoices::cancel(&ctx.app, ctx.user, ctx.accounts().await?, row).await? {
        Cancelled::Now(row) | Cancelled::Ended(row) => show(ctx, message.id, &row, is_photo).await,
        Cancelled::Unusable(why) => ctx.tell(super::reads::unusable(ctx, &why)).await,
        Cancelled::Refused { row, account, error } => {
            ctx.tell(super::reads::gateway_error(ctx, &account, &error)).await?;
            show(ctx, message.id, &row, is_photo).await
        }
    }
}

/// `/invoice <id>`: one invoice made through the bot, with its status from the gateway.
pub async fn one(ctx: &Ctx, reference: &str) -> HandlerResult {
    let reference = reference.trim();
    if reference.is_empty() {
        return ctx.tell(tr!(ctx.lang, "invoice-usage")).await;
    }
    let Some(row) = invoices::find(&ctx.app, ctx.user, reference).await? else {
        return ctx.tell(tr!(ctx.lang, "invoice-unknown", id = reference)).await;
    };
    ctx.typing();
    let (row, problem) = refreshed(ctx, row).await?;
    match keyboard(ctx, &row).await? {
        Some(k) => ctx.say_with(caption(ctx, &row), k).await?,
        None => ctx.say(caption(ctx, &row)).await?,
    };
    if let Some(problem) = problem {
        ctx.tell(problem).await?;
    }
    Ok(())
}

/// `/invoices`: the invoices made through the bot, newest first, paged.
pub async fn list(ctx: &Ctx, message: Option<MessageId>, page: u32) -> HandlerResult {
    let (rows, total) = invoices::page(&ctx.app, ctx.user, page, INVOICES_PER_PAGE).await?;
    let pages = ((total as u32).div_ceil(INVOICES_PER_PAGE)).max(1);
    let mut text = tr!(ctx.lang, "invoices-title");
    text.push_str("\n\n");
    if rows.is_empty() {
        text.push_str(&tr!(ctx.lang, "invoices-none"));
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let status = format::status(r.status.as_str(), ctx.lang);
            format!(
                "{} — <b>{}</b> — {}\n   <code>{}</code> · {}",
                local(&r.created_at, ctx),
                r.total().format(ctx.lang),
                status,
                escape_html(&r.gateway_invoice_id),
                escape_html(&r.account_label)
            )
        })
        .collect();
    let mut text = format::fit_lines(ctx.lang, text, &lines, "\n\n");
    if !rows.is_empty() {
        text.push_str("\n\n");
        text.push_str(&tr!(ctx.lang, "list-page", page = page, pages = pages));
    }
    let mut row: Vec<InlineKeyboardButton> = Vec::new();
    if page > 1 {
        row.push(ctx.app.button(ctx.user, "◀", ButtonAction::InvoicesPage { page: page - 1 }).await?);
    }
    if page < pages {
        row.push(ctx.app.button(ctx.user, "▶", ButtonAction::InvoicesPage { page: page + 1 }).await?);
    }
    let keyboard = (!row.is_empty()).then(|| InlineKeyboardMarkup::new([row]));
    ctx.send_or_edit(message, text, keyboard).await
}

/// The Share with customer button: the invoice's pay link (made on the first press), as
/// text the merchant can copy anywhere and a button that opens Telegram's share sheet.
pub async fn share(ctx: &Ctx, invoice_id: InvoiceId) -> HandlerResult {
    let (row, link) = match invoices::share(&ctx.app, ctx.user, invoice_id).await? {
        Shared::Link(row, link) => (row, link),
        Shared::Gone => return ctx.tell(tr!(ctx.lang, "callback-stale")).await,
        Shared::Ended(row) => return ctx.tell(super::pay::ended_text(&row, ctx.lang)).await,
    };
    let note =
        tr!(ctx.lang, "share-telegram-text", amount = row.total().format(ctx.lang), seller = cards::seller(&row));
    let mut share_url = Url::parse("https://t.me/share/url").expect("a URL");
    share_url.query_pairs_mut().append_pair("url", &link).append_pair("text", &note);
    let button = InlineKeyboardButton::url(tr!(ctx.lang, "button-share-telegram"), share_url);
    ctx.say_with(tr!(ctx.lang, "share-text", link = link), InlineKeyboardMarkup::new([[button]])).await?;
    Ok(())
}
