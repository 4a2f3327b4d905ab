//! The dialogue state of a chat, stored as JSONB by [`crate::storage::dialogue`].
//! Nothing secret is ever put here: the credentials collected so far while linking are
//! sealed under `MASTER_KEY` first ([`SealedPartial`]).

use serde::{Deserialize, Serialize};

use crate::domain::Provider;

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
}

/// Credential fields collected so far, sealed with the chat bound in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedPartial {
    pub ciphertext: String,
    pub nonce: String,
    pub key_id: String,
}
