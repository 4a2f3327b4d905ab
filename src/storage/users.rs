//! The `users` table: who talked to the bot, in which language.

use sqlx::PgPool;

use crate::i18n::Lang;

/// What the bot knows about a user when an update arrives.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub telegram_id: i64,
    /// Chosen with /language, if ever.
    pub language: Option<Lang>,
    /// Telegram's `language_code` as last seen.
    pub language_code: Option<String>,
}

impl UserRow {
    /// The language to answer in: the chosen one, else Telegram's.
    pub fn lang(&self) -> Lang {
        self.language.unwrap_or_else(|| Lang::from_telegram(self.language_code.as_deref()))
    }
}

/// Records that the user was seen (creating the row on first contact, refreshing
/// Telegram's language code) and returns the row.
pub async fn touch(pool: &PgPool, telegram_id: i64, language_code: Option<&str>) -> sqlx::Result<UserRow> {
    // The private chat with a user has the user's id on Telegram.
    let (language, language_code): (Option<String>, Option<String>) = sqlx::query_as(
        "INSERT INTO users (telegram_id, chat_id, language_code) VALUES ($1, $1, $2)
         ON CONFLICT (telegram_id) DO UPDATE
            SET language_code = COALESCE(EXCLUDED.language_code, users.language_code), updated_at = now()
         RETURNING language, language_code",
    )
    .bind(telegram_id)
    .bind(language_code)
    .fetch_one(pool)
    .await?;
    Ok(UserRow { telegram_id, language: language.as_deref().and_then(Lang::parse), language_code })
}

pub async fn set_language(pool: &PgPool, telegram_id: i64, lang: Lang) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET language = $2, updated_at = now() WHERE telegram_id = $1")
        .bind(telegram_id)
        .bind(lang.code())
        .execute(pool)
        .await?;
    Ok(())
}
