//! teloxide's dialogue [`Storage`] on our PostgreSQL: the state of each chat's dialogue as
//! JSONB, so a dialogue survives a restart and any replica can continue it. A dialogue
//! untouched for longer than its timeout reads as absent and is deleted.

use std::{marker::PhantomData, sync::Arc, time::Duration};

use futures::future::BoxFuture;
use serde::{Serialize, de::DeserializeOwned};
use sqlx::PgPool;
use teloxide::{dispatching::dialogue::Storage, types::ChatId};

pub use super::users::StoredDialogue;

pub struct PgDialogueStorage<D> {
    pool: PgPool,
    timeout: Duration,
    _state: PhantomData<fn() -> D>,
}

#[derive(Debug, thiserror::Error)]
pub enum DialogueStorageError {
    #[error("dialogue storage: {0}")]
    Database(#[from] sqlx::Error),
    #[error("dialogue state does not (de)serialize: {0}")]
    Serde(#[from] serde_json::Error),
}

impl<D> PgDialogueStorage<D> {
    /// A storage whose dialogues expire `timeout` after their last change.
    pub fn new(pool: PgPool, timeout: Duration) -> Arc<Self> {
        Arc::new(PgDialogueStorage { pool, timeout, _state: PhantomData })
    }
}

impl<D> Storage<D> for PgDialogueStorage<D>
where
    D: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = DialogueStorageError;

    fn remove_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<'static, Result<(), Self::Error>> {
        Box::pin(async move {
            sqlx::query!("DELETE FROM dialogues WHERE chat_id = $1", chat_id.0).execute(&self.pool).await?;
            Ok(())
        })
    }

    fn update_dialogue(self: Arc<Self>, chat_id: ChatId, dialogue: D) -> BoxFuture<'static, Result<(), Self::Error>> {
        Box::pin(async move {
            let state = serde_json::to_value(&dialogue)?;
            let timeout_ms = i64::try_from(self.timeout.as_millis()).unwrap_or(i64::MAX);
            sqlx::query!(
                "INSERT INTO dialogues (chat_id, state, updated_at, expires_at)
                 VALUES ($1, $2, now(), now() + make_interval(secs => $3::double precision / 1000))
                 ON CONFLICT (chat_id) DO UPDATE
                    SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at",
                chat_id.0,
                state,
                timeout_ms as f64
            )
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn get_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<'static, Result<Option<D>, Self::Error>> {
        Box::pin(async move {
            let row: Option<StoredDialogue> = sqlx::query!(
                r#"SELECT state, expires_at > now() AS "alive!" FROM dialogues WHERE chat_id = $1"#,
                chat_id.0
            )
            .fetch_optional(&self.pool)
            .await?
            .map(|r| (r.state, r.alive));
            Ok(read_stored(&self.pool, chat_id.0, row).await?)
        })
    }
}

/// The dialogue a stored row holds (read alone, or together with the user by
/// [`super::users::enter`]): none if there is no row; an expired one is deleted and
/// reads as none; one that no longer parses reads as none.
pub async fn read_stored<D: DeserializeOwned>(
    pool: &PgPool,
    chat_id: i64,
    row: Option<StoredDialogue>,
) -> sqlx::Result<Option<D>> {
    match row {
        None => Ok(None),
        Some((_, false)) => {
            // Only the expired version is removed: a concurrent update wins.
            sqlx::query!("DELETE FROM dialogues WHERE chat_id = $1 AND expires_at <= now()", chat_id)
                .execute(pool)
                .await?;
            tracing::debug!(chat_id, "dialogue expired");
            Ok(None)
        }
        Some((state, true)) => match serde_json::from_value(state) {
            Ok(d) => Ok(Some(d)),
            Err(e) => {
                // A state written by an older version that no longer parses:
                // start over rather than leave the chat stuck.
                tracing::warn!(chat_id, error = %e, "stored dialogue state no longer parses; starting over");
                Ok(None)
            }
        },
    }
}
