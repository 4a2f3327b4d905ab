//! The sales chart of a report: one bar per day (per hour for one day), the largest
//! amount written at the top, labels under the bars. Grayscale PNG, 960×540, text in the
//! embedded DejaVu Sans, as the invoice image.

use image::{GrayImage, Luma};

use crate::qr::{
    image::{QrImageError, png},
    render::{draw_text, fit, fonts, text_width},
};

pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 540;
/// The plot's edges: bars stand on `BASELINE` and reach up to `TOP` at the largest.
pub const LEFT: u32 = 48;
pub const RIGHT: u32 = WIDTH - 32;
pub const TOP: u32 = 120;
pub const BASELINE: u32 = 470;
const BAR: u8 = 40;
const GRID: u8 = 205;

/// What the chart says, already localized and formatted.
#[derive(Clone, Debug)]
pub struct ChartText {
    /// `Sales per day, 1–6 Des 2026`.
    pub title: String,
    /// The largest bar's amount, `Rp 1.250.000`.
    pub top_label: String,
    /// Under each bar (`1`, `2`, … or `00`, `01`, …); some are left out when they would
    /// not fit.
    pub bar_labels: Vec<String>,
}

/// The x-coordinate span of bar `i` of `n`: (left, right), right excluded.
pub fn bar_span(i: usize, n: usize) -> (u32, u32) {
    let slot = (RIGHT - LEFT) as f32 / n.max(1) as f32;
    let gap = (slot * 0.2).floor();
    let left = LEFT as f32 + slot * i as f32 + gap / 2.0;
    let right = (left + (slot - gap).max(1.0)).min(RIGHT as f32);
    (left.round() as u32, (right.round() as u32).max(left.round() as u32 + 1))
}

fn fill(img: &mut GrayImage, (x0, x1): (u32, u32), (y0, y1): (u32, u32), shade: u8) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, Luma([shade]));
        }
    }
}

/// The chart of `buckets` (whole rupiah per bar).
pub fn sales_chart(buckets: &[i64], text: &ChartText) -> GrayImage {
    let f = fonts();
    let mut img = GrayImage::from_pixel(WIDTH, HEIGHT, Luma([255]));
    let title = fit(&f.bold, 30.0, &text.title, (WIDTH - 2 * LEFT) as f32);
    draw_text(&mut img, &f.bold, 30.0, LEFT as f32, 28.0, &title);
    draw_text(&mut img, &f.regular, 20.0, LEFT as f32, (TOP - 34) as f32, &text.top_label);
    // The top line (the largest amount) and the baseline.
    fill(&mut img, (LEFT, RIGHT), (TOP, TOP + 1), GRID);
    fill(&mut img, (LEFT, RIGHT), ((TOP + BASELINE) / 2, (TOP + BASELINE) / 2 + 1), GRID);
    let max = buckets.iter().copied().max().unwrap_or(0).max(1);
    let n = buckets.len();
    for (i, &value) in buckets.iter().enumerate() {
        if value <= 0 {
            continue;
        }
        let height = ((value as f64 / max as f64) * f64::from(BASELINE - TOP)).round().max(2.0) as u32;
        fill(&mut img, bar_span(i, n), (BASELINE - height, BASELINE), BAR);
    }
    fill(&mut img, (LEFT, RIGHT), (BASELINE, BASELINE + 2), 0);
    // Labels: every k-th, so that they never touch.
    let size = 16.0;
    let widest = text.bar_labels.iter().map(|l| text_width(&f.regular, size, l)).fold(0.0, f32::max);
    let slot = (RIGHT - LEFT) as f32 / n.max(1) as f32;
    let every = ((widest + 8.0) / slot).ceil().max(1.0) as usize;
    for (i, label) in text.bar_labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let (x0, x1) = bar_span(i, n);
        let centre = (x0 + x1) as f32 / 2.0;
        let w = text_width(&f.regular, size, label);
        draw_text(&mut img, &f.regular, size, centre - w / 2.0, (BASELINE + 10) as f32, label);
    }
    img
}

pub fn sales_chart_png(buckets: &[i64], text: &ChartText) -> Result<Vec<u8>, QrImageError> {
    png(&sales_chart(buckets, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stand_where_there_were_sales_and_nowhere_else() {
        let buckets = [0, 250_000, 0, 1_000_000, 10];
        let text = ChartText {
            title: "Sales per day, 1–5 Dec 2026".into(),
            top_label: "Rp 1,000,000".into(),
            bar_labels: (1..=5).map(|d| d.to_string()).collect(),
        };
        let bytes = sales_chart_png(&buckets, &text).unwrap();
        let img = image::load_from_memory(&bytes).unwrap().to_luma8();
        assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT));
        let height_of = |i: usize| {
            let (x0, x1) = bar_span(i, buckets.len());
            let x = (x0 + x1) / 2;
            (TOP..BASELINE).filter(|y| img.get_pixel(x, *y).0[0] == BAR).count() as u32
        };
        assert_eq!(height_of(0), 0);
        assert_eq!(height_of(2), 0);
        assert_eq!(height_of(3), BASELINE - TOP, "the largest reaches the top");
        let quarter = height_of(1);
        assert!(quarter.abs_diff((BASELINE - TOP) / 4) <= 1, "{quarter}");
        assert!(height_of(4) >= 2, "a tiny sale still shows");
        // Some text was drawn above the plot (the title).
        assert!((0..TOP - 40).any(|y| (LEFT..RIGHT).any(|x| img.get_pixel(x, y).0[0] < 100)));
    }

    #[test]
    fn a_years_bars_fit_and_their_labels_thin_out() {
        let buckets = vec![5_000; 366];
        let text = ChartText {
            title: "t".into(),
            top_label: "Rp 5.000".into(),
            bar_labels: (0..366).map(|d| (d % 31 + 1).to_string()).collect(),
        };
        let img = sales_chart(&buckets, &text);
        let (_, last) = bar_span(365, 366);
        assert!(last <= RIGHT);
        assert_eq!(img.width(), WIDTH);
    }
}
