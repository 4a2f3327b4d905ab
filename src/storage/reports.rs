//! The rows the books are made of (`crate::reports`).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::reports::{InvoiceEntry, WithdrawalEntry};

const INVOICE_COLUMNS: &str = "account_label, gateway_invoice_id, status, amount, fee, total, created_at, settled_at";

/// The user's invoices that left `pending` within [from, to), oldest first.
pub async fn invoices_settled(
    pool: &PgPool,
    owner_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<InvoiceEntry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices
         WHERE owner_id = $1 AND settled_at >= $2 AND settled_at < $3 ORDER BY settled_at, id"
    )))
    .bind(owner_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// The user's invoices made within [from, to), whatever became of them, oldest first.
pub async fn invoices_created(
    pool: &PgPool,
    owner_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<InvoiceEntry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices
         WHERE owner_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id"
    )))
    .bind(owner_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
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
