//! The merchant's books for a period: the figures from the bot's own records, plus the
//! withdrawals the gateways' histories show were made outside the bot; and the rows of
//! an export.

use crate::domain::TelegramUserId;
use std::collections::HashSet;

use crate::{
    app::App,
    domain::Provider,
    providers::HistoryOrder,
    reports::{self, Period, Report},
    services::accounts::{self, OpenedAccount},
    storage::{
        self,
        reports::{InvoiceDay, InvoiceEntry, WithdrawalEntry},
    },
};

/// Which accounts' gateway histories were read for the report, and which could not be.
#[derive(Clone, Debug, Default)]
pub struct Histories {
    pub read: Vec<String>,
    pub failed: Vec<String>,
}

/// The report of `period`: the bot's records summarized, with what the gateways'
/// histories add.
pub async fn report(
    app: &App,
    owner: TelegramUserId,
    opened: &[OpenedAccount],
    period: Period,
) -> anyhow::Result<(Report, Histories)> {
    let invoices =
        storage::reports::invoices(&app.pool, owner, InvoiceDay::Settled, period.start(), period.end()).await?;
    let withdrawals = storage::reports::withdrawals_requested(&app.pool, owner, period.start(), period.end()).await?;
    let mut report = reports::summarize(period, &invoices, &withdrawals);
    let histories = gateway_histories(app, owner, opened, &mut report).await?;
    Ok((report, histories))
}

/// Adds to `report` the withdrawals that the gateways' own histories show were made
/// outside the bot (QRIS and Bukalapak keep one; SNAP's disbursements are not
/// withdrawals of the account). Read until it is seen to be newest first and older than
/// the period, or to its end, at most [`reports::HISTORY_PAGES`] pages; an account whose
/// history cannot be read that far is named in the report.
async fn gateway_histories(
    app: &App,
    owner: TelegramUserId,
    opened: &[OpenedAccount],
    report: &mut Report,
) -> anyhow::Result<Histories> {
    let mut histories = Histories::default();
    let known: HashSet<String> = storage::reports::known_gateway_withdrawals(&app.pool, owner).await?;
    for (account, _) in opened {
        if account.provider == Provider::Snap {
            continue;
        }
        let label = account.label.as_str().to_owned();
        let Ok(usable) = accounts::open(app, opened, account.id) else {
            histories.failed.push(label);
            continue;
        };
        let mut outside = reports::Tally::default();
        let mut order = HistoryOrder::new(report.period.start());
        let mut complete = false;
        for page in 1..=reports::HISTORY_PAGES {
            match usable.withdrawals(page, 20, None).await {
                Ok(p) => {
                    outside.merge(&reports::outside_withdrawals(report.period, &p.items, &known, &mut order));
                    if order.reached_back() || !p.has_next(20) {
                        complete = true;
                        break;
                    }
                }
                Err(e) => {
                    tracing::info!(provider = account.provider.as_str(), error = %e, "withdrawal history unreadable for a report");
                    break;
                }
            }
        }
        if complete {
            report.add_outside(&label, outside);
            histories.read.push(label);
        } else {
            histories.failed.push(label);
        }
    }
    Ok(histories)
}

/// The invoices made in `period`, oldest first (for the export).
pub async fn invoices_made(app: &App, owner: TelegramUserId, period: Period) -> sqlx::Result<Vec<InvoiceEntry>> {
    storage::reports::invoices(&app.pool, owner, InvoiceDay::Created, period.start(), period.end()).await
}

/// The withdrawals requested from a gateway in `period`, oldest first (for the export).
pub async fn withdrawals_requested(
    app: &App,
    owner: TelegramUserId,
    period: Period,
) -> sqlx::Result<Vec<WithdrawalEntry>> {
    storage::reports::withdrawals_requested(&app.pool, owner, period.start(), period.end()).await
}
