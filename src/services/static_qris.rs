//! The merchant's printed (static) QRIS: kept once read from a photo, and turned into a
//! dynamic one with an amount by `/qris <amount>`.

use crate::domain::TelegramUserId;
use std::time::Duration;

use reqwest::Url;

use crate::{
    app::App,
    domain::Amount,
    qr::{
        decode::{DecodeError, decode_qr_blocking},
        payload::{PayloadError, Qris},
    },
    storage::static_qris,
};

const PHOTO_LIMIT: usize = 10 * 1024 * 1024;
const PHOTO_TIMEOUT: Duration = Duration::from_secs(20);

/// What a photo of a printed QRIS held.
#[derive(Debug)]
pub enum PhotoRead {
    /// A static QRIS: what can be kept.
    Static(Qris),
    /// It could not be downloaded, or is not an image the bot reads.
    Unavailable,
    /// An image without a QR code in it.
    NoCode,
    /// A QR code that is not a valid QRIS.
    Invalid(PayloadError),
    /// A dynamic QRIS (one payment's): not one to keep.
    Dynamic,
}

/// Downloads the photo at `url` (only from `host`'s address) and reads the QRIS in it
/// (on a blocking thread).
pub async fn read_photo(app: &App, url: &Url, host: &Url) -> PhotoRead {
    let bytes = match app.gateways.http().fetch_image(url, Some(host), PHOTO_LIMIT, PHOTO_TIMEOUT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "could not download a photo");
            return PhotoRead::Unavailable;
        }
    };
    let text = match decode_qr_blocking(bytes).await.1 {
        Ok(text) => text,
        Err(DecodeError::NotAnImage | DecodeError::TooLarge) => return PhotoRead::Unavailable,
        Err(_) => return PhotoRead::NoCode,
    };
    match Qris::parse(&text) {
        Ok(q) if q.is_static() => PhotoRead::Static(q),
        Ok(_) => PhotoRead::Dynamic,
        Err(e) => PhotoRead::Invalid(e),
    }
}

pub use crate::storage::static_qris::StaticQris;

pub async fn get(app: &App, owner: TelegramUserId) -> sqlx::Result<Option<StaticQris>> {
    static_qris::get(&app.pool, owner).await
}

/// Saves a static QRIS read from the user's photo (checked again: the payload came back
/// from a stored button, not from the decoder). `None` if it is not a static QRIS.
pub async fn save(app: &App, owner: TelegramUserId, payload: &str) -> sqlx::Result<Option<Qris>> {
    let qris = match Qris::parse(payload) {
        Ok(q) if q.is_static() => q,
        _ => return Ok(None),
    };
    static_qris::save(&app.pool, owner, payload, qris.merchant_name()).await?;
    Ok(Some(qris))
}

/// The stored QRIS with `amount` in it; `None` if none is stored.
pub async fn with_amount(app: &App, owner: TelegramUserId, amount: Amount) -> anyhow::Result<Option<(Qris, Qris)>> {
    let Some(stored) = get(app, owner).await? else { return Ok(None) };
    let merchant = Qris::parse(&stored.payload)?;
    let dynamic = merchant.with_amount(amount)?;
    Ok(Some((merchant, dynamic)))
}
