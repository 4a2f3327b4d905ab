//! Renders the invoice image and the report's sales chart many times and prints the
//! median and p99 time and the PNG size of each. Run in release mode:
//! `cargo bench --bench invoice_image` (`-- --write docs/invoice.png` also writes the
//! invoice image, `--write-paid docs/invoice-paid.png` the same card stamped as paid,
//! `--write-chart docs/report-chart.png` the chart).

use std::time::{Duration, Instant};

use merchant_bot::{
    domain::Amount,
    qr::{
        payload::sample_static,
        render::{Card, invoice_png, sample_card},
    },
    reports::chart::{ChartText, sales_chart_png},
};

/// Renders `runs` times; prints the figures; returns the last image.
fn measure(name: &str, runs: usize, render: impl Fn() -> Vec<u8>) -> Vec<u8> {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut png = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        png = render();
        times.push(started.elapsed());
    }
    times.sort();
    let (median, p99) = (times[runs / 2], times[runs * 99 / 100]);
    println!("{name}: {runs} renders");
    println!("  median {:.2} ms, p99 {:.2} ms", median.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    println!("  PNG size {} bytes ({:.1} KB)", png.len(), png.len() as f64 / 1024.0);
    png
}

fn write_if_asked(flag: &str, png: &[u8]) {
    let mut args = std::env::args().skip_while(|a| a != flag);
    if let (Some(_), Some(path)) = (args.next(), args.next()) {
        std::fs::write(&path, png).expect("writes the image");
        println!("  written to {path}");
    }
}

fn main() {
    let payload = sample_static("TOKO SIMULASI", "JAKARTA", "1234567")
        .with_amount(Amount::from_rupiah(25_175).expect("small amount"))
        .expect("valid payload")
        .to_string();
    let card = sample_card();
    let png = measure("invoice image", 500, || invoice_png(&payload, &card).expect("renders"));
    write_if_asked("--write", &png);
    // The card once the invoice is paid: the code faded and stamped (the card refresher
    // draws this for every card of an ended invoice).
    let paid = Card { stamp: Some("LUNAS".into()), ..card.clone() };
    let png = measure("stamped invoice image", 500, || invoice_png(&payload, &paid).expect("renders"));
    write_if_asked("--write-paid", &png);

    // A month of sales, as /report month shows it: quieter at the start of the week.
    let buckets: Vec<i64> =
        (0..30).map(|day: i64| [420_000, 310_000, 0, 275_000, 515_000, 890_000, 1_250_000][day as usize % 7]).collect();
    let text = ChartText {
        title: "Penjualan per hari, 1–30 Nov 2026".into(),
        top_label: Amount::from_rupiah(1_250_000).expect("small").format(merchant_bot::i18n::Lang::Id),
        bar_labels: (1..=30).map(|d| d.to_string()).collect(),
    };
    let png = measure("report chart (30 days)", 200, || sales_chart_png(&buckets, &text).expect("renders"));
    write_if_asked("--write-chart", &png);
}
