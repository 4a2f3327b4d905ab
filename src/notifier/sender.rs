//! The sender: delivers the outbox oldest first, one chat's notifications in order,
//! within Telegram's limits (the `App`'s limiter: `TELEGRAM_RATE_LIMIT` a second overall,
//! one a second per chat after a short burst, a 429's `retry_after` honored), marks a
//! message sent only after Telegram accepted it, and stops everything for a user who
//! blocked the bot.

use crate::domain::TelegramUserId;
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
    telegram::{Bot, Class},
};

pub const BATCH: i64 = 100;
pub const LEASE: Duration = Duration::from_secs(120);
/// Tries before a notification is given up.
pub const MAX_ATTEMPTS: i32 = 10;

/// One round: claim, then send, chats side by side and each chat's notifications one
/// after another in the order claimed (the limiter paces them). Returns how many were
/// claimed.
pub async fn round(app: &App, bot: &Bot) -> anyhow::Result<usize> {
    let claimed = outbox::claim(&app.pool, BATCH, LEASE).await?;
    let count = claimed.len();
    stream::iter(by_chat(claimed))
        .for_each_concurrent(BATCH as usize, |chat| async move {
            for n in chat {
                if let Err(e) = send_one(app, bot, &n).await {
                    tracing::warn!(
                        notification = n.id,
                        error = format!("{e:#}"),
                        "recording a notification's delivery failed"
                    );
                }
            }
        })
        .await;
    Ok(count)
}

/// The notifications grouped by chat, each group and the groups in the order given.
fn by_chat(claimed: Vec<Notification>) -> Vec<Vec<Notification>> {
    let mut index = std::collections::HashMap::new();
    let mut groups: Vec<Vec<Notification>> = Vec::new();
    for n in claimed {
        let i = *index.entry(n.chat_id).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(n);
    }
    groups
}

async fn language(app: &App, owner_id: TelegramUserId) -> Lang {
    match crate::storage::users::get(&app.pool, owner_id).await {
        Ok(Some(user)) => user.lang(),
        _ => Lang::En,
    }
}

async fn send_one(app: &App, bot: &Bot, n: &Notification) -> anyhow::Result<()> {
    let lang = language(app, n.owner_id).await;
    let (text, keys) = crate::i18n::tracking(async { (n.event.0.text(lang), crate::i18n::rendered_keys()) }).await;
    let chat = ChatId(n.chat_id);
    let mut request = bot.send_message(chat, text);
    if let Some(id) = n.reply_to_message_id {
        request = request.reply_parameters(ReplyParameters::new(MessageId(id)).allow_sending_without_reply());
    }
    if app.config.telegram_paid_broadcast {
        request = request.allow_paid_broadcast(true);
    }
    // The lease is held for as long as the request waits (the limiter may hold one
    // chat's messages for longer than a lease); if it is lost, another sender has the
    // notification and this one is not sent.
    let Some(mut token) = outbox::renew(&app.pool, n.id, n.lease_until, LEASE).await? else {
        tracing::debug!(notification = n.id, "lease lost before sending; another sender has it");
        return Ok(());
    };
    let send = async {
        let mut permit = app.limiter.acquire(chat, Class::Bulk).await;
        let result = request.send().await;
        if let Err(RequestError::RetryAfter(after)) = &result {
            permit.hold(after.duration());
        }
        result
    };
    let mut request = std::pin::pin!(send);
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
            tracing::info!(owner = n.owner_id.get(), "the user blocked the bot; their watches stop");
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
