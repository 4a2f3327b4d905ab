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

    pub fn name(self, lang: Lang) -> String {
        match self {
            NotifyKind::Invoices => tr!(lang, "notify-kind-invoices"),
            NotifyKind::Withdrawals => tr!(lang, "notify-kind-withdrawals"),
            NotifyKind::Mutations => tr!(lang, "notify-kind-mutations"),
            NotifyKind::Disbursements => tr!(lang, "notify-kind-disbursements"),
        }
    }
}

/// What a watch follows at a gateway (`watches.kind`, which a CHECK constraint holds to
/// these names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchKind {
    Invoice,
    QrisWithdrawal,
    BukalapakWithdrawal,
    Mutations,
    Disbursement,
}

impl WatchKind {
    pub const ALL: [WatchKind; 5] = [
        WatchKind::Invoice,
        WatchKind::QrisWithdrawal,
        WatchKind::BukalapakWithdrawal,
        WatchKind::Mutations,
        WatchKind::Disbursement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WatchKind::Invoice => "invoice",
            WatchKind::QrisWithdrawal => "qris_withdrawal",
            WatchKind::BukalapakWithdrawal => "bukalapak_withdrawal",
            WatchKind::Mutations => "mutations",
            WatchKind::Disbursement => "disbursement",
        }
    }

    /// The `/notify` setting its notifications obey.
    pub fn notify_kind(self) -> NotifyKind {
        match self {
            WatchKind::Invoice => NotifyKind::Invoices,
            WatchKind::QrisWithdrawal | WatchKind::BukalapakWithdrawal => NotifyKind::Withdrawals,
            WatchKind::Mutations => NotifyKind::Mutations,
            WatchKind::Disbursement => NotifyKind::Disbursements,
        }
    }
}

impl TryFrom<String> for WatchKind {
    type Error = String;

    fn try_from(name: String) -> Result<WatchKind, String> {
        WatchKind::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| format!("unknown watch kind {name:?}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_watch_kind_reads_back_and_is_allowed_by_the_schema() {
        let schema = include_str!("../../migrations/20261125000001_init.sql");
        let check = schema.split("kind          TEXT NOT NULL CHECK").nth(1).expect("the watches.kind check");
        let check = &check[..check.find(")),").expect("its end")];
        for kind in WatchKind::ALL {
            assert_eq!(WatchKind::try_from(kind.as_str().to_owned()), Ok(kind));
            assert!(check.contains(&format!("'{}'", kind.as_str())), "{} is not allowed by the schema", kind.as_str());
        }
        assert_eq!(check.matches('\'').count(), 2 * WatchKind::ALL.len(), "the schema allows a kind the code lacks");
        assert!(WatchKind::try_from("withdrawal".to_owned()).is_err());
    }
}
