//! `/deposit`, `/invoice(s)` and `/qris` end to end: the PNG the bot sent is decoded and
//! compared with the invoice's payload.

use merchant_bot::{
    domain::Amount,
    qr::{
        image::qr_image,
        payload::{Qris, sample_static},
    },
};
use serde_json::{Value, json};

use crate::{
    gateways::simulator::decode_qr,
    support::{Sent, TestApp, TestUser, demo_qris, invoice_id},
};

async fn invoice_payload(app: &TestApp, gateway_id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT payload FROM invoices WHERE gateway_invoice_id = $1")
        .bind(gateway_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn deposit(app: &TestApp, user: &TestUser, amount: &str) -> Sent {
    app.tg.send_text(user, &format!("/deposit {amount}"));
    app.tg.message(user.id).await
}

async fn sim_requests(app: &TestApp, key: &str) -> u64 {
    let counts: Value = reqwest::get(format!("{}/_sim/requests", app.sim.url)).await.unwrap().json().await.unwrap();
    counts.get(key).and_then(Value::as_u64).unwrap_or(0)
}

#[tokio::test]
async fn a_deposit_sends_an_image_whose_code_is_exactly_the_gateways_payload() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(9001, "Ann", Some("en"));
    app.link(&ann, "kasir", demo_qris()).await;
    let photo = deposit(&app, &ann, "25.000").await;
    assert_eq!(photo.method, "sendPhoto");
    assert!(photo.text.contains("Total to pay: Rp 25,175") && photo.text.contains("Fee: Rp 175"), "{}", photo.text);
    assert!(photo.text.contains("⏳ pending") && photo.text.contains("Valid until"), "{}", photo.text);
    assert_eq!(
        photo.buttons.iter().flatten().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        vec!["🔄 Check status", "✖ Cancel invoice", "🔗 Share with customer"]
    );
    let png = &photo.call.files["photo"];
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let decoded = decode_qr(png);
    let stored = invoice_payload(&app, &invoice_id(&photo)).await.unwrap();
    assert_eq!(decoded, stored);
    let qris = Qris::parse(&decoded).unwrap();
    assert_eq!(qris.amount(), Amount::from_rupiah(25_175));
}

#[tokio::test]
async fn with_only_a_qris_image_the_code_is_decoded_from_it() {
    let app = TestApp::spawn().await;
    app.control("/_sim/qris/settings", json!({"qris_string": false})).await;
    let budi = TestUser::new(9002, "Budi", Some("id"));
    app.link(&budi, "kasir", demo_qris()).await;
    let photo = deposit(&app, &budi, "10rb").await;
    let id = invoice_id(&photo);
    // What the gateway's own image holds:
    let image = reqwest::get(format!("{}/qris/{id}.png", app.sim.url)).await.unwrap().bytes().await.unwrap();
    let from_gateway = decode_qr(&image);
    assert_eq!(decode_qr(&photo.call.files["photo"]), from_gateway);
    assert_eq!(invoice_payload(&app, &id).await.as_deref(), Some(from_gateway.as_str()));
    assert!(photo.text.contains("Total dibayar: Rp 10.070"), "{}", photo.text);
}

#[tokio::test]
async fn check_status_and_cancel_edit_the_caption_and_a_paid_invoice_cannot_be_cancelled() {
    let app = TestApp::spawn().await;
    let cici = TestUser::new(9003, "Cici", Some("en"));
    app.link(&cici, "kasir", demo_qris()).await;

    let first = deposit(&app, &cici, "50000").await;
    app.control(&format!("/_sim/qris/invoices/{}/pay", invoice_id(&first)), json!({})).await;
    app.tg.press(&cici, &first, &first.button("Check status"));
    let paid = app.tg.edit(cici.id).await;
    // The card is redrawn with a PAID stamp over its code, and its buttons go.
    assert_eq!((paid.method.as_str(), paid.message_id), ("editMessageMedia", first.message_id));
    assert!(paid.text.contains("✅ paid") && paid.buttons.is_empty(), "{}", paid.text);

    // A client that still shows the old card presses Cancel: the gateway refuses, and
    // the card is drawn again as it already is.
    app.tg.press(&cici, &first, &first.button("Cancel invoice"));
    let refusal = app.tg.message(cici.id).await;
    assert!(refusal.text.contains("already paid and cannot be cancelled"), "{}", refusal.text);
    assert!(app.tg.edit(cici.id).await.text.contains("✅ paid"), "the caption stays paid");

    let second = deposit(&app, &cici, "20000").await;
    app.tg.press(&cici, &second, &second.button("Cancel invoice"));
    let cancelled = app.tg.edit(cici.id).await;
    assert!(cancelled.text.contains("✖ cancelled") && cancelled.buttons.is_empty(), "{}", cancelled.text);

    app.tg.send_text(&cici, "/invoices");
    let list = app.tg.message(cici.id).await;
    assert!(list.text.contains("Rp 50,350") && list.text.contains("Rp 20,140"), "{}", list.text);
    app.tg.send_text(&cici, &format!("/invoice {}", invoice_id(&first)));
    assert!(app.tg.message(cici.id).await.text.contains("✅ paid"));
}

#[tokio::test]
async fn an_invoice_cancelled_through_the_bot_is_not_reported_as_expired() {
    let app = TestApp::spawn().await;
    let dewi = TestUser::new(9010, "Dewi", Some("en"));
    app.link(&dewi, "kasir", demo_qris()).await;
    let card = deposit(&app, &dewi, "30000").await;
    app.tg.press(&dewi, &card, &card.button("Cancel invoice"));
    assert!(app.tg.edit(dewi.id).await.text.contains("✖ cancelled"));
    // The gateway now reads it as "expired" (QRIS has no cancelled state). A poller
    // round looks at the watch (this one, or the running bot's own).
    let id = invoice_id(&card);
    let bot = crate::support::test_app(app.db.pool.clone(), app.config.clone());
    crate::notifications::watches_due_now(&app).await; // one poll interval later
    merchant_bot::notifier::poller::round(&bot).await.unwrap();
    // A finished watch is deleted: the poller has seen the final state.
    let mut watched = true;
    for _ in 0..100 {
        watched = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM watches WHERE gateway_id = $1)")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        if !watched {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!watched, "the poller looked at the cancelled invoice and ended its watch");
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM notification_outbox WHERE owner_id = $1")
        .bind(dewi.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(queued, 0, "no \"expired unpaid\" for an invoice the merchant cancelled");
}

#[tokio::test]
async fn bad_amounts_create_no_invoice_at_the_gateway() {
    let app = TestApp::spawn().await;
    let dedi = TestUser::new(9004, "Dedi", Some("en"));
    app.link(&dedi, "kasir", demo_qris()).await;
    let cases = [
        ("abc", "not an amount"),
        ("-5", "above zero"),
        ("0", "above zero"),
        ("25.000,50", "no fractions"),
        ("12.345,67", "no fractions"),
        ("20000000", "The most for one deposit is Rp 10,000,000"),
        ("", "Send the amount"),
    ];
    for (amount, expected) in cases {
        app.tg.send_text(&dedi, &format!("/deposit {amount}"));
        let reply = app.tg.message(dedi.id).await;
        assert!(reply.text.contains(expected), "{amount:?}: {}", reply.text);
        assert!(reply.text.contains("<code>"), "an example is shown: {}", reply.text);
    }
    assert_eq!(sim_requests(&app, "GET /api/v1/invoice/create").await, 0);
}

fn jpeg_of_qr(payload: &str) -> Vec<u8> {
    let img = qr_image(payload, 8).unwrap();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
    out
}

#[tokio::test]
async fn a_photo_of_a_static_qris_becomes_a_dynamic_one_for_an_amount() {
    let app = TestApp::spawn().await;
    let eka = TestUser::new(9005, "Eka", Some("en"));
    let printed = sample_static("WARUNG EKA", "BANDUNG", "99887766").to_string();
    app.tg.send_photo(&eka, jpeg_of_qr(&printed));
    let found = app.tg.message(eka.id).await;
    assert!(found.text.contains("<b>WARUNG EKA</b> (BANDUNG)"), "{}", found.text);
    app.tg.press(&eka, &found, &found.button("Save"));
    assert!(app.tg.edit(eka.id).await.text.contains("Saved the QRIS of <b>WARUNG EKA</b>"));

    app.tg.send_text(&eka, "/qris 25rb");
    let photo = app.tg.message(eka.id).await;
    assert!(photo.text.contains("no payment confirmation"), "{}", photo.text);
    let decoded = Qris::parse(&decode_qr(&photo.call.files["photo"])).expect("a valid QRIS with a correct CRC");
    assert_eq!((decoded.get(1), decoded.get(54)), (Some("12"), Some("25000")));
    assert_eq!(decoded.merchant_name(), "WARUNG EKA");
    assert_eq!(sim_requests(&app, "GET /api/v1/invoice/create").await, 0, "no gateway involved");

    // A second photo replaces it only after a confirmation.
    app.tg.send_photo(&eka, jpeg_of_qr(&sample_static("WARUNG BARU", "BOGOR", "1").to_string()));
    let again = app.tg.message(eka.id).await;
    assert!(again.text.contains("replaces the saved one of <b>WARUNG EKA</b>"), "{}", again.text);
}

#[tokio::test]
async fn photos_that_are_not_a_static_qris_get_a_clear_answer() {
    let app = TestApp::spawn().await;
    let fai = TestUser::new(9006, "Fai", Some("en"));
    app.tg.send_photo(&fai, jpeg_of_qr("https://example.com/not-a-payment"));
    assert!(app.tg.message(fai.id).await.text.contains("not a valid QRIS"));
    let blank = image::GrayImage::from_pixel(200, 200, image::Luma([250]));
    app.tg.send_photo(&fai, merchant_bot::qr::image::png(&blank).unwrap());
    assert!(app.tg.message(fai.id).await.text.contains("no QR code"));
    let dynamic =
        sample_static("TOKO", "JAKARTA", "5").with_amount(Amount::from_rupiah(1000).unwrap()).unwrap().to_string();
    app.tg.send_photo(&fai, jpeg_of_qr(&dynamic));
    assert!(app.tg.message(fai.id).await.text.contains("dynamic QRIS"));
    app.tg.send_text(&fai, "/qris 5000");
    assert!(app.tg.message(fai.id).await.text.contains("photo of your printed static QRIS first"));
}

#[tokio::test]
async fn a_deposit_costs_four_database_round_trips() {
    let app = TestApp::spawn().await;
    crate::support::logs::captured();
    let tini = TestUser::new(4962, "Tini", Some("en"));
    app.link(&tini, "kasir", demo_qris()).await;
    app.tg.send_text(&tini, "/help");
    app.tg.message(tini.id).await;
    let photo = deposit(&app, &tini, "25000").await;
    assert_eq!(photo.buttons.concat().len(), 3, "Check status, Cancel and Share");
    // The card is recorded once Telegram has answered with the message's id.
    let queries = crate::support::eventually(|| async {
        let queries =
            crate::support::logs::queries_of_update(&crate::support::logs::captured(), 4962, "create_invoice");
        if queries.iter().any(|q| q.contains("INSERT INTO invoice_cards")) {
            Ok(queries)
        } else {
            Err(format!("the card is recorded:\n{}", queries.join("\n")))
        }
    })
    .await;
    assert_eq!(
        queries.len(),
        4,
        "the user with the dialogue and the accounts, the invoice with its watch, the card's three buttons, the card:\n{}",
        queries.join("\n")
    );
    // The card is recorded as the invoice's message, so later edits find it.
    let (chat, message): (Option<i64>, Option<i32>) =
        sqlx::query_as("SELECT chat_id, message_id FROM invoices").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!((chat, message.map(i64::from)), (Some(tini.id), Some(photo.message_id)));
}
