//! An invoice's card as it is shown in a chat: the caption and the image, for the
//! merchant (label, amount, fee, total, expiry, status) or for a customer who opened a
//! pay link (the seller's display name, the total, expiry, status; never the label or
//! the account). An ended invoice's image carries a stamp across its faded code. No
//! Telegram here: the chat layer and the card refresher send what this draws.

use chrono::{DateTime, Utc};

use crate::{
    domain::{InvoiceState, period::datetime},
    i18n::{Html, Lang},
    qr::{
        image::QrImageError,
        payload::Qris,
        render::{Card, invoice_png_blocking},
    },
    storage::{cards::Audience, invoices::InvoiceRow},
    tr,
};

fn local(t: &DateTime<Utc>, lang: Lang) -> String {
    datetime(&t.fixed_offset(), lang)
}

/// Who customers are told they pay: the account's display name when the invoice was
/// made, else the merchant name in the QRIS payload (what their banking app shows too).
pub fn seller(row: &InvoiceRow) -> String {
    let from_payload =
        || row.payload.as_deref().and_then(|p| Qris::parse(p).ok()).map(|q| q.merchant_name().to_owned());
    row.display_name.clone().or_else(from_payload).unwrap_or_default()
}

/// The caption (HTML) of the invoice's card.
pub fn caption(row: &InvoiceRow, audience: Audience, lang: Lang) -> String {
    let mut lines = match audience {
        Audience::Merchant => vec![
            tr!(lang, "invoice-title", id = &row.gateway_invoice_id, label = &row.account_label),
            tr!(lang, "invoice-amount", amount = row.amount().format(lang)),
            tr!(lang, "invoice-fee", amount = row.fee().format(lang)),
            tr!(lang, "invoice-total", amount = row.total().format(lang)),
        ],
        Audience::Customer => vec![
            tr!(lang, "pay-title", seller = seller(row)),
            tr!(lang, "invoice-total", amount = row.total().format(lang)),
        ],
    };
    if let Some(t) = &row.expires_at {
        lines.push(tr!(lang, "invoice-expires", at = local(t, lang)));
    }
    lines.push(tr!(lang, "invoice-status", status = Html(crate::i18n::status(row.status.as_str(), lang))));
    if audience == Audience::Customer && !row.is_final() {
        lines.push(String::new());
        lines.push(tr!(lang, "card-footer"));
    }
    lines.join("\n")
}

/// The stamp of an ended invoice (`PAID`, `EXPIRED`, `CANCELLED`), in `lang`.
pub fn stamp(status: InvoiceState, lang: Lang) -> Option<String> {
    match status {
        InvoiceState::Paid => Some(tr!(lang, "stamp-paid")),
        InvoiceState::Expired => Some(tr!(lang, "stamp-expired")),
        InvoiceState::Cancelled => Some(tr!(lang, "stamp-cancelled")),
        InvoiceState::Pending => None,
    }
}

/// What is written on the image, under the code. An invoice made from inline mode has
/// only the customer's view: its one image serves the inline message too.
pub fn image_card(row: &InvoiceRow, audience: Audience, lang: Lang) -> Card {
    let audience = if row.via_inline { Audience::Customer } else { audience };
    let merchant = row.payload.as_deref().and_then(|p| Qris::parse(p).ok()).map(|q| q.merchant_name().to_owned());
    let title = match (audience, merchant) {
        (Audience::Customer, _) => seller(row),
        (Audience::Merchant, Some(m)) if !m.is_empty() => format!("{} · {m}", row.account_label),
        (Audience::Merchant, _) => row.account_label.clone(),
    };
    let mut rows = Vec::new();
    if audience == Audience::Merchant {
        rows.push((tr!(lang, "card-amount"), row.amount().format(lang)));
        rows.push((tr!(lang, "card-fee"), row.fee().format(lang)));
    }
    rows.push((tr!(lang, "card-invoice"), row.gateway_invoice_id.clone()));
    if let Some(t) = &row.expires_at {
        rows.push((tr!(lang, "card-expires"), local(t, lang)));
    }
    Card {
        title,
        headline: Some((tr!(lang, "card-total"), row.total().format(lang))),
        rows,
        footer: Some(tr!(lang, "card-footer")),
        stamp: stamp(row.status, lang),
    }
}

/// The card's PNG, stamped if the invoice has ended; `None` if the bot has no QRIS
/// payload of the invoice (the card is then text, or the gateway's own image).
pub async fn png(row: &InvoiceRow, audience: Audience, lang: Lang) -> Option<Result<Vec<u8>, QrImageError>> {
    let payload = row.payload.clone()?;
    Some(invoice_png_blocking(payload, image_card(row, audience, lang)).await)
}
