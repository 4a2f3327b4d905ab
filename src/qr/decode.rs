//! Reading QR codes from images: a gateway's `qris_image`, a photo of a printed QRIS.

use image::{DynamicImage, imageops::FilterType};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("the file is not an image the bot can read")]
    NotAnImage,
    #[error("the image is larger than {MAX_SIDE}×{MAX_SIDE} pixels or {MAX_ALLOC} bytes decoded")]
    TooLarge,
    #[error("no QR code was found in the image")]
    NoCode,
    #[error("the QR code could not be read")]
    Unreadable,
}

/// The largest image side the bot decodes, and the most memory decoding may take.
pub const MAX_SIDE: u32 = 4096;
pub const MAX_ALLOC: u64 = 64 * 1024 * 1024;

/// [`decode_qr`] on the blocking pool, off the async threads (decoding a photo takes
/// tens of milliseconds of CPU); a panic in a decoder is an unreadable image. The bytes
/// come back with the result.
pub async fn decode_qr_blocking(bytes: Vec<u8>) -> (Vec<u8>, Result<String, DecodeError>) {
    tokio::task::spawn_blocking(move || {
        let result = decode_qr(&bytes);
        (bytes, result)
    })
    .await
    .unwrap_or_else(|_| (Vec::new(), Err(DecodeError::Unreadable)))
}

/// The text of the QR code in an image (PNG or JPEG). Large photos are scaled down first:
/// a phone photo has far more pixels than a code needs, and decoding time grows with them.
///
/// The decoder is held to [`MAX_SIDE`] pixels a side and [`MAX_ALLOC`] bytes: a small
/// file can claim a huge image, and the `image` crate's own limit is 512 MiB. Call it
/// through [`decode_qr_blocking`] from async code.
pub fn decode_qr(bytes: &[u8]) -> Result<String, DecodeError> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| DecodeError::NotAnImage)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => DecodeError::TooLarge,
        _ => DecodeError::NotAnImage,
    })?;
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

    #[test]
    fn an_image_claiming_more_than_the_limits_is_refused_before_decoding() {
        // 8000×8 pixels in a few hundred bytes: wider than MAX_SIDE.
        let wide = crate::qr::image::png(&image::GrayImage::from_pixel(8000, 8, image::Luma([255]))).unwrap();
        assert!(wide.len() < 10_000, "{} bytes", wide.len());
        assert_eq!(decode_qr(&wide), Err(DecodeError::TooLarge));
    }

    #[tokio::test]
    async fn decoding_off_the_async_threads_gives_the_bytes_back() {
        let png = qr_png("00020101021126", 4).unwrap();
        let (bytes, result) = decode_qr_blocking(png.clone()).await;
        assert_eq!((bytes, result), (png, Ok("00020101021126".to_owned())));
    }
}
