//! The dialogue state of a chat, stored as JSONB by [`crate::storage::dialogue`].

use serde::{Deserialize, Serialize};

/// Where a chat's dialogue stands. `Idle` means no dialogue: commands are read as such.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum State {
    #[default]
    Idle,
}
