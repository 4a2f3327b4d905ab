//! The merchant's books: periods of whole days in WIB, the figures of a period from what
//! the bot recorded ([`summarize`]), the sales chart ([`chart`]), the CSV export
//! ([`csv`]) and the daily summary ([`daily`]). Nothing here knows Telegram.
//!
//! A sale counts on the day its invoice was seen paid (`invoices.settled_at`), a
//! withdrawal on the day it was requested from the gateway (`requested_at`).

pub mod chart;
pub mod csv;
pub mod daily;

use chrono::{DateTime, Timelike, Utc};

pub use crate::{
    domain::period::{MAX_DAYS, Period, PeriodError, today},
    storage::reports::{InvoiceEntry, WithdrawalEntry},
};
use crate::{
    domain::{Amount, InvoiceState, WithdrawalState},
    providers::json::jakarta,
};

/// How many, how much, and the fees, in whole rupiah.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: u64,
    pub sum: i64,
    pub fees: i64,
}

impl Tally {
    fn add(&mut self, amount: i64, fee: i64) {
        self.count += 1;
        self.sum += amount;
        self.fees += fee;
    }

    pub fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.sum += other.sum;
        self.fees += other.fees;
    }

    pub fn sum(&self) -> Amount {
        Amount::from_rupiah(self.sum).unwrap_or_default()
    }

    pub fn fees(&self) -> Amount {
        Amount::from_rupiah(self.fees).unwrap_or_default()
    }
}

/// The figures of one account, or of all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Paid invoices: the amounts the merchant receives, and the fees the customers paid
    /// on top.
    pub paid: Tally,
    pub expired: u64,
    pub cancelled: u64,
    /// Withdrawals the gateway took (sent or done).
    pub withdrawn: Tally,
    pub rejected: u64,
    /// Withdrawals whose outcome the bot is still checking.
    pub in_doubt: u64,
    /// Withdrawals in the gateway's own history that were not sent through the bot.
    pub outside: Tally,
}

impl Figures {
    pub fn is_empty(&self) -> bool {
        *self == Figures::default()
    }

    fn merge(&mut self, other: &Figures) {
        self.paid.merge(&other.paid);
        self.expired += other.expired;
        self.cancelled += other.cancelled;
        self.withdrawn.merge(&other.withdrawn);
        self.rejected += other.rejected;
        self.in_doubt += other.in_doubt;
        self.outside.merge(&other.outside);
    }
}

/// A period's figures per account and in total, and the paid amounts per day (per hour
/// for one day) for the chart.
#[derive(Clone, Debug)]
pub struct Report {
    pub period: Period,
    pub accounts: Vec<(String, Figures)>,
    pub total: Figures,
    pub buckets: Vec<i64>,
}

impl Report {
    pub fn by_hour(&self) -> bool {
        self.period.one_day()
    }

    /// Adds what an account's gateway history shows was withdrawn outside the bot.
    pub fn add_outside(&mut self, label: &str, outside: Tally) {
        match self.accounts.iter_mut().find(|(l, _)| l == label) {
            Some((_, figures)) => figures.outside.merge(&outside),
            None => self.accounts.push((label.to_owned(), Figures { outside, ..Figures::default() })),
        }
        self.total.outside.merge(&outside);
    }
}

/// How far a gateway's withdrawal history is read for a report.
pub const HISTORY_PAGES: u32 = 10;

/// What one page of a gateway's withdrawal history adds for `period`: the withdrawals
/// made within it that the bot did not send (`known` are the gateway ids it did).
/// `order` follows the history across pages (made with the period's start): once it has
/// reached back, later pages are older and need not be read.
pub fn outside_withdrawals(
    period: Period,
    page: &[crate::providers::Withdrawal],
    known: &std::collections::HashSet<String>,
    order: &mut crate::providers::HistoryOrder,
) -> Tally {
    let (start, end) = (period.start(), period.end());
    let mut tally = Tally::default();
    for w in page {
        order.see(w.created_at);
        let Some(at) = w.created_at.map(|t| t.with_timezone(&Utc)) else { continue };
        if at >= start && at < end && w.status.outcome() != Some(false) && !known.contains(&w.id) {
            let rupiah = |a: Amount| a.sen() / 100;
            tally.add(rupiah(w.amount), w.fee.map(rupiah).unwrap_or(0));
        }
    }
    tally
}

/// The figures of `period` from the recorded invoices and withdrawals (others are
/// ignored, so callers may pass more).
pub fn summarize(period: Period, invoices: &[InvoiceEntry], withdrawals: &[WithdrawalEntry]) -> Report {
    let (start, end) = (period.start(), period.end());
    let within = |t: DateTime<Utc>| t >= start && t < end;
    let mut accounts: std::collections::BTreeMap<String, Figures> = Default::default();
    let mut buckets = vec![0i64; if period.one_day() { 24 } else { period.days() as usize }];
    for i in invoices {
        let Some(at) = i.settled_at.filter(|t| within(*t)) else { continue };
        let figures = accounts.entry(i.account_label.clone()).or_default();
        match i.status {
            InvoiceState::Paid => {
                figures.paid.add(i.amount, i.fee);
                let local = at.with_timezone(&jakarta());
                let slot = if period.one_day() {
                    local.hour() as usize
                } else {
                    (local.date_naive() - period.from).num_days() as usize
                };
                if let Some(b) = buckets.get_mut(slot) {
                    *b += i.amount;
                }
            }
            InvoiceState::Expired => figures.expired += 1,
            InvoiceState::Cancelled => figures.cancelled += 1,
            InvoiceState::Pending => {}
        }
    }
    for w in withdrawals.iter().filter(|w| within(w.requested_at)) {
        let figures = accounts.entry(w.account_label.clone()).or_default();
        match w.status {
            s if s.is_sent() => figures.withdrawn.add(w.amount, w.fee.unwrap_or(0)),
            WithdrawalState::Rejected => figures.rejected += 1,
            s if s.is_in_doubt() => figures.in_doubt += 1,
            _ => {}
        }
    }
    let mut total = Figures::default();
    accounts.values().for_each(|f| total.merge(f));
    Report { period, accounts: accounts.into_iter().collect(), total, buckets }
}
