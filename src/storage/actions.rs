//! The `pending_actions` table: what a button does, stored on the server. The button
//! carries only the row's id; the row is bound to the user it was made for, expires,
//! and (for anything that changes accounts) works once.

use crate::domain::TelegramUserId;
use std::time::Duration;

use serde::{Serialize, de::DeserializeOwned};
use sqlx::PgPool;

/// Why a pressed button does nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum ActionRefused {
    /// Made for another user.
    NotYours,
    /// Expired, already used, or never existed.
    Stale,
}

/// Stores actions for `owner` in one statement (a button's, or a whole keyboard's);
/// returns their ids in the same order.
pub async fn create<A: Serialize>(
    pool: &PgPool,
    owner: TelegramUserId,
    actions: &[(A, Duration, bool)],
) -> sqlx::Result<Vec<i64>> {
    let owner = owner.get();
    let mut jsons = Vec::with_capacity(actions.len());
    for (action, _, _) in actions {
        jsons.push(serde_json::to_value(action).map_err(|e| sqlx::Error::Encode(Box::new(e)))?);
    }
    let ttls: Vec<f64> = actions.iter().map(|(_, ttl, _)| ttl.as_secs_f64()).collect();
    let single: Vec<bool> = actions.iter().map(|(_, _, single_use)| *single_use).collect();
    // The ids are drawn first and numbered, so that the answer's order is the
    // keyboard's, whatever order the rows are written in.
    sqlx::query_scalar!(
        r#"WITH ids AS (
             SELECT n, nextval('pending_actions_id_seq') AS id FROM generate_series(1, cardinality($2::jsonb[])) n
           ), stored AS (
             INSERT INTO pending_actions (id, owner_id, action, expires_at, single_use)
             SELECT ids.id, $1, a.action, now() + make_interval(secs => a.ttl), a.single_use
             FROM unnest($2::jsonb[], $3::float8[], $4::bool[]) WITH ORDINALITY AS a(action, ttl, single_use, n)
             JOIN ids USING (n)
           )
           SELECT id AS "id!" FROM ids ORDER BY n"#,
        owner,
        &jsons,
        &ttls,
        &single
    )
    .fetch_all(pool)
    .await
}

/// Takes the action of button `id` pressed by `presser`: a single-use action is
/// consumed in the same statement, so two presses (two devices, two bot processes)
/// cannot both take it.
pub async fn take<A: DeserializeOwned>(
    pool: &PgPool,
    id: i64,
    presser: TelegramUserId,
) -> sqlx::Result<Result<A, ActionRefused>> {
    let presser = presser.get();
    let taken: Option<serde_json::Value> = sqlx::query_scalar!(
        "UPDATE pending_actions SET used_at = CASE WHEN single_use THEN now() ELSE used_at END
         WHERE id = $1 AND owner_id = $2 AND used_at IS NULL AND expires_at > now()
         RETURNING action",
        id,
        presser
    )
    .fetch_optional(pool)
    .await?;
    if let Some(json) = taken {
        // An action this version cannot read (written by another version) is stale.
        return Ok(serde_json::from_value(json).map_err(|_| ActionRefused::Stale));
    }
    let owner: Option<i64> =
        sqlx::query_scalar!("SELECT owner_id FROM pending_actions WHERE id = $1", id).fetch_optional(pool).await?;
    Ok(Err(match owner {
        Some(owner) if owner != presser => ActionRefused::NotYours,
        _ => ActionRefused::Stale,
    }))
}

/// Forgets expired actions; returns how many.
pub async fn purge_expired(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM pending_actions WHERE expires_at < now() - interval '1 day'")
        .execute(pool)
        .await?
        .rows_affected())
}
