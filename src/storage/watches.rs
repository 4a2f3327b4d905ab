//! The `watches` table: what the notifier polls. Pollers claim due watches with a lease
//! (`FOR UPDATE SKIP LOCKED` and a `lease_until` that a dead poller lets run out), and
//! record a change together with its notification in one transaction.

use crate::domain::TelegramUserId;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, types::Json};

use crate::domain::{
    AccountId,
    events::{Event, WatchKind},
};

#[derive(Debug, Clone)]
pub struct Watch {
    pub id: i64,
    pub owner_id: TelegramUserId,
    pub account_id: AccountId,
    pub kind: WatchKind,
    pub gateway_id: String,
    pub last_state: Option<String>,
    pub attempts: i32,
    /// The lease this poller holds: every write checks it is still ours.
    pub lease_until: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Claims up to `limit` due watches for `lease`, whole accounts at a time (the accounts
/// of the most overdue watches, each with all its due watches), so a round opens each
/// account's credentials once. Watches of paused accounts and of users who blocked the
/// bot are skipped.
pub async fn claim(pool: &PgPool, limit: i64, lease: Duration) -> sqlx::Result<Vec<Watch>> {
    sqlx::query_as!(
        Watch,
        r#"WITH overdue AS (
            SELECT w.account_id, w.next_check_at FROM watches w
            JOIN linked_accounts a ON a.id = w.account_id
            JOIN users u ON u.telegram_id = w.owner_id
            WHERE w.next_check_at <= now() AND (w.lease_until IS NULL OR w.lease_until < now())
              AND a.paused_at IS NULL AND u.blocked_at IS NULL
            ORDER BY w.next_check_at LIMIT $1
         ), accounts AS (
            SELECT account_id, min(next_check_at) AS first_due FROM overdue GROUP BY account_id
         ), due AS (
            SELECT w.id FROM watches w
            JOIN accounts c ON c.account_id = w.account_id
            WHERE w.next_check_at <= now() AND (w.lease_until IS NULL OR w.lease_until < now())
            ORDER BY c.first_due, w.account_id, w.next_check_at LIMIT $1
            FOR UPDATE OF w SKIP LOCKED
         )
         UPDATE watches w SET lease_until = now() + make_interval(secs => $2) FROM due WHERE w.id = due.id
         RETURNING w.id, w.owner_id AS "owner_id: TelegramUserId", w.account_id AS "account_id: AccountId", w.kind AS "kind: WatchKind", w.gateway_id, w.last_state, w.attempts,
                   w.lease_until AS "lease_until!", w.expires_at"#,
        limit,
        lease.as_secs_f64()
    )
    .fetch_all(pool)
    .await
}

/// What a check found.
pub struct Change {
    pub state: String,
    /// Notifications, each with the state key that makes it unique for the watch.
    pub events: Vec<(String, Event)>,
    /// A final state: the watch ends.
    pub finished: bool,
    /// Side effects on the bot's own records (invoice or withdrawal status).
    pub record: Option<Record>,
}

pub enum Record {
    Invoice { status: crate::domain::InvoiceState },
    Withdrawal { status: String },
}

/// Records a check: the new state, its notifications (if the user wants this kind),
/// the next check, in one transaction. `false` if the lease was lost meanwhile (another
/// poller owns the watch now): then nothing is written.
pub async fn record(pool: &PgPool, watch: &Watch, change: Option<Change>, next_check: Duration) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let state = change.as_ref().map(|c| c.state.clone()).or_else(|| watch.last_state.clone());
    let owned = sqlx::query_scalar!(
        "UPDATE watches SET last_state = $3, attempts = 0, lease_until = NULL, next_check_at = now() + make_interval(secs => $4)
         WHERE id = $1 AND lease_until = $2 RETURNING id",
        watch.id,
        watch.lease_until,
        state,
        next_check.as_secs_f64()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if owned.is_none() {
        return Ok(false);
    }
    if let Some(change) = change {
        let kind = watch.kind.notify_kind();
        let wanted = sqlx::query_scalar!(
            r#"SELECT CASE $2 WHEN 'notify_invoices' THEN notify_invoices WHEN 'notify_withdrawals' THEN notify_withdrawals
                              WHEN 'notify_mutations' THEN notify_mutations
                              WHEN 'notify_disbursements' THEN notify_disbursements END AS "wanted"
               FROM users WHERE telegram_id = $1"#,
            watch.owner_id.get(),
            kind.column()
        )
        .fetch_optional(&mut *tx)
        .await?
        .flatten()
        .unwrap_or(false);
        // An invoice the merchant cancelled through the bot reads "expired" at the
        // gateway afterwards: that is no news to tell them (a payment would be).
        let cancelled_here = watch.kind == WatchKind::Invoice
            && sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM invoices
                   WHERE account_id = $1 AND gateway_invoice_id = $2 AND status = 'cancelled') AS "cancelled!""#,
                watch.account_id.get(),
                &watch.gateway_id
            )
            .fetch_one(&mut *tx)
            .await?;
        let wanted = wanted && !(cancelled_here && change.state != "paid");
        // A paid invoice's notification quotes the invoice message.
        let reply_to = if watch.kind == WatchKind::Invoice {
            sqlx::query!(
                "SELECT chat_id, message_id FROM invoices WHERE account_id = $1 AND gateway_invoice_id = $2",
                watch.account_id.get(),
                &watch.gateway_id
            )
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| (r.chat_id, r.message_id))
        } else {
            None
        };
        if wanted {
            for (key, event) in &change.events {
                // The invoice card is quoted only where the notification goes: a card
                // made in a group has a message id of that group, not of this chat.
                let inserted = sqlx::query!(
                    "INSERT INTO notification_outbox (owner_id, chat_id, watch_id, state, event, reply_to_message_id)
                     SELECT $1, chat_id, $2, $3, $4, CASE WHEN chat_id = $6 THEN $5::int END FROM users WHERE telegram_id = $1
                     ON CONFLICT ON CONSTRAINT notification_outbox_watch_state_key DO NOTHING",
                    watch.owner_id.get(),
                    watch.id,
                    key,
                    Json(event) as _,
                    reply_to.and_then(|r| r.1),
                    reply_to.and_then(|r| r.0)
                )
                .execute(&mut *tx)
                .await?
                .rows_affected();
                crate::metrics::notifications_queued(inserted);
            }
        }
        // An invoice a staff member made: they hear of it too (as they asked in /notify),
        // while they are still staff of the account; their card is quoted.
        if watch.kind == WatchKind::Invoice && !(cancelled_here && change.state != "paid") {
            for (key, event) in &change.events {
                let inserted = sqlx::query!(
                    "INSERT INTO notification_outbox (owner_id, chat_id, watch_id, state, event, reply_to_message_id)
                     SELECT u.telegram_id, u.chat_id, $3, $4 || ':staff', $5, CASE WHEN i.chat_id = u.chat_id THEN i.message_id END
                     FROM invoices i JOIN users u ON u.telegram_id = i.made_by
                     WHERE i.account_id = $1 AND i.gateway_invoice_id = $2 AND u.notify_invoices AND u.blocked_at IS NULL
                       AND EXISTS (SELECT 1 FROM staff s WHERE s.staff_id = i.made_by AND s.account_id = i.account_id
                                   AND s.removed_at IS NULL)
                     ON CONFLICT ON CONSTRAINT notification_outbox_watch_state_key DO NOTHING",
                    watch.account_id.get(),
                    &watch.gateway_id,
                    watch.id,
                    key,
                    Json(event) as _
                )
                .execute(&mut *tx)
                .await?
                .rows_affected();
                crate::metrics::notifications_queued(inserted);
            }
        }
        match &change.record {
            Some(Record::Invoice { status }) => {
                sqlx::query!(
                    "UPDATE invoices SET status = $3, settled_at = now(), updated_at = now()
                     WHERE account_id = $1 AND gateway_invoice_id = $2 AND status = 'pending'",
                    watch.account_id.get(),
                    &watch.gateway_id,
                    status.as_str()
                )
                .execute(&mut *tx)
                .await?;
            }
            Some(Record::Withdrawal { status }) if status == "success" || status == "rejected" => {
                sqlx::query!(
                    "UPDATE withdrawals SET status = $3, updated_at = now()
                     WHERE account_id = $1 AND gateway_withdraw_id = $2 AND status = 'submitted'",
                    watch.account_id.get(),
                    &watch.gateway_id,
                    status
                )
                .execute(&mut *tx)
                .await?;
            }
            _ => {}
        }
        if change.finished {
            sqlx::query!("DELETE FROM watches WHERE id = $1", watch.id).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Checks that found nothing new (`checked`: their failed attempts are over), or watches
/// not checked at all in a round (their gateway had no place free for the call: their
/// attempts stay as they were), all in one statement: each watch is due again after
/// `next_check`, if its poller still holds it. Returns how many were written.
pub async fn reschedule(pool: &PgPool, watches: &[Watch], next_check: Duration, checked: bool) -> sqlx::Result<u64> {
    if watches.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = watches.iter().map(|w| w.id).collect();
    let leases: Vec<DateTime<Utc>> = watches.iter().map(|w| w.lease_until).collect();
    let done = sqlx::query!(
        "UPDATE watches w SET attempts = CASE WHEN $4 THEN 0 ELSE w.attempts END, lease_until = NULL,
                next_check_at = now() + make_interval(secs => $3)
         FROM unnest($1::bigint[], $2::timestamptz[]) AS t(id, lease)
         WHERE w.id = t.id AND w.lease_until = t.lease",
        &ids,
        &leases,
        next_check.as_secs_f64(),
        checked
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// A failed check: retried later, each time later (per watch).
pub async fn backoff(pool: &PgPool, watch: &Watch, delay: Duration) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE watches SET attempts = attempts + 1, lease_until = NULL, next_check_at = now() + make_interval(secs => $3)
         WHERE id = $1 AND lease_until = $2",
        watch.id,
        watch.lease_until,
        delay.as_secs_f64()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Ends a watch (expired, or its target is gone at the gateway).
pub async fn end(pool: &PgPool, watch: &Watch) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM watches WHERE id = $1 AND lease_until = $2", watch.id, watch.lease_until)
        .execute(pool)
        .await?;
    Ok(())
}

/// The gateway rejected the account's credentials: its watches pause (until it is
/// linked again) and the user is told once.
pub async fn pause_account(
    pool: &PgPool,
    owner_id: TelegramUserId,
    account_id: AccountId,
    label: &str,
) -> sqlx::Result<()> {
    let owner_id = owner_id.get();
    let account_id = account_id.get();
    let mut tx = pool.begin().await?;
    let newly = sqlx::query_scalar!(
        "UPDATE linked_accounts SET paused_at = now() WHERE id = $1 AND paused_at IS NULL RETURNING id",
        account_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query!("UPDATE watches SET lease_until = NULL WHERE account_id = $1", account_id).execute(&mut *tx).await?;
    if newly.is_some() {
        sqlx::query!(
            "INSERT INTO notification_outbox (owner_id, chat_id, watch_id, state, event)
             SELECT $1, chat_id, NULL, 'credentials-rejected', $2 FROM users WHERE telegram_id = $1",
            owner_id,
            Json(Event::CredentialsRejected { label: label.to_owned() }) as _
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Starts watching something (idempotent).
pub async fn watch(
    pool: &PgPool,
    owner_id: TelegramUserId,
    account_id: AccountId,
    kind: WatchKind,
    gateway_id: &str,
    expires_in: Option<Duration>,
) -> sqlx::Result<()> {
    let owner_id = owner_id.get();
    sqlx::query!(
        "INSERT INTO watches (owner_id, account_id, kind, gateway_id, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
         ON CONFLICT ON CONSTRAINT watches_gateway_id_key DO NOTHING",
        owner_id,
        account_id.get(),
        kind.as_str(),
        gateway_id,
        expires_in.map(|d| d.as_secs_f64())
    )
    .execute(pool)
    .await?;
    Ok(())
}
