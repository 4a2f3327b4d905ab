//! The `users` table: who talked to the bot, in which language.

use crate::domain::TelegramUserId;
use sqlx::PgPool;

use super::{accounts::SealedAccount, staff::StaffRole};
use crate::{
    domain::{Provider, events::NotifyKind},
    i18n::Lang,
};

/// What the bot knows about a user when an update arrives.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub telegram_id: i64,
    /// Chosen with /language, if ever.
    pub language: Option<Lang>,
    /// Telegram's `language_code` as last seen.
    pub language_code: Option<String>,
    /// Staff of someone's accounts (read with the row, so a removal counts at once).
    pub staff: StaffRole,
}

impl UserRow {
    /// The language to answer in: the chosen one, else Telegram's.
    pub fn lang(&self) -> Lang {
        self.language.unwrap_or_else(|| Lang::from_telegram(self.language_code.as_deref()))
    }
}

/// Records that the user was seen (creating the row on first contact, refreshing
/// Telegram's language code) and returns the row.
pub async fn touch(pool: &PgPool, telegram_id: TelegramUserId, language_code: Option<&str>) -> sqlx::Result<UserRow> {
    let telegram_id = telegram_id.get();
    // The private chat with a user has the user's id on Telegram. The row is updated only
    // when something changed (first contact, a new language_code, a user back after
    // blocking the bot); otherwise the conflict still locks it, which is why an update
    // starts with the plain read of [`enter`] and comes here only for a change.
    let row = sqlx::query!(
        r#"WITH upsert AS (
            INSERT INTO users (telegram_id, chat_id, language_code) VALUES ($1, $1, $2)
            ON CONFLICT (telegram_id) DO UPDATE
               SET language_code = COALESCE(EXCLUDED.language_code, users.language_code), blocked_at = NULL, updated_at = now()
               WHERE (EXCLUDED.language_code IS NOT NULL AND users.language_code IS DISTINCT FROM EXCLUDED.language_code)
                  OR users.blocked_at IS NOT NULL
            RETURNING language, language_code
         )
         SELECT r.language AS "language?", r.language_code AS "language_code?",
                EXISTS (SELECT 1 FROM staff WHERE staff_id = $1 AND removed_at IS NULL) AS "active!",
                EXISTS (SELECT 1 FROM staff WHERE staff_id = $1 AND removed_at IS NOT NULL) AS "removed!"
         FROM (SELECT language, language_code FROM upsert
               UNION ALL
               SELECT language, language_code FROM users WHERE telegram_id = $1 AND NOT EXISTS (SELECT 1 FROM upsert)) r"#,
        telegram_id,
        language_code
    )
    .fetch_one(pool)
    .await?;
    Ok(UserRow {
        telegram_id,
        language: row.language.as_deref().and_then(Lang::parse),
        language_code: row.language_code,
        staff: StaffRole::from_flags(row.active, row.removed),
    })
}

/// A chat's dialogue as stored: its state, and whether it is still alive (not expired).
pub type StoredDialogue = (serde_json::Value, bool);

/// What every update starts with, read in one round trip: the sender's row, the chat's
/// dialogue, and what the update may need of the sender ([`Known`]).
pub struct Entered {
    pub user: UserRow,
    pub dialogue: Option<StoredDialogue>,
    pub known: Known,
}

/// The sender's PIN settings and the accounts they work with (credentials still sealed;
/// opened only if the update uses them), read with their row.
pub struct Known {
    pub pin: PinState,
    /// As [`super::accounts::list_opened`] reads them: own accounts first, the default
    /// first, then by label.
    pub accounts: Vec<SealedAccount>,
}

/// The user's row, the dialogue of `chat_id`, the PIN settings and the accounts, read
/// together ([`Entered`]). A user seen before, with the same language code and not back
/// from blocking the bot, is only read — no row lock, no write, no commit to wait for;
/// only a new user or a change is written (by [`touch`], a second round trip).
///
/// One row per account (the user's columns repeated), or one row with no account. The
/// accounts are the same two index lookups as [`super::accounts::list_opened`]'s (a test counts
/// the rows this read touches among 3,000 merchants' accounts).
pub async fn enter(
    pool: &PgPool,
    telegram_id: TelegramUserId,
    language_code: Option<&str>,
    chat_id: i64,
) -> sqlx::Result<Entered> {
    let telegram_id = telegram_id.get();
    let rows = sqlx::query!(
        r#"SELECT u.language AS "language?", u.language_code AS "known_code?",
                u.blocked_at IS NOT NULL AS "blocked?", d.state AS "state?", d.expires_at > now() AS "alive?",
                EXISTS (SELECT 1 FROM staff s WHERE s.staff_id = $1 AND s.removed_at IS NULL) AS "active!",
                EXISTS (SELECT 1 FROM staff s WHERE s.staff_id = $1 AND s.removed_at IS NOT NULL) AS "removed!",
                u.pin_hash AS "pin_hash?", u.pin_threshold AS "pin_threshold?", u.pin_failures AS "pin_failures?",
                u.pin_locked_until AS "pin_locked_until?",
                a.id AS "account_id?", a.owner_id AS "account_owner?", a.provider AS "provider?: Provider",
                a.label AS "label?", a.is_default AS "is_default?", a.display_name AS "display_name?",
                a.credentials AS "credentials?", a.nonce AS "nonce?", a.key_id AS "key_id?"
         FROM (SELECT 1) AS one
         LEFT JOIN users u ON u.telegram_id = $1
         LEFT JOIN dialogues d ON d.chat_id = $2
         LEFT JOIN LATERAL (
             SELECT * FROM linked_accounts
             WHERE id IN (SELECT id FROM linked_accounts WHERE owner_id = $1
                          UNION ALL
                          SELECT account_id FROM staff WHERE staff_id = $1 AND removed_at IS NULL)
         ) a ON true
         ORDER BY a.owner_id = $1 DESC, a.is_default DESC, a.label"#,
        telegram_id,
        chat_id
    )
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else { return Err(sqlx::Error::RowNotFound) };
    let dialogue = first.state.clone().map(|s| (s, first.alive.unwrap_or(false)));
    let pin = PinState {
        hash: first.pin_hash.clone(),
        threshold: first.pin_threshold.unwrap_or_default(),
        failures: first.pin_failures.unwrap_or_default(),
        locked_until: first.pin_locked_until,
    };
    let unchanged =
        first.blocked == Some(false) && (language_code.is_none() || first.known_code.as_deref() == language_code);
    let user = if unchanged {
        UserRow {
            telegram_id,
            language: first.language.as_deref().and_then(Lang::parse),
            language_code: first.known_code.clone(),
            staff: StaffRole::from_flags(first.active, first.removed),
        }
    } else {
        touch(pool, TelegramUserId::new(telegram_id), language_code).await?
    };
    let accounts = rows
        .into_iter()
        .filter_map(|r| {
            Some(SealedAccount {
                id: r.account_id?,
                owner_id: r.account_owner?,
                provider: r.provider?,
                label: r.label?,
                is_default: r.is_default?,
                display_name: r.display_name,
                credentials: r.credentials?,
                nonce: r.nonce?,
                key_id: r.key_id?,
            })
        })
        .collect();
    Ok(Entered { user, dialogue, known: Known { pin, accounts } })
}

/// What the bot knows about a user, without recording a visit (for notifications).
pub async fn get(pool: &PgPool, telegram_id: TelegramUserId) -> sqlx::Result<Option<UserRow>> {
    let telegram_id = telegram_id.get();
    let row = sqlx::query!(
        r#"SELECT language, language_code,
                EXISTS (SELECT 1 FROM staff WHERE staff_id = $1 AND removed_at IS NULL) AS "active!",
                EXISTS (SELECT 1 FROM staff WHERE staff_id = $1 AND removed_at IS NOT NULL) AS "removed!"
         FROM users WHERE telegram_id = $1"#,
        telegram_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| UserRow {
        telegram_id,
        language: r.language.as_deref().and_then(Lang::parse),
        language_code: r.language_code,
        staff: StaffRole::from_flags(r.active, r.removed),
    }))
}

pub async fn set_language(pool: &PgPool, telegram_id: TelegramUserId, lang: Lang) -> sqlx::Result<()> {
    let telegram_id = telegram_id.get();
    sqlx::query!("UPDATE users SET language = $2, updated_at = now() WHERE telegram_id = $1", telegram_id, lang.code())
        .execute(pool)
        .await?;
    Ok(())
}

/// The user's withdrawal PIN settings.
#[derive(Debug, Clone, Default)]
pub struct PinState {
    pub hash: Option<String>,
    /// Withdrawals above this many rupiah ask for the PIN.
    pub threshold: i64,
    pub failures: i32,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
}

impl PinState {
    pub fn locked(&self) -> bool {
        self.locked_until.is_some_and(|t| t > chrono::Utc::now())
    }
}

pub async fn pin_state(pool: &PgPool, telegram_id: TelegramUserId) -> sqlx::Result<PinState> {
    let telegram_id = telegram_id.get();
    let row = sqlx::query_as!(
        PinState,
        r#"SELECT pin_hash AS hash, pin_threshold AS threshold, pin_failures AS failures,
                  pin_locked_until AS locked_until
           FROM users WHERE telegram_id = $1"#,
        telegram_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.unwrap_or_default())
}

/// Sets (or with `None` removes) the PIN hash; failures and lock are cleared.
pub async fn set_pin(pool: &PgPool, telegram_id: TelegramUserId, hash: Option<&str>) -> sqlx::Result<()> {
    let telegram_id = telegram_id.get();
    sqlx::query!(
        "UPDATE users SET pin_hash = $2, pin_failures = 0, pin_locked_until = NULL, updated_at = now() WHERE telegram_id = $1",
        telegram_id,
        hash
    )
    .execute(pool)
        .await?;
    Ok(())
}

pub async fn set_pin_threshold(pool: &PgPool, telegram_id: TelegramUserId, rupiah: i64) -> sqlx::Result<()> {
    let telegram_id = telegram_id.get();
    sqlx::query!("UPDATE users SET pin_threshold = $2, updated_at = now() WHERE telegram_id = $1", telegram_id, rupiah)
        .execute(pool)
        .await?;
    Ok(())
}

/// Takes one of the `max` PIN tries before the hash is checked, in one conditional
/// update, so that guesses checked at the same time (several replicas, several devices)
/// cannot exceed `max`: the `max`-th try locks PIN checks for `lock_minutes` at once,
/// and a right PIN lifts it ([`pin_succeeded`]). Returns the tries used so far, or
/// `None` if PIN checks are locked. A lock that ran out starts the count afresh.
pub async fn pin_attempt(
    pool: &PgPool,
    telegram_id: TelegramUserId,
    max: i32,
    lock_minutes: i64,
) -> sqlx::Result<Option<i32>> {
    let telegram_id = telegram_id.get();
    sqlx::query_scalar!(
        "UPDATE users SET
            pin_failures = (CASE WHEN pin_locked_until <= now() THEN 0 ELSE pin_failures END) + 1,
            pin_locked_until = CASE
                WHEN (CASE WHEN pin_locked_until <= now() THEN 0 ELSE pin_failures END) + 1 >= $2
                    THEN now() + make_interval(mins => $3::int)
                WHEN pin_locked_until <= now() THEN NULL
                ELSE pin_locked_until END,
            updated_at = now()
         WHERE telegram_id = $1 AND (pin_locked_until IS NULL OR pin_locked_until <= now())
         RETURNING pin_failures",
        telegram_id,
        max,
        lock_minutes as i32
    )
    .fetch_optional(pool)
    .await
}

/// A right PIN: the tries start afresh, and a lock its own try set is lifted.
pub async fn pin_succeeded(pool: &PgPool, telegram_id: TelegramUserId) -> sqlx::Result<()> {
    let telegram_id = telegram_id.get();
    sqlx::query!(
        "UPDATE users SET pin_failures = 0, pin_locked_until = NULL, updated_at = now() WHERE telegram_id = $1",
        telegram_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Each kind of notification, on or off (all on for a user the bot has not seen).
pub async fn notify_settings(pool: &PgPool, telegram_id: TelegramUserId) -> sqlx::Result<Vec<(NotifyKind, bool)>> {
    let telegram_id = telegram_id.get();
    let row = sqlx::query!(
        "SELECT notify_invoices, notify_withdrawals, notify_mutations, notify_disbursements
         FROM users WHERE telegram_id = $1",
        telegram_id
    )
    .fetch_optional(pool)
    .await?;
    let (invoices, withdrawals, mutations, disbursements) = row
        .map(|r| (r.notify_invoices, r.notify_withdrawals, r.notify_mutations, r.notify_disbursements))
        .unwrap_or((true, true, true, true));
    Ok(NotifyKind::ALL
        .into_iter()
        .map(|kind| {
            let on = match kind {
                NotifyKind::Invoices => invoices,
                NotifyKind::Withdrawals => withdrawals,
                NotifyKind::Mutations => mutations,
                NotifyKind::Disbursements => disbursements,
            };
            (kind, on)
        })
        .collect())
}

/// Switches one kind of notification (one fixed statement per kind: no column name is
/// ever formatted into SQL).
pub async fn toggle_notify(pool: &PgPool, telegram_id: TelegramUserId, kind: NotifyKind) -> sqlx::Result<()> {
    let telegram_id = telegram_id.get();
    let update = match kind {
        NotifyKind::Invoices => sqlx::query!(
            "UPDATE users SET notify_invoices = NOT notify_invoices, updated_at = now() WHERE telegram_id = $1",
            telegram_id
        ),
        NotifyKind::Withdrawals => sqlx::query!(
            "UPDATE users SET notify_withdrawals = NOT notify_withdrawals, updated_at = now() WHERE telegram_id = $1",
            telegram_id
        ),
        NotifyKind::Mutations => sqlx::query!(
            "UPDATE users SET notify_mutations = NOT notify_mutations, updated_at = now() WHERE telegram_id = $1",
            telegram_id
        ),
        NotifyKind::Disbursements => sqlx::query!(
            "UPDATE users SET notify_disbursements = NOT notify_disbursements, updated_at = now() WHERE telegram_id = $1",
            telegram_id
        ),
    };
    update.execute(pool).await?;
    Ok(())
}
