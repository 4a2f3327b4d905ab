//! The daily summary: for each user who asked for it (`/notify`), once a day at their
//! hour (WIB), today's figures so far go into the notification outbox, like every other
//! notification. Exactly once per user and day with any number of replicas: the day is
//! claimed with a row in `daily_summaries` in the same transaction as the outbox row.
//! A day with nothing to report is skipped unless the user asked for those too.
//! The time is a parameter, so tests drive it.

use crate::domain::TelegramUserId;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use sqlx::PgPool;

use super::{Period, summarize, today};
use crate::{domain::events::Event, providers::json::jakarta, storage, storage::reports::InvoiceDay};

pub use crate::storage::reports::{
    daily_setting as setting, set_daily_hour as set_hour, toggle_daily_quiet_days as toggle_quiet_days,
};

/// Queues the summaries due at `now`; returns how many were queued.
pub async fn queue_due(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let day = today(now);
    let hour = now.with_timezone(&jakarta()).hour() as i16;
    let mut queued = 0;
    for (owner_id, quiet_days) in storage::reports::daily_due(pool, hour, day).await? {
        if queue_one(pool, owner_id, day, now, quiet_days).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

async fn queue_one(
    pool: &PgPool,
    owner_id: TelegramUserId,
    day: NaiveDate,
    now: DateTime<Utc>,
    quiet_days: bool,
) -> anyhow::Result<bool> {
    let period = Period::day(day);
    let invoices = storage::reports::invoices(pool, owner_id, InvoiceDay::Settled, period.start(), now).await?;
    let withdrawals = storage::reports::withdrawals_requested(pool, owner_id, period.start(), now).await?;
    let figures = summarize(period, &invoices, &withdrawals).total;
    let send = quiet_days || !figures.is_empty();
    let event = send.then(|| Event::DailySummary {
        day,
        paid_count: figures.paid.count,
        paid: figures.paid.sum(),
        fees: figures.paid.fees(),
        expired: figures.expired + figures.cancelled,
        withdrawn_count: figures.withdrawn.count,
        withdrawn: figures.withdrawn.sum(),
    });
    // `false` when another replica decided this day first.
    let decided = storage::reports::decide_daily(pool, owner_id, day, event.as_ref()).await?;
    Ok(decided && send)
}
