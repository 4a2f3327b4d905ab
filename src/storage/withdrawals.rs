//! The `withdrawals` table and its audit log.
//!
//! The states of a withdrawal, and who may move a row out of each (every move is one
//! conditional `UPDATE`, so two presses, devices or processes never both move it):
//!
//! | state | meaning | moved by | to |
//! |---|---|---|---|
//! | `draft` | summary shown, nothing decided | the owner's Confirm or Cancel; a late Confirm; the sweep once the dialogue is over | `confirmed`, `cancelled`, `expired` |
//! | `confirmed` | Confirm taken once; a PIN or password may still be asked | the step that submits; Cancel; the sweep once the dialogue is over | `submitting`, `cancelled`, `expired` |
//! | `submitting` | claimed for its one request; `lease_until` is the claimer's lease | the claimer, with the gateway's answer; any process once the lease is over | `submitted`, `refused`, `unknown` |
//! | `unknown` | may have been made; never sent again | the resolver, from the gateway's history; a late answer of the claimer | `submitted`, `refused` |
//! | `submitted` | the gateway has it (`gateway_withdraw_id`), watched | the notifier, from the gateway's status | `success`, `rejected` |
//! | `refused` | the gateway said no, or it was not in its history after the give-up time | a late "made" answer of the claimer | `submitted` |
//!
//! What the gateway's answer means is decided by its client: only a clear "no" is a
//! refusal; anything ambiguous (a timeout, a 5xx, an unreadable or contradictory body)
//! ends in `unknown`, never in `refused`. A process that dies during the request leaves
//! `submitting`; when its lease is over, the resolver of any process makes it `unknown`.
//! The give-up clock of an `unknown` row starts at `requested_at`, the moment the
//! request could first have reached the gateway.

use crate::domain::TelegramUserId;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction, types::Json};
use std::time::Duration;

use crate::{
    domain::{AccountId, Amount, Provider, WithdrawalId, WithdrawalState, events::WatchKind},
    providers::Destination,
};

#[derive(Debug, Clone)]
pub struct WithdrawalRow {
    pub id: WithdrawalId,
    pub owner_id: TelegramUserId,
    pub account_id: Option<AccountId>,
    pub account_label: String,
    pub provider: Provider,
    amount: i64,
    pub destination: Json<Destination>,
    pub status: WithdrawalState,
    pub gateway_withdraw_id: Option<String>,
    fee: Option<i64>,
    total: Option<i64>,
    pub refusal: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it was claimed for its request (`None` before).
    pub requested_at: Option<DateTime<Utc>>,
}

impl WithdrawalRow {
    /// The kind of watch that follows this withdrawal at its gateway once submitted
    /// (both the receipt and the resolver's find start one).
    fn watch_kind(&self) -> WatchKind {
        if self.provider == Provider::Qris { WatchKind::QrisWithdrawal } else { WatchKind::BukalapakWithdrawal }
    }

    pub fn amount(&self) -> Amount {
        Amount::from_rupiah(self.amount).unwrap_or_default()
    }

    pub fn fee(&self) -> Option<Amount> {
        self.fee.and_then(Amount::from_rupiah)
    }

    pub fn total(&self) -> Option<Amount> {
        self.total.and_then(Amount::from_rupiah)
    }
}

/// Writes one audit row (in the caller's transaction).
async fn audit(
    tx: &mut Transaction<'_, Postgres>,
    row: &WithdrawalRow,
    actor: Option<i64>,
    event: &str,
    detail: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO withdrawal_audit (withdrawal_id, actor_id, event, amount, destination_masked, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
        row.id.get(),
        actor,
        event,
        row.amount,
        row.destination.0.masked(),
        detail
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A new draft, audited as created.
pub async fn create_draft(
    pool: &PgPool,
    owner_id: TelegramUserId,
    account_id: AccountId,
    label: &str,
    provider: &str,
    amount: Amount,
    destination: &Destination,
) -> sqlx::Result<Option<WithdrawalRow>> {
    let owner_id = owner_id.get();
    let rupiah = amount.whole_rupiah().ok_or_else(|| sqlx::Error::Protocol("a withdrawal is whole rupiah".into()))?;
    // The row and its audit line in one statement (one round trip, one transaction); none
    // if the account is no longer the owner's.
    sqlx::query_as!(
        WithdrawalRow,
        r#"WITH row AS (
             INSERT INTO withdrawals (owner_id, account_id, account_label, provider, amount, destination, status)
             SELECT $1, $2, $3, $4, $5, $6, 'draft'
             WHERE EXISTS (SELECT 1 FROM linked_accounts WHERE id = $2 AND owner_id = $1)
             RETURNING *
           ), audit AS (
             INSERT INTO withdrawal_audit (withdrawal_id, actor_id, event, amount, destination_masked)
             SELECT id, owner_id, 'created', amount, $7 FROM row
           )
           SELECT id AS "id!: WithdrawalId", owner_id AS "owner_id!: TelegramUserId", account_id AS "account_id: AccountId", account_label AS "account_label!", provider AS "provider!: Provider", amount AS "amount!",
                     destination AS "destination!: Json<Destination>", status AS "status!: WithdrawalState",
                     gateway_withdraw_id, fee, total, refusal, created_at AS "created_at!", requested_at
           FROM row"#,
        owner_id,
        account_id.get(),
        label,
        provider,
        rupiah,
        Json(destination) as _,
        destination.masked()
    )
    .fetch_optional(pool)
    .await
}

pub async fn get(pool: &PgPool, owner_id: TelegramUserId, id: WithdrawalId) -> sqlx::Result<Option<WithdrawalRow>> {
    let owner_id = owner_id.get();
    sqlx::query_as!(
        WithdrawalRow,
        r#"SELECT id AS "id: WithdrawalId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, provider AS "provider: Provider", amount,
                     destination AS "destination: Json<Destination>", status AS "status: WithdrawalState",
                     gateway_withdraw_id, fee, total, refusal, created_at, requested_at
           FROM withdrawals WHERE id = $1 AND owner_id = $2"#,
        id.get(),
        owner_id
    )
    .fetch_optional(pool)
    .await
}

/// Moves `row` from one of `from` to `to` in one conditional update, audited, in one
/// statement; `None` if it was not in one of those states (another press, another
/// process, or too late) or not `owner_id`'s.
async fn transition(
    pool: &PgPool,
    owner_id: i64,
    row: &WithdrawalRow,
    from: &[&str],
    to: &str,
    event: &str,
) -> sqlx::Result<Option<WithdrawalRow>> {
    sqlx::query_as!(
        WithdrawalRow,
        r#"WITH row AS (
             UPDATE withdrawals SET status = $4, updated_at = now() WHERE id = $1 AND owner_id = $2 AND status = ANY($3)
             RETURNING *
           ), audit AS (
             INSERT INTO withdrawal_audit (withdrawal_id, actor_id, event, amount, destination_masked)
             SELECT id, $2, $5, amount, $6 FROM row
           )
           SELECT id AS "id!: WithdrawalId", owner_id AS "owner_id!: TelegramUserId", account_id AS "account_id: AccountId", account_label AS "account_label!", provider AS "provider!: Provider", amount AS "amount!",
                     destination AS "destination!: Json<Destination>", status AS "status!: WithdrawalState",
                     gateway_withdraw_id, fee, total, refusal, created_at AS "created_at!", requested_at
           FROM row"#,
        row.id.get(),
        owner_id,
        from as &[&str],
        to,
        event,
        row.destination.0.masked()
    )
    .fetch_optional(pool)
    .await
}

/// Confirm pressed: only the first press (of any device, any process) gets the row.
pub async fn confirm(
    pool: &PgPool,
    owner_id: TelegramUserId,
    row: &WithdrawalRow,
) -> sqlx::Result<Option<WithdrawalRow>> {
    transition(pool, owner_id.get(), row, &["draft"], "confirmed", "confirmed").await
}

/// Claims a confirmed row for the one request to the gateway, owned for `lease` (the
/// request's deadline and the writes after it; `Config::submit_lease`). A draft cannot
/// be claimed: Confirm comes first.
pub async fn claim_for_submit(
    pool: &PgPool,
    owner_id: TelegramUserId,
    id: WithdrawalId,
    lease: std::time::Duration,
) -> sqlx::Result<Option<WithdrawalRow>> {
    let owner_id = owner_id.get();
    sqlx::query_as!(
        WithdrawalRow,
        r#"UPDATE withdrawals SET status = 'submitting', requested_at = now(),
                  lease_until = now() + make_interval(secs => $3), updated_at = now()
           WHERE id = $1 AND owner_id = $2 AND status = 'confirmed'
           RETURNING id AS "id: WithdrawalId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, provider AS "provider: Provider", amount,
                     destination AS "destination: Json<Destination>", status AS "status: WithdrawalState",
                     gateway_withdraw_id, fee, total, refusal, created_at, requested_at"#,
        id.get(),
        owner_id,
        lease.as_secs_f64()
    )
    .fetch_optional(pool)
    .await
}

pub async fn cancel(
    pool: &PgPool,
    owner_id: TelegramUserId,
    row: &WithdrawalRow,
) -> sqlx::Result<Option<WithdrawalRow>> {
    transition(pool, owner_id.get(), row, &["draft", "confirmed"], "cancelled", "cancelled").await
}

pub async fn expire(
    pool: &PgPool,
    owner_id: TelegramUserId,
    row: &WithdrawalRow,
) -> sqlx::Result<Option<WithdrawalRow>> {
    transition(pool, owner_id.get(), row, &["draft", "confirmed"], "expired", "expired").await
}

/// A watch on a withdrawal the gateway has, so its owner hears when its status changes.
async fn watch(tx: &mut Transaction<'_, Postgres>, row: &WithdrawalRow, gateway_id: &str) -> sqlx::Result<()> {
    let Some(account_id) = row.account_id else { return Ok(()) };
    sqlx::query!(
        "INSERT INTO watches (owner_id, account_id, kind, gateway_id, last_state, expires_at)
         VALUES ($1, $2, $3, $4, 'pending', now() + interval '14 days')
         ON CONFLICT ON CONSTRAINT watches_gateway_id_key DO NOTHING",
        row.owner_id.get(),
        account_id.get(),
        row.watch_kind().as_str(),
        gateway_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The gateway accepted it: its id, fee and total, and a watch on it, first checked
/// `first_check` from now (a withdrawal just accepted has not moved yet). The gateway's
/// receipt is the truth: it also overrides an `unknown` row, or one the resolver gave
/// up on. Returns `false` (and writes nothing) if the row was in none of those states.
pub async fn record_submitted(
    pool: &PgPool,
    row: &WithdrawalRow,
    gateway_id: &str,
    fee: Option<Amount>,
    total: Option<Amount>,
    first_check: Duration,
) -> sqlx::Result<bool> {
    // The row, its audit line and the watch in one statement (one round trip, one
    // transaction); the watch only while the row still has its account.
    let updated = sqlx::query_scalar!(
        r#"WITH updated AS (
             UPDATE withdrawals SET status = 'submitted', gateway_withdraw_id = $2, fee = $3, total = $4, refusal = NULL,
                    lease_until = NULL, settle_credentials = NULL, settle_nonce = NULL, settle_key_id = NULL, updated_at = now()
             WHERE id = $1 AND (status IN ('submitting', 'unknown')
                                OR (status = 'refused' AND refusal = 'not in the gateway''s history'))
             RETURNING id, owner_id, account_id, amount
           ), audit AS (
             INSERT INTO withdrawal_audit (withdrawal_id, actor_id, event, amount, destination_masked, detail)
             SELECT id, owner_id, 'submitted', amount, $5, $2 FROM updated
           ), watch AS (
             INSERT INTO watches (owner_id, account_id, kind, gateway_id, last_state, expires_at, next_check_at)
             SELECT owner_id, account_id, $6, $2, 'pending', now() + interval '14 days', now() + make_interval(secs => $7)
             FROM updated WHERE account_id IS NOT NULL
             ON CONFLICT ON CONSTRAINT watches_gateway_id_key DO NOTHING
           )
           SELECT count(*) AS "updated!" FROM updated"#,
        row.id.get(),
        gateway_id,
        fee.and_then(Amount::whole_rupiah),
        total.and_then(Amount::whole_rupiah),
        row.destination.0.masked(),
        row.watch_kind().as_str(),
        first_check.as_secs_f64()
    )
    .fetch_one(pool)
    .await?;
    Ok(updated > 0)
}

/// The gateway refused it; nothing left the account. `false` if the row had moved on.
pub async fn record_refused(pool: &PgPool, row: &WithdrawalRow, refusal: &str) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query!(
        "UPDATE withdrawals SET status = 'refused', refusal = $2, lease_until = NULL,
                settle_credentials = NULL, settle_nonce = NULL, settle_key_id = NULL, updated_at = now()
         WHERE id = $1 AND status IN ('submitting', 'unknown')",
        row.id.get(),
        refusal
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    audit(&mut tx, row, Some(row.owner_id.get()), "refused", Some(refusal)).await?;
    tx.commit().await?;
    Ok(true)
}

/// It may have been sent, but the answer is not known: never resent, resolved later
/// from the gateway's history. `false` if the row had moved on.
pub async fn record_unknown(pool: &PgPool, row: &WithdrawalRow, why: &str) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query!(
        "UPDATE withdrawals SET status = 'unknown', lease_until = NULL, updated_at = now()
         WHERE id = $1 AND status = 'submitting'",
        row.id.get()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    audit(&mut tx, row, None, "unknown", Some(why)).await?;
    tx.commit().await?;
    Ok(true)
}

/// Drafts and confirmed rows whose dialogue ended without a decision (nothing was
/// sent): expired, so they do not wait forever for a Confirm or a password.
pub async fn expire_abandoned(pool: &PgPool, older_than: std::time::Duration) -> sqlx::Result<u64> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query_as!(
        WithdrawalRow,
        r#"UPDATE withdrawals SET status = 'expired', updated_at = now()
           WHERE status IN ('draft', 'confirmed') AND updated_at < now() - make_interval(secs => $1)
           RETURNING id AS "id: WithdrawalId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, provider AS "provider: Provider", amount,
                     destination AS "destination: Json<Destination>", status AS "status: WithdrawalState",
                     gateway_withdraw_id, fee, total, refusal, created_at, requested_at"#,
        older_than.as_secs_f64()
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in &rows {
        audit(&mut tx, row, None, "expired", Some("the dialogue ended without a decision")).await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// Rows left `submitting` by a process whose lease is over (it died during the request,
/// or could not record the answer) become `unknown`; rows a live process is still
/// sending are left alone. Any process may run this, at any time.
pub async fn sweep_dead_submitting(pool: &PgPool) -> sqlx::Result<u64> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query_as!(
        WithdrawalRow,
        r#"UPDATE withdrawals SET status = 'unknown', lease_until = NULL, updated_at = now()
           WHERE status = 'submitting' AND coalesce(lease_until, '-infinity') < now()
           RETURNING id AS "id: WithdrawalId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, provider AS "provider: Provider", amount,
                     destination AS "destination: Json<Destination>", status AS "status: WithdrawalState",
                     gateway_withdraw_id, fee, total, refusal, created_at, requested_at"#
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in &rows {
        audit(&mut tx, row, None, "unknown", Some("the process sending it stopped during the request")).await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// Rows whose outcome is unknown, oldest first.
pub async fn unknown(pool: &PgPool) -> sqlx::Result<Vec<WithdrawalRow>> {
    sqlx::query_as!(
        WithdrawalRow,
        r#"SELECT id AS "id: WithdrawalId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, provider AS "provider: Provider", amount,
                     destination AS "destination: Json<Destination>", status AS "status: WithdrawalState",
                     gateway_withdraw_id, fee, total, refusal, created_at, requested_at
           FROM withdrawals WHERE status = 'unknown' ORDER BY created_at"#
    )
    .fetch_all(pool)
    .await
}

/// An unknown row found in the gateway's history (and then watched), or found missing
/// from it.
pub async fn resolve(
    pool: &PgPool,
    row: &WithdrawalRow,
    found: Option<(&str, Option<Amount>, Option<Amount>)>,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    match found {
        Some((gateway_id, fee, total)) => {
            let updated = sqlx::query!(
                "UPDATE withdrawals SET status = 'submitted', gateway_withdraw_id = $2, fee = $3, total = $4,
                        settle_credentials = NULL, settle_nonce = NULL, settle_key_id = NULL, updated_at = now()
                 WHERE id = $1 AND status = 'unknown'",
                row.id.get(),
                gateway_id,
                fee.and_then(Amount::whole_rupiah),
                total.and_then(Amount::whole_rupiah)
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Ok(());
            }
            audit(&mut tx, row, None, "resolved", Some(&format!("found in the gateway's history as {gateway_id}")))
                .await?;
            watch(&mut tx, row, gateway_id).await?;
        }
        None => {
            let updated = sqlx::query!(
                "UPDATE withdrawals SET status = 'refused', refusal = 'not in the gateway''s history',
                        settle_credentials = NULL, settle_nonce = NULL, settle_key_id = NULL, updated_at = now()
                 WHERE id = $1 AND status = 'unknown'",
                row.id.get()
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Ok(());
            }
            audit(&mut tx, row, None, "resolved", Some("not in the gateway's history: it was not made")).await?;
        }
    }
    tx.commit().await
}

/// Gateway ids of the account's withdrawals the bot already knows (not to be claimed
/// twice when resolving).
pub async fn known_gateway_ids(pool: &PgPool, row: &WithdrawalRow) -> sqlx::Result<Vec<String>> {
    // Of the same account, or (once it is unlinked) of the owner's withdrawals at the
    // same provider that lost their account too.
    sqlx::query_scalar!(
        r#"SELECT gateway_withdraw_id AS "gateway_withdraw_id!" FROM withdrawals
           WHERE gateway_withdraw_id IS NOT NULL
             AND (account_id = $1 OR ($1::bigint IS NULL AND account_id IS NULL AND owner_id = $2 AND provider = $3))"#,
        row.account_id.map(AccountId::get),
        row.owner_id.get(),
        row.provider.as_str()
    )
    .fetch_all(pool)
    .await
}

/// The destinations of the account's latest withdrawals, newest first, without repeats.
pub async fn recent_destinations(
    pool: &PgPool,
    owner_id: TelegramUserId,
    account_id: AccountId,
    limit: i64,
) -> sqlx::Result<Vec<Destination>> {
    let owner_id = owner_id.get();
    let rows = sqlx::query_scalar!(
        r#"SELECT destination AS "destination!: Json<Destination>" FROM (
              SELECT destination, max(created_at) AS last FROM withdrawals
              WHERE owner_id = $1 AND account_id = $2 AND status IN ('submitted', 'success', 'unknown')
              GROUP BY destination
           ) d ORDER BY last DESC LIMIT $3"#,
        owner_id,
        account_id.get(),
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|j| j.0).collect())
}
