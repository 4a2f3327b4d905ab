//! Withdrawals without Telegram: submitting one at most once, and settling the ones
//! whose outcome is unknown from the gateway's history (never by sending again).

use std::time::Duration;

use chrono::Utc;
use sqlx::PgPool;

use crate::{
    crypto::MasterKey,
    providers::{Destination, Gateway, GatewayError, Gateways, WithdrawReceipt, WithdrawRequest},
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
/// conditional update, and whatever happens after the request, it is never sent again.
/// `password` (Bukalapak) is used for this one request and dropped.
pub async fn submit(
    pool: &PgPool,
    gateway: &Gateway,
    owner_id: i64,
    id: i64,
    password: Option<Secret>,
) -> anyhow::Result<(Option<WithdrawalRow>, Outcome)> {
    let Some(row) = withdrawals::claim_for_submit(pool, owner_id, id).await? else {
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
            // If this write fails the row stays 'submitting', becomes 'unknown' at the
            // next start and is settled from the history: still never sent again.
            withdrawals::record_submitted(pool, &row, &receipt.id, receipt.fee, receipt.total).await?;
            Outcome::Submitted(receipt)
        }
        Err(
            e @ (GatewayError::Refused(_)
            | GatewayError::CredentialsRejected { .. }
            | GatewayError::NotFound
            | GatewayError::Unsupported),
        ) => {
            withdrawals::record_refused(pool, &row, &e.to_string()).await?;
            Outcome::Refused(e)
        }
        Err(e) => {
            tracing::warn!(withdrawal_id = row.id, error = %e, "a withdrawal's outcome is unknown");
            withdrawals::record_unknown(pool, &row, &e.to_string()).await?;
            Outcome::Unknown
        }
    };
    Ok((Some(row), outcome))
}

/// An unknown withdrawal not found in the history after this long was not made.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(15 * 60);

/// Looks for each unknown withdrawal in its gateway's recent history: found, it is
/// recorded as submitted with the gateway's id; missing long enough, as not made.
/// Returns how many were settled.
pub async fn resolve_unknown(pool: &PgPool, key: &MasterKey, gateways: &Gateways) -> anyhow::Result<usize> {
    let mut settled = 0;
    for row in withdrawals::unknown(pool).await? {
        let Some(account_id) = row.account_id else { continue };
        let credentials = match accounts::credentials(pool, key, row.owner_id, account_id).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(withdrawal_id = row.id, error = %e, "cannot check an unknown withdrawal");
                continue;
            }
        };
        let Ok(gateway) = gateways.client(&credentials) else { continue };
        let known = withdrawals::known_gateway_ids(pool, account_id).await?;
        let mut found = None;
        let mut complete = true;
        'pages: for page in 1..=3 {
            match gateway.withdrawals(page, 20, None).await {
                Ok(p) => {
                    let last = !p.has_next(20);
                    for w in p.items {
                        let same_place = w.destination.as_ref().is_none_or(|d| match (d, &row.destination.0) {
                            (Destination::Dana { number: a, .. }, Destination::Dana { number: b, .. }) => a == b,
                            (Destination::BankAccount { id: a }, Destination::BankAccount { id: b }) => a == b,
                            _ => false,
                        });
                        let after = w
                            .created_at
                            .is_none_or(|t| t.with_timezone(&Utc) >= row.created_at - chrono::Duration::minutes(2));
                        if w.amount == row.amount() && same_place && after && !known.contains(&w.id) {
                            found = Some(w);
                            break 'pages;
                        }
                    }
                    if last {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(withdrawal_id = row.id, error = %e, "cannot read the history for an unknown withdrawal");
                    complete = false;
                    break;
                }
            }
        }
        match found {
            Some(w) => {
                withdrawals::resolve(pool, &row, Some((&w.id, w.fee, w.total))).await?;
                tracing::info!(
                    withdrawal_id = row.id,
                    gateway_id = w.id,
                    "unknown withdrawal found in the gateway's history"
                );
                settled += 1;
            }
            None if complete
                && Utc::now() - row.created_at > chrono::Duration::from_std(GIVE_UP_AFTER).expect("small") =>
            {
                withdrawals::resolve(pool, &row, None).await?;
                tracing::info!(
                    withdrawal_id = row.id,
                    "unknown withdrawal not in the gateway's history: it was not made"
                );
                settled += 1;
            }
            None => {}
        }
    }
    Ok(settled)
}
