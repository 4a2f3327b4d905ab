//! Renders the invoice image many times and prints the median and p99 time and the PNG
//! size. Run in release mode: `cargo bench --bench invoice_image`
//! (`-- --write docs/invoice.png` also writes one image).

use std::time::{Duration, Instant};

use merchant_bot::{
    domain::Amount,
    qr::{
        payload::sample_static,
        render::{invoice_png, sample_card},
    },
};

fn main() {
    let payload = sample_static("TOKO SIMULASI", "JAKARTA", "1234567")
        .with_amount(Amount::from_rupiah(25_175).expect("small amount"))
        .expect("valid payload")
        .to_string();
    let card = sample_card();
    let runs = 500;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut png = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        png = invoice_png(&payload, &card).expect("renders");
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[runs / 2];
    let p99 = times[runs * 99 / 100];
    println!("invoice image: {runs} renders");
    println!("  median {:.2} ms, p99 {:.2} ms", median.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    println!("  PNG size {} bytes ({:.1} KB)", png.len(), png.len() as f64 / 1024.0);
    let mut args = std::env::args().skip_while(|a| a != "--write");
    if let (Some(_), Some(path)) = (args.next(), args.next()) {
        std::fs::write(&path, &png).expect("writes the image");
        println!("  written to {path}");
    }
}
