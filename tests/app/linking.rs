//! `/link` and `/accounts` end to end: through the fake Bot API, against the simulator.

use merchant_bot::{simulator::DEMO, storage::accounts};

use crate::support::{Sent, TestApp, TestUser, demo_bukalapak, demo_qris, demo_snap, dump_database};

async fn count_accounts(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM linked_accounts").fetch_one(&app.db.pool).await.unwrap()
}

/// Sends a credential and checks that the bot deleted the message that carried it.
async fn send_secret(app: &TestApp, user: &TestUser, value: &str) {
    let message_id = app.tg.send_text_returning_id(user, value);
    let deleted = app
        .tg
        .take("deleteMessage of the credential", |c| {
            c.method == "deleteMessage" && c.params["message_id"] == message_id
        })
        .await;
    assert_eq!(deleted.params["chat_id"], user.id);
}

/// /link up to the first credential question, choosing `provider` and typing `label`.
async fn begin(app: &TestApp, user: &TestUser, provider: &str, label: Option<&str>) -> Sent {
    app.tg.send_text(user, "/link");
    let choose = app.tg.message(user.id).await;
    assert_eq!(choose.buttons.len(), 4, "three providers and cancel: {:?}", choose.buttons);
    app.tg.press(user, &choose, &choose.button(provider));
    let ask_label = app.tg.edit(user.id).await;
    assert_eq!(ask_label.message_id, choose.message_id);
    match label {
        Some(label) => app.tg.send_text(user, label),
        // The suggested label's button, whatever the language.
        None => {
            app.tg.press(user, &ask_label, &ask_label.buttons[0][0].1);
            let chosen = app.tg.edit(user.id).await;
            assert!(chosen.text.contains("-1</b>"), "the suggested label: {}", chosen.text);
        }
    }
    app.tg.message(user.id).await
}

#[tokio::test]
async fn linking_bukalapak_deletes_each_credential_and_stores_it_sealed() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(7001, "Ann", Some("en"));
    let first = begin(&app, &ann, "Bukalapak", Some("Toko-1")).await;
    assert!(first.text.contains("<code>user_id</code>") && first.text.contains("(1/2)"), "{}", first.text);
    send_secret(&app, &ann, DEMO.bukalapak_user_id).await;
    let second = app.tg.message(ann.id).await;
    assert!(second.text.contains("<code>api_key</code>") && second.text.contains("(2/2)"), "{}", second.text);
    send_secret(&app, &ann, DEMO.bukalapak_api_key).await;
    let checking = app.tg.message(ann.id).await;
    assert!(checking.text.starts_with("Checking"), "{}", checking.text);
    let done = app.tg.edit(ann.id).await;
    assert_eq!(done.message_id, checking.message_id);
    assert!(done.text.contains("Linked <b>toko-1</b>"), "{}", done.text);
    assert!(done.text.contains("Sy…Mu"), "masked echo, 4 of 20 characters: {}", done.text);
    assert!(!done.text.contains(DEMO.bukalapak_api_key));

    let stored = accounts::list(&app.db.pool, ann.uid()).await.unwrap();
    assert_eq!((stored.len(), stored[0].label.as_str(), stored[0].is_default), (1, "toko-1", true));
    assert_eq!(
        accounts::credentials(&app.db.pool, &app.config.master_key, ann.uid(), stored[0].id).await.unwrap(),
        demo_bukalapak()
    );
    let dump = dump_database(&app.db.pool).await;
    for secret in [DEMO.bukalapak_api_key, DEMO.bukalapak_user_id] {
        assert!(!dump.contains(secret), "{secret} is stored in plaintext");
    }
}

#[tokio::test]
async fn linking_qris_with_the_suggested_label() {
    let app = TestApp::spawn().await;
    let budi = TestUser::new(7002, "Budi", Some("id"));
    let ask = begin(&app, &budi, "QRIS", None).await;
    assert!(ask.text.contains("(1/1)"), "{}", ask.text);
    send_secret(&app, &budi, DEMO.qris_api_key).await;
    app.tg.message(budi.id).await;
    let done = app.tg.edit(budi.id).await;
    assert!(done.text.contains("<b>qris-1</b> (QRIS) berhasil ditautkan"), "{}", done.text);
    assert_eq!(accounts::list(&app.db.pool, budi.uid()).await.unwrap()[0].label.as_str(), "qris-1");
    assert!(!dump_database(&app.db.pool).await.contains(DEMO.qris_api_key));
}

#[tokio::test]
async fn linking_snap_asks_three_fields_and_verifies_with_a_token() {
    let app = TestApp::spawn().await;
    let cici = TestUser::new(7003, "Cici", Some("en"));
    begin(&app, &cici, "SNAP", Some("pusat")).await;
    send_secret(&app, &cici, DEMO.snap_partner_id).await;
    app.tg.message(cici.id).await;
    send_secret(&app, &cici, DEMO.snap_account_id).await;
    let last = app.tg.message(cici.id).await;
    assert!(last.text.contains("<code>client_secret</code>") && last.text.contains("(3/3)"), "{}", last.text);
    // Until the last field, what was typed waits sealed in the dialogue, not in plaintext.
    assert!(!dump_database(&app.db.pool).await.contains(DEMO.snap_partner_id));
    send_secret(&app, &cici, DEMO.snap_client_secret).await;
    app.tg.message(cici.id).await;
    let done = app.tg.edit(cici.id).await;
    assert!(done.text.contains("Linked <b>pusat</b> (SNAP)"), "{}", done.text);
    let stored = accounts::list(&app.db.pool, cici.uid()).await.unwrap();
    assert_eq!(
        accounts::credentials(&app.db.pool, &app.config.master_key, cici.uid(), stored[0].id).await.unwrap(),
        demo_snap()
    );
    let dump = dump_database(&app.db.pool).await;
    for secret in [DEMO.snap_client_secret, DEMO.snap_partner_id] {
        assert!(!dump.contains(secret), "{secret} is stored in plaintext");
    }
}

#[tokio::test]
async fn a_wrong_credential_stores_nothing_and_the_user_can_retry() {
    let app = TestApp::spawn().await;
    let dedi = TestUser::new(7004, "Dedi", Some("en"));
    begin(&app, &dedi, "QRIS", Some("kasir")).await;
    send_secret(&app, &dedi, "not-the-right-key").await;
    app.tg.message(dedi.id).await;
    let rejected = app.tg.edit(dedi.id).await;
    assert!(rejected.text.contains("rejected these credentials, so nothing was stored"), "{}", rejected.text);
    assert_eq!(count_accounts(&app).await, 0);
    assert!(!dump_database(&app.db.pool).await.contains("not-the-right-key"));

    send_secret(&app, &dedi, DEMO.qris_api_key).await;
    app.tg.message(dedi.id).await;
    assert!(app.tg.edit(dedi.id).await.text.contains("Linked <b>kasir</b>"));
    assert_eq!(count_accounts(&app).await, 1);
}

#[tokio::test]
async fn a_bad_label_is_explained_and_cancel_leaves_the_dialogue() {
    let app = TestApp::spawn().await;
    let eka = TestUser::new(7005, "Eka", Some("en"));
    app.tg.send_text(&eka, "/link");
    let choose = app.tg.message(eka.id).await;
    app.tg.press(&eka, &choose, &choose.button("QRIS"));
    app.tg.edit(eka.id).await;
    app.tg.send_text(&eka, "my shop!");
    let bad = app.tg.message(eka.id).await;
    assert!(bad.text.contains("won't do") && bad.text.contains("toko-1"), "{}", bad.text);
    app.tg.send_text(&eka, "/cancel");
    assert_eq!(app.tg.message(eka.id).await.text, "Cancelled. Nothing was changed.");
    app.tg.send_text(&eka, "toko-2");
    assert_eq!(app.tg.message(eka.id).await.text, "Send /help to see what I can do.", "no dialogue any more");
}

#[tokio::test]
async fn relinking_a_label_replaces_it_after_confirmation() {
    let app = TestApp::spawn().await;
    let fai = TestUser::new(7006, "Fai", Some("en"));
    let id = app.link(&fai, "toko", demo_bukalapak()).await;
    begin_label_taken(&app, &fai).await;
    send_secret(&app, &fai, DEMO.qris_api_key).await;
    app.tg.message(fai.id).await;
    assert!(app.tg.edit(fai.id).await.text.contains("Linked <b>toko</b> (QRIS)"));
    let stored = accounts::list(&app.db.pool, fai.uid()).await.unwrap();
    assert_eq!(stored.len(), 1, "one account named toko, replaced");
    assert_ne!(stored[0].id, id, "the new credentials have a row of their own");
    assert!(stored[0].is_default, "and stay the default");
    let key = &app.config.master_key;
    assert_eq!(accounts::credentials(&app.db.pool, key, fai.uid(), stored[0].id).await.unwrap(), demo_qris());
    assert!(accounts::credentials(&app.db.pool, key, fai.uid(), id).await.is_err(), "the old ones are gone");
}

async fn begin_label_taken(app: &TestApp, user: &TestUser) {
    app.tg.send_text(user, "/link");
    let choose = app.tg.message(user.id).await;
    app.tg.press(user, &choose, &choose.button("QRIS"));
    app.tg.edit(user.id).await;
    app.tg.send_text(user, "toko");
    let confirm = app.tg.message(user.id).await;
    assert!(confirm.text.contains("already have an account named <b>toko</b>"), "{}", confirm.text);
    app.tg.press(user, &confirm, &confirm.button("Replace"));
    app.tg.edit(user.id).await;
    app.tg.message(user.id).await;
}

#[tokio::test]
async fn accounts_make_default_and_unlink_with_confirmation() {
    let app = TestApp::spawn().await;
    let gita = TestUser::new(7007, "Gita", Some("en"));
    app.link(&gita, "toko-a", demo_bukalapak()).await;
    let b = app.link(&gita, "toko-b", demo_qris()).await;
    app.tg.send_text(&gita, "/accounts");
    let list = app.tg.message(gita.id).await;
    assert!(list.text.contains("⭐ <b>toko-a</b>") && list.text.contains("• <b>toko-b</b>"), "{}", list.text);

    app.tg.press(&gita, &list, &list.button("⭐ toko-b"));
    app.tg.call("answerCallbackQuery").await;
    let after = app.tg.edit(gita.id).await;
    assert_eq!(after.message_id, list.message_id);
    assert!(after.text.contains("<b>toko-b</b> is now your default"), "{}", after.text);
    assert!(accounts::get(&app.db.pool, gita.uid(), b).await.unwrap().unwrap().is_default);
    // The same button again: used once already.
    app.tg.press(&gita, &list, &list.button("⭐ toko-b"));
    assert_eq!(app.tg.call("answerCallbackQuery").await.params["text"], "This button is no longer valid.");

    app.tg.press(&gita, &after, &after.button("🗑 toko-b"));
    let confirm = app.tg.edit(gita.id).await;
    assert!(confirm.text.starts_with("Unlink <b>toko-b</b>"), "{}", confirm.text);
    app.tg.press(&gita, &confirm, &confirm.button("Yes, unlink"));
    let done = app.tg.edit(gita.id).await;
    assert!(done.text.contains("Unlinked <b>toko-b</b>") && done.text.contains("⭐ <b>toko-a</b>"), "{}", done.text);
    let left = accounts::list(&app.db.pool, gita.uid()).await.unwrap();
    assert_eq!(left.iter().map(|a| (a.label.as_str(), a.is_default)).collect::<Vec<_>>(), vec![("toko-a", true)]);
}

#[tokio::test]
async fn a_button_made_for_someone_else_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = TestUser::new(7008, "Hana", Some("en"));
    let other = TestUser::new(7009, "Iwan", Some("id"));
    app.link(&owner, "toko-a", demo_bukalapak()).await;
    let b = app.link(&owner, "toko-b", demo_qris()).await;
    app.tg.send_text(&owner, "/accounts");
    let list = app.tg.message(owner.id).await;
    app.tg.press(&other, &list, &list.button("🗑 toko-b"));
    let answer = app.tg.call("answerCallbackQuery").await;
    assert_eq!(answer.params["text"], "Tombol ini milik pengguna lain.");
    assert_eq!(answer.params["show_alert"], true);
    // The owner's button still works: the stranger's press did not use it up.
    assert!(accounts::get(&app.db.pool, owner.uid(), b).await.unwrap().is_some());
    app.tg.press(&owner, &list, &list.button("🗑 toko-b"));
    assert!(app.tg.edit(owner.id).await.text.starts_with("Unlink"));
}

#[tokio::test]
async fn a_key_sent_where_no_dialogue_asks_for_one_is_deleted() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(7301, "Ann", Some("en"));

    // No dialogue at all (it expired, or went on from another device).
    send_secret(&app, &ann, DEMO.bukalapak_api_key).await;
    assert!(app.tg.message(ann.id).await.text.contains("deleted it"));

    // Pasted where the name is asked: not taken as the name.
    app.tg.send_text(&ann, "/link");
    let choose = app.tg.message(ann.id).await;
    app.tg.press(&ann, &choose, &choose.button("QRIS"));
    app.tg.edit(ann.id).await;
    send_secret(&app, &ann, DEMO.bukalapak_api_key).await;
    assert!(app.tg.message(ann.id).await.text.contains("not a name"));
    app.tg.send_text(&ann, "kasir");
    let ask = app.tg.message(ann.id).await;
    assert!(ask.text.contains("<code>api_key</code>"), "the dialogue still waits for its name: {}", ask.text);
    app.tg.send_text(&ann, "/cancel");
    app.tg.message(ann.id).await;

    // In a photo's caption.
    let id = app.tg.send_text_returning_id(&ann, "placeholder");
    app.tg.message(ann.id).await;
    let png = merchant_bot::qr::image::qr_png("00020101021126", 4).unwrap();
    app.tg.send_photo_with_caption(&ann, png, Some(DEMO.bukalapak_api_key));
    let deleted = app.tg.take("the captioned photo deleted", |c| c.method == "deleteMessage").await;
    assert_eq!(deleted.params["message_id"], id + 2, "the photo after the bot's reply");
    assert!(app.tg.message(ann.id).await.text.contains("caption"));
    assert_eq!(count_accounts(&app).await, 0);
    assert!(!dump_database(&app.db.pool).await.contains(DEMO.bukalapak_api_key), "stored nowhere");
}
