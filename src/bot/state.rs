//! The dialogue state of a chat, stored as JSONB by [`crate::storage::dialogue`].
//! Nothing secret is ever put here: the credentials collected so far while linking are
//! sealed under `MASTER_KEY` first ([`SealedPartial`]).

use crate::domain::{AccountId, WithdrawalId};
use serde::{Deserialize, Serialize};

use crate::domain::{Amount, Provider};
pub use crate::services::linking::SealedPartial;

/// Where a chat's dialogue stands. `Idle` means no dialogue: commands are read as such.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    #[default]
    Idle,
    /// `/link`: waiting for the provider button.
    LinkProvider,
    /// `/link`: waiting for a label (or the suggested-label button).
    LinkLabel { provider: Provider, suggested: String },
    /// `/link`: waiting for credential number `step` of the provider's fields.
    LinkCredential { provider: Provider, label: String, replace: bool, step: usize, partial: Option<SealedPartial> },
    /// `/withdraw`: waiting for the amount.
    WithdrawAmount { account_id: AccountId, balance: Option<Amount> },
    /// Waiting for the DANA number.
    WithdrawDanaNumber { account_id: AccountId, amount: Amount },
    /// Waiting for the DANA account name.
    WithdrawDanaName { account_id: AccountId, amount: Amount, number: String },
    /// Waiting for the Bukalapak bank_account_id.
    WithdrawBankAccount { account_id: AccountId, amount: Amount },
    /// The summary with Confirm and Cancel is shown (`message`).
    WithdrawConfirm { withdrawal_id: WithdrawalId, message: i32 },
    /// Confirmed; waiting for the withdrawal PIN.
    WithdrawPin { withdrawal_id: WithdrawalId, message: i32 },
    /// Confirmed; waiting for the Bukalapak password (read once, never kept).
    WithdrawPassword { withdrawal_id: WithdrawalId, message: i32 },
    /// `/pin`: waiting for the current PIN before `next`.
    PinCurrent { next: PinNext },
    /// Waiting for a new PIN.
    PinNew,
    /// Waiting for the new PIN again; `hash` is the Argon2id hash of the first one.
    PinRepeat { hash: String },
    /// Waiting for the threshold.
    PinThreshold,
    /// `/accounts`: waiting for the name customers see on the account's invoices.
    DisplayName { account_id: AccountId },
}

/// What the current PIN unlocks in `/pin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinNext {
    Change,
    Remove,
    Threshold,
}
