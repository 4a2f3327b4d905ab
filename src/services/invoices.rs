//! QRIS invoices as use cases: making one at the gateway (its QR taken from the payload
//! or read from the gateway's image), asking for its status, cancelling, sharing it as a
//! pay link, a customer's status check, and the record of every card posted of it.

use crate::domain::InvoiceId;
use crate::domain::TelegramUserId;
use std::time::Duration;

use reqwest::Url;

use crate::{
    app::App,
    domain::{Amount, InvoiceState, PayToken},
    i18n::Lang,
    providers::{GatewayError, InvoiceQr},
    qr::{
        decode::{DecodeError, decode_qr_blocking},
        payload::Qris,
    },
    services::{
        accounts::{self, OpenedAccount, Unusable, Usable},
        staff,
    },
    storage::{cards, invoices, staff::AuditAction},
};

pub use crate::storage::{
    cards::{Audience, Place},
    invoices::InvoiceRow,
};

/// What `qris_image` may weigh, and how long fetching it may take.
const IMAGE_LIMIT: usize = 1024 * 1024;
const IMAGE_TIMEOUT: Duration = Duration::from_secs(5);

/// Customers' presses ask the gateway at most this often per invoice; in between they
/// are told the status last seen.
pub const CHECK_EVERY: Duration = Duration::from_secs(5);

/// The invoice's QR: the gateway's payload, or the one decoded from its image. If the
/// image cannot be read, the image itself (to show as it is) and why.
pub enum Qr {
    Payload(String),
    Image { bytes: Vec<u8>, why: String },
    Missing { why: String },
}

/// Reads the QR of a new invoice.
pub async fn qr_of(app: &App, qr: &InvoiceQr) -> Qr {
    match qr {
        InvoiceQr::Payload(p) => {
            if let Err(e) = Qris::parse(p) {
                // Shown as issued all the same: the bot never rewrites a gateway's payload.
                tracing::warn!(error = %e, "the gateway's qris_string is not a valid QRIS");
            }
            Qr::Payload(p.clone())
        }
        InvoiceQr::ImageUrl(raw) => {
            let Ok(url) = Url::parse(raw) else {
                return Qr::Missing { why: format!("qris_image is not a URL: {raw:?}") };
            };
            let gateway = app.config.qris_api_url.as_ref();
            let bytes = match app.gateways.http().fetch_image(&url, gateway, IMAGE_LIMIT, IMAGE_TIMEOUT).await {
                Ok(bytes) => bytes,
                Err(e) => return Qr::Missing { why: format!("qris_image could not be fetched: {e}") },
            };
            match decode_qr_blocking(bytes).await {
                (_, Err(e @ (DecodeError::NotAnImage | DecodeError::TooLarge))) => {
                    // Telegram would refuse it too: nothing of it is shown.
                    Qr::Missing { why: format!("qris_image is not a usable image: {e}") }
                }
                (bytes, Err(e)) => Qr::Image { bytes, why: format!("qris_image holds no QR code: {e}") },
                (bytes, Ok(text)) => match Qris::parse(&text) {
                    Ok(_) => Qr::Payload(text),
                    Err(e) => Qr::Image { bytes, why: format!("qris_image holds no valid QRIS: {e}") },
                },
            }
        }
        InvoiceQr::None => Qr::Missing { why: "the gateway gave neither qris_string nor qris_image".into() },
    }
}

/// Why no invoice was made.
#[derive(Debug)]
pub enum CreateError {
    /// The gateway refused or could not be asked.
    Failed(GatewayError),
    /// The gateway's amounts are not whole rupiah: an answer the bot cannot keep.
    NotWholeRupiah,
}

/// Makes an invoice of `amount` on `account` for `actor` (its owner, or a staff member
/// of it), records it (watched from now on) and writes a member's to the owner's audit
/// log; the row and its QR.
pub async fn create(
    app: &App,
    actor: TelegramUserId,
    account: &Usable,
    amount: Amount,
) -> anyhow::Result<Result<(InvoiceRow, Qr), CreateError>> {
    let invoice = match account.create_invoice(amount).await {
        Ok(invoice) => invoice,
        Err(e) => return Ok(Err(CreateError::Failed(e))),
    };
    let qr = qr_of(app, &invoice.qr).await;
    let payload = match &qr {
        Qr::Payload(p) => Some(p.as_str()),
        _ => None,
    };
    // Staff make invoices on their owner's account: the owner's, made by them.
    let made_by = (account.account.owner_id != actor).then_some(actor);
    let first_check = app.config.notify_poll_interval;
    let Some(row) = invoices::insert(&app.pool, &account.account, made_by, &invoice, payload, first_check).await?
    else {
        tracing::error!(invoice = invoice.id, "the gateway's invoice amounts are not whole rupiah");
        return Ok(Err(CreateError::NotWholeRupiah));
    };
    // Written as soon as the invoice exists at the gateway.
    staff::audit_invoice(app, actor, AuditAction::InvoiceCreated, &row).await?;
    tracing::info!(invoice_id = row.id.get(), "invoice created");
    Ok(Ok((row, qr)))
}

/// Marks an invoice made from inline mode (its pay link made at once, so the inline
/// card can link to it); the row as it is now and its token.
pub async fn mark_inline(app: &App, user: TelegramUserId, row: InvoiceRow) -> sqlx::Result<(InvoiceRow, PayToken)> {
    let token = PayToken::generate();
    invoices::mark_inline(&app.pool, row.id, &token).await?;
    let row = invoices::get(&app.pool, user, row.id).await?.unwrap_or(row);
    let token = row.pay_token.as_deref().and_then(PayToken::parse).unwrap_or(token);
    Ok((row, token))
}

/// An invoice the user may see (theirs, or one they made as staff).
pub async fn get(app: &App, user: TelegramUserId, id: InvoiceId) -> sqlx::Result<Option<InvoiceRow>> {
    invoices::get(&app.pool, user, id).await
}

/// An invoice by the gateway's id or the bot's number.
pub async fn find(app: &App, user: TelegramUserId, reference: &str) -> sqlx::Result<Option<InvoiceRow>> {
    invoices::find(&app.pool, user, reference).await
}

/// One page of the invoices the user may see, newest first, and how many there are.
pub async fn page(app: &App, user: TelegramUserId, page: u32, per_page: u32) -> sqlx::Result<(Vec<InvoiceRow>, i64)> {
    invoices::page(&app.pool, user, page, per_page).await
}

/// Why the gateway was not asked, or could not tell.
#[derive(Debug)]
pub enum Unchecked {
    Unusable(Unusable),
    Failed(accounts::LinkedAccount, GatewayError),
}

/// Asks the gateway for a pending invoice's status and records it (an invoice leaves
/// pending once, for good); the row as it is now, and why the gateway could not tell.
pub async fn refresh(
    app: &App,
    user: TelegramUserId,
    opened: &[OpenedAccount],
    row: InvoiceRow,
) -> sqlx::Result<(InvoiceRow, Option<Unchecked>)> {
    if row.is_final() {
        return Ok((row, None));
    }
    let Some(account_id) = row.account_id else { return Ok((row, None)) };
    let account = match accounts::open(app, opened, account_id) {
        Ok(account) => account,
        Err(why) => return Ok((row, Some(Unchecked::Unusable(why)))),
    };
    match account.invoice(&row.gateway_invoice_id).await {
        Ok(invoice) => {
            invoices::set_status(&app.pool, row.id, invoice.status.into()).await?;
            let row = invoices::get(&app.pool, user, row.id).await?.unwrap_or(row);
            Ok((row, None))
        }
        Err(e) => Ok((row, Some(Unchecked::Failed(account.account, e)))),
    }
}

/// What cancelling did.
#[derive(Debug)]
pub enum Cancelled {
    /// Cancelled at the gateway and here (and in the owner's audit log for a member).
    Now(InvoiceRow),
    /// It had ended already: nothing asked.
    Ended(InvoiceRow),
    /// The account cannot be used.
    Unusable(Unusable),
    /// The gateway refused (a paid invoice) or could not be asked; the row brought up to
    /// date if the gateway could tell.
    Refused { row: InvoiceRow, account: accounts::LinkedAccount, error: GatewayError },
}

/// Cancels an invoice at the gateway. A paid one is asked all the same, so that the
/// gateway's refusal is shown.
pub async fn cancel(
    app: &App,
    user: TelegramUserId,
    opened: &[OpenedAccount],
    row: InvoiceRow,
) -> sqlx::Result<Cancelled> {
    if matches!(row.status, InvoiceState::Cancelled | InvoiceState::Expired) {
        return Ok(Cancelled::Ended(row));
    }
    let Some(account_id) = row.account_id else { return Ok(Cancelled::Unusable(Unusable::Gone)) };
    let account = match accounts::open(app, opened, account_id) {
        Ok(account) => account,
        Err(why) => return Ok(Cancelled::Unusable(why)),
    };
    match account.cancel_invoice(&row.gateway_invoice_id).await {
        Ok(_) => {
            invoices::set_status(&app.pool, row.id, InvoiceState::Cancelled).await?;
            staff::audit_invoice(app, user, AuditAction::InvoiceCancelled, &row).await?;
            let row = invoices::get(&app.pool, user, row.id).await?.unwrap_or(row);
            Ok(Cancelled::Now(row))
        }
        Err(error) => {
            let (row, _) = refresh(app, user, opened, row).await?;
            Ok(Cancelled::Refused { row, account: account.account, error })
        }
    }
}

/// What sharing found.
#[derive(Debug)]
pub enum Shared {
    /// Not an invoice the user may see.
    Gone,
    /// It has ended: nothing to pay.
    Ended(InvoiceRow),
    /// The pay link (`t.me/<bot>?start=pay_<token>`), made on the first share.
    Link(InvoiceRow, String),
}

/// The invoice's pay link, made on the first share (and in a member's audit log).
pub async fn share(app: &App, user: TelegramUserId, invoice_id: InvoiceId) -> anyhow::Result<Shared> {
    let Some(row) = invoices::get(&app.pool, user, invoice_id).await? else { return Ok(Shared::Gone) };
    if row.is_final() {
        return Ok(Shared::Ended(row));
    }
    let Some(token) = invoices::share(&app.pool, user, invoice_id, &PayToken::generate()).await? else {
        return Ok(Shared::Gone);
    };
    staff::audit_invoice(app, user, AuditAction::InvoiceShared, &row).await?;
    let username = app.username.get().ok_or_else(|| anyhow::anyhow!("the bot's username is not known yet"))?;
    Ok(Shared::Link(row, token.link(username, crate::domain::LinkKind::Pay)))
}

/// The invoice a pay link's token opens, if any.
pub async fn by_token(app: &App, token: &PayToken) -> sqlx::Result<Option<InvoiceRow>> {
    invoices::by_token(&app.pool, token).await
}

/// Pending at the gateway's word, but past its expiry: ended all the same for a customer.
pub fn past_expiry(app: &App, row: &InvoiceRow) -> bool {
    row.expires_at.is_some_and(|t| t <= app.clock.now())
}

/// A customer's status check: the merchant's gateway is asked at most every
/// [`CHECK_EVERY`] per invoice; the row as it is now, and whether the gateway was asked.
pub async fn customer_check(app: &App, row: InvoiceRow) -> sqlx::Result<(InvoiceRow, bool)> {
    let Some(account_id) = row.account_id else { return Ok((row, true)) };
    if row.is_final() {
        return Ok((row, true));
    }
    if !invoices::take_check(&app.pool, row.id, CHECK_EVERY).await? {
        return Ok((row, false));
    }
    let account = match accounts::open_owned(app, row.owner_id, account_id).await {
        Ok(account) => account,
        Err(why) => {
            tracing::warn!(invoice_id = row.id.get(), ?why, "a customer's status check found no usable account");
            return Ok((row, true));
        }
    };
    match account.invoice(&row.gateway_invoice_id).await {
        Ok(invoice) => {
            invoices::set_status(&app.pool, row.id, invoice.status.into()).await?;
            let row = invoices::get(&app.pool, row.owner_id, row.id).await?.unwrap_or(row);
            Ok((row, true))
        }
        Err(e) => {
            tracing::info!(invoice_id = row.id.get(), error = %e, "a customer's status check: the gateway could not tell");
            Ok((row, true))
        }
    }
}

/// Records a card the bot posted in a chat (the merchant's own also as the invoice's
/// message), so that it is redrawn when the invoice ends.
pub async fn posted(
    app: &App,
    row: &InvoiceRow,
    audience: Audience,
    chat: i64,
    message: i32,
    lang: Lang,
    is_photo: bool,
) -> sqlx::Result<()> {
    cards::insert(&app.pool, row.id, audience, chat, message, lang, is_photo).await
}

/// Records an inline message that shows an invoice's card.
pub async fn posted_inline(
    app: &App,
    row: &InvoiceRow,
    inline_id: &str,
    lang: Lang,
    is_photo: bool,
) -> sqlx::Result<()> {
    cards::insert_inline(&app.pool, row.id, inline_id, lang, is_photo).await
}

/// A card about to be redrawn ended by a handler: marked shown first, so the card
/// refresher leaves it alone. `false` if the refresher is drawing it already: then the
/// handler leaves it alone.
pub async fn card_shown(app: &App, chat: i64, message: i32, status: InvoiceState) -> sqlx::Result<bool> {
    cards::shown(&app.pool, chat, message, status).await
}

/// The redraw failed: the card refresher takes it again.
pub async fn card_reopen(app: &App, chat: i64, message: i32) -> sqlx::Result<()> {
    cards::reopen(&app.pool, chat, message).await
}

/// The stamped image's file id, for the inline copies of the card.
pub async fn set_ended_file(app: &App, row: &InvoiceRow, file_id: &str) -> sqlx::Result<()> {
    invoices::set_ended_file(&app.pool, row.id, file_id).await
}
