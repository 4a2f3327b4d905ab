//! The `enabled_groups` table: groups where an owner shows their own data.

use crate::domain::TelegramUserId;
use sqlx::PgPool;

pub async fn enabled(pool: &PgPool, chat_id: i64, owner_id: TelegramUserId) -> sqlx::Result<bool> {
    let owner_id = owner_id.get();
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM enabled_groups WHERE chat_id = $1 AND owner_id = $2) AS "enabled!""#,
        chat_id,
        owner_id
    )
    .fetch_one(pool)
    .await
}

pub async fn enable(pool: &PgPool, chat_id: i64, owner_id: TelegramUserId) -> sqlx::Result<()> {
    let owner_id = owner_id.get();
    sqlx::query!(
        "INSERT INTO enabled_groups (chat_id, owner_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        chat_id,
        owner_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn disable(pool: &PgPool, chat_id: i64, owner_id: TelegramUserId) -> sqlx::Result<()> {
    let owner_id = owner_id.get();
    sqlx::query!("DELETE FROM enabled_groups WHERE chat_id = $1 AND owner_id = $2", chat_id, owner_id)
        .execute(pool)
        .await?;
    Ok(())
}
