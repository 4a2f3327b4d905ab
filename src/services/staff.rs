//! Staff: an owner invites a cashier with a one-time link for some QRIS accounts; a
//! member makes invoices there and nothing else; the owner lists and removes members;
//! everything staff do is in the owner's audit log.

use crate::domain::TelegramUserId;
use std::time::Duration;

use crate::domain::AccountId;
use crate::{
    app::App,
    domain::{LinkKind, LinkToken},
    i18n::Lang,
    storage::{
        invoices::InvoiceRow,
        staff::{self, AuditAction},
        users,
    },
};

pub use crate::storage::staff::{AuditLine, Joined, Member, StaffRole};

/// How long an invite works.
pub const INVITE_TTL: Duration = Duration::from_secs(24 * 3600);

/// Writes a command refused to a member to their owners' audit logs.
pub async fn refused(app: &App, member: TelegramUserId, command: &str) -> sqlx::Result<()> {
    if staff::refused(&app.pool, member, command).await? {
        tracing::info!(command, "a staff member was refused a command");
    }
    Ok(())
}

/// The accounts a member invoices on: each label and the owner's display name.
pub async fn employers(app: &App, member: TelegramUserId) -> sqlx::Result<Vec<(String, Option<String>)>> {
    staff::employers(&app.pool, member).await
}

pub async fn members(app: &App, owner: TelegramUserId) -> sqlx::Result<Vec<Member>> {
    staff::members(&app.pool, owner).await
}

/// The owner's latest `limit` audit lines, newest first.
pub async fn recent(app: &App, owner: TelegramUserId, limit: i64) -> sqlx::Result<Vec<AuditLine>> {
    staff::recent(&app.pool, owner, limit).await
}

/// A one-time invite link for these of the owner's QRIS accounts, valid [`INVITE_TTL`];
/// `None` if none of them is (still) the owner's QRIS account.
pub async fn invite(app: &App, owner: TelegramUserId, account_ids: &[AccountId]) -> anyhow::Result<Option<String>> {
    let token = LinkToken::generate();
    let ids: Vec<i64> = account_ids.iter().map(|id| id.get()).collect();
    if !staff::invite(&app.pool, owner, &ids, &token, INVITE_TTL).await? {
        return Ok(None);
    }
    let username = app.username.get().ok_or_else(|| anyhow::anyhow!("the bot's username is not known yet"))?;
    tracing::info!(accounts = ?account_ids, "a staff invite was made");
    Ok(Some(token.link(username, LinkKind::Staff)))
}

/// Removes a member from all of the owner's accounts at once; the member's language if
/// they were removed now (to tell them), `None` if they were not staff of this owner.
pub async fn remove(app: &App, owner: TelegramUserId, member: TelegramUserId) -> sqlx::Result<Option<Option<Lang>>> {
    if !staff::remove(&app.pool, owner, member).await? {
        return Ok(None);
    }
    tracing::info!(staff_id = member.get(), "a staff member was removed");
    Ok(Some(users::get(&app.pool, member).await?.map(|u| u.lang())))
}

/// Opens an invite (`/start staff_<token>`) for `member`, named `name`; with the owner's
/// language when joined (to tell them).
pub async fn join(
    app: &App,
    parameter: &str,
    member: TelegramUserId,
    name: &str,
) -> sqlx::Result<(Joined, Option<Lang>)> {
    let Some(token) = LinkToken::from_start(parameter, LinkKind::Staff) else {
        return Ok((Joined::Invalid, None));
    };
    let joined = staff::join(&app.pool, &token, member, name).await?;
    let owner_lang = match &joined {
        Joined::Joined { owner_id, .. } => {
            tracing::info!(owner_id, "a staff member joined");
            users::get(&app.pool, TelegramUserId::new(*owner_id)).await?.map(|u| u.lang())
        }
        _ => None,
    };
    Ok((joined, owner_lang))
}

/// Writes what a member (`actor`) did with an owner's invoice to the owner's audit log;
/// nothing when the owner acted themselves.
pub async fn audit_invoice(
    app: &App,
    actor: TelegramUserId,
    action: AuditAction,
    invoice: &InvoiceRow,
) -> sqlx::Result<()> {
    if invoice.owner_id == actor {
        return Ok(());
    }
    let detail = serde_json::json!({
        "invoice": invoice.gateway_invoice_id,
        "label": invoice.account_label,
        "total": invoice.total().whole_rupiah(),
    });
    staff::audit(&app.pool, invoice.owner_id.get(), Some(actor.get()), action, detail).await
}
