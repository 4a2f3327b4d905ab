//! The read-only commands: `/balance`, and the lists and lookups that need one account
//! (`/withdrawals`, `/mutations`, `/subaccounts`, `/va`, `/disbursement`). Lists are one
//! message, edited in place by ◀ ▶ buttons.

use crate::domain::AccountId;
use futures::future::join_all;
use teloxide::types::MessageId;

use super::{ButtonAction, Ctx, HandlerResult, ReadCommand, VaKindArg, format};
use crate::{
    domain::Provider,
    i18n::{Html, escape_html},
    providers::{BalanceSource, Capability, Destination, GatewayError, MutationKind, Page, VaKind},
    services::accounts::{self, LinkedAccount, Unusable, Usable},
    tr,
};

/// Items per page where the gateway lets the bot choose.
pub const PER_PAGE: u32 = 5;

impl ReadCommand {
    pub fn capability(self) -> Capability {
        match self {
            ReadCommand::Withdrawals => Capability::WithdrawalHistory,
            ReadCommand::Mutations => Capability::Mutations,
            ReadCommand::SubAccounts => Capability::SubAccounts,
            ReadCommand::VirtualAccounts => Capability::VirtualAccounts,
            ReadCommand::Disbursement => Capability::Disbursements,
            ReadCommand::Deposit => Capability::Invoices,
        }
    }
}

/// The names of the providers that offer `capability`, for "a … account does".
pub(super) fn providers_offering(ctx: &Ctx, capability: Capability) -> String {
    let names: Vec<String> =
        Provider::ALL.into_iter().filter(|p| p.can(capability)).map(|p| format::provider(p, ctx.lang)).collect();
    names.join(" / ")
}

/// One of the user's accounts opened for gateway calls, or the message that says why not.
pub(super) async fn client(ctx: &Ctx, account_id: AccountId) -> anyhow::Result<Result<Usable, String>> {
    Ok(accounts::open(&ctx.app, ctx.accounts().await?, account_id).map_err(|why| unusable(ctx, &why)))
}

/// Why an account cannot be used, in words: the one place this is said.
pub(super) fn unusable(ctx: &Ctx, why: &Unusable) -> String {
    match why {
        Unusable::Gone => tr!(ctx.lang, "account-gone"),
        Unusable::Unreadable(account) => tr!(ctx.lang, "account-unreadable", label = account.label.as_str()),
        Unusable::NoClient(_, e) => e.user_text(ctx.lang),
    }
}

pub(super) fn gateway_error(ctx: &Ctx, account: &LinkedAccount, e: &GatewayError) -> String {
    tracing::info!(provider = account.provider.as_str(), error = %e, "gateway call failed");
    tr!(ctx.lang, "account-error", label = account.label.as_str(), error = Html(e.user_text(ctx.lang)))
}

/// `/balance [label]`: every account that has a balance, or the one named.
pub async fn balance(ctx: &Ctx, args: &str) -> HandlerResult {
    let all = ctx.account_list().await?;
    if all.is_empty() {
        return ctx.tell(tr!(ctx.lang, "need-link")).await;
    }
    let wanted = args.split_whitespace().next().map(str::to_lowercase);
    let chosen: Vec<LinkedAccount> = match &wanted {
        Some(label) => match all.iter().find(|a| a.label.as_str() == label) {
            Some(a) if a.provider.can(Capability::Balance) => vec![a.clone()],
            Some(a) => return ctx.tell(cannot(ctx, a, Capability::Balance)).await,
            None => return ctx.tell(unknown_label(ctx, label, &all)).await,
        },
        None => all.into_iter().filter(|a| a.provider.can(Capability::Balance)).collect(),
    };
    if chosen.is_empty() {
        return ctx.tell(tr!(ctx.lang, "no-capable", providers = providers_offering(ctx, Capability::Balance))).await;
    }
    ctx.typing();
    let lines = join_all(chosen.iter().map(|account| balance_line(ctx, account))).await;
    let lines = lines.into_iter().collect::<anyhow::Result<Vec<String>>>()?;
    let text = format::fit_lines(ctx.lang, tr!(ctx.lang, "balance-header") + "\n\n", &lines, "\n\n");
    ctx.say(text).await?;
    Ok(())
}

async fn balance_line(ctx: &Ctx, account: &LinkedAccount) -> anyhow::Result<String> {
    let gateway = match client(ctx, account.id).await? {
        Ok(found) => found,
        Err(message) => return Ok(message),
    };
    let account = &gateway.account;
    let provider = format::provider(account.provider, ctx.lang);
    Ok(match gateway.balance().await {
        Ok(b) => {
            let mut line = tr!(
                ctx.lang,
                "balance-line",
                label = account.label.as_str(),
                provider = provider,
                amount = b.amount.format(ctx.lang)
            );
            match b.source {
                BalanceSource::Reported => {}
                BalanceSource::NewestMutation { at } => {
                    let at = at.map(|t| format::datetime(&t, ctx.lang)).unwrap_or_default();
                    line.push('\n');
                    line.push_str(&tr!(ctx.lang, "balance-from-mutation", at = at));
                }
                BalanceSource::NoMutations => {
                    line.push('\n');
                    line.push_str(&tr!(ctx.lang, "balance-no-mutations"));
                }
            }
            line
        }
        Err(e) => gateway_error(ctx, account, &e),
    })
}

pub(super) fn cannot(ctx: &Ctx, account: &LinkedAccount, capability: Capability) -> String {
    let provider = format::provider(account.provider, ctx.lang);
    tr!(
        ctx.lang,
        "account-cannot",
        label = account.label.as_str(),
        provider = provider,
        providers = providers_offering(ctx, capability)
    )
}

pub(super) fn unknown_label(ctx: &Ctx, label: &str, all: &[LinkedAccount]) -> String {
    let labels: Vec<String> = all.iter().map(|a| format!("<code>{}</code>", escape_html(a.label.as_str()))).collect();
    tr!(ctx.lang, "unknown-account", label = label, labels = Html(labels.join(", ")))
}

/// Checks a command's own argument before an account is chosen or a gateway asked: a
/// bad argument costs nothing. The message to show if it is wrong.
fn check_arg(ctx: &Ctx, command: ReadCommand, arg: Option<&str>) -> Option<String> {
    match (command, arg) {
        (ReadCommand::Disbursement, None) => Some(tr!(ctx.lang, "disbursement-usage")),
        (ReadCommand::Deposit, None) => Some(tr!(ctx.lang, "deposit-usage")),
        (ReadCommand::Deposit, Some(amount)) => {
            crate::domain::Amount::parse_user(amount, super::deposit::max_deposit(ctx))
                .err()
                .map(|e| format::amount_error(&e, ctx.lang))
        }
        (ReadCommand::VirtualAccounts, Some(kind)) if VaKind::parse(kind).is_none() => {
            Some(tr!(ctx.lang, "va-kind-invalid"))
        }
        _ => None,
    }
}

/// A command that needs one account: the account named in `args`, the only one that
/// fits, the default, or buttons to choose.
pub async fn read(ctx: &Ctx, command: ReadCommand, args: &str) -> HandlerResult {
    let all = ctx.account_list().await?;
    if all.is_empty() {
        return ctx.tell(tr!(ctx.lang, "need-link")).await;
    }
    let capability = command.capability();
    let mut named = None;
    let mut rest = Vec::new();
    for token in args.split_whitespace() {
        match all.iter().find(|a| a.label.as_str() == token.to_lowercase()) {
            Some(a) if named.is_none() => named = Some(a.clone()),
            _ => rest.push(token),
        }
    }
    let arg = (!rest.is_empty()).then(|| rest.join(" "));
    if let (ReadCommand::Mutations | ReadCommand::SubAccounts, Some(extra)) = (command, &arg) {
        return ctx.tell(unknown_label(ctx, extra, &all)).await;
    }
    if let Some(problem) = check_arg(ctx, command, arg.as_deref()) {
        return ctx.tell(problem).await;
    }
    let account = match named {
        Some(a) if !a.provider.can(capability) => return ctx.tell(cannot(ctx, &a, capability)).await,
        Some(a) => a,
        None => {
            let fitting: Vec<&LinkedAccount> = all.iter().filter(|a| a.provider.can(capability)).collect();
            match fitting.as_slice() {
                [] => {
                    return ctx
                        .tell(tr!(ctx.lang, "no-capable", providers = providers_offering(ctx, capability)))
                        .await;
                }
                [one] => (*one).clone(),
                several => match several.iter().find(|a| a.is_default) {
                    Some(default) => (*default).clone(),
                    None => {
                        let rows = several
                            .iter()
                            .map(|a| {
                                let text = format!("{} ({})", a.label, format::provider(a.provider, ctx.lang));
                                vec![(text, ButtonAction::Run { command, account_id: a.id, arg: arg.clone() })]
                            })
                            .collect();
                        let keyboard = ctx.app.keyboard(ctx.user, rows).await?;
                        ctx.say_with(tr!(ctx.lang, "choose-account"), keyboard).await?;
                        return Ok(());
                    }
                },
            }
        }
    };
    if command == ReadCommand::Deposit {
        return super::deposit::create(ctx, None, account.id, arg.as_deref().unwrap_or_default()).await;
    }
    ctx.typing();
    run(ctx, None, command, account.id, arg, 1).await
}

/// Runs `command` on an account and shows page `page`, in a new message or in `message`.
pub async fn run(
    ctx: &Ctx,
    message: Option<MessageId>,
    command: ReadCommand,
    account_id: AccountId,
    arg: Option<String>,
    page: u32,
) -> HandlerResult {
    let gateway = match client(ctx, account_id).await? {
        Ok(found) => found,
        Err(text) => return ctx.send_or_edit(message, text, None).await,
    };
    let account = &gateway.account;
    let label = account.label.as_str();
    let lang = ctx.lang;
    let listed = match command {
        ReadCommand::Withdrawals => gateway.withdrawals(page, PER_PAGE, arg.as_deref()).await.map(|p| {
            let title = tr!(lang, "list-withdrawals-title", label = label);
            render(ctx, title, p, PER_PAGE, |w| {
                let mut line = format!(
                    "{} — <b>{}</b> — {}",
                    w.created_at.map(|t| format::datetime(&t, lang)).unwrap_or_default(),
                    w.amount.format(lang),
                    format::status(w.status.as_str(), lang)
                );
                match &w.destination {
                    Some(Destination::Dana { number, name }) => {
                        line.push_str(&format!("\n   DANA {} ({})", escape_html(number), escape_html(name)))
                    }
                    Some(Destination::BankAccount { id }) => {
                        line.push_str(&format!("\n   {}", tr!(lang, "bank-account", id = id)))
                    }
                    None => {}
                }
                if let Some(note) = &w.admin_note {
                    line.push_str(&format!("\n   {}", tr!(lang, "admin-note", note = note)));
                }
                line
            })
        }),
        ReadCommand::Mutations => gateway.mutations(page, PER_PAGE).await.map(|p| {
            let title = tr!(lang, "list-mutations-title", label = label);
            render(ctx, title, p, PER_PAGE, |m| {
                let sign = if m.kind == MutationKind::Credit { "+" } else { "−" };
                format!(
                    "{} — <b>{sign}{}</b> — {}\n   {}",
                    m.created_at.map(|t| format::datetime(&t, lang)).unwrap_or_default(),
                    m.amount.format(lang),
                    escape_html(&m.action),
                    tr!(lang, "balance-after", amount = m.final_balance.format(lang))
                )
            })
        }),
        ReadCommand::SubAccounts => gateway.sub_accounts(page).await.map(|p| {
            let title = tr!(lang, "list-subaccounts-title", label = label);
            let per_page = p.items.len().max(1) as u32;
            render(ctx, title, p, per_page, |s| {
                let contact: Vec<String> = [&s.email, &s.phone].into_iter().flatten().map(|c| escape_html(c)).collect();
                format!(
                    "<b>{}</b> — {}\n   <code>{}</code> {}",
                    escape_html(&s.name),
                    format::status(&s.status, lang),
                    escape_html(&s.id),
                    contact.join(" · ")
                )
            })
        }),
        ReadCommand::VirtualAccounts => {
            let kind = arg.as_deref().and_then(VaKind::parse).unwrap_or(VaKind::Temporary);
            gateway.virtual_accounts(kind, page).await.map(|p| {
                let kind_name = match kind {
                    VaKind::Temporary => tr!(lang, "va-temporary"),
                    VaKind::Permanent => tr!(lang, "va-permanent"),
                };
                let title = tr!(lang, "list-va-title", kind = kind_name, label = label);
                let per_page = p.items.len().max(1) as u32;
                render(ctx, title, p, per_page, |v| {
                    format!(
                        "{} <code>{}</code> — {} — {}",
                        escape_html(v.bank_code.as_deref().unwrap_or("")),
                        escape_html(&v.number),
                        v.amount.format(lang),
                        format::status(&v.status, lang)
                    )
                })
            })
        }
        ReadCommand::Deposit => {
            return super::deposit::create(ctx, message, account_id, arg.as_deref().unwrap_or_default()).await;
        }
        ReadCommand::Disbursement => {
            let id = arg.clone().unwrap_or_default();
            let text = match gateway.disbursement(&id).await {
                Ok(d) => {
                    if d.status == crate::providers::DisbursementStatus::Pending {
                        crate::services::notifications::watch_disbursement(
                            &ctx.app,
                            ctx.user,
                            account.id,
                            &d.transaction_id,
                        )
                        .await?;
                    }
                    disbursement_text(ctx, label, &d)
                }
                Err(e) => gateway_error(ctx, account, &e),
            };
            return ctx.send_or_edit(message, text, None).await;
        }
    };
    let (text, pages) = match listed {
        Ok(rendered) => rendered,
        Err(e) => return ctx.send_or_edit(message, gateway_error(ctx, account, &e), None).await,
    };
    let mut row = Vec::new();
    if page > 1 {
        row.push(("◀".to_owned(), ButtonAction::Page { command, account_id, page: page - 1, arg: arg.clone() }));
    }
    if pages.has_next {
        row.push(("▶".to_owned(), ButtonAction::Page { command, account_id, page: page + 1, arg: arg.clone() }));
    }
    let mut rows = vec![row];
    if command == ReadCommand::VirtualAccounts {
        let other = match arg.as_deref().and_then(VaKind::parse).unwrap_or(VaKind::Temporary) {
            VaKind::Temporary => VaKind::Permanent,
            VaKind::Permanent => VaKind::Temporary,
        };
        let text = match other {
            VaKind::Temporary => tr!(lang, "button-va-temporary"),
            VaKind::Permanent => tr!(lang, "button-va-permanent"),
        };
        rows.push(vec![(text, ButtonAction::VaKind { account_id, kind: VaKindArg::from(other) })]);
    }
    let keyboard = ctx.app.keyboard(ctx.user, rows).await?;
    ctx.send_or_edit(message, text, Some(keyboard)).await
}

struct Pages {
    has_next: bool,
}

/// A page as text: title, items, page indicator.
fn render<T>(ctx: &Ctx, title: String, page: Page<T>, per_page: u32, line: impl Fn(&T) -> String) -> (String, Pages) {
    let (text, has_next) = format::page(ctx.lang, title, &page, per_page, line);
    (text, Pages { has_next })
}

fn disbursement_text(ctx: &Ctx, label: &str, d: &crate::providers::Disbursement) -> String {
    let lang = ctx.lang;
    let mut lines = vec![
        tr!(lang, "disbursement-title", id = &d.transaction_id, label = label),
        tr!(lang, "disbursement-status", status = Html(format::status(d.status.as_str(), lang))),
        tr!(lang, "disbursement-amount", amount = d.amount.format(lang)),
    ];
    for fee in &d.fees {
        let name = fee.name.clone().unwrap_or_else(|| tr!(lang, "fee"));
        lines.push(tr!(lang, "disbursement-fee", name = name, amount = fee.value.format(lang)));
    }
    if let Some(total) = d.total {
        lines.push(tr!(lang, "disbursement-total", amount = total.format(lang)));
    }
    if let Some(bank) = &d.bank {
        let parts: Vec<&str> =
            [&bank.code, &bank.number, &bank.name].into_iter().flatten().map(String::as_str).collect();
        lines.push(tr!(lang, "disbursement-bank", bank = parts.join(" · ")));
    }
    if let Some(at) = &d.posted_at {
        lines.push(tr!(lang, "disbursement-posted", at = format::datetime(at, lang)));
    }
    if let Some(at) = &d.processed_at {
        lines.push(tr!(lang, "disbursement-processed", at = format::datetime(at, lang)));
    }
    if let Some(notes) = &d.notes {
        lines.push(tr!(lang, "disbursement-notes", notes = notes));
    }
    if let Some(balance) = d.balance_after {
        lines.push(tr!(lang, "balance-after", amount = balance.format(lang)));
    }
    lines.join("\n")
}
