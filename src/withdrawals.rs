//! Withdrawals without Telegram: submitting one at most once, and settling the ones
//! whose outcome is unknown from the gateway's history (never by sending again).

use crate::domain::TelegramUserId;
use crate::domain::WithdrawalId;
use std::time::Duration;

use chrono::Utc;
use sqlx::PgPool;

use crate::{
    crypto::MasterKey,
    providers::{Destination, Gateway, GatewayError, Gateways, HistoryOrder, WithdrawReceipt, WithdrawRequest},
    secret::Secret,
    storage::{
        accounts,
        withdrawals::{self, WithdrawalRow},
    },
};

/// What came of a submit.
#[derive(Debug)]
pub enum Outcome {
    Submitted(WithdrawReceipt),
    /// The gateway said no; nothing left the account.
    Refused(GatewayError),
    /// It may have been made; the bot will find out from the gateway's history.
    Unknown,
    /// Another press, device or process took this withdrawal first, or it ended.
    AlreadyTaken,
}

/// Sends withdrawal `id` to the gateway, once: the row is claimed first in one
/// conditional update (owned for `lease`, see `Config::submit_lease`), and whatever
/// happens after the request, it is never sent again. `password` (Bukalapak) is used
/// for this one request and dropped. An accepted withdrawal is watched, its first check
/// `first_check` after the gateway's answer (the poll interval: it has not moved yet).
pub async fn submit(
    pool: &PgPool,
    gateway: &Gateway,
    owner_id: TelegramUserId,
    id: WithdrawalId,
    (lease, first_check): (Duration, Duration),
    password: Option<Secret>,
) -> anyhow::Result<(Option<WithdrawalRow>, Outcome)> {
    let Some(row) = withdrawals::claim_for_submit(pool, owner_id, id, lease).await? else {
        return Ok((None, Outcome::AlreadyTaken));
    };
    let request = match (&row.destination.0, password) {
        (Destination::Dana { number, name }, _) => {
            WithdrawRequest::Dana { amount: row.amount(), number: number.clone(), name: name.clone() }
        }
        (Destination::BankAccount { id }, Some(password)) => {
            WithdrawRequest::Bank { amount: row.amount(), bank_account_id: id.clone(), password }
        }
        (Destination::BankAccount { .. }, None) => {
            withdrawals::record_refused(pool, &row, "no password was given").await?;
            return Ok((Some(row), Outcome::Refused(GatewayError::Unsupported)));
        }
    };
    let outcome = match gateway.withdraw(&request).await {
        Ok(receipt) => {
            // If this write fails the row stays 'submitting' until its lease is over,
            // then becomes 'unknown' and is settled from the history: never sent again.
            if !withdrawals::record_submitted(pool, &row, &receipt.id, receipt.fee, receipt.total, first_check).await? {
                tracing::error!(
                    withdrawal_id = row.id.get(),
                    gateway_id = receipt.id,
                    "the gateway made a withdrawal whose row had already moved on; check it by hand"
                );
            }
            Outcome::Submitted(receipt)
        }
        Err(
            e @ (GatewayError::Refused(_)
            | GatewayError::CredentialsRejected { .. }
            | GatewayError::NotFound
            | GatewayError::Unsupported
            // Refused before sending: nothing reached the gateway.
            | GatewayError::Busy),
        ) => {
            if !withdrawals::record_refused(pool, &row, &e.to_string()).await? {
                tracing::warn!(withdrawal_id = row.id.get(), "a refused withdrawal's row had already moved on");
            }
            Outcome::Refused(e)
        }
        Err(e) => {
            tracing::warn!(withdrawal_id = row.id.get(), error = %e, "a withdrawal's outcome is unknown");
            withdrawals::record_unknown(pool, &row, &e.to_string()).await?;
            Outcome::Unknown
        }
    };
    Ok((Some(row), outcome))
}

/// How far back the history is read for one unknown withdrawal. A scan that stops here
/// before the history's last page, and before it is seen to reach back past the
/// request, is incomplete, and never a reason to give up.
pub const HISTORY_PAGES: u32 = 25;

/// Looks for each unknown withdrawal in its gateway's recent history: found, it is
/// recorded as submitted with the gateway's id; missing long enough, as not made.
/// Returns how many were settled.
/// An unknown withdrawal not found in the complete history `give_up_after` its request
/// was not made (`WITHDRAWAL_GIVE_UP_AFTER`, 15 minutes by default).
pub async fn resolve_unknown(
    pool: &PgPool,
    key: &MasterKey,
    gateways: &Gateways,
    give_up_after: Duration,
) -> anyhow::Result<usize> {
    let swept = withdrawals::sweep_dead_submitting(pool).await?;
    if swept > 0 {
        tracing::warn!(count = swept, "withdrawals whose sending process stopped during the request are now 'unknown'");
    }
    let mut settled = 0;
    for row in withdrawals::unknown(pool).await? {
        // The request could reach the gateway from the moment the row was claimed.
        let requested_at = row.requested_at.unwrap_or(row.created_at);
        // The credentials parked on the row win: its account was unlinked or re-linked
        // (perhaps to another gateway account) after the request.
        let credentials = match accounts::parked_credentials(pool, key, row.owner_id, row.id).await {
            Ok(Some(parked)) => Ok(parked),
            Ok(None) => match row.account_id {
                Some(account_id) => accounts::credentials(pool, key, row.owner_id, account_id).await,
                None => Err(accounts::AccountError::NotFound),
            },
            Err(e) => Err(e),
        };
        let credentials = match credentials {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(withdrawal_id = row.id.get(), error = %e, "cannot check an unknown withdrawal");
                continue;
            }
        };
        let Ok(gateway) = gateways.client(&credentials) else { continue };
        let known = withdrawals::known_gateway_ids(pool, &row).await?;
        let mut found = None;
        // Complete once the history's last page was read, or once it is seen to be
        // newest first and to reach back past the request (a busy account has more
        // pages than are read; the rest is older).
        let mut complete = false;
        let mut order = HistoryOrder::new(requested_at - chrono::Duration::minutes(2));
        'pages: for page in 1..=HISTORY_PAGES {
            match gateway.withdrawals(page, 20, None).await {
                Ok(p) => {
                    let last = !p.has_next(20);
                    for w in p.items {
                        order.see(w.created_at);
                        let same_place = w.destination.as_ref().is_none_or(|d| match (d, &row.destination.0) {
                            (Destination::Dana { number: a, .. }, Destination::Dana { number: b, .. }) => a == b,
                            (Destination::BankAccount { id: a }, Destination::BankAccount { id: b }) => a == b,
                            _ => false,
                        });
                        let after = w
                            .created_at
                            .is_none_or(|t| t.with_timezone(&Utc) >= requested_at - chrono::Duration::minutes(2));
                        if w.amount == row.amount() && same_place && after && !known.contains(&w.id) {
                            found = Some(w);
                            break 'pages;
                        }
                    }
                    if last || order.reached_back() {
                        complete = true;
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(withdrawal_id = row.id.get(), error = %e, "cannot read the history for an unknown withdrawal");
                    break;
                }
            }
        }
        match found {
            Some(w) => {
                withdrawals::resolve(pool, &row, Some((&w.id, w.fee, w.total))).await?;
                tracing::info!(
                    withdrawal_id = row.id.get(),
                    gateway_id = w.id,
                    "unknown withdrawal found in the gateway's history"
                );
                settled += 1;
            }
            None if complete
                && Utc::now() - requested_at
                    > chrono::Duration::from_std(give_up_after).unwrap_or(chrono::Duration::MAX) =>
            {
                withdrawals::resolve(pool, &row, None).await?;
                tracing::info!(
                    withdrawal_id = row.id.get(),
                    "unknown withdrawal not in the gateway's history: it was not made"
                );
                settled += 1;
            }
            None => {}
        }
    }
    Ok(settled)
}
