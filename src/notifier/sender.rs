//! The sender: delivers the outbox oldest first within Telegram's limits (the bot's
//! `Throttle`: about 30 messages a second overall, one a second per chat, a 429's
//! `retry_after` honored), marks a message sent only after Telegram accepted it, and
//! stops everything for a user who blocked the bot.

use std::time::Duration;

use futures::{StreamExt, stream};
use teloxide::{
    ApiError, RequestError,
    prelude::*,
    types::{MessageId, ReplyParameters},
};

use crate::{
    app::App,
    i18n::Lang,
    storage::outbox::{self, Notification},
    telegram::Bot,
};

pub const BATCH: i64 = 100;
pub const LEASE: Duration = Duration::from_secs(120);
/// Tries before a notification is given up.
pub const MAX_ATTEMPTS: i32 = 10;

/// One round: claim, send concurrently (the throttle paces them). Returns how many
/// were claimed.
pub async fn round(app: &App, bot: &Bot) -> anyhow::Result<usize> {
    let claimed = outbox::claim(&app.pool, BATCH, LEASE).await?;
    let count = claimed.len();
    stream::iter(claimed)
        .for_each_concurrent(BATCH as usize, |n| async move {
            if let Err(e) = send_one(app, bot, &n).await {
                tracing::warn!(
                    notification = n.id,
                    error = format!("{e:#}"),
                    "recording a notification's delivery failed"
                );
            }
        })
        .await;
    Ok(count)
}

async fn language(app: &App, owner_id: i64) -> Lang {
    match crate::storage::users::get(&app.pool, owner_id).await {
        Ok(Some(user)) => user.lang(),
        _ => Lang::En,
    }
}

async fn send_one(app: &App, bot: &Bot, n: &Notification) -> anyhow::Result<()> {
    let lang = language(app, n.owner_id).await;
    let (text, keys) = crate::i18n::tracking(async { (n.event.0.text(lang), crate::i18n::rendered_keys()) }).await;
    let mut request = bot.send_message(ChatId(n.chat_id), text);
    if let Some(id) = n.reply_to_message_id {
        request = request.reply_parameters(ReplyParameters::new(MessageId(id)).allow_sending_without_reply());
    }
    // The lease is held for as long as the request waits (the throttle may hold one
    // chat's messages for longer than a lease); if it is lost, another sender has the
    // notification and this one is not sent.
    let Some(mut token) = outbox::renew(&app.pool, n.id, n.lease_until, LEASE).await? else {
        tracing::debug!(notification = n.id, "lease lost before sending; another sender has it");
        return Ok(());
    };
    let mut request = std::pin::pin!(request.send());
    let result = loop {
        tokio::select! {
            result = &mut request => break result,
            _ = tokio::time::sleep(LEASE / 4) => match outbox::renew(&app.pool, n.id, token, LEASE).await? {
                Some(renewed) => token = renewed,
                None => {
                    tracing::warn!(notification = n.id, "lease lost while waiting to send; another sender has it");
                    return Ok(());
                }
            },
        }
    };
    match result {
        Ok(_) => {
            if !outbox::mark_sent(&app.pool, n.id, token).await? {
                tracing::warn!(notification = n.id, "sent, but the lease was lost: another sender may send it again");
            }
            crate::metrics::notification_sent();
        }
        Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated)) => {
            tracing::info!(owner = n.owner_id, "the user blocked the bot; their watches stop");
            outbox::user_blocked(&app.pool, n.owner_id).await?;
        }
        Err(RequestError::Api(ApiError::ChatNotFound)) => {
            outbox::mark_failed(&app.pool, n.id).await?;
            crate::metrics::notification_failed();
        }
        // A request Telegram refuses as built is refused again on every retry.
        Err(e) if crate::telegram::refused_as_built(&e).is_some() => {
            let (telegram, keys) = (crate::telegram::refused_as_built(&e), keys.join(","));
            tracing::error!(notification = n.id, telegram, keys, "Telegram refused a notification the bot built");
            outbox::mark_failed(&app.pool, n.id).await?;
            crate::metrics::notification_failed();
        }
        Err(RequestError::RetryAfter(after)) => outbox::retry_later(&app.pool, n.id, after.duration()).await?,
        Err(e) if n.attempts + 1 >= MAX_ATTEMPTS => {
            tracing::warn!(notification = n.id, error = %e, "giving up a notification");
            outbox::mark_failed(&app.pool, n.id).await?;
            crate::metrics::notification_failed();
        }
        Err(e) => {
            let delay =
                Duration::from_secs(2u64.saturating_pow(n.attempts.clamp(0, 10) as u32)).min(Duration::from_secs(300));
            tracing::info!(notification = n.id, error = %e, ?delay, "sending a notification failed; retrying later");
            outbox::retry_later(&app.pool, n.id, delay).await?;
        }
    }
    Ok(())
}
