//! Pay links: a customer opens `https://t.me/<bot>?start=pay_<token>` and gets the
//! invoice's card (the seller's display name, the total, the QR, the expiry) with a
//! Check status button. The token is the only permission: it opens this one invoice and
//! nothing else of the merchant, and only while the invoice is pending.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile},
};

use super::{App, Bot, Callback, Ctx, HandlerResult};
use crate::{
    cards,
    domain::{InvoiceState, LinkKind, PayToken},
    i18n::{Html, Lang},
    notifier::cards::edit_ended,
    services::invoices::{self, Audience, InvoiceRow, Place},
    telegram::Class,
    tr,
};

/// Why a link opens no card: the invoice has ended.
pub fn ended_text(row: &InvoiceRow, lang: Lang) -> String {
    match row.status {
        InvoiceState::Paid => tr!(lang, "pay-link-paid"),
        InvoiceState::Cancelled => tr!(lang, "pay-link-cancelled"),
        InvoiceState::Expired | InvoiceState::Pending => tr!(lang, "pay-link-expired"),
    }
}

/// `/start pay_<token>`: the customer's card.
pub async fn open(ctx: &Ctx, parameter: &str) -> HandlerResult {
    let found = match PayToken::from_start(parameter, LinkKind::Pay) {
        Some(token) => invoices::by_token(&ctx.app, &token).await?.map(|row| (token, row)),
        None => None,
    };
    let Some((token, row)) = found else {
        tracing::info!("a pay link that opens nothing");
        return ctx.tell(tr!(ctx.lang, "pay-link-invalid")).await;
    };
    if row.is_final() {
        return ctx.tell(ended_text(&row, ctx.lang)).await;
    }
    if invoices::past_expiry(&ctx.app, &row) {
        return ctx.tell(tr!(ctx.lang, "pay-link-expired")).await;
    }
    let lang = ctx.lang;
    let check = InlineKeyboardButton::callback(tr!(lang, "button-check-status"), Callback::Pay(token).encode());
    let keyboard = InlineKeyboardMarkup::new([[check]]);
    let caption = cards::caption(&row, Audience::Customer, lang);
    let sent = match cards::png(&row, Audience::Customer, lang).await {
        Some(png) => {
            let photo = InputFile::memory(png?).file_name(format!("invoice-{}.png", row.id));
            ctx.send(ctx.bot.send_photo(ctx.chat, photo).caption(caption).reply_markup(keyboard)).await?
        }
        None => ctx.say_with(format!("{caption}\n\n{}", tr!(lang, "invoice-no-qr")), keyboard).await?,
    };
    let is_photo = sent.photo().is_some();
    invoices::posted(&ctx.app, &row, Audience::Customer, ctx.chat.0, sent.id.0, lang, is_photo).await?;
    tracing::info!(invoice_id = row.id.get(), "a customer opened a pay link");
    Ok(())
}

/// Check status on a customer's card (a pay link's, or an inline message anyone in its
/// chat may press): the status as a short answer. A card in a chat is redrawn (stamp, no
/// buttons) at once when the invoice has ended; an inline card is left to the card
/// refresher, which has the stamped image Telegram needs for it.
pub async fn press(bot: &Bot, app: &App, lang: Lang, q: &CallbackQuery, token: PayToken) -> HandlerResult {
    let Some(row) = invoices::by_token(app, &token).await? else {
        bot.answer_callback_query(q.id.clone()).text(tr!(lang, "pay-link-invalid")).await?;
        return Ok(());
    };
    let (row, asked) = invoices::customer_check(app, row).await?;
    // A callback answer is plain text: the status words hold no markup.
    let status = Html(crate::i18n::status(row.status.as_str(), lang));
    let toast = if asked {
        tr!(lang, "pay-status-toast", status = status)
    } else {
        tr!(lang, "pay-status-busy", status = status)
    };
    bot.answer_callback_query(q.id.clone()).text(toast).await?;
    let Some(message) = q.regular_message().filter(|_| row.is_final()) else { return Ok(()) };
    let (chat, id) = (message.chat.id.0, message.id.0);
    if !invoices::card_shown(app, chat, id, row.status).await? {
        // The card refresher claimed it a moment ago and draws the same stamp.
        return Ok(());
    }
    let (place, is_photo) = (Place::Chat(chat, id), message.photo().is_some());
    match edit_ended(app, bot, &place, is_photo, &row, Audience::Customer, lang, Class::Reply).await {
        Ok(_) => Ok(()),
        // A card the bot did not post in this chat (a forwarded copy): the answer was enough.
        Err(teloxide::RequestError::Api(teloxide::ApiError::MessageCantBeEdited)) => Ok(()),
        Err(e) => {
            invoices::card_reopen(app, chat, id).await?;
            Err(e.into())
        }
    }
}
