//! What a button does, kept on the server: the button carries only the stored row's id,
//! bound to the user it was made for, expiring, and (for what changes accounts) used once.

use crate::domain::TelegramUserId;
use std::time::Duration;

use serde::{Serialize, de::DeserializeOwned};

use crate::{app::App, storage::actions};

pub use crate::storage::actions::ActionRefused;

/// Stores actions for `owner` (a button's, or a whole keyboard's at once); the ids their
/// buttons carry, in order.
pub async fn store<A: Serialize>(
    app: &App,
    owner: TelegramUserId,
    actions: &[(A, Duration, bool)],
) -> sqlx::Result<Vec<i64>> {
    actions::create(&app.pool, owner, actions).await
}

/// Takes the action of button `id` pressed by `presser` (a single-use one is consumed).
pub async fn take<A: DeserializeOwned>(
    app: &App,
    id: i64,
    presser: TelegramUserId,
) -> sqlx::Result<Result<A, ActionRefused>> {
    actions::take(&app.pool, id, presser).await
}
