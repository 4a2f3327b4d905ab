//! A withdrawal as use cases: the draft (amount and destination), Confirm taken once,
//! what is still needed (the PIN above its threshold, the Bukalapak password), the one
//! submit, and cancelling. The rules of sending once and settling the unknown ones are
//! [`crate::withdrawals`].

use crate::domain::TelegramUserId;
use crate::domain::{AccountId, WithdrawalId};
use crate::{
    app::App,
    domain::{Amount, WithdrawalState},
    providers::Destination,
    secret::Secret,
    services::{
        accounts::{self, LinkedAccount, OpenedAccount, Unusable, Usable},
        pin::{self, PinState},
    },
    storage::withdrawals,
    withdrawals::{Outcome, submit},
};

pub use crate::storage::withdrawals::WithdrawalRow;

/// How many recent destinations are offered as buttons.
pub const RECENT_DESTINATIONS: i64 = 3;

/// The balance to show when asking for the amount (`None` if the gateway cannot tell).
pub async fn balance(account: &Usable) -> Option<Amount> {
    account.balance().await.ok().map(|b| b.amount)
}

/// The destinations of the account's latest withdrawals, newest first.
pub async fn recent_destinations(
    app: &App,
    owner: TelegramUserId,
    account_id: AccountId,
) -> sqlx::Result<Vec<Destination>> {
    withdrawals::recent_destinations(&app.pool, owner, account_id, RECENT_DESTINATIONS).await
}

/// A new draft on one of the owner's accounts; `None` if the account is gone.
pub async fn draft(
    app: &App,
    owner: TelegramUserId,
    account: &LinkedAccount,
    amount: Amount,
    destination: &Destination,
) -> anyhow::Result<Option<WithdrawalRow>> {
    let row = withdrawals::create_draft(
        &app.pool,
        owner,
        account.id,
        account.label.as_str(),
        account.provider.as_str(),
        amount,
        destination,
    )
    .await?;
    Ok(row)
}

/// What pressing Confirm did.
#[derive(Debug)]
pub enum Confirmed {
    /// No such withdrawal of the user's.
    Unknown,
    /// The draft waited longer than a dialogue lives: expired now, nothing sent.
    Expired,
    /// A second press, another device or another process was first.
    Taken,
    /// Withdrawals are locked by wrong PINs: cancelled, nothing sent.
    Locked(chrono::DateTime<chrono::Utc>),
    /// Confirmed: go on with [`next_step`].
    Ready(Box<WithdrawalRow>),
}

/// Confirms the user's draft `id`; `pin` is the user's PIN settings as the update began
/// (a lock stops it).
pub async fn confirm(app: &App, owner: TelegramUserId, id: WithdrawalId, pin: &PinState) -> anyhow::Result<Confirmed> {
    let Some(row) = withdrawals::get(&app.pool, owner, id).await? else { return Ok(Confirmed::Unknown) };
    if row.status == WithdrawalState::Draft
        && app.clock.now() - row.created_at > chrono::Duration::from_std(app.config.dialogue_timeout)?
    {
        withdrawals::expire(&app.pool, owner, &row).await?;
        return Ok(Confirmed::Expired);
    }
    let Some(row) = withdrawals::confirm(&app.pool, owner, &row).await? else { return Ok(Confirmed::Taken) };
    if let Some(until) = pin::locked_in(pin, app.clock.now()) {
        withdrawals::cancel(&app.pool, owner, &row).await?;
        return Ok(Confirmed::Locked(until));
    }
    Ok(Confirmed::Ready(Box::new(row)))
}

/// What a confirmed withdrawal still needs before it is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Pin,
    Password,
    Submit,
}

/// After Confirm (with the user's PIN settings, `pin_pending`) or after a right PIN
/// (`None`): the PIN if one is set and the amount is above its threshold, then the
/// password for a bank account, then the submit.
pub fn next_step(row: &WithdrawalRow, pin_pending: Option<&PinState>) -> Next {
    if pin_pending.is_some_and(|state| pin::asks_for(state, row.amount())) {
        return Next::Pin;
    }
    if matches!(row.destination.0, Destination::BankAccount { .. }) {
        return Next::Password;
    }
    Next::Submit
}

pub async fn get(app: &App, owner: TelegramUserId, id: WithdrawalId) -> sqlx::Result<Option<WithdrawalRow>> {
    withdrawals::get(&app.pool, owner, id).await
}

/// Cancels a withdrawal not sent yet; `None` if it could not be (sent, ended, not theirs).
pub async fn cancel(app: &App, owner: TelegramUserId, id: WithdrawalId) -> sqlx::Result<Option<WithdrawalRow>> {
    let Some(row) = withdrawals::get(&app.pool, owner, id).await? else { return Ok(None) };
    withdrawals::cancel(&app.pool, owner, &row).await
}

/// A confirmed withdrawal to send: the row its Confirm just returned (in the same
/// update), or its id (after a PIN or a password, in a later update).
pub enum Which {
    Row(Box<WithdrawalRow>),
    Id(WithdrawalId),
}

/// Why a confirmed withdrawal cannot be sent.
#[derive(Debug)]
pub enum NotReady {
    /// No such withdrawal any more.
    Gone,
    /// Its account cannot be used: cancelled, nothing sent.
    Unusable(Unusable),
}

/// The withdrawal (as just confirmed, or read again by its id) and its account opened,
/// before it is sent.
pub async fn prepare(
    app: &App,
    owner: TelegramUserId,
    opened: &[OpenedAccount],
    which: Which,
) -> sqlx::Result<Result<(WithdrawalRow, Usable), NotReady>> {
    let row = match which {
        Which::Row(row) => *row,
        Which::Id(id) => match withdrawals::get(&app.pool, owner, id).await? {
            Some(row) => row,
            None => return Ok(Err(NotReady::Gone)),
        },
    };
    let Some(account_id) = row.account_id else { return Ok(Err(NotReady::Unusable(Unusable::Gone))) };
    match accounts::open(app, opened, account_id) {
        Ok(account) => Ok(Ok((row, account))),
        Err(why) => {
            withdrawals::cancel(&app.pool, owner, &row).await?;
            Ok(Err(NotReady::Unusable(why)))
        }
    }
}

/// Sends the withdrawal once (see [`crate::withdrawals::submit`]); with the balance after
/// it, from the receipt or asked, when it was taken.
pub async fn send(
    app: &App,
    owner: TelegramUserId,
    row: &WithdrawalRow,
    account: &Usable,
    password: Option<Secret>,
) -> anyhow::Result<(Outcome, Option<Amount>)> {
    let span = accounts::gateway_span("withdraw", account.provider(), Some(account.account.id));
    let submitted = submit(&app.pool, account.gateway(), owner, row.id, app.config.submit_times(), password);
    let (_, outcome) = tracing::Instrument::instrument(submitted, span).await?;
    let new_balance = match &outcome {
        Outcome::Submitted(receipt) => match receipt.new_balance {
            Some(b) => Some(b),
            None => balance(account).await,
        },
        _ => None,
    };
    tracing::info!(withdrawal_id = row.id.get(), provider = account.provider().as_str(), "withdrawal finished");
    Ok((outcome, new_balance))
}
