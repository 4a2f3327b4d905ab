//! Inline mode: `@bot 25000` in any chat posts an invoice card there; its Check status
//! button works for anyone in that chat, and the card marks itself when paid.

use serde_json::{Value, json};

use crate::support::{GROUP_ID, TestApp, TestUser, demo_qris, fake_telegram::Call};

async fn fast_app() -> TestApp {
    TestApp::spawn_with(|s| s.notify_poll_interval = Some("200ms".into())).await
}

fn results(answer: &Call) -> Vec<Value> {
    answer.params["results"].as_array().cloned().unwrap_or_default()
}

fn button(answer: &Call) -> (String, String) {
    let b = &answer.params["button"];
    (b["text"].as_str().unwrap_or_default().to_owned(), b["start_parameter"].as_str().unwrap_or_default().to_owned())
}

async fn toast(app: &TestApp) -> String {
    let call = app.tg.take("a toast", |c| c.method == "answerCallbackQuery" && c.params["text"].is_string()).await;
    call.params["text"].as_str().unwrap().to_owned()
}

async fn merchant(app: &TestApp, id: i64) -> TestUser {
    let ani = TestUser::new(id, "Ani", Some("en"));
    let account = app.link(&ani, "kasir", demo_qris()).await;
    sqlx::query("UPDATE linked_accounts SET display_name = 'Toko Ani' WHERE id = $1")
        .bind(account)
        .execute(&app.db.pool)
        .await
        .unwrap();
    ani
}

#[tokio::test]
async fn an_inline_invoice_is_posted_in_a_group_and_anyone_there_can_check_it() {
    let app = fast_app().await;
    let ani = merchant(&app, 9951).await;
    let cici = TestUser::new(9952, "Cici", Some("en"));

    app.tg.inline_query(&ani, "25000");
    let answer = app.tg.call("answerInlineQuery").await;
    let offered = results(&answer);
    assert_eq!(offered.len(), 1);
    assert!(offered[0]["title"].as_str().unwrap().contains("Rp 25,000"), "{}", offered[0]);
    let posted = offered[0]["input_message_content"]["message_text"].as_str().unwrap();
    assert!(!posted.contains("kasir"), "the chat never sees the label: {posted}");
    assert_eq!(answer.params["is_personal"], true);

    let im = app.tg.choose_inline(&ani, &answer, 0, GROUP_ID).expect("the result has a keyboard");
    // The merchant's own copy, in the private chat: the upload the inline message uses.
    let copy = app.tg.message(ani.id).await;
    assert_eq!(copy.method, "sendPhoto");
    assert!(copy.text.contains("Posted in a chat with inline mode"), "{}", copy.text);
    let labels: Vec<&str> = copy.buttons.iter().flatten().map(|(t, _)| t.as_str()).collect();
    assert_eq!(labels, ["🔄 Check status", "✖ Cancel invoice", "🔗 Share with customer"]);
    // The inline message becomes the customer's card, with that photo.
    let card = app.tg.inline_edit(&im).await;
    assert_eq!(card.method, "editMessageMedia");
    assert!(card.text.contains("Payment to <b>Toko Ani</b>") && card.text.contains("Rp 25,175"), "{}", card.text);
    assert_eq!(app.tg.inline_message(&im)["photo"][0]["file_id"], format!("photo{}", copy.message_id));
    let check = card.button("Check status");
    assert!(check.starts_with("pay:"), "{check}");

    // Anyone in the group may check it.
    app.tg.press_inline(&cici, &im, &check);
    assert_eq!(toast(&app).await, "Status: ⏳ pending");

    let id: String =
        sqlx::query_scalar("SELECT gateway_invoice_id FROM invoices").fetch_one(&app.db.pool).await.unwrap();
    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    // The merchant's copy is stamped first (an upload), then the inline message takes
    // that image: nobody in the group can pay it again.
    let stamped = app.tg.edit(ani.id).await;
    assert_eq!((stamped.method.as_str(), stamped.message_id), ("editMessageMedia", copy.message_id));
    let ended = app.tg.inline_edit(&im).await;
    assert_eq!(ended.method, "editMessageMedia");
    assert!(ended.text.contains("✅ paid") && ended.buttons.is_empty(), "{}", ended.text);
    let shown = app.tg.inline_message(&im)["photo"][0]["file_id"].as_str().unwrap().to_owned();
    assert!(shown.starts_with(&format!("photo{}-", copy.message_id)), "the stamped upload: {shown}");
    assert!(app.tg.message(ani.id).await.text.contains("is <b>paid</b>"), "the merchant is notified");

    // A client still showing the old button hears the status.
    app.tg.press_inline(&cici, &im, &check);
    assert_eq!(toast(&app).await, "Status: ✅ paid");
}

#[tokio::test]
async fn without_a_private_chat_the_inline_card_links_to_the_qr() {
    let app = fast_app().await;
    let ani = merchant(&app, 9961).await;
    let cici = TestUser::new(9962, "Cici", Some("en"));
    // The merchant never started the bot in private: the copy cannot go there.
    app.tg.fail_next("sendPhoto", 403, "Forbidden: bot can't initiate conversation with a user", None);
    app.tg.inline_query(&ani, "10000 kasir");
    let answer = app.tg.call("answerInlineQuery").await;
    let im = app.tg.choose_inline(&ani, &answer, 0, GROUP_ID).unwrap();
    let card = app.tg.inline_edit(&im).await;
    assert_eq!(card.method, "editMessageText");
    assert!(card.text.contains("Payment to <b>Toko Ani</b>") && card.text.contains("Rp 10,070"), "{}", card.text);
    let markup = &card.call.params["reply_markup"];
    let markup: Value = markup.as_str().map(|s| serde_json::from_str(s).unwrap()).unwrap_or_else(|| markup.clone());
    let url = markup["inline_keyboard"][0][0]["url"].as_str().expect("a button to the QR");
    let start = url.split("?start=").nth(1).unwrap();
    app.tg.send_text(&cici, &format!("/start {start}"));
    let opened = app.tg.message(cici.id).await;
    assert_eq!(opened.method, "sendPhoto");
    assert!(opened.text.contains("Rp 10,070"), "{}", opened.text);
}

#[tokio::test]
async fn inline_mode_hints_instead_of_offering_what_cannot_be_made() {
    let app = TestApp::spawn().await;
    let ani = merchant(&app, 9971).await;
    let budi = TestUser::new(9972, "Budi", Some("id"));

    app.tg.inline_query(&budi, "25000");
    let answer = app.tg.call("answerInlineQuery").await;
    assert!(results(&answer).is_empty());
    assert_eq!(button(&answer), ("Tautkan akun QRIS di bot untuk membuat invoice di sini".into(), "inline".into()));

    for (query, hint) in [
        ("", "Type an amount"),
        ("abc", "not an amount"),
        ("0", "above zero"),
        ("25000 nope", "no QRIS account named nope"),
    ] {
        app.tg.inline_query(&ani, query);
        let answer = app.tg.call("answerInlineQuery").await;
        assert!(results(&answer).is_empty(), "{query}");
        let (text, _) = button(&answer);
        assert!(text.contains(hint), "{query:?}: {text}");
    }
    // The hint's button opens the bot, which greets as /start does.
    app.tg.send_text(&budi, "/start inline");
    assert!(app.tg.message(budi.id).await.text.contains("Budi"));
}
