//! What a notification says, stored in the outbox as JSON and rendered in the user's
//! language when it is sent.

use serde::{Deserialize, Serialize};

use crate::{
    domain::Amount,
    i18n::{Html, Lang, escape_html},
    tr,
};

/// The kinds a user can turn on or off with `/notify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotifyKind {
    Invoices,
    Withdrawals,
    Mutations,
    Disbursements,
}

impl NotifyKind {
    pub const ALL: [NotifyKind; 4] =
        [NotifyKind::Invoices, NotifyKind::Withdrawals, NotifyKind::Mutations, NotifyKind::Disbursements];

    /// The `users` column that holds the setting.
    pub fn column(self) -> &'static str {
        match self {
            NotifyKind::Invoices => "notify_invoices",
            NotifyKind::Withdrawals => "notify_withdrawals",
            NotifyKind::Mutations => "notify_mutations",
            NotifyKind::Disbursements => "notify_disbursements",
        }
    }

    /// The kind of a watch (`watches.kind`).
    pub fn of_watch(kind: &str) -> NotifyKind {
        match kind {
            "invoice" => NotifyKind::Invoices,
            "mutations" => NotifyKind::Mutations,
            "disbursement" => NotifyKind::Disbursements,
            _ => NotifyKind::Withdrawals,
        }
    }

    pub fn name(self, lang: Lang) -> String {
        match self {
            NotifyKind::Invoices => tr!(lang, "notify-kind-invoices"),
            NotifyKind::Withdrawals => tr!(lang, "notify-kind-withdrawals"),
            NotifyKind::Mutations => tr!(lang, "notify-kind-mutations"),
            NotifyKind::Disbursements => tr!(lang, "notify-kind-disbursements"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    InvoicePaid {
        label: String,
        invoice: String,
        amount: Amount,
        total: Amount,
    },
    InvoiceExpired {
        label: String,
        invoice: String,
        total: Amount,
    },
    WithdrawalChanged {
        label: String,
        withdrawal: String,
        amount: Amount,
        status: String,
        note: Option<String>,
    },
    MoneyIn {
        label: String,
        amount: Amount,
        action: String,
        balance: Amount,
    },
    DisbursementChanged {
        label: String,
        transaction: String,
        amount: Amount,
        status: String,
    },
    CredentialsRejected {
        label: String,
    },
    /// Today's figures so far (`crate::reports::daily`).
    DailySummary {
        day: chrono::NaiveDate,
        paid_count: u64,
        paid: Amount,
        fees: Amount,
        /// Expired or cancelled invoices.
        expired: u64,
        withdrawn_count: u64,
        withdrawn: Amount,
    },
}

impl Event {
    pub fn text(&self, lang: Lang) -> String {
        let status = |s: &str| Html(crate::i18n::status(s, lang));
        match self {
            Event::InvoicePaid { label, invoice, amount, total } => {
                tr!(
                    lang,
                    "notify-invoice-paid",
                    label = label,
                    invoice = invoice,
                    amount = amount.format(lang),
                    total = total.format(lang)
                )
            }
            Event::InvoiceExpired { label, invoice, total } => {
                tr!(lang, "notify-invoice-expired", label = label, invoice = invoice, total = total.format(lang))
            }
            Event::WithdrawalChanged { label, withdrawal, amount, status: s, note } => {
                let mut text = tr!(
                    lang,
                    "notify-withdrawal",
                    label = label,
                    withdrawal = withdrawal,
                    amount = amount.format(lang),
                    status = status(s)
                );
                if let Some(note) = note {
                    text.push('\n');
                    text.push_str(&tr!(lang, "admin-note", note = note));
                }
                text
            }
            Event::MoneyIn { label, amount, action, balance } => tr!(
                lang,
                "notify-money-in",
                label = label,
                amount = amount.format(lang),
                action = Html(escape_html(action)),
                balance = balance.format(lang)
            ),
            Event::DisbursementChanged { label, transaction, amount, status: s } => {
                tr!(
                    lang,
                    "notify-disbursement",
                    label = label,
                    transaction = transaction,
                    amount = amount.format(lang),
                    status = status(s)
                )
            }
            Event::CredentialsRejected { label } => tr!(lang, "notify-credentials-rejected", label = label),
            Event::DailySummary { day, paid_count, paid, fees, expired, withdrawn_count, withdrawn } => tr!(
                lang,
                "notify-daily-summary",
                day = super::Period::day(*day).label(lang),
                paid_count = *paid_count,
                paid = paid.format(lang),
                fees = fees.format(lang),
                expired = *expired,
                withdrawn_count = *withdrawn_count,
                withdrawn = withdrawn.format(lang)
            ),
        }
    }
}
