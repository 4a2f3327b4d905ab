//! The `notification_outbox` table: notifications written with the change they report,
//! delivered oldest first by any sender process, marked sent only after Telegram
//! accepted them.

use crate::domain::TelegramUserId;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, types::Json};

use crate::domain::events::Event;

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    pub owner_id: TelegramUserId,
    pub chat_id: i64,
    pub event: Json<Event>,
    pub reply_to_message_id: Option<i32>,
    pub attempts: i32,
    pub lease_until: DateTime<Utc>,
}

/// Claims up to `limit` unsent notifications, oldest first, for `lease`.
pub async fn claim(pool: &PgPool, limit: i64, lease: Duration) -> sqlx::Result<Vec<Notification>> {
    sqlx::query_as!(
        Notification,
        r#"WITH due AS (
            SELECT id FROM notification_outbox
            WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
              AND (lease_until IS NULL OR lease_until < now())
            ORDER BY id LIMIT $1
            FOR UPDATE SKIP LOCKED
         )
         UPDATE notification_outbox o SET lease_until = now() + make_interval(secs => $2) FROM due WHERE o.id = due.id
         RETURNING o.id, o.owner_id AS "owner_id: TelegramUserId", o.chat_id, o.event AS "event: Json<Event>", o.reply_to_message_id, o.attempts,
                   o.lease_until AS "lease_until!""#,
        limit,
        lease.as_secs_f64()
    )
    .fetch_all(pool)
    .await
}

/// Extends the lease of a claimed notification; its `lease_until` is the claim's token.
/// Returns the new token, or `None` if the lease was lost (it ran out and another sender
/// claimed the notification): then this sender must not send it.
pub async fn renew(
    pool: &PgPool,
    id: i64,
    token: DateTime<Utc>,
    lease: Duration,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        r#"UPDATE notification_outbox SET lease_until = now() + make_interval(secs => $3)
           WHERE id = $1 AND lease_until = $2 AND sent_at IS NULL RETURNING lease_until AS "lease_until!""#,
        id,
        token,
        lease.as_secs_f64()
    )
    .fetch_optional(pool)
    .await
}

/// Marked sent by the holder of the lease `token` only; `false` if the lease was lost.
pub async fn mark_sent(pool: &PgPool, id: i64, token: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE notification_outbox SET sent_at = now(), lease_until = NULL WHERE id = $1 AND lease_until = $2",
        id,
        token
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Another try after `delay`.
pub async fn retry_later(pool: &PgPool, id: i64, delay: Duration) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE notification_outbox SET attempts = attempts + 1, lease_until = NULL,
                next_attempt_at = now() + make_interval(secs => $2)
         WHERE id = $1",
        id,
        delay.as_secs_f64()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Given up (the chat is gone, or too many tries).
pub async fn mark_failed(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query!("UPDATE notification_outbox SET failed_at = now(), lease_until = NULL WHERE id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The user blocked the bot: nothing more is sent or watched for them until they
/// write to it again.
pub async fn user_blocked(pool: &PgPool, owner_id: TelegramUserId) -> sqlx::Result<()> {
    let owner_id = owner_id.get();
    let mut tx = pool.begin().await?;
    sqlx::query!("UPDATE users SET blocked_at = now() WHERE telegram_id = $1", owner_id).execute(&mut *tx).await?;
    // The watches stay: the poller skips a blocked user's, and they resume when the user
    // writes to the bot again (which lifts the block).
    sqlx::query!(
        "UPDATE notification_outbox SET failed_at = now(), lease_until = NULL WHERE owner_id = $1 AND sent_at IS NULL",
        owner_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Unsent notifications (for /metrics and the benchmark).
pub async fn depth(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM notification_outbox WHERE sent_at IS NULL AND failed_at IS NULL"#
    )
    .fetch_one(pool)
    .await
}
