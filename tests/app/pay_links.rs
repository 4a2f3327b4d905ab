//! Selling from any chat: the merchant shares an invoice's pay link, a customer opens it
//! and gets the invoice's card, and every card of the invoice marks itself when it ends.

use serde_json::json;

use crate::{
    gateways::simulator::decode_qr,
    support::{Sent, TestApp, TestUser, demo_qris, fake_telegram::BOT_USERNAME, invoice_id},
};

async fn fast_app() -> TestApp {
    TestApp::spawn_with(|s| s.notify_poll_interval = Some("200ms".into())).await
}

/// Makes an invoice, presses Share, and returns the card and the link's start parameter.
async fn shared_invoice(app: &TestApp, merchant: &TestUser, amount: &str) -> (Sent, String) {
    app.tg.send_text(merchant, &format!("/deposit {amount}"));
    let card = app.tg.message(merchant.id).await;
    assert_eq!(card.method, "sendPhoto");
    app.tg.press(merchant, &card, &card.button("Share with customer"));
    let share = app.tg.message(merchant.id).await;
    let prefix = format!("https://t.me/{BOT_USERNAME}?start=");
    let start = share.text.split(&prefix).nth(1).expect("the message holds the link");
    let start: String = start.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    assert!(start.starts_with("pay_") && start.len() == 26, "{start}");
    // And a button that opens Telegram's share sheet with the link.
    let markup = &share.call.params["reply_markup"];
    let markup: serde_json::Value =
        if let Some(s) = markup.as_str() { serde_json::from_str(s).unwrap() } else { markup.clone() };
    let url = markup["inline_keyboard"][0][0]["url"].as_str().expect("a URL button");
    assert!(url.starts_with("https://t.me/share/url?url=https%3A%2F%2Ft.me%2F"), "{url}");
    (card, start)
}

async fn payload_of(app: &TestApp, gateway_id: &str) -> String {
    sqlx::query_scalar("SELECT payload FROM invoices WHERE gateway_invoice_id = $1")
        .bind(gateway_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Waits for the bot's next `editMessageMedia` in `chat`.
async fn media_edit(app: &TestApp, chat: i64) -> Sent {
    let edit = app.tg.edit(chat).await;
    assert_eq!(edit.method, "editMessageMedia", "{}", edit.text);
    edit
}

/// The next answer to a button press that says something (a toast).
async fn toast(app: &TestApp) -> String {
    let call = app.tg.take("a toast", |c| c.method == "answerCallbackQuery" && c.params["text"].is_string()).await;
    call.params["text"].as_str().unwrap().to_owned()
}

/// Whether a phone could scan a QR code in the image (a stamped card: no).
fn scannable(png: &[u8]) -> bool {
    merchant_bot::qr::decode::decode_qr(png).is_ok()
}

#[tokio::test]
async fn a_customer_opens_the_link_and_both_cards_mark_themselves_paid() {
    let app = fast_app().await;
    let ani = TestUser::new(9901, "Ani", Some("en"));
    let budi = TestUser::new(9902, "Budi", Some("id"));
    app.link(&ani, "kasir", demo_qris()).await;

    // The name customers see, set in /accounts.
    app.tg.send_text(&ani, "/accounts");
    let accounts = app.tg.message(ani.id).await;
    app.tg.press(&ani, &accounts, &accounts.button("Name: kasir"));
    let ask = app.tg.message(ani.id).await;
    assert!(ask.text.contains("the merchant name in the QRIS code"), "{}", ask.text);
    app.tg.send_text(&ani, "  Toko   Ani Jaya ");
    let set = app.tg.message(ani.id).await;
    assert!(set.text.contains("Customers now see <b>Toko Ani Jaya</b>"), "{}", set.text);
    assert!(set.text.contains("customers see: Toko Ani Jaya"), "the list shows it: {}", set.text);

    let (card, start) = shared_invoice(&app, &ani, "25000").await;
    let id = invoice_id(&card);

    app.tg.send_text(&budi, &format!("/start {start}"));
    let customer = app.tg.message(budi.id).await;
    assert_eq!(customer.method, "sendPhoto");
    assert!(customer.text.contains("Pembayaran ke <b>Toko Ani Jaya</b>"), "{}", customer.text);
    assert!(
        customer.text.contains("Total dibayar: Rp 25.175") && customer.text.contains("menunggu"),
        "{}",
        customer.text
    );
    assert!(!customer.text.contains("kasir"), "the customer never sees the label: {}", customer.text);
    assert_eq!(decode_qr(&customer.call.files["photo"]), payload_of(&app, &id).await);
    let buttons: Vec<&str> = customer.buttons.iter().flatten().map(|(t, _)| t.as_str()).collect();
    assert_eq!(buttons, ["🔄 Cek status"], "status only: nothing of the merchant's");

    // Checked twice in a row: the gateway is asked once, the second press hears so.
    app.tg.press(&budi, &customer, &customer.button("Cek status"));
    assert_eq!(toast(&app).await, "Status: ⏳ menunggu");
    app.tg.press(&budi, &customer, &customer.button("Cek status"));
    let second = toast(&app).await;
    assert!(second.starts_with("Baru saja dicek"), "{second}");

    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    // The merchant: the card stamped in place, and the notification.
    let merchant_card = media_edit(&app, ani.id).await;
    assert_eq!(merchant_card.message_id, card.message_id);
    assert!(merchant_card.text.contains("✅ paid") && merchant_card.buttons.is_empty(), "{}", merchant_card.text);
    assert!(!scannable(&merchant_card.call.files["media"]), "a paid invoice's code cannot be scanned again");
    let notified = app.tg.message(ani.id).await;
    assert!(notified.text.contains("is <b>paid</b>"), "{}", notified.text);
    // The customer: the card stamped in place, and told.
    let customer_card = media_edit(&app, budi.id).await;
    assert_eq!(customer_card.message_id, customer.message_id);
    assert!(customer_card.text.contains("✅ dibayar") && customer_card.buttons.is_empty(), "{}", customer_card.text);
    assert!(!scannable(&customer_card.call.files["media"]));
    let told = app.tg.message(budi.id).await;
    assert!(told.text.contains("Pembayaran diterima oleh <b>Toko Ani Jaya</b>: Rp 25.175"), "{}", told.text);

    // The link does nothing more.
    app.tg.send_text(&budi, &format!("/start {start}"));
    assert!(app.tg.message(budi.id).await.text.contains("sudah dibayar"));
    crate::notifications::settled(&app).await;
    app.tg.assert_silent(ani.id, std::time::Duration::from_millis(10)).await;
}

#[tokio::test]
async fn an_altered_foreign_or_ended_link_opens_nothing_else() {
    let app = fast_app().await;
    let ani = TestUser::new(9911, "Ani", Some("en"));
    let cici = TestUser::new(9912, "Cici", Some("en"));
    app.link(&ani, "kasir", demo_qris()).await;
    let (first, start) = shared_invoice(&app, &ani, "10000").await;
    let (_, other_start) = shared_invoice(&app, &ani, "20000").await;
    assert_ne!(start, other_start, "each invoice has its own token");

    // One character changed, cut short, a made-up one: nothing opens.
    let mut altered = start.clone();
    let last = if altered.ends_with('A') { "Q" } else { "A" };
    altered.replace_range(25..26, last);
    for link in [altered.as_str(), &start[..20], "pay_AAAAAAAAAAAAAAAAAAAAAA"] {
        app.tg.send_text(&cici, &format!("/start {link}"));
        let answer = app.tg.message(cici.id).await;
        assert!(answer.text.contains("This payment link is not valid"), "{link}: {}", answer.text);
    }
    // A forged status button names no invoice either.
    let forged = Sent { buttons: vec![], ..first.clone() };
    app.tg.press(&cici, &Sent { chat_id: cici.id, ..forged }, &format!("pay:{}", &altered[4..]));
    assert_eq!(toast(&app).await, "This payment link is not valid. Ask the seller for a new one.");

    // Each link opens its own invoice.
    app.tg.send_text(&cici, &format!("/start {other_start}"));
    assert!(app.tg.message(cici.id).await.text.contains("Rp 20,140"));
    app.tg.send_text(&cici, &format!("/start {start}"));
    let card = app.tg.message(cici.id).await;
    assert!(card.text.contains("Rp 10,070"), "{}", card.text);
    // Without a display name, customers see the merchant name in the QRIS code.
    assert!(card.text.contains("Payment to <b>TOKO SIMULASI"), "{}", card.text);

    // Expired: the card says so, the customer is told, and the link says so.
    app.control(&format!("/_sim/qris/invoices/{}/expire", invoice_id(&first)), json!({})).await;
    let edited = media_edit(&app, cici.id).await;
    assert_eq!(edited.message_id, card.message_id);
    assert!(edited.text.contains("⌛ expired") && edited.buttons.is_empty(), "{}", edited.text);
    assert!(app.tg.message(cici.id).await.text.contains("expired unpaid"));
    app.tg.send_text(&cici, &format!("/start {start}"));
    assert!(app.tg.message(cici.id).await.text.contains("This invoice has expired"));
}

#[tokio::test]
async fn a_cancelled_invoice_stamps_the_card_the_merchant_pressed_at_once() {
    let app = TestApp::spawn().await;
    let ani = TestUser::new(9921, "Ani", Some("en"));
    app.link(&ani, "kasir", demo_qris()).await;
    app.tg.send_text(&ani, "/deposit 15000");
    let card = app.tg.message(ani.id).await;
    app.tg.press(&ani, &card, &card.button("Cancel invoice"));
    let edited = media_edit(&app, ani.id).await;
    assert_eq!(edited.message_id, card.message_id);
    assert!(edited.text.contains("✖ cancelled") && edited.buttons.is_empty(), "{}", edited.text);
    assert!(!scannable(&edited.call.files["media"]));
    // Recorded by the handler itself: the refresher had nothing left to do.
    crate::notifications::settled(&app).await;
    let shown: String =
        sqlx::query_scalar("SELECT shown_status FROM invoice_cards").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(shown, "cancelled");
    app.tg.assert_silent(ani.id, std::time::Duration::from_millis(10)).await;
}

#[tokio::test]
async fn a_link_opened_after_the_invoice_s_expiry_says_so_before_any_gateway_does() {
    let app = TestApp::spawn().await;
    let ani = TestUser::new(9941, "Ani", Some("en"));
    let budi = TestUser::new(9942, "Budi", Some("en"));
    app.link(&ani, "kasir", demo_qris()).await;
    let (_, start) = shared_invoice(&app, &ani, "10000").await;
    // Two days later (the bot's clock moved, nobody waits): the gateway has not said so
    // yet, but the card would show a code nobody can pay any more.
    app.clock.as_ref().unwrap().advance(std::time::Duration::from_secs(2 * 24 * 3600));
    app.tg.send_text(&budi, &format!("/start {start}"));
    let answer = app.tg.message(budi.id).await;
    assert_eq!(answer.method, "sendMessage", "no card");
    assert!(answer.text.contains("This invoice has expired"), "{}", answer.text);
}

#[tokio::test]
async fn a_display_name_is_checked_and_can_be_cleared() {
    let app = TestApp::spawn().await;
    let ani = TestUser::new(9931, "Ani", Some("en"));
    app.link(&ani, "kasir", demo_qris()).await;
    app.tg.send_text(&ani, "/accounts");
    let accounts = app.tg.message(ani.id).await;
    app.tg.press(&ani, &accounts, &accounts.button("Name: kasir"));
    app.tg.message(ani.id).await;
    app.tg.send_text(&ani, &"x".repeat(65));
    assert!(app.tg.message(ani.id).await.text.contains("longer than 64 characters"));
    app.tg.send_text(&ani, "Warung Budi");
    assert!(app.tg.message(ani.id).await.text.contains("<b>Warung Budi</b>"));
    app.tg.send_text(&ani, "/accounts");
    let accounts = app.tg.message(ani.id).await;
    app.tg.press(&ani, &accounts, &accounts.button("Name: kasir"));
    assert!(app.tg.message(ani.id).await.text.contains("Now: <b>Warung Budi</b>"));
    app.tg.send_text(&ani, "-");
    assert!(app.tg.message(ani.id).await.text.contains("show the merchant name in the QRIS code"));
    let name: Option<String> =
        sqlx::query_scalar("SELECT display_name FROM linked_accounts").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(name, None);
}
