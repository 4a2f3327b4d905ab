//! Who sent an update: their row, their chat's dialogue, their PIN settings and the
//! accounts they work with, read together at the start of every update; their language.

use crate::domain::TelegramUserId;
use crate::{app::App, i18n::Lang, storage};

pub use crate::storage::users::{Known, UserRow};

/// Records the sender (a plain read for a user seen before) and reads, in the same
/// round trip, the chat's dialogue state (as stored, `None` if there is none or it
/// expired), the user's PIN settings and accounts.
pub async fn enter<S: serde::de::DeserializeOwned>(
    app: &App,
    user: TelegramUserId,
    language_code: Option<&str>,
    chat: i64,
) -> anyhow::Result<(UserRow, Option<S>, Known)> {
    let entered = storage::users::enter(&app.pool, user, language_code, chat).await?;
    let state = storage::dialogue::read_stored(&app.pool, chat, entered.dialogue).await?;
    Ok((entered.user, state, entered.known))
}

/// The language a user chose (or Telegram's for them), if the bot knows the user.
pub async fn lang_of(app: &App, user: TelegramUserId) -> sqlx::Result<Option<Lang>> {
    Ok(storage::users::get(&app.pool, user).await?.map(|u| u.lang()))
}

pub async fn set_language(app: &App, user: TelegramUserId, lang: Lang) -> sqlx::Result<()> {
    storage::users::set_language(&app.pool, user, lang).await
}
