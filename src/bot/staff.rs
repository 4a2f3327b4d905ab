//! `/staff`: an owner invites cashiers with a one-time link (`?start=staff_<token>`,
//! 24 hours) for some of their QRIS accounts, lists them, removes them (at once), and
//! sees what they did. Staff can make invoices on those accounts and see the invoices
//! they made; every other command is refused with a clear answer, and written to the
//! audit log.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, MessageId},
};

use super::{ButtonAction, Ctx, HandlerResult, Seen};
use crate::domain::{AccountId, TelegramUserId};
use crate::{
    domain::Provider,
    i18n::{Html, escape_html},
    services::staff::{self, AuditLine, Joined, StaffRole},
    tr,
};
/// Audit lines shown under `/staff`.
const RECENT: i64 = 8;

/// Why staff may not run `command` (and the refusal written to the audit log), or why a
/// removed member can no longer invoice; `None` if the command may run.
pub async fn refusal(ctx: &Ctx, seen: &Seen, allowed: bool, command: &str) -> anyhow::Result<Option<String>> {
    match seen.staff() {
        StaffRole::Active if !allowed => {
            staff::refused(&ctx.app, ctx.user, command).await?;
            Ok(Some(tr!(ctx.lang, "staff-refused", command = format!("/{command}"))))
        }
        StaffRole::Removed if matches!(command, "deposit" | "invoice" | "invoices") => {
            let own = ctx.account_list().await?;
            Ok(own.is_empty().then(|| tr!(ctx.lang, "staff-removed")))
        }
        _ => Ok(None),
    }
}

/// Whether a stored button may be pressed by staff: only those of invoices.
pub fn button_for_staff(action: &ButtonAction) -> bool {
    matches!(
        action,
        ButtonAction::Run { command: super::ReadCommand::Deposit, .. }
            | ButtonAction::InvoiceRefresh { .. }
            | ButtonAction::InvoiceCancel { .. }
            | ButtonAction::InvoiceShare { .. }
            | ButtonAction::InvoicesPage { .. }
    )
}

/// `/staff`: a member sees whose accounts they work on; an owner sees their staff, the
/// invite buttons and the latest audit lines.
pub async fn show(ctx: &Ctx, message: Option<MessageId>, seen: &Seen) -> HandlerResult {
    if seen.staff() == StaffRole::Active {
        let lines: Vec<String> = staff::employers(&ctx.app, ctx.user)
            .await?
            .into_iter()
            .map(|(label, name)| match name {
                Some(name) => format!("• <b>{}</b> ({})", escape_html(&label), escape_html(&name)),
                None => format!("• <b>{}</b>", escape_html(&label)),
            })
            .collect();
        return ctx.send_or_edit(message, tr!(ctx.lang, "staff-member", accounts = Html(lines.join("\n"))), None).await;
    }
    let qris: Vec<_> = ctx
        .account_list()
        .await?
        .into_iter()
        .filter(|a| a.provider == Provider::Qris && a.owner_id == ctx.user)
        .collect();
    if qris.is_empty() {
        return ctx.send_or_edit(message, tr!(ctx.lang, "staff-need-qris"), None).await;
    }
    let members = staff::members(&ctx.app, ctx.user).await?;
    let mut text = tr!(ctx.lang, "staff-title");
    text.push_str("\n\n");
    if members.is_empty() {
        text.push_str(&tr!(ctx.lang, "staff-none"));
    }
    let mut rows = Vec::new();
    for m in &members {
        let line = format!("• <b>{}</b> — {}", escape_html(&m.name), escape_html(&m.labels.join(", ")));
        text.push_str(&line);
        text.push('\n');
        // A button shows plain text: the name goes in as typed, not escaped as `tr!` would.
        let remove = format!("{} {}", tr!(ctx.lang, "button-staff-remove"), m.name);
        rows.push(vec![
            ctx.app
                .button(ctx.user, remove, ButtonAction::StaffRemove { staff_id: TelegramUserId::new(m.staff_id) })
                .await?,
        ]);
    }
    for a in &qris {
        let invite = tr!(ctx.lang, "button-staff-invite", label = a.label.as_str());
        let action = ButtonAction::StaffInvite { account_ids: vec![a.id] };
        rows.push(vec![ctx.app.button(ctx.user, invite, action).await?]);
    }
    if qris.len() > 1 {
        let action = ButtonAction::StaffInvite { account_ids: qris.iter().map(|a| a.id).collect() };
        rows.push(vec![ctx.app.button(ctx.user, tr!(ctx.lang, "button-staff-invite-all"), action).await?]);
    }
    let recent = staff::recent(&ctx.app, ctx.user, RECENT).await?;
    if !recent.is_empty() {
        text.push('\n');
        text.push_str(&tr!(ctx.lang, "staff-recent"));
        for line in recent {
            text.push('\n');
            text.push_str(&audit_line(ctx, &line));
        }
    }
    let text = format!("{}\n\n{}", text.trim_end(), tr!(ctx.lang, "staff-hint"));
    ctx.send_or_edit(message, text, Some(InlineKeyboardMarkup::new(rows))).await
}

fn audit_line(ctx: &Ctx, line: &AuditLine) -> String {
    let when = super::format::datetime(&line.at.fixed_offset(), ctx.lang);
    let who = line.name.clone().unwrap_or_else(|| tr!(ctx.lang, "staff-you"));
    let detail = |key: &str| line.detail.get(key).map(|v| v.as_str().map(str::to_owned).unwrap_or(v.to_string()));
    let what = match line.action.as_str() {
        "invited" => tr!(ctx.lang, "audit-invited"),
        "joined" => tr!(ctx.lang, "audit-joined"),
        "invoice_created" => tr!(
            ctx.lang,
            "audit-invoice-created",
            invoice = detail("invoice").unwrap_or_default(),
            label = detail("label").unwrap_or_default()
        ),
        "invoice_cancelled" => {
            tr!(ctx.lang, "audit-invoice-cancelled", invoice = detail("invoice").unwrap_or_default())
        }
        "invoice_shared" => tr!(ctx.lang, "audit-invoice-shared", invoice = detail("invoice").unwrap_or_default()),
        "refused" => tr!(ctx.lang, "audit-refused", command = format!("/{}", detail("command").unwrap_or_default())),
        "removed" => tr!(ctx.lang, "audit-removed"),
        other => escape_html(other),
    };
    format!("{when} · {} · {what}", escape_html(&who))
}

/// An Invite button: a one-time link for these accounts.
pub async fn invite(ctx: &Ctx, account_ids: &[AccountId]) -> HandlerResult {
    let Some(link) = staff::invite(&ctx.app, ctx.user, account_ids).await? else {
        return ctx.tell(tr!(ctx.lang, "account-gone")).await;
    };
    let labels: Vec<String> = ctx
        .account_list()
        .await?
        .into_iter()
        .filter(|a| account_ids.contains(&a.id))
        .map(|a| a.label.as_str().to_owned())
        .collect();
    ctx.tell(tr!(ctx.lang, "staff-invite", link = link, accounts = labels.join(", "))).await
}

/// A Remove button: the member loses every account of this owner at once, and is told.
pub async fn remove(ctx: &Ctx, message: MessageId, staff_id: TelegramUserId, seen: &Seen) -> HandlerResult {
    if let Some(lang) = staff::remove(&ctx.app, ctx.user, staff_id).await? {
        let lang = lang.unwrap_or(ctx.lang);
        let chat = teloxide::types::ChatId(staff_id.get());
        let told = ctx.app.limiter.send_bulk(chat, ctx.bot.send_message(chat, tr!(lang, "staff-you-were-removed")));
        if let Err(e) = told.await {
            tracing::info!(error = %e, "could not tell a removed staff member");
        }
    }
    show(ctx, Some(message), seen).await
}

/// `/start staff_<token>`: joins the owner's staff.
pub async fn join(ctx: &Ctx, msg: &teloxide::types::Message, parameter: &str) -> HandlerResult {
    let name = msg.from.as_ref().map(|u| u.full_name()).unwrap_or_default();
    let name = if name.trim().is_empty() { format!("#{}", ctx.user) } else { name };
    let (joined, owner_lang) = staff::join(&ctx.app, parameter, ctx.user, &name).await?;
    match joined {
        Joined::Joined { owner_id, labels } => {
            let accounts = labels.join(", ");
            let lang = owner_lang.unwrap_or(ctx.lang);
            let chat = teloxide::types::ChatId(owner_id);
            let text = tr!(lang, "staff-joined-owner", name = name.as_str(), accounts = accounts.as_str());
            if let Err(e) = ctx.app.limiter.send_bulk(chat, ctx.bot.send_message(chat, text)).await {
                tracing::info!(error = %e, "could not tell the owner that a staff member joined");
            }
            ctx.tell(tr!(ctx.lang, "staff-joined", accounts = accounts)).await
        }
        Joined::Invalid => ctx.tell(tr!(ctx.lang, "staff-invite-invalid")).await,
        Joined::Spent => ctx.tell(tr!(ctx.lang, "staff-invite-spent")).await,
        Joined::Yourself => ctx.tell(tr!(ctx.lang, "staff-invite-yourself")).await,
        Joined::HasAccounts => ctx.tell(tr!(ctx.lang, "staff-invite-has-accounts")).await,
    }
}
