//! Drawing a QR code as a PNG: error correction M, a quiet zone of 4 modules, every
//! module an integer number of pixels (no blur), grayscale.

use image::{GrayImage, ImageEncoder, codecs::png::PngEncoder};
use qrcode::{
    Color, EcLevel,
    canvas::{Canvas, MaskPattern},
};

/// The quiet zone around the code, in modules, as the QR specification asks.
pub const QUIET_ZONE: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrImageError {
    #[error("the payload does not fit in a QR code: {0}")]
    TooLong(String),
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// A QR code's modules, row by row (`true` is dark), without the quiet zone.
pub struct QrModules {
    width: usize,
    dark: Vec<bool>,
}

/// The eight mask patterns, in the order the specification numbers them (on equal
/// penalties the first wins, as everywhere else).
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

impl QrModules {
    /// Encodes `payload` at error correction M in the smallest version that holds it,
    /// with the mask of the lowest penalty.
    ///
    /// The same code as `qrcode::QrCode::with_error_correction_level` makes (a test
    /// compares them), but the eight masks are scored here over plain arrays: the
    /// crate's scoring was most of the CPU of drawing an invoice (~1 ms of 1.75).
    pub fn encode(payload: &str) -> Result<QrModules, QrImageError> {
        let too_long = |e: qrcode::types::QrError| QrImageError::TooLong(e.to_string());
        let bits = qrcode::bits::encode_auto(payload.as_bytes(), EcLevel::M).map_err(too_long)?;
        let version = bits.version();
        let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).map_err(too_long)?;
        let mut canvas = Canvas::new(version, EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        let width = version.width() as usize;
        let (_, dark) = MASKS
            .iter()
            .map(|&mask| {
                let mut masked = canvas.clone();
                masked.apply_mask(mask);
                let dark: Vec<bool> = masked.into_colors().into_iter().map(|c| c == Color::Dark).collect();
                (penalty(&dark, width), dark)
            })
            .min_by_key(|(score, _)| *score)
            .expect("eight masks");
        Ok(QrModules { width, dark })
    }

    /// Modules on a side.
    pub fn width(&self) -> u32 {
        self.width as u32
    }

    /// The code with its quiet zone, `scale` pixels per module.
    pub fn image(&self, scale: u32) -> GrayImage {
        let side = (self.width as u32 + 2 * QUIET_ZONE) * scale;
        let mut pixels = vec![255u8; (side * side) as usize];
        let (side, scale, quiet) = (side as usize, scale as usize, QUIET_ZONE as usize);
        for (y, row) in self.dark.chunks(self.width).enumerate() {
            let top = (y + quiet) * scale;
            let first = &mut pixels[top * side..(top + 1) * side];
            for (x, _) in row.iter().enumerate().filter(|(_, dark)| **dark) {
                first[(x + quiet) * scale..(x + quiet + 1) * scale].fill(0);
            }
            // The module's other pixel rows are copies of its first.
            for line in 1..scale {
                pixels.copy_within(top * side..(top + 1) * side, (top + line) * side);
            }
        }
        GrayImage::from_raw(side as u32, side as u32, pixels).expect("the buffer is side × side")
    }
}

/// The penalty of a masked code (ISO/IEC 18004 §7.8.3, scored as the `qrcode` crate
/// scores it, so that both pick the same mask): runs of five or more modules of one
/// colour, 2×2 blocks of one colour, finder-like patterns `#.###.#` without four light
/// modules on one side, and the distance of the dark share from half.
fn penalty(dark: &[bool], width: usize) -> u32 {
    let rows: Vec<&[bool]> = dark.chunks(width).collect();
    let transposed: Vec<bool> = (0..width).flat_map(|x| rows.iter().map(move |row| row[x])).collect();
    let mut score = 0u32;
    for line in dark.chunks(width).chain(transposed.chunks(width)) {
        score += runs(line) + finder_like(line);
    }
    for pair in rows.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        score += 3 * (0..width - 1).filter(|&x| a[x] == a[x + 1] && a[x] == b[x] && a[x] == b[x + 1]).count() as u32;
    }
    let dark_share = dark.iter().filter(|d| **d).count() * 200 / dark.len();
    score + dark_share.abs_diff(100) as u32
}

/// Runs of five or more modules of one colour: the run's length less two each.
fn runs(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut start = 0;
    for end in 1..=line.len() {
        if end == line.len() || line[end] != line[start] {
            let length = (end - start) as u32;
            if length >= 5 {
                score += length - 2;
            }
            start = end;
        }
    }
    score
}

/// `#.###.#` with four light modules on either side (outside the code counts as light):
/// 40 each. (The three real finder patterns count too, the same for every mask.)
fn finder_like(line: &[bool]) -> u32 {
    const PATTERN: [bool; 7] = [true, false, true, true, true, false, true];
    let light = |from: usize, to: usize| !line[from.min(line.len())..to.min(line.len())].contains(&true);
    let mut score = 0;
    for j in 0..line.len().saturating_sub(6) {
        if line[j..j + 7] == PATTERN && (light(j.saturating_sub(4), j) || light(j + 7, j + 11)) {
            score += 40;
        }
    }
    score
}

/// The QR code of `payload` as a grayscale image, `scale` pixels per module.
pub fn qr_image(payload: &str, scale: u32) -> Result<GrayImage, QrImageError> {
    Ok(QrModules::encode(payload)?.image(scale))
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

#[cfg(test)]
mod tests {
    use qrcode::QrCode;

    use super::*;

    /// Payloads of many lengths and kinds: QRIS-like digits and capitals, lower case,
    /// punctuation, and bytes outside ASCII.
    fn payloads() -> Vec<String> {
        let mut all = Vec::new();
        let mut seed = 0x2545_f491_u64;
        for length in (4..=420).step_by(11) {
            let text: String = (0..length)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let alphabet: &[char] = match length % 4 {
                        0 => &['0', '1', '2', '5', '9'],
                        1 => &['A', 'B', 'Z', '0', '7', ' ', '.', '-'],
                        2 => &['a', 'q', 'x', 'K', '3', '/', ':'],
                        _ => &['é', 'ø', 'a', '1', 'Z'],
                    };
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            all.push(text);
        }
        all
    }

    #[test]
    fn the_code_is_the_one_the_qr_library_makes_with_the_same_mask() {
        for payload in payloads() {
            let ours = QrModules::encode(&payload).unwrap();
            let theirs = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).unwrap();
            assert_eq!(ours.width(), theirs.width() as u32, "{payload}");
            let theirs: Vec<bool> = theirs.to_colors().into_iter().map(|c| c == Color::Dark).collect();
            assert!(ours.dark == theirs, "a different code (another mask) for {payload:?}");
        }
    }

    #[test]
    fn the_image_is_the_code_with_its_quiet_zone_in_whole_pixels() {
        let code = QrModules::encode("00020101021126").unwrap();
        let scale = 3;
        let img = code.image(scale);
        let side = (code.width() + 2 * QUIET_ZONE) * scale;
        assert_eq!(img.dimensions(), (side, side));
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / scale) as i64 - QUIET_ZONE as i64, (y / scale) as i64 - QUIET_ZONE as i64);
                let inside = (0..code.width() as i64).contains(&mx) && (0..code.width() as i64).contains(&my);
                let dark = inside && code.dark[(my as u32 * code.width() + mx as u32) as usize];
                assert_eq!(img.get_pixel(x, y).0[0], if dark { 0 } else { 255 }, "pixel ({x}, {y})");
            }
        }
    }

    #[test]
    fn a_payload_too_long_for_any_version_is_refused() {
        assert!(matches!(QrModules::encode(&"x".repeat(3000)), Err(QrImageError::TooLong(_))));
    }
}
