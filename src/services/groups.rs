//! Groups where a user shows their own balances, lists and invoices (`/group on|off`).

use crate::app::App;
use crate::domain::TelegramUserId;

/// Whether `owner` enabled group `chat` for their own data.
pub async fn enabled(app: &App, chat: i64, owner: TelegramUserId) -> sqlx::Result<bool> {
    crate::storage::groups::enabled(&app.pool, chat, owner).await
}

pub async fn enable(app: &App, chat: i64, owner: TelegramUserId) -> sqlx::Result<()> {
    crate::storage::groups::enable(&app.pool, chat, owner).await
}

pub async fn disable(app: &App, chat: i64, owner: TelegramUserId) -> sqlx::Result<()> {
    crate::storage::groups::disable(&app.pool, chat, owner).await
}
