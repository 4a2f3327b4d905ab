//! The poller: claims due watches, asks the gateways, and records each change together
//! with its notification (one transaction, one outbox row per watch and state).

use crate::domain::{AccountId, Provider};
use std::{collections::HashMap, sync::Arc, time::Duration};

use futures::{StreamExt, stream};

use super::events::Event;
use crate::{
    app::App,
    domain::events::WatchKind,
    providers::{Gateway, GatewayError, InvoiceStatus, MutationKind},
    storage::{
        accounts,
        watches::{self, Change, Record, Watch},
    },
};

/// Watches claimed per round, and how many are checked at once.
pub const BATCH: i64 = 200;
pub const CONCURRENCY: usize = 16;
/// A watch is held this long by its poller; a dead poller's watches come back after it.
pub const LEASE: Duration = Duration::from_secs(60);
/// The longest wait between checks of a failing watch.
pub const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// One account's client and label, shared by its watches in a round.
type Clients = HashMap<AccountId, Option<(Arc<Gateway>, String)>>;
/// Accounts whose gateway failed in this round: their other watches back off without
/// asking it again (per-account backoff).
type Failing = Arc<std::sync::Mutex<std::collections::HashSet<AccountId>>>;
/// Gateways that had no place free for a call in this round (the bot's own bound on calls
/// waiting on one gateway, `GatewayError::Busy`): the round asks them nothing more, and
/// their watches keep their schedule (nothing was sent, nothing failed).
type Full = Arc<std::sync::Mutex<std::collections::HashSet<Provider>>>;

/// One round: claim, check, record. Returns how many watches were claimed.
pub async fn round(app: &App) -> anyhow::Result<usize> {
    let claimed = watches::claim(&app.pool, BATCH, LEASE).await?;
    let count = claimed.len();
    let mut clients: Clients = HashMap::new();
    for w in &claimed {
        if let std::collections::hash_map::Entry::Vacant(slot) = clients.entry(w.account_id) {
            slot.insert(client(app, w).await);
        }
    }
    let clients = Arc::new(clients);
    let failing: Failing = Arc::default();
    let full: Full = Arc::default();
    // Checks that found nothing new are written together at the end of the round: an
    // idle round is one statement, not one transaction per watch. So are the watches not
    // checked because their gateway was full.
    let unchanged: Arc<std::sync::Mutex<Vec<Watch>>> = Arc::default();
    let held_back: Arc<std::sync::Mutex<Vec<Watch>>> = Arc::default();
    stream::iter(claimed)
        .for_each_concurrent(CONCURRENCY, |watch| {
            let (clients, failing, full) = (clients.clone(), failing.clone(), full.clone());
            let (unchanged, held_back) = (unchanged.clone(), held_back.clone());
            async move {
                match check_one(app, &clients, &failing, &full, &watch).await {
                    Ok(Checked::Unchanged) => unchanged.lock().expect("lock").push(watch),
                    Ok(Checked::HeldBack) => held_back.lock().expect("lock").push(watch),
                    Ok(Checked::Recorded) => {}
                    Err(e) => {
                        tracing::warn!(watch_id = watch.id, error = format!("{e:#}"), "checking a watch failed")
                    }
                }
            }
        })
        .await;
    let interval = app.config.notify_poll_interval;
    let unchanged = std::mem::take(&mut *unchanged.lock().expect("lock"));
    watches::reschedule(&app.pool, &unchanged, interval, true).await?;
    let held_back = std::mem::take(&mut *held_back.lock().expect("lock"));
    if !held_back.is_empty() {
        tracing::info!(watches = held_back.len(), "a gateway had no place free; its watches wait for their next check");
    }
    watches::reschedule(&app.pool, &held_back, interval, false).await?;
    Ok(count)
}

/// What became of one claimed watch.
enum Checked {
    /// Nothing new: to be written with the round's other unchanged watches.
    Unchanged,
    /// Not checked: its gateway had no place free for the call (in this round).
    HeldBack,
    /// Written already (a change, a backoff, an end).
    Recorded,
}

async fn client(app: &App, w: &Watch) -> Option<(Arc<Gateway>, String)> {
    let (account, credentials) = match accounts::with_credentials(&app.pool, app.key(), w.owner_id, w.account_id).await
    {
        Ok(found) => found,
        Err(accounts::AccountError::NotFound) => return None,
        Err(e) => {
            tracing::error!(account_id = w.account_id.get(), error = %e, "cannot open credentials for a watch");
            return None;
        }
    };
    let gateway = app.gateways.client(&credentials).ok()?;
    Some((Arc::new(gateway), account.label.to_string()))
}

async fn check_one(
    app: &App,
    clients: &Clients,
    failing: &Failing,
    full: &Full,
    watch: &Watch,
) -> anyhow::Result<Checked> {
    let interval = app.config.notify_poll_interval;
    let backoff = || interval.saturating_mul(2u32.saturating_pow(watch.attempts.clamp(0, 16) as u32)).min(MAX_BACKOFF);
    if failing.lock().expect("lock").contains(&watch.account_id) {
        watches::backoff(&app.pool, watch, backoff()).await?;
        return Ok(Checked::Recorded);
    }
    if watch.expires_at.is_some_and(|t| t < chrono::Utc::now()) {
        watches::end(&app.pool, watch).await?;
        return Ok(Checked::Recorded);
    }
    let Some(Some((gateway, label))) = clients.get(&watch.account_id) else {
        watches::backoff(&app.pool, watch, MAX_BACKOFF).await?;
        return Ok(Checked::Recorded);
    };
    if full.lock().expect("lock").contains(&gateway.provider()) {
        return Ok(Checked::HeldBack);
    }
    match check(gateway, label, watch).await {
        Ok(None) => return Ok(Checked::Unchanged),
        Ok(change) => {
            if !watches::record(&app.pool, watch, change, interval).await? {
                tracing::debug!(watch_id = watch.id, "lease lost; another poller has this watch");
            }
        }
        Err(GatewayError::CredentialsRejected { .. }) => {
            tracing::warn!(account_id = watch.account_id.get(), "credentials rejected; pausing the account's watches");
            watches::pause_account(&app.pool, watch.owner_id, watch.account_id, label).await?;
        }
        Err(GatewayError::NotFound) => watches::end(&app.pool, watch).await?,
        Err(GatewayError::Busy) => {
            full.lock().expect("lock").insert(gateway.provider());
            return Ok(Checked::HeldBack);
        }
        Err(e) => {
            if matches!(e, GatewayError::Unavailable { .. } | GatewayError::TimedOut) {
                failing.lock().expect("lock").insert(watch.account_id);
            }
            let delay = backoff();
            tracing::info!(watch_id = watch.id, error = %e, ?delay, "watch check failed; backing off");
            watches::backoff(&app.pool, watch, delay).await?;
        }
    }
    Ok(Checked::Recorded)
}

/// What changed at the gateway since the last check, if anything.
async fn check(gateway: &Gateway, label: &str, w: &Watch) -> Result<Option<Change>, GatewayError> {
    let label = label.to_owned();
    let unchanged = |state: &str| w.last_state.as_deref() == Some(state);
    /// How many pages of new mutations one look reads at most.
    const MUTATION_PAGES: u32 = 10;
    Ok(match w.kind {
        WatchKind::Invoice => {
            let invoice = gateway.invoice(&w.gateway_id).await?;
            let state = invoice.status.as_str();
            if unchanged(state) || invoice.status == InvoiceStatus::Pending {
                None
            } else {
                let event = match invoice.status {
                    InvoiceStatus::Paid => Event::InvoicePaid {
                        label,
                        invoice: invoice.id.clone(),
                        amount: invoice.amount,
                        total: invoice.total,
                    },
                    _ => Event::InvoiceExpired { label, invoice: invoice.id.clone(), total: invoice.total },
                };
                Some(Change {
                    state: state.into(),
                    events: vec![(state.into(), event)],
                    finished: true,
                    record: Some(Record::Invoice { status: invoice.status.into() }),
                })
            }
        }
        WatchKind::QrisWithdrawal | WatchKind::BukalapakWithdrawal => {
            let wd = gateway.withdrawal(&w.gateway_id).await?;
            let state = wd.status.as_str().to_owned();
            if unchanged(&state) || (w.last_state.is_none() && state == "pending") {
                None
            } else {
                let outcome = wd.status.outcome();
                let event = Event::WithdrawalChanged {
                    label,
                    withdrawal: wd.id.clone(),
                    amount: wd.amount,
                    status: state.clone(),
                    note: wd.admin_note.clone(),
                };
                // The final states in the bot's words (Bukalapak has several).
                let recorded = match outcome {
                    Some(true) => "success".to_owned(),
                    Some(false) => "rejected".to_owned(),
                    None => state.clone(),
                };
                Some(Change {
                    state: state.clone(),
                    events: vec![(state.clone(), event)],
                    finished: outcome.is_some(),
                    record: Some(Record::Withdrawal { status: recorded }),
                })
            }
        }
        WatchKind::Disbursement => {
            let d = gateway.disbursement(&w.gateway_id).await?;
            let state = d.status.as_str().to_owned();
            if unchanged(&state) || state == "pending" {
                None
            } else {
                let event = Event::DisbursementChanged {
                    label,
                    transaction: d.transaction_id.clone(),
                    amount: d.amount,
                    status: state.clone(),
                };
                Some(Change { state: state.clone(), events: vec![(state, event)], finished: true, record: None })
            }
        }
        WatchKind::Mutations => {
            let cursor = w.last_state.as_deref().and_then(|s| s.parse::<i64>().ok());
            // Newest first, page by page, until the cursor's page (or the last one): a
            // busy account can have more than one page of new mutations between looks.
            let mut items = Vec::new();
            for number in 1..=MUTATION_PAGES {
                let page = gateway.mutations(number, 20).await?;
                let reached = cursor.is_none()
                    || page.items.iter().any(|m| m.id.parse::<i64>().is_ok_and(|id| Some(id) <= cursor));
                let last = !page.has_next(20);
                items.extend(page.items);
                if reached || last {
                    break;
                }
                if number == MUTATION_PAGES {
                    tracing::warn!(
                        watch_id = w.id,
                        "more than {MUTATION_PAGES} pages of new mutations since the last look; older ones are not notified"
                    );
                }
            }
            let newest = items.iter().filter_map(|m| m.id.parse::<i64>().ok()).max();
            match (cursor, newest) {
                // The first look only sets the cursor: what was there before is not news.
                (None, Some(n)) => Some(Change { state: n.to_string(), events: vec![], finished: false, record: None }),
                (Some(c), Some(n)) if n > c => {
                    let mut credits: Vec<_> = items
                        .iter()
                        .filter(|m| m.kind == MutationKind::Credit && m.id.parse::<i64>().is_ok_and(|id| id > c))
                        .collect();
                    credits.sort_by_key(|m| m.id.parse::<i64>().unwrap_or_default());
                    let events = credits
                        .into_iter()
                        .map(|m| {
                            let event = Event::MoneyIn {
                                label: label.clone(),
                                amount: m.amount,
                                action: m.action.clone(),
                                balance: m.final_balance,
                            };
                            (format!("m{}", m.id), event)
                        })
                        .collect();
                    Some(Change { state: n.to_string(), events, finished: false, record: None })
                }
                _ => None,
            }
        }
    })
}
