//! Staff: invites, members, and the audit log of what staff do. A member's rights are
//! read on every update from the `staff` rows, so a removal takes effect at once.

use crate::domain::TelegramUserId;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};

use crate::domain::LinkToken;

/// A user's standing as staff, read with the user's row on every update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StaffRole {
    /// Not staff of anyone (an owner, or a new user).
    #[default]
    None,
    /// Staff of at least one account now: may make invoices there and nothing else.
    Active,
    /// Was staff, and every membership was removed.
    Removed,
}

impl StaffRole {
    pub fn from_flags(active: bool, removed: bool) -> StaffRole {
        match (active, removed) {
            (true, _) => StaffRole::Active,
            (false, true) => StaffRole::Removed,
            (false, false) => StaffRole::None,
        }
    }
}

/// What staff do (and what owners do about staff), as the audit log names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    Invited,
    Joined,
    InvoiceCreated,
    InvoiceCancelled,
    InvoiceShared,
    Refused,
    Removed,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Invited => "invited",
            AuditAction::Joined => "joined",
            AuditAction::InvoiceCreated => "invoice_created",
            AuditAction::InvoiceCancelled => "invoice_cancelled",
            AuditAction::InvoiceShared => "invoice_shared",
            AuditAction::Refused => "refused",
            AuditAction::Removed => "removed",
        }
    }
}

/// Writes one audit row.
pub async fn audit<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    owner_id: i64,
    staff_id: Option<i64>,
    action: AuditAction,
    detail: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO staff_audit (owner_id, staff_id, action, detail) VALUES ($1, $2, $3, $4)",
        owner_id,
        staff_id,
        action.as_str(),
        detail
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// An invite for the owner's `accounts` (their QRIS accounts only), valid for `ttl`.
/// `false` if none of the accounts is the owner's QRIS account.
pub async fn invite(
    pool: &PgPool,
    owner_id: TelegramUserId,
    accounts: &[i64],
    token: &LinkToken,
    ttl: Duration,
) -> sqlx::Result<bool> {
    let owner_id = owner_id.get();
    let mut tx = pool.begin().await?;
    let owned: Vec<i64> = sqlx::query_scalar!(
        "SELECT id FROM linked_accounts WHERE owner_id = $1 AND provider = 'qris' AND id = ANY($2) ORDER BY id",
        owner_id,
        accounts
    )
    .fetch_all(&mut *tx)
    .await?;
    if owned.is_empty() {
        return Ok(false);
    }
    sqlx::query!(
        "INSERT INTO staff_invites (token, owner_id, account_ids, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
        token.as_str(),
        owner_id,
        &owned,
        ttl.as_secs_f64()
    )
    .execute(&mut *tx)
    .await?;
    audit(&mut *tx, owner_id, None, AuditAction::Invited, serde_json::json!({ "accounts": owned })).await?;
    tx.commit().await?;
    Ok(true)
}

/// What opening an invite did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Joined {
    /// Now staff of `owner_id` for these account labels.
    Joined { owner_id: i64, labels: Vec<String> },
    /// No such invite (altered, or never made).
    Invalid,
    /// Used already, or past its 24 hours.
    Spent,
    /// The owner opened their own invite.
    Yourself,
    /// The user has accounts of their own: an owner cannot also be staff.
    HasAccounts,
}

async fn lock_invite(
    tx: &mut Transaction<'_, Postgres>,
    token: &LinkToken,
) -> sqlx::Result<Option<(i64, Vec<i64>, bool)>> {
    let row = sqlx::query!(
        r#"SELECT owner_id, account_ids, used_at IS NULL AND expires_at > now() AS "usable!" FROM staff_invites
         WHERE token = $1 FOR UPDATE"#,
        token.as_str()
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| (r.owner_id, r.account_ids, r.usable)))
}

/// Opens an invite for `staff_id` (named `name`), in one transaction: the invite is used
/// once, by one user.
pub async fn join(pool: &PgPool, token: &LinkToken, staff_id: TelegramUserId, name: &str) -> sqlx::Result<Joined> {
    let staff_id = staff_id.get();
    let mut tx = pool.begin().await?;
    let Some((owner_id, accounts, usable)) = lock_invite(&mut tx, token).await? else {
        return Ok(Joined::Invalid);
    };
    if !usable {
        return Ok(Joined::Spent);
    }
    if owner_id == staff_id {
        return Ok(Joined::Yourself);
    }
    let own: bool =
        sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM linked_accounts WHERE owner_id = $1) AS "own!""#, staff_id)
            .fetch_one(&mut *tx)
            .await?;
    if own {
        return Ok(Joined::HasAccounts);
    }
    let labels: Vec<String> = sqlx::query_scalar!(
        r#"INSERT INTO staff (owner_id, staff_id, account_id, name)
         SELECT $1, $2, a.id, $4 FROM linked_accounts a WHERE a.owner_id = $1 AND a.id = ANY($3)
         ON CONFLICT (staff_id, account_id) DO UPDATE SET removed_at = NULL, name = EXCLUDED.name, owner_id = EXCLUDED.owner_id
         RETURNING (SELECT label FROM linked_accounts WHERE id = account_id) AS "label!""#,
        owner_id,
        staff_id,
        &accounts,
        name
    )
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query!("UPDATE staff_invites SET used_by = $2, used_at = now() WHERE token = $1", token.as_str(), staff_id)
        .execute(&mut *tx)
        .await?;
    if labels.is_empty() {
        // Every account of the invite was unlinked meanwhile.
        tx.commit().await?;
        return Ok(Joined::Spent);
    }
    audit(&mut *tx, owner_id, Some(staff_id), AuditAction::Joined, serde_json::json!({ "accounts": labels })).await?;
    tx.commit().await?;
    Ok(Joined::Joined { owner_id, labels })
}

/// A member as the owner's `/staff` lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub staff_id: i64,
    pub name: String,
    pub labels: Vec<String>,
}

/// The owner's current staff, by name.
pub async fn members(pool: &PgPool, owner_id: TelegramUserId) -> sqlx::Result<Vec<Member>> {
    let owner_id = owner_id.get();
    sqlx::query_as!(
        Member,
        r#"SELECT s.staff_id, min(s.name) AS "name!", array_agg(a.label ORDER BY a.label) AS "labels!"
         FROM staff s JOIN linked_accounts a ON a.id = s.account_id
         WHERE s.owner_id = $1 AND s.removed_at IS NULL GROUP BY s.staff_id ORDER BY min(s.name), s.staff_id"#,
        owner_id
    )
    .fetch_all(pool)
    .await
}

/// The accounts a member may invoice on, with their owner's display names (for the
/// member's own `/staff`).
pub async fn employers(pool: &PgPool, staff_id: TelegramUserId) -> sqlx::Result<Vec<(String, Option<String>)>> {
    let staff_id = staff_id.get();
    let rows = sqlx::query!(
        "SELECT a.label, a.display_name FROM staff s JOIN linked_accounts a ON a.id = s.account_id
         WHERE s.staff_id = $1 AND s.removed_at IS NULL ORDER BY a.label",
        staff_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.label, r.display_name)).collect())
}

/// Removes a member from all of the owner's accounts, at once. `false` if they were not
/// (or no longer) staff of this owner.
pub async fn remove(pool: &PgPool, owner_id: TelegramUserId, staff_id: TelegramUserId) -> sqlx::Result<bool> {
    let owner_id = owner_id.get();
    let staff_id = staff_id.get();
    let mut tx = pool.begin().await?;
    let removed = sqlx::query!(
        "UPDATE staff SET removed_at = now() WHERE owner_id = $1 AND staff_id = $2 AND removed_at IS NULL",
        owner_id,
        staff_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed > 0 {
        audit(&mut *tx, owner_id, Some(staff_id), AuditAction::Removed, serde_json::json!({})).await?;
    }
    tx.commit().await?;
    Ok(removed > 0)
}

/// One line of the audit log.
#[derive(Clone, Debug)]
pub struct AuditLine {
    pub at: DateTime<Utc>,
    pub name: Option<String>,
    pub action: String,
    pub detail: serde_json::Value,
}

/// The owner's latest audit lines, newest first.
pub async fn recent(pool: &PgPool, owner_id: TelegramUserId, limit: i64) -> sqlx::Result<Vec<AuditLine>> {
    let owner_id = owner_id.get();
    sqlx::query_as!(
        AuditLine,
        r#"SELECT l.at, (SELECT min(s.name) FROM staff s WHERE s.staff_id = l.staff_id AND s.owner_id = l.owner_id) AS "name?",
                l.action, l.detail
         FROM staff_audit l WHERE l.owner_id = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2"#,
        owner_id,
        limit
    )
    .fetch_all(pool)
    .await
}

/// The owner a staff member works for on `account_id`, if they still do.
pub async fn owner_of(pool: &PgPool, staff_id: TelegramUserId, account_id: i64) -> sqlx::Result<Option<i64>> {
    let staff_id = staff_id.get();
    sqlx::query_scalar!(
        "SELECT owner_id FROM staff WHERE staff_id = $1 AND account_id = $2 AND removed_at IS NULL",
        staff_id,
        account_id
    )
    .fetch_optional(pool)
    .await
}

/// Writes a refused command of an active member to the audit log of every owner they
/// work for; whether they are an active member at all.
pub async fn refused(pool: &PgPool, staff_id: TelegramUserId, command: &str) -> sqlx::Result<bool> {
    let staff_id = staff_id.get();
    let written = sqlx::query!(
        "INSERT INTO staff_audit (owner_id, staff_id, action, detail)
         SELECT DISTINCT owner_id, $1::bigint, 'refused', jsonb_build_object('command', $2::text)
         FROM staff WHERE staff_id = $1 AND removed_at IS NULL",
        staff_id,
        command
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(written > 0)
}
