//! The `invoice_cards` table: every invoice card the bot posted (the merchant's, and a
//! customer's opened from a pay link). A card is *stale* when its invoice has ended
//! (paid, expired, cancelled) and the card still shows it pending; the card refresher
//! claims stale cards with a lease, edits them, and records what they show. A handler
//! that edits a card itself (Check status, Cancel) records it the same way, so the
//! refresher leaves that card alone.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::invoices::InvoiceRow;
use crate::{
    domain::{AccountId, InvoiceId, InvoiceState, TelegramUserId},
    i18n::Lang,
};

/// Who a card was posted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The merchant's own card, with Check status, Cancel and Share.
    Merchant,
    /// A customer's card (from a pay link): the seller's display name, the total, and
    /// Check status only.
    Customer,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Merchant => "merchant",
            Audience::Customer => "customer",
        }
    }
}

impl TryFrom<String> for Audience {
    type Error = String;

    fn try_from(name: String) -> Result<Audience, String> {
        match name.as_str() {
            "merchant" => Ok(Audience::Merchant),
            "customer" => Ok(Audience::Customer),
            _ => Err(format!("unknown card audience {name:?}")),
        }
    }
}

/// A stale card, claimed, with its invoice as it is now.
#[derive(Debug, Clone)]
pub struct StaleCard {
    pub card_id: i64,
    pub audience: Audience,
    pub card_chat_id: Option<i64>,
    pub card_message_id: Option<i32>,
    pub inline_message_id: Option<String>,
    pub lang: String,
    pub is_photo: bool,
    pub attempts: i32,
    /// The claim's token: every write checks it is still this claim's.
    pub lease_until: DateTime<Utc>,
    pub invoice: InvoiceRow,
}

impl StaleCard {
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or(Lang::Id)
    }

    /// Where the card is.
    pub fn place(&self) -> Place {
        match (&self.inline_message_id, self.card_chat_id, self.card_message_id) {
            (Some(id), _, _) => Place::Inline(id.clone()),
            (None, Some(chat), Some(message)) => Place::Chat(chat, message),
            // The table's CHECK rules this out.
            (None, _, _) => Place::Inline(String::new()),
        }
    }
}

/// Where a card is: a message in a chat, or an inline message (posted with `@bot` in a
/// chat the bot may not even be in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Chat(i64, i32),
    Inline(String),
}

/// Records an inline message that shows an invoice's card (a photo once edited).
pub async fn insert_inline(
    pool: &PgPool,
    invoice_id: InvoiceId,
    inline_message_id: &str,
    lang: Lang,
    is_photo: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO invoice_cards (invoice_id, audience, inline_message_id, lang, is_photo)
         VALUES ($1, 'customer', $2, $3, $4) ON CONFLICT (inline_message_id) DO NOTHING",
        invoice_id.get(),
        inline_message_id,
        lang.code(),
        is_photo
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a card the bot just posted. The same message recorded again (a retried
/// handler) changes nothing.
pub async fn insert(
    pool: &PgPool,
    invoice_id: InvoiceId,
    audience: Audience,
    chat_id: i64,
    message_id: i32,
    lang: Lang,
    is_photo: bool,
) -> sqlx::Result<()> {
    // The merchant's own card is also the invoice's message (for later edits and
    // replies); both are written in one statement.
    sqlx::query!(
        "WITH message AS (
           UPDATE invoices SET chat_id = $3, message_id = $4, updated_at = now() WHERE id = $1 AND $2 = 'merchant'
         )
         INSERT INTO invoice_cards (invoice_id, audience, chat_id, message_id, lang, is_photo)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ON CONSTRAINT invoice_cards_message_key DO NOTHING",
        invoice_id.get(),
        audience.as_str(),
        chat_id,
        message_id,
        lang.code(),
        is_photo
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Claims up to `limit` stale cards for `lease`, oldest invoices first. A card knows
/// that its invoice ended (`invoice_ended`, kept by the database), so only the cards due
/// are read, however many invoices are open.
pub async fn claim(pool: &PgPool, limit: i64, lease: Duration) -> sqlx::Result<Vec<StaleCard>> {
    let rows = sqlx::query!(
        r#"WITH due AS (
            SELECT c.id FROM invoice_cards c
            WHERE c.shown_status = 'pending' AND c.invoice_ended AND c.next_attempt_at <= now()
              AND (c.lease_until IS NULL OR c.lease_until < now())
            ORDER BY c.invoice_id, c.inline_message_id NULLS FIRST, c.id LIMIT $1
            FOR UPDATE OF c SKIP LOCKED
         ), claimed AS (
            UPDATE invoice_cards c SET lease_until = now() + make_interval(secs => $2) FROM due WHERE c.id = due.id
            RETURNING c.*
         )
         SELECT c.id AS "card_id!", c.audience AS "audience!: Audience", c.chat_id AS card_chat_id,
                c.message_id AS card_message_id, c.inline_message_id, c.lang AS "lang!", c.is_photo AS "is_photo!",
                c.attempts AS "attempts!", c.lease_until AS "lease_until!",
                i.id AS "id: InvoiceId", i.owner_id AS "owner_id: TelegramUserId", i.account_id AS "account_id: AccountId", i.account_label, i.gateway_invoice_id, i.amount, i.fee, i.total,
                i.status AS "status: InvoiceState", i.payload, i.expires_at, i.chat_id, i.message_id, i.created_at,
                i.pay_token, i.display_name, i.via_inline, i.ended_file_id
         FROM claimed c JOIN invoices i ON i.id = c.invoice_id
         ORDER BY c.invoice_id, c.inline_message_id NULLS FIRST, c.id"#,
        limit,
        lease.as_secs_f64()
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StaleCard {
            card_id: r.card_id,
            audience: r.audience,
            card_chat_id: r.card_chat_id,
            card_message_id: r.card_message_id,
            inline_message_id: r.inline_message_id,
            lang: r.lang,
            is_photo: r.is_photo,
            attempts: r.attempts,
            lease_until: r.lease_until,
            invoice: InvoiceRow {
                id: r.id,
                owner_id: r.owner_id,
                account_id: r.account_id,
                account_label: r.account_label,
                gateway_invoice_id: r.gateway_invoice_id,
                amount: r.amount,
                fee: r.fee,
                total: r.total,
                status: r.status,
                payload: r.payload,
                expires_at: r.expires_at,
                chat_id: r.chat_id,
                message_id: r.message_id,
                created_at: r.created_at,
                pay_token: r.pay_token,
                display_name: r.display_name,
                via_inline: r.via_inline,
                ended_file_id: r.ended_file_id,
            },
        })
        .collect())
}

/// The claimed card now shows `status`. `false` if the lease was lost meanwhile.
pub async fn mark_shown(pool: &PgPool, card: &StaleCard, status: InvoiceState) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE invoice_cards SET shown_status = $3, lease_until = NULL WHERE id = $1 AND lease_until = $2",
        card.card_id,
        card.lease_until,
        status.as_str()
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Another try after `delay`.
pub async fn retry_later(pool: &PgPool, card: &StaleCard, delay: Duration) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE invoice_cards SET attempts = attempts + 1, lease_until = NULL,
                next_attempt_at = now() + make_interval(secs => $3)
         WHERE id = $1 AND lease_until = $2",
        card.card_id,
        card.lease_until,
        delay.as_secs_f64()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A handler is about to edit the card in `chat`/`message` itself to show `status`:
/// recorded first, so the refresher does not edit it a second time meanwhile. `false`
/// if the refresher holds the card under a live lease (it claimed it between the
/// invoice ending and this call): then it draws the card and the handler must not, or
/// the card is edited twice. If the handler's edit fails, [`reopen`] hands the card back
/// to the refresher.
pub async fn shown(pool: &PgPool, chat_id: i64, message_id: i32, status: InvoiceState) -> sqlx::Result<bool> {
    let refreshing = sqlx::query_scalar!(
        r#"WITH card AS (
              SELECT id, shown_status = 'pending' AND coalesce(lease_until >= now(), false) AS refreshing
              FROM invoice_cards WHERE chat_id = $1 AND message_id = $2 FOR UPDATE
           ), taken AS (
              UPDATE invoice_cards c SET shown_status = $3, lease_until = NULL
              FROM card WHERE c.id = card.id AND c.shown_status = 'pending' AND NOT card.refreshing
              RETURNING c.id
           )
           SELECT coalesce(bool_or(refreshing), false) AS "refreshing!" FROM card"#,
        chat_id,
        message_id,
        status.as_str()
    )
    .fetch_one(pool)
    .await?;
    Ok(!refreshing)
}

/// The handler's edit of the card failed: the refresher brings it up to date instead.
pub async fn reopen(pool: &PgPool, chat_id: i64, message_id: i32) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE invoice_cards SET shown_status = 'pending' WHERE chat_id = $1 AND message_id = $2",
        chat_id,
        message_id
    )
    .execute(pool)
    .await?;
    Ok(())
}
