//! Drawing a QR code as a PNG: error correction M, a quiet zone of 4 modules, every
//! module an integer number of pixels (no blur), grayscale.

use image::{GrayImage, ImageEncoder, Luma, codecs::png::PngEncoder};
use qrcode::{Color, EcLevel, QrCode};

/// The quiet zone around the code, in modules, as the QR specification asks.
pub const QUIET_ZONE: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrImageError {
    #[error("the payload does not fit in a QR code: {0}")]
    TooLong(String),
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// The QR code of `payload` as a grayscale image, `scale` pixels per module.
pub fn qr_image(payload: &str, scale: u32) -> Result<GrayImage, QrImageError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| QrImageError::TooLong(e.to_string()))?;
    let modules = code.width() as u32;
    let side = (modules + 2 * QUIET_ZONE) * scale;
    let mut img = GrayImage::from_pixel(side, side, Luma([255]));
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (mx, my) = (i as u32 % modules, i as u32 / modules);
            let (x0, y0) = ((mx + QUIET_ZONE) * scale, (my + QUIET_ZONE) * scale);
            for y in y0..y0 + scale {
                for x in x0..x0 + scale {
                    img.put_pixel(x, y, Luma([0]));
                }
            }
        }
    }
    Ok(img)
}

/// Encodes a grayscale image as PNG.
pub fn png(img: &GrayImage) -> Result<Vec<u8>, QrImageError> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::L8)
        .map_err(|e| QrImageError::Png(e.to_string()))?;
    Ok(out)
}

/// The QR code of `payload` as PNG bytes.
pub fn qr_png(payload: &str, scale: u32) -> Result<Vec<u8>, QrImageError> {
    png(&qr_image(payload, scale)?)
}
