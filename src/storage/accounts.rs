//! The `linked_accounts` table: a user's gateway accounts and their sealed credentials.
//!
//! Every read of a credential is by (owner, account): no query here can reach another
//! user's account.

use crate::domain::TelegramUserId;
use sqlx::PgPool;

use crate::{
    crypto::{MasterKey, OpenError, Sealed},
    domain::{AccountId, AccountLabel, Credentials, Provider, WithdrawalId},
};

/// A linked account as lists show it (no credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedAccount {
    pub id: AccountId,
    pub owner_id: TelegramUserId,
    pub provider: Provider,
    pub label: AccountLabel,
    pub is_default: bool,
    /// What customers see on an invoice card (`/accounts`); never the label.
    pub display_name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the label is already used by another of your accounts")]
    LabelTaken,
    #[error("no such account")]
    NotFound,
    #[error("stored credentials of account {account_id} cannot be opened: {source}")]
    Sealed { account_id: i64, source: OpenError },
    #[error("stored credentials of account {account_id} are unreadable: {detail}")]
    Corrupt { account_id: i64, detail: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The associated data that binds a ciphertext to its row.
fn aad(owner_id: i64, account_id: i64, provider: Provider) -> Vec<u8> {
    format!("merchant-bot credentials v1\0owner={owner_id}\0account={account_id}\0provider={provider}").into_bytes()
}

fn seal(key: &MasterKey, owner_id: i64, account_id: i64, credentials: &Credentials) -> Sealed {
    let plaintext = serde_json::to_vec(credentials).expect("credentials serialize");
    key.seal(&plaintext, &aad(owner_id, account_id, credentials.provider()))
}

/// Opens sealed credentials bound to `aad`; `id` names the row in errors, and the
/// credentials must be of the row's `provider`.
fn open(
    key: &MasterKey,
    sealed: &Sealed,
    aad: &[u8],
    id: i64,
    provider: Provider,
) -> Result<Credentials, AccountError> {
    let plaintext = key.open(sealed, aad).map_err(|source| AccountError::Sealed { account_id: id, source })?;
    let credentials: Credentials = serde_json::from_slice(&plaintext)
        .map_err(|e| AccountError::Corrupt { account_id: id, detail: e.to_string() })?;
    if credentials.provider() != provider {
        return Err(AccountError::Corrupt { account_id: id, detail: "credentials of another provider".into() });
    }
    Ok(credentials)
}

/// An account's row as read: the label is checked on the way out ([`AccountRow::account`]).
struct AccountRow {
    id: i64,
    owner_id: i64,
    provider: Provider,
    label: String,
    is_default: bool,
    display_name: Option<String>,
}

impl AccountRow {
    fn account(self) -> Result<LinkedAccount, AccountError> {
        let label = AccountLabel::parse(&self.label)
            .map_err(|e| AccountError::Corrupt { account_id: self.id, detail: e.to_string() })?;
        Ok(LinkedAccount {
            id: AccountId::new(self.id),
            owner_id: TelegramUserId::new(self.owner_id),
            provider: self.provider,
            label,
            is_default: self.is_default,
            display_name: self.display_name,
        })
    }
}

/// An account's row with its sealed credentials, as read (by [`list_opened`], or with
/// the user when an update starts); [`SealedAccount::open`] opens them.
pub struct SealedAccount {
    pub(super) id: i64,
    pub(super) owner_id: i64,
    pub(super) provider: Provider,
    pub(super) label: String,
    pub(super) is_default: bool,
    pub(super) display_name: Option<String>,
    pub(super) credentials: Vec<u8>,
    pub(super) nonce: Vec<u8>,
    pub(super) key_id: String,
}

impl SealedAccount {
    /// The account, and its credentials opened (or why they could not be).
    pub fn open(&self, key: &MasterKey) -> Result<OpenedAccount, AccountError> {
        let sealed =
            Sealed { ciphertext: self.credentials.clone(), nonce: self.nonce.clone(), key_id: self.key_id.clone() };
        let (id, owner_id, provider) = (self.id, self.owner_id, self.provider);
        let account = AccountRow {
            id,
            owner_id,
            provider,
            label: self.label.clone(),
            is_default: self.is_default,
            display_name: self.display_name.clone(),
        }
        .account()?;
        Ok((account, open(key, &sealed, &aad(owner_id, id, provider), id, provider)))
    }
}

/// The associated data that binds parked credentials to the withdrawal they settle.
fn parked_aad(owner_id: i64, withdrawal_id: i64, provider: Provider) -> Vec<u8> {
    format!("merchant-bot parked credentials v1\0owner={owner_id}\0withdrawal={withdrawal_id}\0provider={provider}")
        .into_bytes()
}

/// Before an account's row goes (unlink) or gets other credentials (re-link): its
/// credentials are sealed onto each of its withdrawals still in doubt, so that they
/// are settled from the right account's history. Deleted when each is settled.
async fn park_for_unsettled(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    key: &MasterKey,
    owner_id: i64,
    account_id: i64,
) -> Result<(), AccountError> {
    let unsettled = sqlx::query_scalar!(
        "SELECT id FROM withdrawals WHERE account_id = $1 AND status IN ('submitting', 'unknown') FOR UPDATE",
        account_id
    )
    .fetch_all(&mut **tx)
    .await?;
    if unsettled.is_empty() {
        return Ok(());
    }
    let credentials = credentials(&mut **tx, key, TelegramUserId::new(owner_id), AccountId::new(account_id)).await?;
    let provider = credentials.provider();
    let plaintext = serde_json::to_vec(&credentials).expect("credentials serialize");
    for withdrawal_id in unsettled {
        let parked = key.seal(&plaintext, &parked_aad(owner_id, withdrawal_id, provider));
        sqlx::query!(
            "UPDATE withdrawals SET settle_credentials = $2, settle_nonce = $3, settle_key_id = $4 WHERE id = $1",
            withdrawal_id,
            &parked.ciphertext,
            &parked.nonce,
            &parked.key_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The credentials parked on a withdrawal whose account was unlinked or re-linked.
pub async fn parked_credentials(
    pool: &PgPool,
    key: &MasterKey,
    owner_id: TelegramUserId,
    withdrawal_id: WithdrawalId,
) -> Result<Option<Credentials>, AccountError> {
    let owner_id = owner_id.get();
    let withdrawal_id = withdrawal_id.get();
    let row = sqlx::query!(
        r#"SELECT provider AS "provider: Provider", settle_credentials AS "ciphertext!", settle_nonce AS "nonce!",
                  settle_key_id AS "key_id!"
           FROM withdrawals
           WHERE id = $1 AND owner_id = $2 AND settle_credentials IS NOT NULL
             AND settle_nonce IS NOT NULL AND settle_key_id IS NOT NULL"#,
        withdrawal_id,
        owner_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let (provider, sealed) =
        (row.provider, Sealed { ciphertext: row.ciphertext, nonce: row.nonce, key_id: row.key_id });
    open(key, &sealed, &parked_aad(owner_id, withdrawal_id, provider), withdrawal_id, provider).map(Some)
}

/// Stores a new account with its credentials sealed. The user's first account becomes
/// the default.
pub async fn insert(
    pool: &PgPool,
    key: &MasterKey,
    owner_id: TelegramUserId,
    label: &AccountLabel,
    credentials: &Credentials,
) -> Result<LinkedAccount, AccountError> {
    let owner_id = owner_id.get();
    let mut tx = pool.begin().await?;
    // The id is taken first because it is part of the associated data.
    let id = next_id(&mut tx).await?;
    let sealed = seal(key, owner_id, id, credentials);
    let row = sqlx::query_as!(
        AccountRow,
        r#"INSERT INTO linked_accounts (id, owner_id, provider, label, is_default, credentials, nonce, key_id)
           VALUES ($1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM linked_accounts WHERE owner_id = $2), $5, $6, $7)
           RETURNING id, owner_id, provider AS "provider: Provider", label, is_default, display_name"#,
        id,
        owner_id,
        credentials.provider().as_str(),
        label.as_str(),
        &sealed.ciphertext,
        &sealed.nonce,
        &sealed.key_id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("linked_accounts_owner_label_key") => {
            AccountError::LabelTaken
        }
        _ => AccountError::Database(e),
    })?;
    tx.commit().await?;
    row.account()
}

/// The id a new account row will have, taken first because it is part of the associated
/// data its credentials are sealed with.
async fn next_id(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<i64, AccountError> {
    let id = sqlx::query_scalar!(r#"SELECT nextval(pg_get_serial_sequence('linked_accounts', 'id')) AS "id!""#)
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

/// The user's accounts, the default first, then by label.
pub async fn list(pool: &PgPool, owner_id: TelegramUserId) -> Result<Vec<LinkedAccount>, AccountError> {
    let owner_id = owner_id.get();
    let rows = sqlx::query_as!(
        AccountRow,
        r#"SELECT id, owner_id, provider AS "provider: Provider", label, is_default, display_name FROM linked_accounts
           WHERE owner_id = $1 ORDER BY is_default DESC, label"#,
        owner_id
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(AccountRow::account).collect()
}

/// An account with its credentials opened, or why they could not be.
pub type OpenedAccount = (LinkedAccount, Result<Credentials, AccountError>);

/// The accounts a user works with, the default first, then by label, with their
/// credentials opened, in one read: what an update that talks to gateways needs. Those
/// are the user's own accounts, and for staff the owner's accounts they may invoice on
/// (`owner_id` tells them apart; the command layer lets staff only make invoices).
/// Every update that talks to a gateway reads this, so it must stay two index lookups:
/// written as `owner_id = $1 OR id IN (…staff…)` PostgreSQL reads every merchant's
/// accounts instead (a sequential scan, 6 ms at 20,000 accounts).
pub async fn list_opened(
    pool: &PgPool,
    key: &MasterKey,
    user_id: TelegramUserId,
) -> Result<Vec<OpenedAccount>, AccountError> {
    let user_id = user_id.get();
    let rows = sqlx::query_as!(
        SealedAccount,
        r#"SELECT id, owner_id, provider AS "provider: Provider", label, is_default, display_name, credentials, nonce,
                  key_id
           FROM linked_accounts
           WHERE id IN (SELECT id FROM linked_accounts WHERE owner_id = $1
                        UNION ALL
                        SELECT account_id FROM staff WHERE staff_id = $1 AND removed_at IS NULL)
           ORDER BY owner_id = $1 DESC, is_default DESC, label"#,
        user_id
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(|row| row.open(key)).collect()
}

/// Opens the credentials of one of the user's accounts (on a pool or in a transaction).
pub async fn credentials<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    key: &MasterKey,
    owner_id: TelegramUserId,
    account_id: AccountId,
) -> Result<Credentials, AccountError> {
    Ok(with_credentials(executor, key, owner_id, account_id).await?.1)
}

/// Re-seals every stored credential under `new`, in one transaction: either every row
/// moves to the new key or none does. Returns how many were re-sealed: the accounts'
/// credentials and those parked on withdrawals in doubt.
pub async fn rotate_key(pool: &PgPool, current: &MasterKey, new: &MasterKey) -> Result<u64, AccountError> {
    let mut tx = pool.begin().await?;
    let keys = Rotation { current, new };
    let accounts = sqlx::query!(
        r#"SELECT id, owner_id, provider AS "provider: Provider", credentials, nonce, key_id
           FROM linked_accounts ORDER BY id FOR UPDATE"#
    )
    .fetch_all(&mut *tx)
    .await?;
    let accounts = accounts.into_iter().map(|r| {
        (r.id, r.owner_id, r.provider, Sealed { ciphertext: r.credentials, nonce: r.nonce, key_id: r.key_id })
    });
    let resealed = keys.reseal(accounts, aad)?;
    for (id, sealed) in &resealed {
        sqlx::query!(
            "UPDATE linked_accounts SET credentials = $2, nonce = $3, key_id = $4, updated_at = now() WHERE id = $1",
            id,
            &sealed.ciphertext,
            &sealed.nonce,
            &sealed.key_id
        )
        .execute(&mut *tx)
        .await?;
    }
    let parked = sqlx::query!(
        r#"SELECT id, owner_id, provider AS "provider: Provider", settle_credentials AS "ciphertext!",
                  settle_nonce AS "nonce!", settle_key_id AS "key_id!"
           FROM withdrawals
           WHERE settle_credentials IS NOT NULL AND settle_nonce IS NOT NULL AND settle_key_id IS NOT NULL
           ORDER BY id FOR UPDATE"#
    )
    .fetch_all(&mut *tx)
    .await?;
    let parked = parked
        .into_iter()
        .map(|r| (r.id, r.owner_id, r.provider, Sealed { ciphertext: r.ciphertext, nonce: r.nonce, key_id: r.key_id }));
    let parked = keys.reseal(parked, parked_aad)?;
    for (id, sealed) in &parked {
        sqlx::query!(
            "UPDATE withdrawals SET settle_credentials = $2, settle_nonce = $3, settle_key_id = $4 WHERE id = $1",
            id,
            &sealed.ciphertext,
            &sealed.nonce,
            &sealed.key_id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok((resealed.len() + parked.len()) as u64)
}

struct Rotation<'k> {
    current: &'k MasterKey,
    new: &'k MasterKey,
}

impl Rotation<'_> {
    /// Re-seals rows (id, owner, provider, sealed) under the new key, each bound to the
    /// same data as before (`bound`). The plaintext is never parsed: it moves to the new
    /// key byte for byte. Rows already under the new key are left out: a rerun with the
    /// same key (an interrupted rotation cannot exist, the transaction is atomic).
    fn reseal(
        &self,
        rows: impl Iterator<Item = (i64, i64, Provider, Sealed)>,
        bound: fn(i64, i64, Provider) -> Vec<u8>,
    ) -> Result<Vec<(i64, Sealed)>, AccountError> {
        rows.filter(|(_, _, _, sealed)| sealed.key_id != self.new.id())
            .map(|(id, owner_id, provider, sealed)| {
                let aad = bound(owner_id, id, provider);
                let plaintext = self
                    .current
                    .open(&sealed, &aad)
                    .map_err(|source| AccountError::Sealed { account_id: id, source })?;
                Ok((id, self.new.seal(&plaintext, &aad)))
            })
            .collect()
    }
}

/// An account and its opened credentials, in one read (on a pool or in a transaction).
/// `NotFound` if it is not the user's (any more).
pub async fn with_credentials<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    key: &MasterKey,
    owner_id: TelegramUserId,
    account_id: AccountId,
) -> Result<(LinkedAccount, Credentials), AccountError> {
    let owner_id = owner_id.get();
    let account_id = account_id.get();
    let row = sqlx::query_as!(
        SealedAccount,
        r#"SELECT id, owner_id, provider AS "provider: Provider", label, is_default, display_name, credentials, nonce,
                  key_id
           FROM linked_accounts WHERE id = $1 AND owner_id = $2"#,
        account_id,
        owner_id
    )
    .fetch_optional(executor)
    .await?
    .ok_or(AccountError::NotFound)?;
    let (account, credentials) = row.open(key)?;
    Ok((account, credentials?))
}

/// One of the user's accounts.
pub async fn get(
    pool: &PgPool,
    owner_id: TelegramUserId,
    account_id: AccountId,
) -> Result<Option<LinkedAccount>, AccountError> {
    let owner_id = owner_id.get();
    let account_id = account_id.get();
    let row = sqlx::query_as!(
        AccountRow,
        r#"SELECT id, owner_id, provider AS "provider: Provider", label, is_default, display_name
           FROM linked_accounts WHERE id = $1 AND owner_id = $2"#,
        account_id,
        owner_id
    )
    .fetch_optional(pool)
    .await?;
    row.map(AccountRow::account).transpose()
}

/// Makes one of the user's accounts the default. `NotFound` if it is not theirs (any more).
pub async fn set_default(pool: &PgPool, owner_id: TelegramUserId, account_id: AccountId) -> Result<(), AccountError> {
    let owner_id = owner_id.get();
    let account_id = account_id.get();
    let mut tx = pool.begin().await?;
    let exists = sqlx::query_scalar!(
        "SELECT id FROM linked_accounts WHERE id = $1 AND owner_id = $2 FOR UPDATE",
        account_id,
        owner_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if exists.is_none() {
        return Err(AccountError::NotFound);
    }
    // In this order: the unique index allows one default per owner at any moment.
    sqlx::query!(
        "UPDATE linked_accounts SET is_default = FALSE, updated_at = now() WHERE owner_id = $1 AND is_default AND id <> $2",
        owner_id,
        account_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("UPDATE linked_accounts SET is_default = TRUE, updated_at = now() WHERE id = $1", account_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes one of the user's accounts with its credentials (its watches go with it, by
/// the foreign key). If it was the default, the oldest remaining account becomes it.
/// A withdrawal of it still in doubt keeps a sealed copy until it is settled.
pub async fn unlink(
    pool: &PgPool,
    key: &MasterKey,
    owner_id: TelegramUserId,
    account_id: AccountId,
) -> Result<LinkedAccount, AccountError> {
    let owner_id = owner_id.get();
    let account_id = account_id.get();
    let mut tx = pool.begin().await?;
    park_for_unsettled(&mut tx, key, owner_id, account_id).await?;
    let removed = sqlx::query_as!(
        AccountRow,
        r#"DELETE FROM linked_accounts WHERE id = $1 AND owner_id = $2
           RETURNING id, owner_id, provider AS "provider: Provider", label, is_default, display_name"#,
        account_id,
        owner_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AccountError::NotFound)?
    .account()?;
    if removed.is_default {
        sqlx::query!(
            "UPDATE linked_accounts SET is_default = TRUE, updated_at = now()
             WHERE id = (SELECT id FROM linked_accounts WHERE owner_id = $1 ORDER BY created_at, id LIMIT 1)",
            owner_id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(removed)
}

/// Re-links an existing label: the label (and whether it is the default) moves to a new
/// row with the new provider and credentials. The old row goes, with its watches, so
/// nothing of the old account is ever done with the new credentials; a withdrawal of it
/// still in doubt keeps a sealed copy of the old credentials until it is settled.
pub async fn replace(
    pool: &PgPool,
    key: &MasterKey,
    owner_id: TelegramUserId,
    label: &AccountLabel,
    credentials: &Credentials,
) -> Result<LinkedAccount, AccountError> {
    let owner_id = owner_id.get();
    let mut tx = pool.begin().await?;
    let old = sqlx::query!(
        "SELECT id, is_default FROM linked_accounts WHERE owner_id = $1 AND label = $2 FOR UPDATE",
        owner_id,
        label.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AccountError::NotFound)?;
    park_for_unsettled(&mut tx, key, owner_id, old.id).await?;
    sqlx::query!("DELETE FROM linked_accounts WHERE id = $1", old.id).execute(&mut *tx).await?;
    let id = next_id(&mut tx).await?;
    let sealed = seal(key, owner_id, id, credentials);
    let row = sqlx::query_as!(
        AccountRow,
        r#"INSERT INTO linked_accounts (id, owner_id, provider, label, is_default, credentials, nonce, key_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           RETURNING id, owner_id, provider AS "provider: Provider", label, is_default, display_name"#,
        id,
        owner_id,
        credentials.provider().as_str(),
        label.as_str(),
        old.is_default,
        &sealed.ciphertext,
        &sealed.nonce,
        &sealed.key_id
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    row.account()
}

/// Sets (or with `None` clears) the name customers see on the account's invoices.
/// `None` if the account is not the user's (any more).
pub async fn set_display_name(
    pool: &PgPool,
    owner_id: TelegramUserId,
    account_id: AccountId,
    name: Option<&crate::domain::DisplayName>,
) -> Result<Option<LinkedAccount>, AccountError> {
    let owner_id = owner_id.get();
    let account_id = account_id.get();
    let row = sqlx::query_as!(
        AccountRow,
        r#"UPDATE linked_accounts SET display_name = $3, updated_at = now() WHERE id = $1 AND owner_id = $2
           RETURNING id, owner_id, provider AS "provider: Provider", label, is_default, display_name"#,
        account_id,
        owner_id,
        name.map(|n| n.as_str())
    )
    .fetch_optional(pool)
    .await?;
    row.map(AccountRow::account).transpose()
}
