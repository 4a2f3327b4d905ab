//! `/withdraw`: account → amount (the balance shown where known) → destination (DANA
//! number and name, or Bukalapak bank_account_id; recent ones as buttons) → summary
//! with ✅ Confirm and ✖ Cancel → the PIN (if set and above the threshold) → the
//! Bukalapak password (read once, deleted, never kept) → submitted once → the result
//! replaces the summary.

use crate::domain::{AccountId, WithdrawalId};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, MessageId},
};

use super::{ButtonAction, ChatDialogue, Ctx, HandlerResult, State, dialogue_err, format, reads};
use crate::{
    domain::{Amount, AmountError, BankAccountId, DanaName, DanaNumber, Provider},
    i18n::{Html, escape_html},
    providers::{Capability, Destination, GatewayError},
    secret::Secret,
    services::{
        accounts::{self, LinkedAccount},
        pin::{self, PinCheck, PinState},
        withdrawals::{self, Confirmed, Next, NotReady, Which, WithdrawalRow},
    },
    tr,
    withdrawals::Outcome,
};

fn locked_text(ctx: &Ctx, until: chrono::DateTime<chrono::Utc>) -> String {
    tr!(
        ctx.lang,
        "withdraw-locked",
        until = format::datetime(&until.with_timezone(&crate::providers::json::jakarta()), ctx.lang)
    )
}

/// `/withdraw [label]`: a locked PIN stops withdrawals (the message says until when).
pub async fn start(ctx: &Ctx, dialogue: &ChatDialogue, args: &str) -> HandlerResult {
    if let Some(until) = pin::locked_in(&ctx.pin().await?, ctx.app.clock.now()) {
        return ctx.tell(locked_text(ctx, until)).await;
    }
    let all = ctx.account_list().await?;
    if all.is_empty() {
        return ctx.tell(tr!(ctx.lang, "need-link")).await;
    }
    let fitting: Vec<&LinkedAccount> = all.iter().filter(|a| a.provider.can(Capability::Withdraw)).collect();
    let wanted = args.split_whitespace().next().map(str::to_lowercase);
    let chosen = match &wanted {
        Some(label) => match all.iter().find(|a| a.label.as_str() == label) {
            Some(a) if a.provider.can(Capability::Withdraw) => Some(a.clone()),
            Some(a) => return ctx.tell(reads::cannot(ctx, a, Capability::Withdraw)).await,
            None => return ctx.tell(reads::unknown_label(ctx, label, &all)).await,
        },
        None => match fitting.as_slice() {
            [] => {
                let providers = reads::providers_offering(ctx, Capability::Withdraw);
                return ctx.tell(tr!(ctx.lang, "no-capable", providers = providers)).await;
            }
            [one] => Some((*one).clone()),
            several => several.iter().find(|a| a.is_default).map(|a| (*a).clone()),
        },
    };
    match chosen {
        Some(account) => ask_amount(ctx, dialogue, &account, None).await,
        None => {
            let rows = fitting
                .iter()
                .map(|a| {
                    let text = format!("{} ({})", a.label, format::provider(a.provider, ctx.lang));
                    vec![(text, ButtonAction::WithdrawAccount { account_id: a.id })]
                })
                .collect();
            let keyboard = ctx.app.keyboard(ctx.user, rows).await?;
            ctx.say_with(tr!(ctx.lang, "withdraw-choose-account"), keyboard).await?;
            Ok(())
        }
    }
}

/// The account button.
pub async fn on_account(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    message: MessageId,
    account_id: AccountId,
) -> HandlerResult {
    match ctx.own_account(account_id).await? {
        Some(account) => ask_amount(ctx, dialogue, &account, Some(message)).await,
        None => ctx.edit(message, tr!(ctx.lang, "account-gone"), None).await,
    }
}

async fn ask_amount(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    account: &LinkedAccount,
    message: Option<MessageId>,
) -> HandlerResult {
    ctx.typing();
    let balance = match accounts::open(&ctx.app, ctx.accounts().await?, account.id) {
        Ok(usable) => withdrawals::balance(&usable).await,
        Err(why) => return ctx.send_or_edit(message, reads::unusable(ctx, &why), None).await,
    };
    let provider = format::provider(account.provider, ctx.lang);
    let mut text = tr!(ctx.lang, "withdraw-from", label = account.label.as_str(), provider = provider);
    text.push('\n');
    text.push_str(&match balance {
        Some(b) => tr!(ctx.lang, "withdraw-balance", amount = b.format(ctx.lang)),
        None => tr!(ctx.lang, "withdraw-balance-unknown"),
    });
    text.push_str("\n\n");
    text.push_str(&tr!(ctx.lang, "withdraw-ask-amount"));
    ctx.send_or_edit(message, text, None).await?;
    dialogue.update(State::WithdrawAmount { account_id: account.id, balance }).await.map_err(dialogue_err)
}

/// The typed amount: above the balance is refused before any gateway call.
pub async fn on_amount(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    account_id: AccountId,
    balance: Option<Amount>,
    text: &str,
) -> HandlerResult {
    let max = balance.unwrap_or(Amount::from_sen(i64::MAX));
    let amount = match Amount::parse_user(text, max) {
        Ok(a) => a,
        Err(AmountError::TooLarge { .. }) if balance.is_some() => {
            return ctx.tell(tr!(ctx.lang, "withdraw-above-balance", amount = max.format(ctx.lang))).await;
        }
        Err(e) => return ctx.tell(format::amount_error(&e, ctx.lang)).await,
    };
    let Some(account) = ctx.own_account(account_id).await? else {
        dialogue.exit().await.map_err(dialogue_err)?;
        return ctx.tell(tr!(ctx.lang, "account-gone")).await;
    };
    ask_destination(ctx, dialogue, &account, amount).await
}

async fn ask_destination(ctx: &Ctx, dialogue: &ChatDialogue, account: &LinkedAccount, amount: Amount) -> HandlerResult {
    let recent = withdrawals::recent_destinations(&ctx.app, ctx.user, account.id).await?;
    let recent: Vec<Vec<(String, ButtonAction)>> = recent
        .into_iter()
        .map(|destination| {
            vec![(
                destination_text(&destination, ctx),
                ButtonAction::WithdrawTo { account_id: account.id, destination },
            )]
        })
        .collect();
    let (text, state) = match account.provider {
        Provider::Qris => {
            (tr!(ctx.lang, "withdraw-ask-dana-number"), State::WithdrawDanaNumber { account_id: account.id, amount })
        }
        _ => {
            (tr!(ctx.lang, "withdraw-ask-bank-account"), State::WithdrawBankAccount { account_id: account.id, amount })
        }
    };
    if recent.is_empty() {
        ctx.say(text).await?;
    } else {
        let keyboard = ctx.app.keyboard(ctx.user, recent).await?;
        ctx.say_with(format!("{text}\n{}", tr!(ctx.lang, "withdraw-recent")), keyboard).await?;
    }
    dialogue.update(state).await.map_err(dialogue_err)
}

fn destination_text(d: &Destination, ctx: &Ctx) -> String {
    match d {
        Destination::Dana { number, name } => format!("DANA {number} ({name})"),
        Destination::BankAccount { id } => tr!(ctx.lang, "bank-account", id = id.as_str()),
    }
}

pub async fn on_dana_number(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    account_id: AccountId,
    amount: Amount,
    text: &str,
) -> HandlerResult {
    let Some(number) = DanaNumber::parse(text).map(DanaNumber::into_inner) else {
        return ctx.tell(tr!(ctx.lang, "withdraw-bad-dana-number")).await;
    };
    ctx.say(tr!(ctx.lang, "withdraw-ask-dana-name")).await?;
    dialogue.update(State::WithdrawDanaName { account_id, amount, number }).await.map_err(dialogue_err)
}

pub async fn on_dana_name(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    account_id: AccountId,
    amount: Amount,
    number: String,
    text: &str,
) -> HandlerResult {
    let Some(name) = DanaName::parse(text).map(DanaName::into_inner) else {
        return ctx.tell(tr!(ctx.lang, "withdraw-bad-dana-name")).await;
    };
    summary(ctx, dialogue, account_id, amount, Destination::Dana { number, name }, None).await
}

pub async fn on_bank_account(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    account_id: AccountId,
    amount: Amount,
    text: &str,
) -> HandlerResult {
    let Some(id) = BankAccountId::parse(text).map(BankAccountId::into_inner) else {
        return ctx.tell(tr!(ctx.lang, "withdraw-bad-bank-account")).await;
    };
    summary(ctx, dialogue, account_id, amount, Destination::BankAccount { id }, None).await
}

/// A recent-destination button.
pub async fn on_destination(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    message: MessageId,
    account_id: AccountId,
    destination: Destination,
) -> HandlerResult {
    // The amount is the one of the dialogue waiting now (a recent-destination button may
    // be one of an earlier /withdraw).
    let waiting = match dialogue.get().await.map_err(dialogue_err)? {
        Some(
            State::WithdrawDanaNumber { account_id: a, amount } | State::WithdrawBankAccount { account_id: a, amount },
        ) if a == account_id => Some(amount),
        _ => None,
    };
    let Some(amount) = waiting else {
        return ctx.edit(message, tr!(ctx.lang, "withdraw-expired"), None).await;
    };
    summary(ctx, dialogue, account_id, amount, destination, Some(message)).await
}

/// The draft and its summary with Confirm and Cancel.
async fn summary(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    account_id: AccountId,
    amount: Amount,
    destination: Destination,
    message: Option<MessageId>,
) -> HandlerResult {
    let draft = match ctx.own_account(account_id).await? {
        Some(account) => {
            withdrawals::draft(&ctx.app, ctx.user, &account, amount, &destination).await?.map(|row| (account, row))
        }
        None => None,
    };
    let Some((account, row)) = draft else {
        dialogue.exit().await.map_err(dialogue_err)?;
        return ctx.tell(tr!(ctx.lang, "account-gone")).await;
    };
    let [confirm, cancel] = ctx
        .app
        .buttons(
            ctx.user,
            [
                (tr!(ctx.lang, "button-confirm"), ButtonAction::WithdrawConfirm { withdrawal_id: row.id }),
                (tr!(ctx.lang, "button-cancel"), ButtonAction::WithdrawCancel { withdrawal_id: row.id }),
            ],
        )
        .await?;
    let keyboard = InlineKeyboardMarkup::new([[confirm, cancel]]);
    let text = summary_text(ctx, &row, &account);
    let sent = match message {
        Some(id) => {
            ctx.edit(id, text, Some(keyboard)).await?;
            id
        }
        None => ctx.say_with(text, keyboard).await?.id,
    };
    dialogue.update(State::WithdrawConfirm { withdrawal_id: row.id, message: sent.0 }).await.map_err(dialogue_err)
}

fn summary_text(ctx: &Ctx, row: &WithdrawalRow, account: &LinkedAccount) -> String {
    let fee = match account.provider {
        Provider::Qris => tr!(ctx.lang, "withdraw-fee-after"),
        _ => tr!(ctx.lang, "withdraw-fee-bukalapak"),
    };
    tr!(
        ctx.lang,
        "withdraw-summary",
        amount = row.amount().format(ctx.lang),
        label = account.label.as_str(),
        provider = format::provider(account.provider, ctx.lang),
        destination = destination_text(&row.destination.0, ctx),
        fee = Html(fee)
    )
}

/// ✅ Confirm: taken once; then the PIN, the password, or the submit.
pub async fn on_confirm(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    message: MessageId,
    withdrawal_id: WithdrawalId,
) -> HandlerResult {
    let pin = ctx.pin().await?;
    let row = match withdrawals::confirm(&ctx.app, ctx.user, withdrawal_id, &pin).await? {
        Confirmed::Ready(row) => *row,
        Confirmed::Unknown => return ctx.edit(message, tr!(ctx.lang, "callback-stale"), None).await,
        Confirmed::Expired => return ctx.edit(message, tr!(ctx.lang, "withdraw-expired"), None).await,
        // A second press, another device or another process was first: nothing more.
        Confirmed::Taken => return Ok(()),
        Confirmed::Locked(until) => {
            dialogue.exit().await.map_err(dialogue_err)?;
            return ctx.edit(message, locked_text(ctx, until), None).await;
        }
    };
    next_step(ctx, dialogue, row, message, Some(&pin)).await
}

/// After Confirm (with the PIN settings the update began with) and after a right PIN
/// (`None`): ask what is still needed, or submit.
async fn next_step(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    row: WithdrawalRow,
    message: MessageId,
    pin_pending: Option<&PinState>,
) -> HandlerResult {
    let (withdrawal_id, message_id) = (row.id, message.0);
    let (question, state) = match withdrawals::next_step(&row, pin_pending) {
        Next::Pin => (tr!(ctx.lang, "withdraw-ask-pin"), State::WithdrawPin { withdrawal_id, message: message_id }),
        Next::Password => {
            (tr!(ctx.lang, "withdraw-ask-password"), State::WithdrawPassword { withdrawal_id, message: message_id })
        }
        Next::Submit => return finish(ctx, dialogue, Which::Row(Box::new(row)), message, None).await,
    };
    ctx.edit(message, question, None).await?;
    dialogue.update(state).await.map_err(dialogue_err)
}

/// The PIN message: deleted, checked; five wrong in a row lock withdrawals.
pub async fn on_pin(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    msg: &Message,
    withdrawal_id: WithdrawalId,
    message: MessageId,
) -> HandlerResult {
    match super::pin::check_typed(ctx, msg).await? {
        PinCheck::Right => {}
        PinCheck::Wrong { left } => return ctx.tell(tr!(ctx.lang, "withdraw-wrong-pin", left = left as i64)).await,
        PinCheck::Locked => {
            withdrawals::cancel(&ctx.app, ctx.user, withdrawal_id).await?;
            dialogue.exit().await.map_err(dialogue_err)?;
            // Locked by this PIN: read again, not as the update began.
            let text = match pin::locked_until(&ctx.app, ctx.user).await? {
                Some(until) => locked_text(ctx, until),
                None => tr!(ctx.lang, "withdraw-cancelled"),
            };
            return ctx.edit(message, text, None).await;
        }
    }
    let Some(row) = withdrawals::get(&ctx.app, ctx.user, withdrawal_id).await? else { return Ok(()) };
    next_step(ctx, dialogue, row, message, None).await
}

/// The Bukalapak password message: deleted at once, used for the one request, dropped.
pub async fn on_password(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    msg: &Message,
    withdrawal_id: WithdrawalId,
    message: MessageId,
) -> HandlerResult {
    let password = Secret::new(msg.text().unwrap_or_default().trim().to_owned());
    super::delete_secret_message(ctx, msg).await?;
    if password.expose().is_empty() {
        return ctx.tell(tr!(ctx.lang, "withdraw-ask-password")).await;
    }
    finish(ctx, dialogue, Which::Id(withdrawal_id), message, Some(password)).await
}

/// Submits and puts the result in place of the summary.
async fn finish(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    which: Which,
    message: MessageId,
    password: Option<Secret>,
) -> HandlerResult {
    dialogue.exit().await.map_err(dialogue_err)?;
    let (row, account) = match withdrawals::prepare(&ctx.app, ctx.user, ctx.accounts().await?, which).await? {
        Ok(ready) => ready,
        Err(NotReady::Gone) => return Ok(()),
        Err(NotReady::Unusable(why)) => return ctx.edit(message, reads::unusable(ctx, &why), None).await,
    };
    // "Sending…" goes out while the withdrawal is claimed and sent, not before: that
    // edit may wait for its chat's Telegram limit (a second, or a 429's `retry_after`),
    // and a process killed in that wait would leave the row confirmed, with nothing
    // sent and its Confirm spent. The result's edit comes after both, so in order.
    let sending = async {
        if let Err(e) = ctx.edit(message, tr!(ctx.lang, "withdraw-sending"), None).await {
            tracing::warn!(
                withdrawal_id = row.id.get(),
                error = format!("{e:#}"),
                "could not show that the withdrawal is being sent"
            );
        }
    };
    let (_, sent) = tokio::join!(sending, withdrawals::send(&ctx.app, ctx.user, &row, &account, password));
    let (outcome, new_balance) = match sent {
        Ok(sent) => sent,
        Err(e) => {
            // The request may have gone out before the failure: not "nothing changed".
            tracing::error!(withdrawal_id = row.id.get(), error = format!("{e:#}"), "recording a withdrawal failed");
            return ctx.edit(message, tr!(ctx.lang, "withdraw-unknown"), None).await;
        }
    };
    let text = match outcome {
        Outcome::Submitted(receipt) => {
            let mut lines = vec![
                tr!(
                    ctx.lang,
                    "withdraw-done",
                    amount = row.amount().format(ctx.lang),
                    destination = destination_text(&row.destination.0, ctx)
                ),
                tr!(ctx.lang, "withdraw-id", id = &receipt.id),
            ];
            if let Some(fee) = receipt.fee {
                lines.push(tr!(ctx.lang, "withdraw-fee", amount = fee.format(ctx.lang)));
            }
            if let Some(total) = receipt.total {
                lines.push(tr!(ctx.lang, "withdraw-total", amount = total.format(ctx.lang)));
            }
            if let Some(balance) = new_balance {
                lines.push(tr!(ctx.lang, "withdraw-new-balance", amount = balance.format(ctx.lang)));
            }
            if let Some(note) = receipt.message {
                lines.push(format!("<i>{}</i>", escape_html(&note)));
            }
            lines.push(tr!(ctx.lang, "withdraw-watched"));
            lines.join("\n")
        }
        Outcome::Refused(GatewayError::Unsupported) => tr!(ctx.lang, "withdraw-cancelled"),
        Outcome::Refused(e) => tr!(ctx.lang, "withdraw-refused", error = Html(e.user_text(ctx.lang))),
        Outcome::Unknown => tr!(ctx.lang, "withdraw-unknown"),
        Outcome::AlreadyTaken => return Ok(()),
    };
    ctx.edit(message, text, None).await
}

/// ✖ Cancel (or /cancel during the withdrawal).
pub async fn on_cancel(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    message: Option<MessageId>,
    withdrawal_id: WithdrawalId,
) -> HandlerResult {
    let cancelled = withdrawals::cancel(&ctx.app, ctx.user, withdrawal_id).await?;
    if let Some(
        State::WithdrawConfirm { withdrawal_id: w, .. }
        | State::WithdrawPin { withdrawal_id: w, .. }
        | State::WithdrawPassword { withdrawal_id: w, .. },
    ) = dialogue.get().await.map_err(dialogue_err)?
        && w == withdrawal_id
    {
        dialogue.exit().await.map_err(dialogue_err)?;
    }
    let text = if cancelled.is_some() { tr!(ctx.lang, "withdraw-cancelled") } else { tr!(ctx.lang, "callback-stale") };
    ctx.send_or_edit(message, text, None).await
}
