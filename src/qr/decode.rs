//! Reading QR codes from images: a gateway's `qris_image`, a photo of a printed QRIS.

use image::{DynamicImage, imageops::FilterType};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("the file is not an image the bot can read")]
    NotAnImage,
    #[error("no QR code was found in the image")]
    NoCode,
    #[error("the QR code could not be read")]
    Unreadable,
}

/// The text of the QR code in an image (PNG or JPEG). Large photos are scaled down first:
/// a phone photo has far more pixels than a code needs, and decoding time grows with them.
pub fn decode_qr(bytes: &[u8]) -> Result<String, DecodeError> {
    let img = image::load_from_memory(bytes).map_err(|_| DecodeError::NotAnImage)?;
    let img = if img.width().max(img.height()) > 1600 { img.resize(1600, 1600, FilterType::Triangle) } else { img };
    decode_gray(&DynamicImage::ImageLuma8(img.to_luma8()))
}

fn decode_gray(img: &DynamicImage) -> Result<String, DecodeError> {
    let gray = img.as_luma8().expect("converted to luma above");
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(gray.width() as usize, gray.height() as usize, |x, y| {
            gray.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    let grid = grids.first().ok_or(DecodeError::NoCode)?;
    grid.decode().map(|(_, text)| text).map_err(|_| DecodeError::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::image::qr_png;

    #[test]
    fn reads_back_what_was_drawn() {
        let png = qr_png("00020101021126", 4).unwrap();
        assert_eq!(decode_qr(&png).unwrap(), "00020101021126");
        assert_eq!(decode_qr(b"not an image"), Err(DecodeError::NotAnImage));
        let blank = crate::qr::image::png(&image::GrayImage::from_pixel(50, 50, image::Luma([255]))).unwrap();
        assert_eq!(decode_qr(&blank), Err(DecodeError::NoCode));
    }
}
