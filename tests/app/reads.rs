//! `/balance` and the lists, end to end against the simulator (and a misbehaving gateway).

use std::time::Duration;

use merchant_bot::{
    domain::Credentials,
    i18n::Lang,
    providers::{GatewayUrls, Gateways, Http},
};
use serde_json::json;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use crate::support::{GROUP_ID, TestApp, TestUser, demo_bukalapak, demo_qris, demo_snap, test_http};

#[tokio::test]
async fn balance_of_two_accounts_in_one_message() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(8001, "Ann", Some("en"));
    app.link(&ann, "toko-1", demo_bukalapak()).await;
    app.link(&ann, "kasir", demo_qris()).await;
    app.link(&ann, "pusat", demo_snap()).await;
    app.tg.send_text(&ann, "/balance");
    let reply = app.tg.message(ann.id).await;
    assert!(reply.text.contains("<b>toko-1</b> (Bukalapak Dompet): <b>Rp 1,250,000</b>"), "{}", reply.text);
    assert!(reply.text.contains("From the newest mutation"), "Bukalapak's balance is explained: {}", reply.text);
    assert!(reply.text.contains("<b>kasir</b> (QRIS): <b>Rp 1,000,000</b>"), "{}", reply.text);
    assert!(!reply.text.contains("pusat"), "SNAP has no balance: {}", reply.text);

    app.tg.send_text(&ann, "/balance KASIR");
    let one = app.tg.message(ann.id).await;
    assert!(one.text.contains("kasir") && !one.text.contains("toko-1"), "{}", one.text);
    app.tg.send_text(&ann, "/balance pusat");
    assert!(app.tg.message(ann.id).await.text.contains("doesn't offer this"));
    app.tg.send_text(&ann, "/balance nope");
    assert!(app.tg.message(ann.id).await.text.contains("no account named <b>nope</b>"));
}

#[tokio::test]
async fn without_accounts_the_user_is_told_how_to_link() {
    let app = TestApp::spawn().await;
    let budi = TestUser::new(8002, "Budi", Some("id"));
    app.tg.send_text(&budi, "/balance");
    assert!(app.tg.message(budi.id).await.text.contains("/link"));
    app.link(&budi, "pusat", demo_snap()).await;
    app.tg.send_text(&budi, "/mutations");
    let none = app.tg.message(budi.id).await;
    assert!(
        none.text.contains("Bukalapak Dompet") && none.text.contains("/link"),
        "which provider does: {}",
        none.text
    );
}

#[tokio::test]
async fn several_fitting_accounts_without_a_default_are_offered_as_buttons() {
    let app = TestApp::spawn().await;
    let cici = TestUser::new(8003, "Cici", Some("en"));
    app.link(&cici, "pusat", demo_snap()).await; // the default, but it has no withdrawals
    app.link(&cici, "toko", demo_bukalapak()).await;
    app.link(&cici, "kasir", demo_qris()).await;
    app.control("/_sim/bukalapak/new-day", json!({})).await;
    app.tg.send_text(&cici, "/withdrawals");
    let choose = app.tg.message(cici.id).await;
    assert_eq!(choose.text, "Which account?");
    assert_eq!(
        choose.buttons.iter().flatten().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        vec!["kasir (QRIS)", "toko (Bukalapak Dompet)"]
    );
    app.tg.press(&cici, &choose, &choose.button("kasir"));
    let list = app.tg.edit(cici.id).await;
    assert_eq!(list.message_id, choose.message_id, "the choice becomes the list");
    assert!(list.text.starts_with("<b>Withdrawals</b> — kasir"), "{}", list.text);
    assert!(list.text.contains("Nothing here yet."), "{}", list.text);
}

#[tokio::test]
async fn paging_edits_one_message_and_matches_the_gateway() {
    let app = TestApp::spawn().await;
    let dedi = TestUser::new(8004, "Dedi", Some("en"));
    app.link(&dedi, "toko", demo_bukalapak()).await;
    for i in 1..=10 {
        app.control("/_sim/bukalapak/mutations", json!({"amount": 1000 * i, "action": "remit"})).await;
    }
    let gateway = Gateways::new(
        Http::new(test_http()),
        GatewayUrls { bukalapak: Some(app.sim.url.parse().unwrap()), qris: None, snap: None },
    )
    .client(&demo_bukalapak())
    .unwrap();
    let amounts_on = |page: u32| {
        let gateway = gateway.clone();
        async move {
            gateway
                .mutations(page, 5)
                .await
                .unwrap()
                .items
                .iter()
                .map(|m| m.amount.format(Lang::En))
                .collect::<Vec<_>>()
        }
    };

    app.tg.send_text(&dedi, "/mutations");
    let first = app.tg.message(dedi.id).await;
    assert!(first.text.contains("Page 1"), "{}", first.text);
    for amount in amounts_on(1).await {
        assert!(first.text.contains(&amount), "{amount} in page 1: {}", first.text);
    }
    assert_eq!(first.buttons.iter().flatten().map(|(t, _)| t.as_str()).collect::<Vec<_>>(), vec!["▶"]);

    app.tg.press(&dedi, &first, &first.button("▶"));
    let second = app.tg.edit(dedi.id).await;
    assert_eq!(second.message_id, first.message_id);
    assert!(second.text.contains("Page 2"), "{}", second.text);
    for amount in amounts_on(2).await {
        assert!(second.text.contains(&amount), "{amount} in page 2: {}", second.text);
    }
    app.tg.press(&dedi, &second, &second.button("◀"));
    let back = app.tg.edit(dedi.id).await;
    assert_eq!((back.message_id, back.text.as_str()), (first.message_id, first.text.as_str()));
}

#[tokio::test]
async fn snap_lists_and_a_disbursement() {
    let app = TestApp::spawn().await;
    let eka = TestUser::new(8005, "Eka", Some("id"));
    app.link(&eka, "pusat", demo_snap()).await;
    app.tg.send_text(&eka, "/subaccounts");
    let subs = app.tg.message(eka.id).await;
    assert!(subs.text.contains("Sub Akun 01") && subs.text.contains("Halaman 1 dari 2"), "{}", subs.text);
    app.tg.send_text(&eka, "/va");
    let va = app.tg.message(eka.id).await;
    assert!(va.text.contains("Virtual account (sementara)"), "{}", va.text);
    app.tg.press(&eka, &va, &va.button("permanen"));
    let permanent = app.tg.edit(eka.id).await;
    assert!(
        permanent.text.contains("Virtual account (permanen)") && permanent.text.contains("Rp 0"),
        "{}",
        permanent.text
    );
    app.tg.send_text(&eka, "/disbursement 4565456565");
    let d = app.tg.message(eka.id).await;
    assert!(
        d.text.contains("✅ berhasil") && d.text.contains("Rp 11.000") && d.text.contains("Rp 13.000"),
        "{}",
        d.text
    );
    app.tg.send_text(&eka, "/disbursement");
    assert!(app.tg.message(eka.id).await.text.contains("/disbursement 4565456565"), "usage");
    app.tg.send_text(&eka, "/va forever");
    assert!(app.tg.message(eka.id).await.text.contains("<code>permanent</code>"));
}

#[tokio::test]
async fn a_gateway_that_times_out_or_answers_garbage_gets_a_clear_message_and_the_bot_goes_on() {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        // One attempt: a read that timed out has used its whole deadline, so it is not
        // repeated (a hung gateway costs the merchant one timeout, not one per attempt).
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&gateway)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&gateway)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": 5000})))
        .with_priority(3)
        .mount(&gateway)
        .await;
    let url = gateway.uri();
    let app = TestApp::spawn_with(|s| s.qris_api_url = Some(url)).await;
    let fai = TestUser::new(8006, "Fai", Some("en"));
    app.link(&fai, "kasir", Credentials::Qris { api_key: "k".into() }).await;

    app.tg.send_text(&fai, "/balance");
    let timed_out = app.tg.message(fai.id).await;
    assert!(timed_out.text.contains("did not answer in time"), "{}", timed_out.text);
    app.tg.send_text(&fai, "/balance");
    let garbage = app.tg.message(fai.id).await;
    assert!(garbage.text.contains("cannot read"), "{}", garbage.text);
    app.tg.send_text(&fai, "/balance");
    assert!(app.tg.message(fai.id).await.text.contains("Rp 5,000"));
}

#[tokio::test]
async fn a_stale_list_button_after_unlink_says_so() {
    let app = TestApp::spawn().await;
    let gita = TestUser::new(8007, "Gita", Some("en"));
    app.link(&gita, "toko", demo_bukalapak()).await;
    for _ in 0..6 {
        app.control("/_sim/bukalapak/mutations", json!({})).await;
    }
    app.tg.send_text(&gita, "/mutations");
    let list = app.tg.message(gita.id).await;
    sqlx::query("DELETE FROM linked_accounts").execute(&app.db.pool).await.unwrap();
    app.tg.press(&gita, &list, &list.button("▶"));
    assert_eq!(app.tg.edit(gita.id).await.text, "That account is no longer linked.");
}

#[tokio::test]
async fn in_a_group_nothing_private_is_shown() {
    let app = TestApp::spawn().await;
    let hana = TestUser::new(8008, "Hana", Some("en"));
    app.link(&hana, "toko", demo_bukalapak()).await;
    for command in ["/balance", "/accounts", "/link", "/mutations", "/withdrawals@merchant_test_bot"] {
        app.tg.send_text_in(GROUP_ID, &hana, command);
        let reply = app.tg.message(GROUP_ID).await;
        assert!(
            reply.text.contains("only in a private chat") && reply.text.contains("@merchant_test_bot"),
            "{command}: {}",
            reply.text
        );
        assert!(
            !reply.text.contains("Rp") && !reply.text.contains("toko") && reply.buttons.is_empty(),
            "{command}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn a_group_enabled_by_its_owner_shows_only_the_owners_data_and_asks_no_secret() {
    let app = TestApp::spawn().await;
    let owner = TestUser::new(8009, "Ina", Some("en"));
    let member = TestUser::new(8010, "Joko", Some("en"));
    app.link(&owner, "toko", demo_bukalapak()).await;
    app.link(&member, "warung", demo_bukalapak()).await;
    app.tg.send_text_in(GROUP_ID, &owner, "/group on");
    assert!(app.tg.message(GROUP_ID).await.text.contains("now sees your balances"));
    app.tg.send_text_in(GROUP_ID, &owner, "/balance");
    let shown = app.tg.message(GROUP_ID).await;
    assert!(shown.text.contains("<b>toko</b>") && shown.text.contains("Rp 1,250,000"), "{}", shown.text);
    assert!(!shown.text.contains("warung"), "only the owner's own accounts");
    for (user, command) in [(&member, "/balance"), (&owner, "/link"), (&owner, "/withdraw"), (&owner, "/pin")] {
        app.tg.send_text_in(GROUP_ID, user, command);
        let reply = app.tg.message(GROUP_ID).await;
        assert!(reply.text.contains("only in a private chat"), "{command}: {}", reply.text);
    }
    app.tg.send_text_in(GROUP_ID, &owner, "/group off");
    app.tg.message(GROUP_ID).await;
    app.tg.send_text_in(GROUP_ID, &owner, "/balance");
    assert!(app.tg.message(GROUP_ID).await.text.contains("only in a private chat"));
}

#[tokio::test]
async fn every_log_line_of_an_update_carries_its_id() {
    let app = TestApp::spawn().await;
    crate::support::logs::captured();
    let ann = TestUser::new(4951, "Ann", Some("en"));
    app.link(&ann, "kasir", crate::support::demo_qris()).await;
    app.tg.send_text(&ann, "/balance");
    app.tg.message(ann.id).await;
    let logs = crate::support::logs::captured();
    let call = logs
        .lines()
        .find(|l| l.contains("gateway call") && l.contains("balance") && l.contains("update{id="))
        .unwrap_or_else(|| panic!("the balance call's log line names its update:\n{logs}"));
    assert!(call.contains("DEBUG"), "a routine gateway call is a debug line: {call}");
}

#[tokio::test]
async fn typing_is_shown_only_while_an_answer_takes_noticeably_long() {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"balance": 5000})).set_delay(Duration::from_millis(900)),
        )
        .mount(&gateway)
        .await;
    let url = gateway.uri();
    let app = TestApp::spawn_with(|s| s.qris_api_url = Some(url)).await;
    let gus = TestUser::new(8012, "Gus", Some("en"));
    app.link(&gus, "kasir", Credentials::Qris { api_key: "k".into() }).await;
    let actions = |app: &TestApp| app.tg.calls().into_iter().filter(|c| c.method == "sendChatAction").count();

    // The gateway takes 0.9 s: "typing…" is shown meanwhile, then the answer.
    app.tg.send_text(&gus, "/balance");
    let typing = app.tg.call("sendChatAction").await;
    assert_eq!((typing.chat_id(), typing.params["action"].as_str()), (Some(gus.id), Some("typing")));
    assert!(app.tg.message(gus.id).await.text.contains("Rp 5,000"));

    // A gateway that answers at once: the answer comes with no chat action before it
    // (Telegram recommends them only for a noticeable wait).
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": 7000})))
        .with_priority(1)
        .mount(&gateway)
        .await;
    let before = actions(&app);
    app.tg.send_text(&gus, "/balance");
    assert!(app.tg.message(gus.id).await.text.contains("Rp 7,000"));
    assert_eq!(actions(&app), before, "no chat action for a quick answer");
}

#[tokio::test]
async fn a_slow_gateway_is_announced_and_its_answer_replaces_the_announcement() {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"balance": 5000})).set_delay(Duration::from_millis(600)),
        )
        .mount(&gateway)
        .await;
    let url = gateway.uri();
    let app = TestApp::spawn_with(|s| {
        s.qris_api_url = Some(url);
        s.slow_notice_after = Some("150ms".into());
    })
    .await;
    let gus = TestUser::new(8011, "Gus", Some("id"));
    app.link(&gus, "kasir", Credentials::Qris { api_key: "k".into() }).await;
    app.tg.send_text(&gus, "/balance");
    let notice = app.tg.message(gus.id).await;
    assert!(notice.text.contains("Gateway lambat"), "in the user's language: {}", notice.text);
    let answer = app.tg.edit(gus.id).await;
    assert_eq!(answer.message_id, notice.message_id, "the answer replaces the notice");
    assert!(answer.text.contains("Rp 5.000"), "{}", answer.text);

    // A gateway that answers in time: no notice at all.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": 7000})))
        .with_priority(1)
        .mount(&gateway)
        .await;
    app.tg.send_text(&gus, "/balance");
    assert!(app.tg.message(gus.id).await.text.contains("Rp 7.000"));
}

#[tokio::test]
async fn a_balance_over_two_accounts_costs_one_database_round_trip() {
    let app = TestApp::spawn().await;
    crate::support::logs::captured();
    let tono = TestUser::new(4961, "Tono", Some("en"));
    app.link(&tono, "kasir", demo_qris()).await;
    app.link(&tono, "toko", demo_bukalapak()).await;
    // A first update records the user; the one measured finds them known.
    app.tg.send_text(&tono, "/help");
    app.tg.message(tono.id).await;
    app.tg.send_text(&tono, "/balance");
    let shown = app.tg.message(tono.id).await;
    assert!(shown.text.contains("kasir") && shown.text.contains("toko"), "{}", shown.text);
    let queries = crate::support::logs::queries_of_update(&crate::support::logs::captured(), 4961, "balance");
    assert_eq!(
        queries.len(),
        1,
        "the user with the dialogue and the accounts with their credentials, read together:\n{}",
        queries.join("\n")
    );
}

#[tokio::test]
async fn a_gateway_with_every_place_taken_gets_a_clear_localized_answer() {
    // No place for calls waiting on a gateway: every call is held back, as when one has
    // stopped answering and its share of the bot's places is full.
    let app =
        TestApp::spawn_with_http(|_| {}, merchant_bot::providers::HttpOptions { per_gateway: 0, ..test_http() }).await;
    let ika = TestUser::new(8077, "Ika", Some("id"));
    app.link(&ika, "kasir", demo_qris()).await;
    app.tg.send_text(&ika, "/balance");
    let reply = app.tg.message(ika.id).await;
    assert!(reply.text.contains("Tidak ada yang dikirim"), "{}", reply.text);
}
