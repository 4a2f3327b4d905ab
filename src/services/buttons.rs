//! What a button does, kept on the server: the button carries only the stored row's id,
//! bound to the user it was made for, expiring, and (for what changes accounts) used once.

use crate::domain::TelegramUserId;
use std::time::Duration;

use serde::{Serialize, de::DeserializeOwned};

use crate::{app::App, storage::actions};

pub use crate::storage::actions::ActionRefused;

/// Stores `action` for `owner`; the id its button carries.
pub async fn store<A: Serialize>(
    app: &App,
    owner: TelegramUserId,
    action: &A,
    ttl: Duration,
    single_use: bool,
) -> sqlx::Result<i64> {
    actions::create(&app.pool, owner, action, ttl, single_use).await
}

/// Stores several actions for `owner` at once (a keyboard's buttons); their ids, in order.
pub async fn store_many<A: Serialize>(
    app: &App,
    owner: TelegramUserId,
    actions: &[(A, Duration, bool)],
) -> sqlx::Result<Vec<i64>> {
    actions::create_many(&app.pool, owner, actions).await
}

/// Takes the action of button `id` pressed by `presser` (a single-use one is consumed).
pub async fn take<A: DeserializeOwned>(
    app: &App,
    id: i64,
    presser: TelegramUserId,
) -> sqlx::Result<Result<A, ActionRefused>> {
    actions::take(&app.pool, id, presser).await
}
