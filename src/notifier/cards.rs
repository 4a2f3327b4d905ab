//! The card refresher: when an invoice has ended (paid, expired, cancelled), every card
//! of it the bot posted (the merchant's, each customer's) is edited in place: the caption
//! says so, the image carries a stamp across its faded code, and the buttons go. A
//! customer is also told in a message. Cards are claimed with a lease like watches and
//! notifications, so any number of replicas edit each card once; a crash between the
//! edit and its record edits it again, which Telegram answers "not modified" (taken as
//! done), and may tell a customer twice (a duplicate is preferred to a loss).

use std::time::Duration;

use futures::{StreamExt, stream};
use teloxide::{
    ApiError, RequestError,
    payloads::{EditMessageCaptionSetters, SendMessageSetters},
    prelude::*,
    types::{InputFile, InputMedia, InputMediaPhoto, MessageId, ParseMode, ReplyParameters},
};

use crate::{
    app::App,
    cards,
    i18n::Lang,
    storage::{
        cards::{Audience, StaleCard},
        invoices::InvoiceRow,
    },
    telegram::{Bot, Class},
    tr,
};

pub const BATCH: i64 = 50;
pub const LEASE: Duration = Duration::from_secs(120);
/// Tries before a card is left as it is.
pub const MAX_ATTEMPTS: i32 = 8;

/// Sends `request` to `chat` as a reply (at once while under the chat's limit) or as bulk
/// work (within the overall rate).
async fn paced<R>(
    app: &App,
    chat: ChatId,
    class: Class,
    request: R,
) -> Result<teloxide::requests::Output<R>, RequestError>
where
    R: teloxide::requests::Request<Err = RequestError>,
{
    match class {
        Class::Reply => app.limiter.send(chat, request).await,
        Class::Bulk => app.limiter.send_bulk(chat, request).await,
    }
}

/// Edits one card to show `row` as it is now, with no buttons: the stamped image and
/// its caption when the bot has the invoice's QRIS payload, else the caption or text.
/// "Not modified" (the card already shows it) is success.
#[allow(clippy::too_many_arguments)]
pub async fn edit_ended(
    app: &App,
    bot: &Bot,
    chat: ChatId,
    message: MessageId,
    is_photo: bool,
    row: &InvoiceRow,
    audience: Audience,
    lang: Lang,
    class: Class,
) -> Result<(), RequestError> {
    let caption = cards::caption(row, audience, lang);
    let result = match (is_photo, cards::png(row, audience, lang).await) {
        (true, Some(Ok(png))) => {
            let photo = InputMediaPhoto::new(InputFile::memory(png).file_name(format!("invoice-{}.png", row.id)))
                .caption(caption)
                .parse_mode(ParseMode::Html);
            paced(app, chat, class, bot.edit_message_media(chat, message, InputMedia::Photo(photo))).await.map(drop)
        }
        (true, image) => {
            if let Some(Err(e)) = image {
                tracing::warn!(invoice_id = row.id, error = %e, "the stamped card could not be drawn; the caption says it");
            }
            paced(app, chat, class, bot.edit_message_caption(chat, message).caption(caption)).await.map(drop)
        }
        (false, _) => paced(app, chat, class, bot.edit_message_text(chat, message, caption)).await.map(drop),
    };
    match result {
        Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        other => other,
    }
}

/// What a customer is told when the invoice they opened has ended.
pub fn told(row: &InvoiceRow, lang: Lang) -> Option<String> {
    let seller = cards::seller(row);
    match row.status.as_str() {
        "paid" => Some(tr!(lang, "pay-told-paid", seller = seller, amount = row.total().format(lang))),
        "expired" => Some(tr!(lang, "pay-told-expired", seller = seller)),
        "cancelled" => Some(tr!(lang, "pay-told-cancelled", seller = seller)),
        _ => None,
    }
}

/// One round: claim stale cards and bring each up to date. Returns how many were claimed.
pub async fn round(app: &App, bot: &Bot) -> anyhow::Result<usize> {
    let claimed = crate::storage::cards::claim(&app.pool, BATCH, LEASE).await?;
    let count = claimed.len();
    stream::iter(claimed)
        .for_each_concurrent(16, |card| async move {
            if let Err(e) = refresh(app, bot, &card).await {
                tracing::warn!(card = card.card_id, error = format!("{e:#}"), "recording a card's update failed");
            }
        })
        .await;
    Ok(count)
}

async fn refresh(app: &App, bot: &Bot, card: &StaleCard) -> anyhow::Result<()> {
    let (chat, message, lang) = (ChatId(card.card_chat_id), MessageId(card.card_message_id), card.lang());
    let row = &card.invoice;
    let edited = edit_ended(app, bot, chat, message, card.is_photo, row, card.audience, lang, Class::Bulk).await;
    let done = match edited {
        Ok(()) => true,
        // The card is gone or can no longer be edited (deleted, too old): nothing to do.
        Err(RequestError::Api(ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited)) => true,
        Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::ChatNotFound)) => {
            crate::storage::cards::mark_shown(&app.pool, card, &row.status).await?;
            return Ok(());
        }
        Err(e) if crate::telegram::refused_as_built(&e).is_some() => {
            tracing::error!(
                card = card.card_id,
                telegram = crate::telegram::refused_as_built(&e),
                "Telegram refused a card edit the bot built"
            );
            crate::storage::cards::mark_shown(&app.pool, card, &row.status).await?;
            return Ok(());
        }
        Err(RequestError::RetryAfter(after)) => {
            crate::storage::cards::retry_later(&app.pool, card, after.duration()).await?;
            return Ok(());
        }
        Err(e) if card.attempts + 1 >= MAX_ATTEMPTS => {
            tracing::warn!(card = card.card_id, error = %e, "giving up bringing a card up to date");
            crate::storage::cards::mark_shown(&app.pool, card, &row.status).await?;
            return Ok(());
        }
        Err(e) => {
            let delay = Duration::from_secs(2u64.saturating_pow(card.attempts.clamp(0, 8) as u32));
            tracing::info!(card = card.card_id, error = %e, ?delay, "editing a card failed; retrying later");
            crate::storage::cards::retry_later(&app.pool, card, delay).await?;
            return Ok(());
        }
    };
    if done
        && card.audience == Audience::Customer
        && let Some(text) = told(row, lang)
    {
        let request =
            bot.send_message(chat, text).reply_parameters(ReplyParameters::new(message).allow_sending_without_reply());
        if let Err(e) = app.limiter.send_bulk(chat, request).await {
            tracing::info!(card = card.card_id, error = %e, "could not tell the customer that the invoice ended");
        }
    }
    if !crate::storage::cards::mark_shown(&app.pool, card, &row.status).await? {
        tracing::warn!(card = card.card_id, "card edited, but the lease was lost: another replica may edit it again");
    }
    Ok(())
}
