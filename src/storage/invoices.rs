//! The `invoices` table: QRIS deposit invoices made through the bot, and their watches.

use crate::domain::TelegramUserId;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::time::Duration;

use crate::{
    domain::{AccountId, Amount, InvoiceId, InvoiceState, PayToken},
    providers::Invoice,
    storage::accounts::LinkedAccount,
};

#[derive(Debug, Clone)]
pub struct InvoiceRow {
    pub id: InvoiceId,
    pub owner_id: TelegramUserId,
    pub account_id: Option<AccountId>,
    pub account_label: String,
    pub gateway_invoice_id: String,
    pub(super) amount: i64,
    pub(super) fee: i64,
    pub(super) total: i64,
    pub status: InvoiceState,
    pub payload: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub chat_id: Option<i64>,
    pub message_id: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// The pay link's token, once the merchant shared the invoice.
    pub pay_token: Option<String>,
    /// What customers see as the seller (the account's display name when it was made).
    pub display_name: Option<String>,
    /// Made from inline mode: every image of it is the customer's view.
    pub via_inline: bool,
    /// The stamped image, once Telegram has it (for inline messages, which take no upload).
    pub ended_file_id: Option<String>,
}

impl InvoiceRow {
    pub fn amount(&self) -> Amount {
        Amount::from_rupiah(self.amount).unwrap_or_default()
    }

    pub fn fee(&self) -> Amount {
        Amount::from_rupiah(self.fee).unwrap_or_default()
    }

    pub fn total(&self) -> Amount {
        Amount::from_rupiah(self.total).unwrap_or_default()
    }

    /// Paid, expired or cancelled: nothing will change any more.
    pub fn is_final(&self) -> bool {
        self.status.is_final()
    }
}

// Who may see an invoice (written out in each query that needs it, so each is checked at
// compile time): its owner, or the staff member who made it while they are still staff of
// its account — `owner_id = $user OR (made_by = $user AND EXISTS (an active staff row))`.

fn rupiah(a: Amount) -> Option<i64> {
    a.whole_rupiah()
}

/// Records a new invoice on `account` (made by a staff member, or by the owner when
/// `made_by` is `None`) and starts watching it, in one statement; the watch's first
/// check is `first_check` from now (an invoice just made cannot have been paid yet). `None`
/// if the gateway's amounts are not whole rupiah (a gateway answer the bot cannot keep).
pub async fn insert(
    pool: &PgPool,
    account: &LinkedAccount,
    made_by: Option<TelegramUserId>,
    invoice: &Invoice,
    payload: Option<&str>,
    first_check: Duration,
) -> sqlx::Result<Option<InvoiceRow>> {
    let made_by = made_by.map(TelegramUserId::get);
    let (owner_id, account_id, label) = (account.owner_id.get(), account.id.get(), account.label.as_str());
    let display_name = account.display_name.as_deref();
    let (Some(amount), Some(fee), Some(total)) = (rupiah(invoice.amount), rupiah(invoice.fee), rupiah(invoice.total))
    else {
        return Ok(None);
    };
    // One statement (so one round trip, and atomic without a transaction around it):
    // the invoice, then its watch from the row just written.
    let row = sqlx::query_as!(
        InvoiceRow,
        r#"WITH row AS (
             INSERT INTO invoices (owner_id, account_id, account_label, gateway_invoice_id, amount, fee, total, status, payload, expires_at, settled_at, display_name, made_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $8 <> 'pending' THEN now() END, $11, $12)
             RETURNING *
           ), watch AS (
             -- Watched until paid or expired (and a little past the expiry, for a late answer).
             INSERT INTO watches (owner_id, account_id, kind, gateway_id, last_state, expires_at, next_check_at)
             SELECT owner_id, account_id, 'invoice', gateway_invoice_id, 'pending',
                    COALESCE(expires_at, now() + interval '1 day') + interval '1 hour', now() + make_interval(secs => $13)
             FROM row
             ON CONFLICT ON CONSTRAINT watches_gateway_id_key DO NOTHING
           )
           SELECT id AS "id!: InvoiceId", owner_id AS "owner_id!: TelegramUserId", account_id AS "account_id: AccountId",
                account_label AS "account_label!", gateway_invoice_id AS "gateway_invoice_id!", amount AS "amount!",
                fee AS "fee!", total AS "total!", status AS "status!: InvoiceState", payload, expires_at, chat_id,
                message_id, created_at AS "created_at!", pay_token, display_name, via_inline AS "via_inline!",
                ended_file_id
           FROM row"#,
        owner_id,
        account_id,
        label,
        &invoice.id,
        amount,
        fee,
        total,
        invoice.status.as_str(),
        payload,
        invoice.expires_at.map(|t| t.with_timezone(&Utc)),
        display_name,
        made_by,
        first_check.as_secs_f64()
    )
    .fetch_one(pool)
    .await?;
    Ok(Some(row))
}

/// One invoice the user may see (its owner, or the staff member who made it).
pub async fn get(pool: &PgPool, user_id: TelegramUserId, id: InvoiceId) -> sqlx::Result<Option<InvoiceRow>> {
    let user_id = user_id.get();
    sqlx::query_as!(
        InvoiceRow,
        r#"SELECT id AS "id: InvoiceId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, gateway_invoice_id, amount, fee, total,
                status AS "status: InvoiceState", payload, expires_at, chat_id, message_id, created_at,
                pay_token, display_name, via_inline, ended_file_id
           FROM invoices WHERE id = $1 AND (owner_id = $2 OR (made_by = $2 AND EXISTS (SELECT 1 FROM staff s
                WHERE s.staff_id = $2 AND s.account_id = invoices.account_id AND s.removed_at IS NULL)))"#,
        id.get(),
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// One of the invoices the user may see, by the gateway's id (or our number).
pub async fn find(pool: &PgPool, user_id: TelegramUserId, reference: &str) -> sqlx::Result<Option<InvoiceRow>> {
    let user_id = user_id.get();
    sqlx::query_as!(
        InvoiceRow,
        r#"SELECT id AS "id: InvoiceId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, gateway_invoice_id, amount, fee, total,
                status AS "status: InvoiceState", payload, expires_at, chat_id, message_id, created_at,
                pay_token, display_name, via_inline, ended_file_id
           FROM invoices WHERE (gateway_invoice_id = $1 OR id::text = $1) AND (owner_id = $2 OR (made_by = $2 AND EXISTS (SELECT 1 FROM staff s
                WHERE s.staff_id = $2 AND s.account_id = invoices.account_id AND s.removed_at IS NULL)))
           ORDER BY created_at DESC LIMIT 1"#,
        reference.trim(),
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// Records what the gateway (or the merchant's Cancel) says. An invoice leaves `pending`
/// once, for good: a later, staler answer never moves an ended invoice.
pub async fn set_status(pool: &PgPool, id: InvoiceId, status: InvoiceState) -> sqlx::Result<()> {
    if !status.is_final() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE invoices SET status = $2, updated_at = now(), settled_at = now()
         WHERE id = $1 AND status = 'pending'",
        id.get(),
        status.as_str()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A page of the invoices the user may see, newest first, and how many there are: an
/// owner's all, a staff member's those they made.
pub async fn page(
    pool: &PgPool,
    user_id: TelegramUserId,
    page: u32,
    per_page: u32,
) -> sqlx::Result<(Vec<InvoiceRow>, i64)> {
    let user_id = user_id.get();
    let rows = sqlx::query_as!(
        InvoiceRow,
        r#"SELECT id AS "id: InvoiceId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, gateway_invoice_id, amount, fee, total,
                status AS "status: InvoiceState", payload, expires_at, chat_id, message_id, created_at,
                pay_token, display_name, via_inline, ended_file_id
           FROM invoices WHERE (owner_id = $1 OR (made_by = $1 AND EXISTS (SELECT 1 FROM staff s
                WHERE s.staff_id = $1 AND s.account_id = invoices.account_id AND s.removed_at IS NULL)))
           ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"#,
        user_id,
        i64::from(per_page),
        i64::from(page.saturating_sub(1)) * i64::from(per_page)
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM invoices WHERE (owner_id = $1 OR (made_by = $1 AND EXISTS (SELECT 1 FROM staff s
                WHERE s.staff_id = $1 AND s.account_id = invoices.account_id AND s.removed_at IS NULL)))"#,
        user_id
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

/// The invoice's pay token: the one it has, or `fresh` if it had none. `None` if the
/// user may not see the invoice.
pub async fn share(
    pool: &PgPool,
    user_id: TelegramUserId,
    id: InvoiceId,
    fresh: &PayToken,
) -> sqlx::Result<Option<PayToken>> {
    let user_id = user_id.get();
    let token = sqlx::query_scalar!(
        r#"UPDATE invoices SET pay_token = COALESCE(pay_token, $3)
           WHERE id = $1 AND (owner_id = $2 OR (made_by = $2 AND EXISTS (SELECT 1 FROM staff s
                WHERE s.staff_id = $2 AND s.account_id = invoices.account_id AND s.removed_at IS NULL)))
           RETURNING pay_token"#,
        id.get(),
        user_id,
        fresh.as_str()
    )
    .fetch_optional(pool)
    .await?;
    Ok(token.flatten().as_deref().and_then(PayToken::parse))
}

/// The invoice a pay link opens (whoever asks: the token is the permission).
pub async fn by_token(pool: &PgPool, token: &PayToken) -> sqlx::Result<Option<InvoiceRow>> {
    sqlx::query_as!(
        InvoiceRow,
        r#"SELECT id AS "id: InvoiceId", owner_id AS "owner_id: TelegramUserId", account_id AS "account_id: AccountId", account_label, gateway_invoice_id, amount, fee, total,
                status AS "status: InvoiceState", payload, expires_at, chat_id, message_id, created_at,
                pay_token, display_name, via_inline, ended_file_id
           FROM invoices WHERE pay_token = $1"#,
        token.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// Takes the right to ask the gateway about the invoice on a customer's press: `true`
/// at most once per `every` (customers cannot make the bot hammer a merchant's gateway).
pub async fn take_check(pool: &PgPool, id: InvoiceId, every: Duration) -> sqlx::Result<bool> {
    let taken = sqlx::query_scalar!(
        "UPDATE invoices SET checked_at = now()
         WHERE id = $1 AND (checked_at IS NULL OR checked_at <= now() - make_interval(secs => $2)) RETURNING id",
        id.get(),
        every.as_secs_f64()
    )
    .fetch_optional(pool)
    .await?;
    Ok(taken.is_some())
}

/// Marks an invoice as made from inline mode, with its pay token (the inline card's
/// Check status button names it).
pub async fn mark_inline(pool: &PgPool, id: InvoiceId, token: &PayToken) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE invoices SET via_inline = TRUE, pay_token = COALESCE(pay_token, $2) WHERE id = $1",
        id.get(),
        token.as_str()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Remembers the stamped image Telegram now has (the first one kept).
pub async fn set_ended_file(pool: &PgPool, id: InvoiceId, file_id: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE invoices SET ended_file_id = COALESCE(ended_file_id, $2) WHERE id = $1", id.get(), file_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The stamped image's file id, if one was uploaded by now.
pub async fn ended_file(pool: &PgPool, id: InvoiceId) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT ended_file_id FROM invoices WHERE id = $1", id.get()).fetch_one(pool).await
}
