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
    types::{FileId, InputFile, InputMedia, InputMediaPhoto, MessageId, ParseMode, ReplyParameters},
};

use crate::{
    app::App,
    cards,
    domain::InvoiceState,
    i18n::Lang,
    storage::{
        cards::{Audience, Place, StaleCard},
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
/// "Not modified" (the card already shows it) is success. Returns the file id of the
/// stamped image when one was uploaded (an inline message takes no upload: it is given
/// `row.ended_file_id`, or only its caption changes when there is none yet).
#[allow(clippy::too_many_arguments)]
pub async fn edit_ended(
    app: &App,
    bot: &Bot,
    place: &Place,
    is_photo: bool,
    row: &InvoiceRow,
    audience: Audience,
    lang: Lang,
    class: Class,
) -> Result<Option<String>, RequestError> {
    let caption = cards::caption(row, audience, lang);
    let result = match place {
        Place::Chat(chat, message) => {
            let (chat, message) = (ChatId(*chat), MessageId(*message));
            match (is_photo, cards::png(row, audience, lang).await) {
                (true, Some(Ok(png))) => {
                    let file = InputFile::memory(png).file_name(format!("invoice-{}.png", row.id));
                    let photo = InputMediaPhoto::new(file).caption(caption).parse_mode(ParseMode::Html);
                    let request = bot.edit_message_media(chat, message, InputMedia::Photo(photo));
                    paced(app, chat, class, request).await.map(|m| largest_photo(&m))
                }
                (true, image) => {
                    if let Some(Err(e)) = image {
                        tracing::warn!(invoice_id = row.id.get(), error = %e, "the stamped card could not be drawn; the caption says it");
                    }
                    paced(app, chat, class, bot.edit_message_caption(chat, message).caption(caption))
                        .await
                        .map(|_| None)
                }
                (false, _) => {
                    paced(app, chat, class, bot.edit_message_text(chat, message, caption)).await.map(|_| None)
                }
            }
        }
        // An inline message is in a chat the bot may not be in: only the overall rate
        // applies to it (the limiter's chat 0 stands for "no chat").
        Place::Inline(id) => {
            let nowhere = ChatId(0);
            match (is_photo, &row.ended_file_id) {
                (true, Some(file_id)) => {
                    let file = InputFile::file_id(FileId(file_id.clone()));
                    let photo = InputMediaPhoto::new(file).caption(caption).parse_mode(ParseMode::Html);
                    let request = bot.edit_message_media_inline(id.clone(), InputMedia::Photo(photo));
                    paced(app, nowhere, class, request).await.map(|_| None)
                }
                (true, None) => {
                    paced(app, nowhere, class, bot.edit_message_caption_inline(id.clone()).caption(caption))
                        .await
                        .map(|_| None)
                }
                (false, _) => {
                    paced(app, nowhere, class, bot.edit_message_text_inline(id.clone(), caption)).await.map(|_| None)
                }
            }
        }
    };
    match result {
        Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(None),
        other => other,
    }
}

/// The file id of the largest size of a message's photo.
fn largest_photo(message: &Message) -> Option<String> {
    message.photo().and_then(|sizes| sizes.iter().max_by_key(|p| p.width * p.height)).map(|p| p.file.id.0.clone())
}

/// What a customer is told when the invoice they opened has ended.
pub fn told(row: &InvoiceRow, lang: Lang) -> Option<String> {
    let seller = cards::seller(row);
    match row.status {
        InvoiceState::Paid => Some(tr!(lang, "pay-told-paid", seller = seller, amount = row.total().format(lang))),
        InvoiceState::Expired => Some(tr!(lang, "pay-told-expired", seller = seller)),
        InvoiceState::Cancelled => Some(tr!(lang, "pay-told-cancelled", seller = seller)),
        InvoiceState::Pending => None,
    }
}

/// One round: claim stale cards and bring each up to date. Returns how many were claimed.
pub async fn round(app: &App, bot: &Bot) -> anyhow::Result<usize> {
    let claimed = crate::storage::cards::claim(&app.pool, BATCH, LEASE).await?;
    let count = claimed.len();
    // One invoice's cards one after another, chat messages before inline messages: the
    // first stamped upload gives the inline messages their image.
    let mut by_invoice: Vec<Vec<StaleCard>> = Vec::new();
    for card in claimed {
        match by_invoice.last_mut() {
            Some(group) if group[0].invoice.id == card.invoice.id => group.push(card),
            _ => by_invoice.push(vec![card]),
        }
    }
    stream::iter(by_invoice)
        .for_each_concurrent(16, |group| async move {
            let mut file_id = group[0].invoice.ended_file_id.clone();
            for mut card in group {
                card.invoice.ended_file_id = card.invoice.ended_file_id.take().or(file_id.clone());
                match refresh(app, bot, &card).await {
                    Ok(Some(uploaded)) => file_id = file_id.or(Some(uploaded)),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(
                            card = card.card_id,
                            error = format!("{e:#}"),
                            "recording a card's update failed"
                        )
                    }
                }
            }
        })
        .await;
    Ok(count)
}

/// How often an inline card waits for its invoice's stamped image to be uploaded (by
/// the merchant's own card) before only its caption is changed.
const INLINE_WAITS: i32 = 3;

/// Brings one card up to date; the stamped image's file id if one was uploaded.
async fn refresh(app: &App, bot: &Bot, card: &StaleCard) -> anyhow::Result<Option<String>> {
    let (place, lang) = (card.place(), card.lang());
    let row = &card.invoice;
    if matches!(place, Place::Inline(_)) && row.ended_file_id.is_none() && card.attempts < INLINE_WAITS {
        crate::storage::cards::retry_later(&app.pool, card, Duration::from_secs(1)).await?;
        return Ok(None);
    }
    let edited = edit_ended(app, bot, &place, card.is_photo, row, card.audience, lang, Class::Bulk).await;
    let mut uploaded = None;
    let done = match edited {
        Ok(file_id) => {
            if let Some(id) = &file_id {
                crate::storage::invoices::set_ended_file(&app.pool, row.id, id).await?;
            }
            uploaded = file_id;
            true
        }
        // The card is gone or can no longer be edited (deleted, too old): nothing to do.
        Err(RequestError::Api(ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited)) => true,
        Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::ChatNotFound)) => {
            crate::storage::cards::mark_shown(&app.pool, card, row.status).await?;
            return Ok(None);
        }
        Err(e) if crate::telegram::refused_as_built(&e).is_some() => {
            tracing::error!(
                card = card.card_id,
                telegram = crate::telegram::refused_as_built(&e),
                "Telegram refused a card edit the bot built"
            );
            crate::storage::cards::mark_shown(&app.pool, card, row.status).await?;
            return Ok(None);
        }
        Err(RequestError::RetryAfter(after)) => {
            crate::storage::cards::retry_later(&app.pool, card, after.duration()).await?;
            return Ok(None);
        }
        Err(e) if card.attempts + 1 >= MAX_ATTEMPTS => {
            tracing::warn!(card = card.card_id, error = %e, "giving up bringing a card up to date");
            crate::storage::cards::mark_shown(&app.pool, card, row.status).await?;
            return Ok(None);
        }
        Err(e) => {
            let delay = Duration::from_secs(2u64.saturating_pow(card.attempts.clamp(0, 8) as u32));
            tracing::info!(card = card.card_id, error = %e, ?delay, "editing a card failed; retrying later");
            crate::storage::cards::retry_later(&app.pool, card, delay).await?;
            return Ok(None);
        }
    };
    // A customer who opened a pay link is told in their chat (an inline message's chat
    // is everyone's: the card itself says it).
    if let (true, Audience::Customer, Place::Chat(chat, message), Some(text)) =
        (done, card.audience, &place, told(row, lang))
    {
        let chat = ChatId(*chat);
        let request = bot
            .send_message(chat, text)
            .reply_parameters(ReplyParameters::new(MessageId(*message)).allow_sending_without_reply());
        if let Err(e) = app.limiter.send_bulk(chat, request).await {
            tracing::info!(card = card.card_id, error = %e, "could not tell the customer that the invoice ended");
        }
    }
    if !crate::storage::cards::mark_shown(&app.pool, card, row.status).await? {
        tracing::warn!(card = card.card_id, "card edited, but the lease was lost: another replica may edit it again");
    }
    Ok(uploaded)
}
