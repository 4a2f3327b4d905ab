//! The daily summary: for each user who asked for it (`/notify`), once a day at their
//! hour (WIB), today's figures so far go into the notification outbox, like every other
//! notification. Exactly once per user and day with any number of replicas: the day is
//! claimed with a row in `daily_summaries` in the same transaction as the outbox row.
//! A day with nothing to report is skipped unless the user asked for those too.
//! The time is a parameter, so tests drive it.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use sqlx::PgPool;

use super::{Period, summarize, today};
use crate::{domain::events::Event, providers::json::jakarta, storage, storage::reports::InvoiceDay};

/// Queues the summaries due at `now`; returns how many were queued.
pub async fn queue_due(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let day = today(now);
    let hour = now.with_timezone(&jakarta()).hour() as i16;
    let due: Vec<(i64, bool)> = sqlx::query_as(
        "SELECT telegram_id, daily_summary_quiet_days FROM users
         WHERE daily_summary_hour <= $1 AND blocked_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM daily_summaries d WHERE d.owner_id = telegram_id AND d.day = $2)",
    )
    .bind(hour)
    .bind(day)
    .fetch_all(pool)
    .await?;
    let mut queued = 0;
    for (owner_id, quiet_days) in due {
        if queue_one(pool, owner_id, day, now, quiet_days).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

async fn queue_one(
    pool: &PgPool,
    owner_id: i64,
    day: NaiveDate,
    now: DateTime<Utc>,
    quiet_days: bool,
) -> anyhow::Result<bool> {
    let period = Period::day(day);
    let invoices = storage::reports::invoices(pool, owner_id, InvoiceDay::Settled, period.start(), now).await?;
    let withdrawals = storage::reports::withdrawals_requested(pool, owner_id, period.start(), now).await?;
    let figures = summarize(period, &invoices, &withdrawals).total;
    let send = quiet_days || !figures.is_empty();
    let mut tx = pool.begin().await?;
    let claimed =
        sqlx::query("INSERT INTO daily_summaries (owner_id, day, queued) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(owner_id)
            .bind(day)
            .bind(send)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    if !claimed {
        // Another replica decided this day first.
        return Ok(false);
    }
    if send {
        let event = Event::DailySummary {
            day,
            paid_count: figures.paid.count,
            paid: figures.paid.sum(),
            fees: figures.paid.fees(),
            expired: figures.expired + figures.cancelled,
            withdrawn_count: figures.withdrawn.count,
            withdrawn: figures.withdrawn.sum(),
        };
        sqlx::query(
            "INSERT INTO notification_outbox (owner_id, chat_id, state, event)
             SELECT $1, chat_id, $2, $3 FROM users WHERE telegram_id = $1",
        )
        .bind(owner_id)
        .bind(format!("daily:{day}"))
        .bind(sqlx::types::Json(&event))
        .execute(&mut *tx)
        .await?;
        crate::metrics::notifications_queued(1);
    }
    tx.commit().await?;
    Ok(send)
}

/// Sets the user's daily summary: its hour (WIB), or `None` for off.
pub async fn set_hour(pool: &PgPool, owner_id: i64, hour: Option<u8>) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET daily_summary_hour = $2, updated_at = now() WHERE telegram_id = $1")
        .bind(owner_id)
        .bind(hour.map(i16::from))
        .execute(pool)
        .await?;
    Ok(())
}

/// Switches whether a day with nothing to report is summarized too.
pub async fn toggle_quiet_days(pool: &PgPool, owner_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET daily_summary_quiet_days = NOT daily_summary_quiet_days, updated_at = now()
         WHERE telegram_id = $1",
    )
    .bind(owner_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// The user's setting: the hour (or `None`), and whether quiet days come too.
pub async fn setting(pool: &PgPool, owner_id: i64) -> sqlx::Result<(Option<u8>, bool)> {
    let row: Option<(Option<i16>, bool)> =
        sqlx::query_as("SELECT daily_summary_hour, daily_summary_quiet_days FROM users WHERE telegram_id = $1")
            .bind(owner_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(h, q)| (h.and_then(|h| u8::try_from(h).ok()), q)).unwrap_or((None, false)))
}
