//! The `static_qris` table: a merchant's own printed QRIS, for `/qris <amount>`.

use crate::domain::TelegramUserId;
use sqlx::PgPool;

pub struct StaticQris {
    pub payload: String,
    pub merchant_name: String,
}

pub async fn get(pool: &PgPool, owner_id: TelegramUserId) -> sqlx::Result<Option<StaticQris>> {
    let owner_id = owner_id.get();
    sqlx::query_as!(StaticQris, "SELECT payload, merchant_name FROM static_qris WHERE owner_id = $1", owner_id)
        .fetch_optional(pool)
        .await
}

/// Stores (or replaces) the user's static QRIS.
pub async fn save(pool: &PgPool, owner_id: TelegramUserId, payload: &str, merchant_name: &str) -> sqlx::Result<()> {
    let owner_id = owner_id.get();
    sqlx::query!(
        "INSERT INTO static_qris (owner_id, payload, merchant_name) VALUES ($1, $2, $3)
         ON CONFLICT (owner_id) DO UPDATE SET payload = EXCLUDED.payload, merchant_name = EXCLUDED.merchant_name, updated_at = now()",
        owner_id,
        payload,
        merchant_name
    )
    .execute(pool)
    .await?;
    Ok(())
}
