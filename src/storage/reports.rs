//! The rows the books are made of (`crate::reports` sums them).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// An invoice as the books see it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvoiceEntry {
    pub account_label: String,
    pub gateway_invoice_id: String,
    #[sqlx(try_from = "String")]
    pub status: crate::domain::InvoiceState,
    pub amount: i64,
    pub fee: i64,
    pub total: i64,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

/// A withdrawal that was requested from a gateway, as the books see it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WithdrawalEntry {
    pub id: i64,
    pub account_label: String,
    pub gateway_withdraw_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: crate::domain::WithdrawalState,
    pub amount: i64,
    pub fee: Option<i64>,
    pub destination: sqlx::types::Json<crate::providers::Destination>,
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
    owner_id: i64,
    day: InvoiceDay,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<InvoiceEntry>> {
    let sql = match day {
        InvoiceDay::Settled => {
            "SELECT account_label, gateway_invoice_id, status, amount, fee, total, created_at, settled_at
             FROM invoices WHERE owner_id = $1 AND settled_at >= $2 AND settled_at < $3 ORDER BY settled_at, id"
        }
        InvoiceDay::Created => {
            "SELECT account_label, gateway_invoice_id, status, amount, fee, total, created_at, settled_at
             FROM invoices WHERE owner_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id"
        }
    };
    sqlx::query_as(sql).bind(owner_id).bind(from).bind(to).fetch_all(pool).await
}

/// The user's withdrawals requested from a gateway within [from, to), oldest first
/// (drafts, cancelled and expired ones never were).
pub async fn withdrawals_requested(
    pool: &PgPool,
    owner_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<WithdrawalEntry>> {
    sqlx::query_as(
        "SELECT id, account_label, gateway_withdraw_id, status, amount, fee, destination, requested_at
         FROM withdrawals
         WHERE owner_id = $1 AND requested_at >= $2 AND requested_at < $3 ORDER BY requested_at, id",
    )
    .bind(owner_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// The gateway ids of the user's withdrawals made through the bot.
pub async fn known_gateway_withdrawals(
    pool: &PgPool,
    owner_id: i64,
) -> sqlx::Result<std::collections::HashSet<String>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT gateway_withdraw_id FROM withdrawals WHERE owner_id = $1 AND gateway_withdraw_id IS NOT NULL",
    )
    .bind(owner_id)
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().collect())
}
