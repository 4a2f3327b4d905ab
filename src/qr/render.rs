//! The invoice image: the QR code (error correction M, a 4-module quiet zone, each
//! module a whole number of pixels) with the facts drawn under it (who, how much, fee,
//! total, invoice id, expiry), so that a screenshot of it is a complete invoice.
//! Grayscale PNG; text in the embedded DejaVu Sans.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use std::sync::Arc;

use image::{GrayImage, Luma, imageops};

use super::image::{QUIET_ZONE, QrImageError, QrModules, png};

static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

/// What is written on the card, already localized and formatted.
#[derive(Clone, Debug, Default)]
pub struct Card {
    /// The merchant or account, at the top.
    pub title: String,
    /// The amount to pay, large, under the code (`Total Rp 25.175`).
    pub headline: Option<(String, String)>,
    /// Label and value rows (amount, fee, invoice id, expiry).
    pub rows: Vec<(String, String)>,
    /// A small line at the bottom.
    pub footer: Option<String>,
    /// A stamp across the code (`PAID`, `EXPIRED`): the invoice has ended. The code is
    /// faded and covered so that it can no longer be scanned.
    pub stamp: Option<String>,
}

const WIDTH: u32 = 600;
const MARGIN: u32 = 36;
/// The QR code is drawn at most this wide, in whole pixels per module.
const QR_TARGET: u32 = 456;

pub(crate) struct Fonts {
    pub(crate) regular: FontRef<'static>,
    pub(crate) bold: FontRef<'static>,
}

/// The embedded fonts, parsed once.
pub(crate) fn fonts() -> &'static Fonts {
    static FONTS: std::sync::LazyLock<Fonts> = std::sync::LazyLock::new(|| Fonts {
        regular: FontRef::try_from_slice(REGULAR).expect("the embedded font parses"),
        bold: FontRef::try_from_slice(BOLD).expect("the embedded font parses"),
    });
    &FONTS
}

/// Lays `text` out from the pen position `start`: calls `place` with each glyph and its
/// pen position (kerned against the one before), and returns where the pen ends.
fn lay_out(
    font: &FontRef<'_>,
    size: f32,
    start: f32,
    text: &str,
    mut place: impl FnMut(ab_glyph::GlyphId, f32),
) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut caret = start;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        place(id, caret);
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    caret
}

pub(crate) fn text_width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    lay_out(font, size, 0.0, text, |_, _| {})
}

/// Draws `text` with its top-left corner at (x, top), black on white.
pub(crate) fn draw_text(img: &mut GrayImage, font: &FontRef<'_>, size: f32, x: f32, top: f32, text: &str) {
    let baseline = top + font.as_scaled(PxScale::from(size)).ascent();
    let (py, fy) = pixel_and_quarter(baseline);
    lay_out(font, size, x, text, |id, caret| {
        let (px, fx) = pixel_and_quarter(caret);
        let Some(glyph) = raster(font, id, size, (fx, fy)) else { return };
        for (row, inks) in glyph.ink.chunks(glyph.width.max(1)).enumerate() {
            let y = py + glyph.top + row as i64;
            if y < 0 || y >= img.height() as i64 {
                continue;
            }
            for (column, &ink) in inks.iter().enumerate() {
                let x = px + glyph.left + column as i64;
                if x >= 0 && x < img.width() as i64 {
                    let pixel = img.get_pixel_mut(x as u32, y as u32);
                    pixel.0[0] = pixel.0[0].min(ink);
                }
            }
        }
    });
}

/// A position split into its whole pixel and the quarter of a pixel past it.
fn pixel_and_quarter(at: f32) -> (i64, u8) {
    let whole = at.floor();
    let quarters = ((at - whole) * 4.0).round() as u8;
    if quarters == 4 { (whole as i64 + 1, 0) } else { (whole as i64, quarters) }
}

/// A glyph drawn once: how dark each of its pixels is (255 for none), and where its top
/// left pixel sits from the pen position.
struct Raster {
    left: i64,
    top: i64,
    width: usize,
    ink: Vec<u8>,
}

/// Which glyph, as drawn: the font (which of the two embedded ones), the glyph, the size, and its offset
/// within a pixel in quarters.
type GlyphKey = (usize, u16, u32, (u8, u8));

/// Glyphs already drawn. A card's text is a few dozen distinct glyphs drawn again on
/// every card (rasterizing them was a third of an invoice image's time); positions are
/// kept to a quarter of a pixel, which the eye does not see. Bounded: past it (names in
/// many scripts), glyphs are drawn each time as before.
static GLYPHS: std::sync::LazyLock<std::sync::RwLock<std::collections::HashMap<GlyphKey, Option<Arc<Raster>>>>> =
    std::sync::LazyLock::new(Default::default);
const GLYPHS_KEPT: usize = 4096;

fn raster(font: &FontRef<'_>, id: ab_glyph::GlyphId, size: f32, (fx, fy): (u8, u8)) -> Option<Arc<Raster>> {
    // Only the two embedded fonts are kept, known by their place.
    let fonts = fonts();
    let which = std::ptr::from_ref(font) as usize;
    let embedded =
        which == std::ptr::from_ref(&fonts.regular) as usize || which == std::ptr::from_ref(&fonts.bold) as usize;
    let key = (which, id.0, size.to_bits(), (fx, fy));
    if embedded && let Some(kept) = GLYPHS.read().ok().and_then(|glyphs| glyphs.get(&key).cloned()) {
        return kept;
    }
    let at = point(f32::from(fx) / 4.0, f32::from(fy) / 4.0);
    let drawn = font.outline_glyph(id.with_scale_and_position(PxScale::from(size), at)).map(|outline| {
        let bounds = outline.px_bounds();
        let width = bounds.width() as usize;
        let mut ink = vec![255u8; width * bounds.height() as usize];
        outline.draw(|gx, gy, coverage| {
            if let Some(pixel) = ink.get_mut(gy as usize * width + gx as usize) {
                *pixel = (255.0 * (1.0 - coverage.clamp(0.0, 1.0))) as u8;
            }
        });
        Arc::new(Raster { left: bounds.min.x as i64, top: bounds.min.y as i64, width, ink })
    });
    if embedded
        && let Ok(mut glyphs) = GLYPHS.write()
        && glyphs.len() < GLYPHS_KEPT
    {
        glyphs.insert(key, drawn.clone());
    }
    drawn
}

/// Shortens `text` with an ellipsis until it fits in `max` pixels.
pub(crate) fn fit(font: &FontRef<'_>, size: f32, text: &str, max: f32) -> String {
    if text_width(font, size, text) <= max {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>() + "…";
        if text_width(font, size, &candidate) <= max {
            return candidate;
        }
    }
    String::new()
}

/// [`invoice_png`] on a blocking thread (a few milliseconds of CPU each), so the async
/// threads keep serving other chats meanwhile.
pub async fn invoice_png_blocking(payload: String, card: Card) -> Result<Vec<u8>, QrImageError> {
    tokio::task::spawn_blocking(move || invoice_png(&payload, &card))
        .await
        .unwrap_or_else(|e| Err(QrImageError::Png(format!("the render task failed: {e}"))))
}

/// The invoice image of `payload` with `card` written under the code, as PNG bytes.
pub fn invoice_png(payload: &str, card: &Card) -> Result<Vec<u8>, QrImageError> {
    png(&invoice_image(payload, card)?)
}

pub fn invoice_image(payload: &str, card: &Card) -> Result<GrayImage, QrImageError> {
    let fonts = fonts();
    // The scale that brings the code (with its quiet zone) closest to the target width,
    // in whole pixels.
    let modules = QrModules::encode(payload)?;
    let scale = (QR_TARGET / (modules.width() + 2 * QUIET_ZONE)).max(3);
    let code = modules.image(scale);
    let width = WIDTH.max(code.width());
    let inner = (width - 2 * MARGIN) as f32;

    let (title_size, headline_size, row_size, footer_size) = (30.0, 38.0, 23.0, 18.0);
    let row_height = 36;
    let height = MARGIN
        + 44
        + code.height()
        + card.headline.as_ref().map_or(0, |_| 58)
        + 12
        + row_height * card.rows.len() as u32
        + card.footer.as_ref().map_or(0, |_| 40)
        + MARGIN;
    let mut img = GrayImage::from_pixel(width, height, Luma([255]));
    let mut y = MARGIN as f32;

    let title = fit(&fonts.bold, title_size, &card.title, inner);
    let tw = text_width(&fonts.bold, title_size, &title);
    draw_text(&mut img, &fonts.bold, title_size, (width as f32 - tw) / 2.0, y, &title);
    y += 44.0;

    // The code carries its own white quiet zone; it is copied pixel for pixel.
    let qx = (width - code.width()) / 2;
    imageops::replace(&mut img, &code, qx as i64, y as i64);
    if let Some(stamp) = &card.stamp {
        draw_stamp(&mut img, fonts, (qx, y as u32), code.width(), stamp);
    }
    y += code.height() as f32;

    if let Some((label, value)) = &card.headline {
        let text = fit(&fonts.bold, headline_size, &format!("{label} {value}"), inner);
        let w = text_width(&fonts.bold, headline_size, &text);
        draw_text(&mut img, &fonts.bold, headline_size, (width as f32 - w) / 2.0, y, &text);
        y += 58.0;
    }
    y += 12.0;
    for (label, value) in &card.rows {
        let label_width = text_width(&fonts.regular, row_size, label);
        let value = fit(&fonts.bold, row_size, value, inner - label_width - 16.0);
        draw_text(&mut img, &fonts.regular, row_size, MARGIN as f32, y, label);
        let vw = text_width(&fonts.bold, row_size, &value);
        draw_text(&mut img, &fonts.bold, row_size, width as f32 - MARGIN as f32 - vw, y, &value);
        y += row_height as f32;
    }
    if let Some(footer) = &card.footer {
        let footer = fit(&fonts.regular, footer_size, footer, inner);
        let fw = text_width(&fonts.regular, footer_size, &footer);
        draw_text(&mut img, &fonts.regular, footer_size, (width as f32 - fw) / 2.0, y + 10.0, &footer);
    }
    Ok(img)
}

/// Fades the code at (x, y), `side` pixels square, to a light grey and draws `text`
/// in a framed band across its middle: nobody can scan an ended invoice, and everybody
/// sees why.
fn draw_stamp(img: &mut GrayImage, fonts: &Fonts, (x, y): (u32, u32), side: u32, text: &str) {
    for py in y..(y + side).min(img.height()) {
        for px in x..(x + side).min(img.width()) {
            let p = &mut img.get_pixel_mut(px, py).0[0];
            *p = 255 - (255 - *p) / 8;
        }
    }
    let band = (side * 3 / 10).max(60);
    let (bx, by, bw) = (x + side / 16, y + (side - band) / 2, side - side / 8);
    let border = (band / 12).max(4);
    for py in by..by + band {
        for px in bx..bx + bw {
            let edge = py < by + border || py >= by + band - border || px < bx + border || px >= bx + bw - border;
            img.put_pixel(px, py, Luma([if edge { 0 } else { 255 }]));
        }
    }
    let inner = (bw - 4 * border) as f32;
    let mut size = band as f32 * 0.6;
    while size > 12.0 && text_width(&fonts.bold, size, text) > inner {
        size -= 2.0;
    }
    let text = fit(&fonts.bold, size, text, inner);
    let tw = text_width(&fonts.bold, size, &text);
    let top = by as f32 + (band as f32 - size * 1.16) / 2.0;
    draw_text(img, &fonts.bold, size, bx as f32 + (bw as f32 - tw) / 2.0, top, &text);
}

/// An example card (the README's picture, the benchmark, tests).
pub fn sample_card() -> Card {
    Card {
        title: "toko-1 · TOKO SIMULASI".into(),
        headline: Some(("Total".into(), "Rp 25.175".into())),
        rows: vec![
            ("Jumlah".into(), "Rp 25.000".into()),
            ("Biaya".into(), "Rp 175".into()),
            ("Invoice".into(), "8b9274f90b66f3838170185e".into()),
            ("Berlaku sampai".into(), "25 Nov 2026 21.30 WIB".into()),
        ],
        footer: Some("Bayar dengan aplikasi apa pun yang mendukung QRIS".into()),
        stamp: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{domain::Amount, qr::payload::sample_static};

    fn sample_payload() -> String {
        sample_static("TOKO SIMULASI", "JAKARTA", "1234567")
            .with_amount(Amount::from_rupiah(25_175).unwrap())
            .unwrap()
            .to_string()
    }

    /// Text drawn glyph by glyph at its exact position, without the kept glyphs.
    fn draw_text_exactly(img: &mut GrayImage, font: &FontRef<'_>, size: f32, x: f32, top: f32, text: &str) {
        let baseline = top + font.as_scaled(PxScale::from(size)).ascent();
        lay_out(font, size, x, text, |id, caret| {
            let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, baseline));
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    let (px, py) = (bounds.min.x as u32 + gx, bounds.min.y as u32 + gy);
                    let pixel = img.get_pixel_mut(px, py);
                    pixel.0[0] = pixel.0[0].min((255.0 * (1.0 - coverage.clamp(0.0, 1.0))) as u8);
                });
            }
        });
    }

    #[test]
    fn kept_glyphs_draw_the_text_where_the_exact_drawing_puts_it() {
        let fonts = fonts();
        let text = "Total Rp 25.175 · Jumlah Biaya ŽÅ 0123456789";
        for (font, size, x, top) in [(&fonts.bold, 38.0, 12.3, 7.0), (&fonts.regular, 23.0, 40.0, 3.6)] {
            let exact = {
                let mut img = GrayImage::from_pixel(900, 60, Luma([255]));
                draw_text_exactly(&mut img, font, size, x, top, text);
                img
            };
            // Twice: the first draws and keeps the glyphs, the second uses the kept ones.
            for _ in 0..2 {
                let mut img = GrayImage::from_pixel(900, 60, Luma([255]));
                draw_text(&mut img, font, size, x, top, text);
                let differences: Vec<u8> =
                    img.pixels().zip(exact.pixels()).map(|(a, b)| a.0[0].abs_diff(b.0[0])).collect();
                let inked = exact.pixels().filter(|p| p.0[0] < 128).count();
                // Within a quarter of a pixel: edges shade a little differently, no stroke moves.
                assert!(differences.iter().all(|&d| d < 100), "a glyph drawn elsewhere");
                let changed = differences.iter().filter(|&&d| d > 32).count();
                assert!(changed * 10 < inked, "{changed} pixels shade differently of {inked} inked");
            }
        }
    }

    #[test]
    fn the_code_in_the_image_decodes_to_the_payload() {
        let payload = sample_payload();
        let img = invoice_image(&payload, &sample_card()).unwrap();
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(img.width() as usize, img.height() as usize, |x, y| {
                img.get_pixel(x as u32, y as u32).0[0]
            });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().unwrap().1, payload);
        // Crisp modules: the code's pixels are pure black or pure white.
        let code_row = 36 + 44 + 40;
        assert!((0..img.width()).all(|x| matches!(img.get_pixel(x, code_row).0[0], 0 | 255)));
    }

    fn grids(img: &GrayImage) -> usize {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(img.width() as usize, img.height() as usize, |x, y| {
                img.get_pixel(x as u32, y as u32).0[0]
            });
        prepared.detect_grids().iter().filter(|g| g.decode().is_ok()).count()
    }

    #[test]
    fn a_stamped_card_cannot_be_scanned_and_shows_the_stamp() {
        let payload = sample_payload();
        let plain = invoice_image(&payload, &sample_card()).unwrap();
        let stamped = invoice_image(&payload, &Card { stamp: Some("PAID".into()), ..sample_card() }).unwrap();
        assert_eq!(grids(&plain), 1);
        assert_eq!(grids(&stamped), 0, "an ended invoice's code must not scan");
        assert_eq!(plain.dimensions(), stamped.dimensions(), "the card keeps its size");
        // The band across the middle of the code: a black frame with black text on white.
        let modules = QrModules::encode(&payload).unwrap().width() + 2 * QUIET_ZONE;
        let side = modules * (QR_TARGET / modules).max(3);
        let middle = 36 + 44 + side / 2;
        let row: Vec<u8> = (0..stamped.width()).map(|x| stamped.get_pixel(x, middle).0[0]).collect();
        assert!(row.iter().filter(|&&p| p == 0).count() > 20, "the stamp's letters and frame are drawn");
        // Outside the band the code is faded: nothing darker than light grey.
        let above = 36 + 44 + 40;
        assert!((0..stamped.width()).all(|x| stamped.get_pixel(x, above).0[0] >= 223));
    }
}
