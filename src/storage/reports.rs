//! The rows the books are made of (`crate::reports` sums them).

use crate::domain::TelegramUserId;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, types::Json};

use crate::{
    domain::{InvoiceState, WithdrawalState, events::Event},
    providers::Destination,
};

/// An invoice as the books see it.
#[derive(Clone, Debug)]
pub struct InvoiceEntry {
    pub account_label: String,
    pub gateway_invoice_id: String,
    pub status: InvoiceState,
    pub amount: i64,
    pub fee: i64,
    pub total: i64,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

/// A withdrawal that was requested from a gateway, as the books see it.
#[derive(Clone, Debug)]
pub struct WithdrawalEntry {
    pub id: i64,
    pub account_label: String,
    pub gateway_withdraw_id: Option<String>,
    pub status: WithdrawalState,
    pub amount: i64,
    pub fee: Option<i64>,
    pub destination: Json<Destination>,
    pub requested_at: DateTime<Utc>,
}

/// Which day an invoice counts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceDay {
    /// The day it left `pending` (paid, expired, cancelled): for the figures.
    Settled,
    /// The day it was made: for the export.
    Created,
}

/// The user's invoices whose day (see [`InvoiceDay`]) falls within [from, to), oldest
/// first.
pub async fn invoices(
    pool: &PgPool,
    owner_id: TelegramUserId,
    day: InvoiceDay,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<InvoiceEntry>> {
    let owner_id = owner_id.get();
    match day {
        InvoiceDay::Settled => {
            sqlx::query_as!(
                InvoiceEntry,
                r#"SELECT account_label, gateway_invoice_id, status AS "status: InvoiceState", amount, fee, total,
                          created_at, settled_at
                   FROM invoices WHERE owner_id = $1 AND settled_at >= $2 AND settled_at < $3 ORDER BY settled_at, id"#,
                owner_id,
                from,
                to
            )
            .fetch_all(pool)
            .await
        }
        InvoiceDay::Created => {
            sqlx::query_as!(
                InvoiceEntry,
                r#"SELECT account_label, gateway_invoice_id, status AS "status: InvoiceState", amount, fee, total,
                          created_at, settled_at
                   FROM invoices WHERE owner_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id"#,
                owner_id,
                from,
                to
            )
            .fetch_all(pool)
            .await
        }
    }
}

/// The user's withdrawals requested from a gateway within [from, to), oldest first
/// (drafts, cancelled and expired ones never were).
pub async fn withdrawals_requested(
    pool: &PgPool,
    owner_id: TelegramUserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<WithdrawalEntry>> {
    let owner_id = owner_id.get();
    sqlx::query_as!(
        WithdrawalEntry,
        r#"SELECT id, account_label, gateway_withdraw_id, status AS "status: WithdrawalState", amount, fee,
                  destination AS "destination: Json<Destination>", requested_at AS "requested_at!"
           FROM withdrawals
           WHERE owner_id = $1 AND requested_at >= $2 AND requested_at < $3 ORDER BY requested_at, id"#,
        owner_id,
        from,
        to
    )
    .fetch_all(pool)
    .await
}

/// The gateway ids of the user's withdrawals made through the bot.
pub async fn known_gateway_withdrawals(
    pool: &PgPool,
    owner_id: TelegramUserId,
) -> sqlx::Result<std::collections::HashSet<String>> {
    let owner_id = owner_id.get();
    let ids = sqlx::query_scalar!(
        r#"SELECT gateway_withdraw_id AS "id!" FROM withdrawals WHERE owner_id = $1 AND gateway_withdraw_id IS NOT NULL"#,
        owner_id
    )
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().collect())
}

/// The users whose daily summary is due at `hour` (WIB) of `day` and not decided yet,
/// with whether they want quiet days too.
pub async fn daily_due(pool: &PgPool, hour: i16, day: NaiveDate) -> sqlx::Result<Vec<(TelegramUserId, bool)>> {
    let rows = sqlx::query!(
        "SELECT telegram_id, daily_summary_quiet_days FROM users
         WHERE daily_summary_hour <= $1 AND blocked_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM daily_summaries d WHERE d.owner_id = telegram_id AND d.day = $2)",
        hour,
        day
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (TelegramUserId::new(r.telegram_id), r.daily_summary_quiet_days)).collect())
}

/// Decides the user's summary of `day` once (any number of replicas may try): `false` if
/// it was decided before. With `summary`, its notification is queued in the same
/// transaction as the decision.
pub async fn decide_daily(
    pool: &PgPool,
    owner_id: TelegramUserId,
    day: NaiveDate,
    summary: Option<&Event>,
) -> sqlx::Result<bool> {
    let owner_id = owner_id.get();
    let mut tx = pool.begin().await?;
    let claimed = sqlx::query!(
        "INSERT INTO daily_summaries (owner_id, day, queued) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        owner_id,
        day,
        summary.is_some()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok(false);
    }
    if let Some(event) = summary {
        sqlx::query!(
            "INSERT INTO notification_outbox (owner_id, chat_id, state, event)
             SELECT $1, chat_id, $2, $3 FROM users WHERE telegram_id = $1",
            owner_id,
            format!("daily:{day}"),
            Json(event) as _
        )
        .execute(&mut *tx)
        .await?;
        crate::metrics::notifications_queued(1);
    }
    tx.commit().await?;
    Ok(true)
}

/// Sets the user's daily summary: its hour (WIB), or `None` for off.
pub async fn set_daily_hour(pool: &PgPool, owner_id: TelegramUserId, hour: Option<u8>) -> sqlx::Result<()> {
    let owner_id = owner_id.get();
    sqlx::query!(
        "UPDATE users SET daily_summary_hour = $2, updated_at = now() WHERE telegram_id = $1",
        owner_id,
        hour.map(i16::from)
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Switches whether a day with nothing to report is summarized too.
pub async fn toggle_daily_quiet_days(pool: &PgPool, owner_id: TelegramUserId) -> sqlx::Result<()> {
    let owner_id = owner_id.get();
    sqlx::query!(
        "UPDATE users SET daily_summary_quiet_days = NOT daily_summary_quiet_days, updated_at = now()
         WHERE telegram_id = $1",
        owner_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The user's daily summary setting: the hour (or `None`), and whether quiet days come too.
pub async fn daily_setting(pool: &PgPool, owner_id: TelegramUserId) -> sqlx::Result<(Option<u8>, bool)> {
    let owner_id = owner_id.get();
    let row =
        sqlx::query!("SELECT daily_summary_hour, daily_summary_quiet_days FROM users WHERE telegram_id = $1", owner_id)
            .fetch_optional(pool)
            .await?;
    Ok(row
        .map(|r| (r.daily_summary_hour.and_then(|h| u8::try_from(h).ok()), r.daily_summary_quiet_days))
        .unwrap_or((None, false)))
}
