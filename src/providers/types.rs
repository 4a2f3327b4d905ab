//! What gateways answer, in the merchant's words. Chat handlers see only these; each
//! gateway's JSON stays private to its module.

use chrono::{DateTime, FixedOffset};

use crate::{domain::Amount, secret::Secret};

/// What a provider can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    Balance,
    Invoices,
    Withdraw,
    WithdrawalHistory,
    Mutations,
    Disbursements,
    SubAccounts,
    VirtualAccounts,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BalanceSource {
    /// The gateway has a balance endpoint.
    Reported,
    /// Bukalapak: the `final_balance` of the newest mutation.
    NewestMutation { at: Option<DateTime<FixedOffset>> },
    /// Bukalapak with no mutation yet: nothing ever moved, so zero.
    NoMutations,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Balance {
    pub amount: Amount,
    pub source: BalanceSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceStatus {
    Pending,
    Paid,
    Expired,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Pending => "pending",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceStatus> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" => Some(InvoiceStatus::Pending),
            "paid" => Some(InvoiceStatus::Paid),
            "expired" => Some(InvoiceStatus::Expired),
            _ => None,
        }
    }
}

impl From<InvoiceStatus> for crate::domain::InvoiceState {
    fn from(s: InvoiceStatus) -> crate::domain::InvoiceState {
        match s {
            InvoiceStatus::Pending => crate::domain::InvoiceState::Pending,
            InvoiceStatus::Paid => crate::domain::InvoiceState::Paid,
            InvoiceStatus::Expired => crate::domain::InvoiceState::Expired,
        }
    }
}

/// Where the invoice's QR comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvoiceQr {
    /// The QRIS payload itself (`qris_string`).
    Payload(String),
    /// Only a URL of an image of the QR (`qris_image`), to fetch and decode.
    ImageUrl(String),
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    pub id: String,
    pub amount: Amount,
    pub fee: Amount,
    /// What the customer pays: amount + fee.
    pub total: Amount,
    pub status: InvoiceStatus,
    pub qr: InvoiceQr,
    pub expires_at: Option<DateTime<FixedOffset>>,
    pub created_at: Option<DateTime<FixedOffset>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WithdrawalStatus {
    Pending,
    Success,
    Rejected,
    /// A state the bot has no word for, as the gateway wrote it (Bukalapak has several).
    Other(String),
}

impl Destination {
    /// For the audit log: enough to recognize, not enough to reuse.
    pub fn masked(&self) -> String {
        fn keep_ends(s: &str, head: usize, tail: usize) -> String {
            let chars: Vec<char> = s.chars().collect();
            if chars.len() <= head + tail {
                return "*".repeat(chars.len());
            }
            let middle = "*".repeat(chars.len() - head - tail);
            format!(
                "{}{middle}{}",
                chars[..head].iter().collect::<String>(),
                chars[chars.len() - tail..].iter().collect::<String>()
            )
        }
        match self {
            Destination::Dana { number, name } => {
                let initials: Vec<String> = name.split_whitespace().map(|w| keep_ends(w, 1, 0)).collect();
                format!("DANA {} ({})", keep_ends(number, 4, 3), initials.join(" "))
            }
            Destination::BankAccount { id } => format!("bank account {}", keep_ends(id, 0, 2)),
        }
    }
}

impl WithdrawalStatus {
    pub fn parse(s: &str) -> WithdrawalStatus {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" => WithdrawalStatus::Pending,
            "success" => WithdrawalStatus::Success,
            "rejected" => WithdrawalStatus::Rejected,
            other => WithdrawalStatus::Other(other.to_owned()),
        }
    }

    /// How it ended: `Some(true)` paid out (`success`; Bukalapak's `transferred`),
    /// `Some(false)` not paid out (`rejected`; Bukalapak's `cancelled`, `failed`), `None`
    /// while it is under way.
    pub fn outcome(&self) -> Option<bool> {
        match self.as_str() {
            "success" | "transferred" => Some(true),
            "rejected" | "cancelled" | "failed" => Some(false),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            WithdrawalStatus::Pending => "pending",
            WithdrawalStatus::Success => "success",
            WithdrawalStatus::Rejected => "rejected",
            WithdrawalStatus::Other(s) => s,
        }
    }
}

/// Where a withdrawal goes. Stored as JSON with the withdrawal (not secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    Dana { number: String, name: String },
    BankAccount { id: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    pub id: String,
    pub amount: Amount,
    pub fee: Option<Amount>,
    pub total: Option<Amount>,
    pub status: WithdrawalStatus,
    pub destination: Option<Destination>,
    pub admin_note: Option<String>,
    pub created_at: Option<DateTime<FixedOffset>>,
    pub processed_at: Option<DateTime<FixedOffset>>,
}

/// A withdrawal to submit. The Bukalapak password travels only inside this value, for
/// the one request that needs it.
#[derive(Clone, Debug)]
pub enum WithdrawRequest {
    Dana { amount: Amount, number: String, name: String },
    Bank { amount: Amount, bank_account_id: String, password: Secret },
}

/// The gateway's answer to an accepted withdrawal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawReceipt {
    pub id: String,
    pub message: Option<String>,
    pub fee: Option<Amount>,
    pub total: Option<Amount>,
    pub new_balance: Option<Amount>,
    pub status: WithdrawalStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MutationKind {
    Credit,
    Debit,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutation {
    pub id: String,
    pub kind: MutationKind,
    /// remit, topup, payment, refund, withdrawal, restore.
    pub action: String,
    pub amount: Amount,
    pub initial_balance: Amount,
    pub final_balance: Amount,
    pub transaction_id: Option<String>,
    pub created_at: Option<DateTime<FixedOffset>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisbursementStatus {
    Pending,
    Success,
    Failed,
    Other(String),
}

impl DisbursementStatus {
    pub fn parse(s: &str) -> DisbursementStatus {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" => DisbursementStatus::Pending,
            "success" => DisbursementStatus::Success,
            "failed" => DisbursementStatus::Failed,
            other => DisbursementStatus::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            DisbursementStatus::Pending => "pending",
            DisbursementStatus::Success => "success",
            DisbursementStatus::Failed => "failed",
            DisbursementStatus::Other(s) => s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fee {
    pub name: Option<String>,
    pub value: Amount,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccount {
    pub code: Option<String>,
    pub number: Option<String>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disbursement {
    pub transaction_id: String,
    pub status: DisbursementStatus,
    pub amount: Amount,
    pub fees: Vec<Fee>,
    pub total: Option<Amount>,
    pub bank: Option<BankAccount>,
    pub posted_at: Option<DateTime<FixedOffset>>,
    pub processed_at: Option<DateTime<FixedOffset>>,
    pub notes: Option<String>,
    pub balance_after: Option<Amount>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubAccount {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaKind {
    Temporary,
    Permanent,
}

impl VaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VaKind::Temporary => "temporary",
            VaKind::Permanent => "permanent",
        }
    }

    pub fn parse(s: &str) -> Option<VaKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "temporary" => Some(VaKind::Temporary),
            "permanent" => Some(VaKind::Permanent),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualAccount {
    pub id: String,
    pub amount: Amount,
    pub kind: VaKind,
    pub status: String,
    pub bank_code: Option<String>,
    pub number: String,
    pub created_at: Option<DateTime<FixedOffset>>,
}

/// One page of a list, numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    /// Known when the gateway says; Bukalapak doesn't (a short page is the last).
    pub total_pages: Option<u32>,
}

impl<T> Page<T> {
    /// Whether a next page may exist.
    pub fn has_next(&self, per_page: u32) -> bool {
        match self.total_pages {
            Some(total) => self.page < total,
            None => self.items.len() as u32 >= per_page,
        }
    }
}
