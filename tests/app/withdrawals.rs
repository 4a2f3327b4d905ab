//! `/withdraw` end to end through the fake Bot API, against mocked gateways that count
//! requests (and the simulator for the crash window).

use std::time::Duration;

use merchant_bot::{
    domain::{Amount, Credentials},
    providers::{Destination, GatewayUrls, Gateways, Http, WithdrawRequest},
    storage::withdrawals,
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, method, path, query_param},
};

use crate::{
    gateways::fixture,
    support::{Sent, TestApp, TestUser, demo_qris, dump_database, logs, test_http},
};

const QRIS_KEY: &str = "qris-withdraw-key-0001";
const BL_KEY: &str = "bukalapak-withdraw-key-0001";
const PASSWORD: &str = "Rahasia-Sekali-778";

async fn qris_gateway() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/balance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": 1_000_000})))
        .mount(&server)
        .await;
    server
}

async fn withdraw_requests(server: &MockServer, path_: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == path_)
        .count()
}

async fn qris_app(server: &MockServer) -> (TestApp, TestUser) {
    let url = server.uri();
    let app = TestApp::spawn_with(|s| s.qris_api_url = Some(url)).await;
    let user = TestUser::new(9501, "Wati", Some("en"));
    app.link(&user, "kasir", Credentials::Qris { api_key: QRIS_KEY.into() }).await;
    (app, user)
}

/// /withdraw to the summary, to DANA 081234567890 (John Doe).
async fn to_summary(app: &TestApp, user: &TestUser, amount: &str) -> Sent {
    app.tg.send_text(user, "/withdraw");
    let ask = app.tg.message(user.id).await;
    assert!(ask.text.contains("Balance: <b>Rp 1,000,000</b>"), "{}", ask.text);
    app.tg.send_text(user, amount);
    assert!(app.tg.message(user.id).await.text.contains("DANA number"));
    app.tg.send_text(user, "0812-3456-7890");
    assert!(app.tg.message(user.id).await.text.contains("name"));
    app.tg.send_text(user, "John Doe");
    let summary = app.tg.message(user.id).await;
    assert!(summary.text.contains("To: DANA 081234567890 (John Doe)"), "{}", summary.text);
    summary
}

async fn audit_events(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT event FROM withdrawal_audit ORDER BY id").fetch_all(&app.db.pool).await.unwrap()
}

#[tokio::test]
async fn a_dana_withdrawal_sends_the_documented_body_once() {
    let server = qris_gateway().await;
    let expected: Value = serde_json::from_str(&fixture("qris_withdraw_request")).unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/withdraw"))
        .and(body_json(expected))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("qris_withdraw_ok"), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let (app, wati) = qris_app(&server).await;
    let summary = to_summary(&app, &wati, "100rb").await;
    assert!(summary.text.contains("Amount: <b>Rp 100,000</b>"), "{}", summary.text);
    app.tg.press(&wati, &summary, &summary.button("Confirm"));
    assert_eq!(app.tg.edit(wati.id).await.text, "Sending the withdrawal…");
    let done = app.tg.edit(wati.id).await;
    assert_eq!(done.message_id, summary.message_id, "the result replaces the summary");
    for part in [
        "✅ Withdrawal of <b>Rp 100,000</b>",
        "65a1b2c3d4e5f6...",
        "Fee: Rp 1,000",
        "Total deducted: Rp 101,000",
        "New balance: Rp 899,000",
    ] {
        assert!(done.text.contains(part), "{part} in {}", done.text);
    }
    // A second press of the same Confirm sends nothing.
    app.tg.press(&wati, &summary, &summary.button("Confirm"));
    app.tg.call("answerCallbackQuery").await;
    app.tg.call("answerCallbackQuery").await;
    all_handled(&app, &wati).await;
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 1);
    assert_eq!(audit_events(&app).await, ["created", "confirmed", "submitted"]);
    let masked: String = sqlx::query_scalar("SELECT destination_masked FROM withdrawal_audit LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(masked, "DANA 0812*****890 (J*** D**)");
    let watched: Vec<(f64, i32)> = sqlx::query_as(
        "SELECT extract(epoch FROM next_check_at - now())::float8, attempts FROM watches WHERE kind = 'qris_withdrawal'",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(watched.len(), 1, "the pending withdrawal is handed to the watcher");
    // A withdrawal just accepted has not moved: the gateway is first asked about it one
    // poll interval (30 s here) after its answer, not at once.
    let (due_in, attempts) = watched[0];
    assert!((25.0..=30.0).contains(&due_in) && attempts == 0, "first check in {due_in} s, {attempts} attempts");
}

#[tokio::test]
async fn a_withdrawal_is_sent_while_its_sending_notice_waits_for_the_chats_limit() {
    // Telegram holds the chat back (a 429) just when "Sending…" should replace the
    // summary. The withdrawal does not wait for that edit: a process killed during such
    // a wait would leave it confirmed, nothing sent, and its Confirm spent.
    let (server, app, wati) = qris_accepting().await;
    let summary = to_summary(&app, &wati, "100rb").await;
    app.tg.fail_next("editMessageText", 429, "Too Many Requests: retry after 30", Some(30));
    app.tg.press(&wati, &summary, &summary.button("Confirm"));
    app.tg.failures_served("editMessageText").await;
    // Made and recorded while the chat is still held (nobody has moved the clock).
    let id: i64 = sqlx::query_scalar("SELECT id FROM withdrawals").fetch_one(&app.db.pool).await.unwrap();
    let id = merchant_bot::domain::WithdrawalId::new(id);
    crate::support::eventually(|| async {
        match status_of(&app, id).await.as_str() {
            "submitted" => Ok(()),
            status => Err(format!("the withdrawal is {status}")),
        }
    })
    .await;
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 1);
    app.tg.assert_silent(wati.id, Duration::from_millis(20)).await;
    // Once the hold is over: "Sending…", then the result in its place.
    app.clock.as_ref().unwrap().advance(Duration::from_secs(30));
    assert_eq!(app.tg.edit(wati.id).await.text, "Sending the withdrawal…");
    let done = app.tg.edit(wati.id).await;
    assert!(done.text.contains("✅ Withdrawal of <b>Rp 100,000</b>"), "{}", done.text);
}

/// A QRIS gateway that accepts every withdrawal, and a merchant with an account there.
async fn qris_accepting() -> (MockServer, TestApp, TestUser) {
    let server = qris_gateway().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/withdraw"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("qris_withdraw_ok"), "application/json"))
        .mount(&server)
        .await;
    let (app, user) = qris_app(&server).await;
    (server, app, user)
}

/// Waits until every update `user` sent so far has been handled: one chat's updates are
/// handled in order, so once a /help sent now is answered, the ones before it are over.
async fn all_handled(app: &TestApp, user: &TestUser) {
    app.tg.send_text(user, "/help");
    app.tg
        .take("the /help answer", |c| {
            c.method == "sendMessage" && c.params["text"].as_str().is_some_and(|t| t.contains("/withdraw"))
        })
        .await;
}

/// A draft of Rp 100,000 to DANA 081234567890 (John Doe) from the QRIS account, written
/// directly (not through the dialogue).
async fn dana_draft(app: &TestApp, user: &TestUser) -> withdrawals::WithdrawalRow {
    let account_id: merchant_bot::domain::AccountId =
        sqlx::query_scalar("SELECT id FROM linked_accounts").fetch_one(&app.db.pool).await.unwrap();
    let destination = Destination::Dana { number: "081234567890".into(), name: "John Doe".into() };
    withdrawals::create_draft(
        &app.db.pool,
        user.uid(),
        account_id,
        "kasir",
        "qris",
        Amount::from_rupiah(100_000).unwrap(),
        &destination,
    )
    .await
    .unwrap()
    .expect("the account is linked")
}

/// A client for the QRIS account against `server`.
fn qris_client(server: &MockServer, options: merchant_bot::providers::HttpOptions) -> merchant_bot::providers::Gateway {
    Gateways::new(
        Http::new(options),
        GatewayUrls { bukalapak: None, qris: Some(server.uri().parse().unwrap()), snap: None },
    )
    .client(&Credentials::Qris { api_key: QRIS_KEY.into() })
    .unwrap()
}

#[tokio::test]
async fn two_concurrent_confirms_send_exactly_one_request() {
    let server = qris_gateway().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/withdraw"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("qris_withdraw_ok"), "application/json")
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    let (app, wati) = qris_app(&server).await;
    let row = dana_draft(&app, &wati).await;
    let gateway = qris_client(&server, test_http());
    // Two processes pressing Confirm at once: one conditional update wins.
    let other_pool = app.db.new_pool().await;
    let (a, b) = tokio::join!(
        withdrawals::confirm(&app.db.pool, wati.uid(), &row),
        withdrawals::confirm(&other_pool, wati.uid(), &row)
    );
    assert_eq!(a.unwrap().is_some() as u8 + b.unwrap().is_some() as u8, 1);
    // And two submits at once: one request.
    let (a, b) = tokio::join!(
        merchant_bot::withdrawals::submit(&app.db.pool, &gateway, wati.uid(), row.id, app.config.submit_times(), None),
        merchant_bot::withdrawals::submit(&other_pool, &gateway, wati.uid(), row.id, app.config.submit_times(), None)
    );
    let outcomes = [a.unwrap().1, b.unwrap().1].map(|o| format!("{o:?}"));
    assert_eq!(outcomes.iter().filter(|o| o.starts_with("Submitted")).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| o.starts_with("AlreadyTaken")).count(), 1, "{outcomes:?}");
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 1);
}

#[tokio::test]
async fn a_withdrawal_held_back_because_its_gateway_is_full_is_not_made_and_never_unknown() {
    let (server, app, wati) = qris_accepting().await;
    let row = dana_draft(&app, &wati).await;
    withdrawals::confirm(&app.db.pool, wati.uid(), &row).await.unwrap().expect("confirmed");
    // Every place for calls waiting on this gateway is taken (here: there is none).
    let full = qris_client(&server, merchant_bot::providers::HttpOptions { per_gateway: 0, ..test_http() });
    let (_, outcome) =
        merchant_bot::withdrawals::submit(&app.db.pool, &full, wati.uid(), row.id, app.config.submit_times(), None)
            .await
            .unwrap();
    let merchant_bot::withdrawals::Outcome::Refused(e) = outcome else { panic!("{outcome:?}") };
    assert!(
        e.user_text(merchant_bot::i18n::Lang::Id).contains("Tidak ada yang dikirim"),
        "{}",
        e.user_text(merchant_bot::i18n::Lang::Id)
    );
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 0, "nothing reached the gateway");
    let status: String = sqlx::query_scalar("SELECT status FROM withdrawals WHERE id = $1")
        .bind(row.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "refused", "not made, and not left for the resolver to guess about");
}

#[tokio::test]
async fn a_confirmed_withdrawal_costs_few_database_round_trips() {
    let (_server, app, wati) = qris_accepting().await;
    logs::captured();
    let summary = to_summary(&app, &wati, "100rb").await;
    app.tg.press(&wati, &summary, &summary.button("Confirm"));
    app.tg.edit(wati.id).await;
    assert!(app.tg.edit(wati.id).await.text.contains("✅ Withdrawal of <b>Rp 100,000</b>"));
    all_handled(&app, &wati).await;
    let queries = logs::queries_of_update(&logs::captured(), wati.id, "withdraw");
    // The user with the dialogue, the PIN settings and the accounts; the button; the row;
    // Confirm with its audit line; the dialogue's end; the claim; and the receipt with its
    // audit line and watch: each move of the row is one statement, and nothing is read
    // twice.
    assert_eq!(queries.len(), 7, "{}", queries.join("\n"));
}

async fn bukalapak_app(server: &MockServer) -> (TestApp, TestUser) {
    Mock::given(method("GET"))
        .and(path("/v1/dompet/history/mutations.json"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("bukalapak_mutations"), "application/json"))
        .mount(server)
        .await;
    let url = server.uri();
    let app = TestApp::spawn_with(|s| s.bukalapak_api_url = Some(url)).await;
    let user = TestUser::new(9502, "Bayu", Some("en"));
    app.link(&user, "toko", Credentials::Bukalapak { user_id: "204254".into(), api_key: BL_KEY.into() }).await;
    (app, user)
}

/// /withdraw on Bukalapak to the password question.
async fn bukalapak_to_password(app: &TestApp, user: &TestUser) -> Sent {
    app.tg.send_text(user, "/withdraw");
    assert!(app.tg.message(user.id).await.text.contains("Balance: <b>Rp 30,000</b>"));
    app.tg.send_text(user, "25000");
    assert!(app.tg.message(user.id).await.text.contains("bank_account_id"));
    app.tg.send_text(user, "41812");
    let summary = app.tg.message(user.id).await;
    app.tg.press(user, &summary, &summary.button("Confirm"));
    let ask = app.tg.edit(user.id).await;
    assert!(ask.text.contains("Bukalapak account password"), "{}", ask.text);
    summary
}

#[tokio::test]
async fn a_bukalapak_withdrawal_uses_the_password_once_and_keeps_it_nowhere() {
    logs::captured();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/dompet/withdraw.json"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("bukalapak_withdraw_ok"), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let (app, bayu) = bukalapak_app(&server).await;
    bukalapak_to_password(&app, &bayu).await;
    let password_message = app.tg.send_text_returning_id(&bayu, PASSWORD);
    app.tg
        .take("the password message deleted", |c| {
            c.method == "deleteMessage" && c.params["message_id"] == password_message
        })
        .await;
    app.tg.edit(bayu.id).await;
    let done = app.tg.edit(bayu.id).await;
    assert!(
        done.text.contains("✅ Withdrawal of <b>Rp 25,000</b> to bank account 41812")
            && done.text.contains("Pencairan akan diproses"),
        "{}",
        done.text
    );

    let sent = server.received_requests().await.unwrap().into_iter().find(|r| r.method.as_str() == "POST").unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&sent.body).into_owned().collect();
    assert_eq!(
        form,
        [
            ("deposit_withdrawal[amount]", "25000"),
            ("deposit_withdrawal[bank_account_id]", "41812"),
            ("deposit_withdrawal[password]", PASSWORD)
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert!(!dump_database(&app.db.pool).await.contains(PASSWORD), "the password is in no table");
    assert!(!logs::captured().contains(PASSWORD), "the password is in no log line");
}

#[tokio::test]
async fn each_bukalapak_refusal_is_shown() {
    let cases = [
        ("bukalapak_withdraw_not_yours", vec!["The destination bank account must be your own."]),
        ("bukalapak_withdraw_wrong_password", vec!["The password is not valid."]),
        ("bukalapak_withdraw_once_a_day", vec!["Withdrawals can be made only once a day."]),
        ("bukalapak_withdraw_once_a_day_and_password", vec!["only once a day", "The password is not valid."]),
    ];
    for (name, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json"))
            .expect(1)
            .mount(&server)
            .await;
        let (app, bayu) = bukalapak_app(&server).await;
        bukalapak_to_password(&app, &bayu).await;
        app.tg.send_text(&bayu, "wrong-or-right");
        app.tg.edit(bayu.id).await;
        let refused = app.tg.edit(bayu.id).await;
        assert!(refused.text.starts_with("❌ Not sent."), "{name}: {}", refused.text);
        for part in expected {
            assert!(refused.text.contains(part), "{name}: {part} in {}", refused.text);
        }
        let status: String =
            sqlx::query_scalar("SELECT status FROM withdrawals").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(status, "refused");
    }
}

#[tokio::test]
async fn the_qris_gateways_refusal_is_shown_as_it_wrote_it() {
    let server = qris_gateway().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"success": false, "message": "Saldo tidak mencukupi"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (app, wati) = qris_app(&server).await;
    let summary = to_summary(&app, &wati, "100000").await;
    app.tg.press(&wati, &summary, &summary.button("Confirm"));
    app.tg.edit(wati.id).await;
    let refused = app.tg.edit(wati.id).await;
    assert!(refused.text.contains("Saldo tidak mencukupi"), "{}", refused.text);
}

#[tokio::test]
async fn a_restart_between_amount_and_destination_continues_the_dialogue() {
    let server = qris_gateway().await;
    let (mut app, wati) = qris_app(&server).await;
    app.tg.send_text(&wati, "/withdraw");
    app.tg.message(wati.id).await;
    app.tg.send_text(&wati, "50.000");
    assert!(app.tg.message(wati.id).await.text.contains("DANA number"));
    app.restart().await;
    app.tg.send_text(&wati, "081234567890");
    assert!(app.tg.message(wati.id).await.text.contains("name"), "the dialogue went on after the restart");
    app.tg.send_text(&wati, "Siti Aminah");
    assert!(app.tg.message(wati.id).await.text.contains("Amount: <b>Rp 50,000</b>"));
}

#[tokio::test]
async fn bad_input_and_an_expired_confirm_send_nothing() {
    let server = qris_gateway().await;
    let url = server.uri();
    let app = TestApp::spawn_with(|s| s.qris_api_url = Some(url)).await;
    let wati = TestUser::new(9503, "Wati", Some("en"));
    app.link(&wati, "kasir", Credentials::Qris { api_key: QRIS_KEY.into() }).await;
    app.tg.send_text(&wati, "/withdraw");
    app.tg.message(wati.id).await;
    for (typed, expected) in
        [("abc", "not an amount"), ("0", "above zero"), ("2jt", "more than the balance"), ("10.000,50", "no fractions")]
    {
        app.tg.send_text(&wati, typed);
        let reply = app.tg.message(wati.id).await;
        assert!(reply.text.contains(expected), "{typed}: {}", reply.text);
    }
    app.tg.send_text(&wati, "100000");
    app.tg.message(wati.id).await;
    for typed in ["12345", "0712345678", "08123abc890"] {
        app.tg.send_text(&wati, typed);
        let reply = app.tg.message(wati.id).await;
        assert!(reply.text.contains("not a DANA number"), "{typed}: {}", reply.text);
    }
    app.tg.send_text(&wati, "081234567890");
    app.tg.message(wati.id).await;
    app.tg.send_text(&wati, "John Doe");
    let summary = app.tg.message(wati.id).await;
    // The summary was left longer than the dialogue's 10 minutes (moved back in time
    // rather than waited for).
    sqlx::query("UPDATE withdrawals SET created_at = now() - interval '11 minutes'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.tg.press(&wati, &summary, &summary.button("Confirm"));
    let expired = app.tg.edit(wati.id).await;
    assert!(expired.text.contains("expired before it was confirmed"), "{}", expired.text);
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 0);
    let status: String = sqlx::query_scalar("SELECT status FROM withdrawals").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(status, "expired");
}

#[tokio::test]
async fn a_crash_after_the_gateways_answer_ends_unknown_and_is_settled_without_resending() {
    let mut app = TestApp::spawn().await;
    let wati = TestUser::new(9504, "Wati", Some("en"));
    let account_id = app.link(&wati, "kasir", demo_qris()).await;
    let destination = Destination::Dana { number: "081234567890".into(), name: "John Doe".into() };
    let amount = Amount::from_rupiah(70_000).unwrap();
    let row = withdrawals::create_draft(&app.db.pool, wati.uid(), account_id, "kasir", "qris", amount, &destination)
        .await
        .unwrap()
        .expect("the account is linked");
    withdrawals::confirm(&app.db.pool, wati.uid(), &row).await.unwrap().expect("confirmed");
    withdrawals::claim_for_submit(&app.db.pool, wati.uid(), row.id, app.config.submit_lease())
        .await
        .unwrap()
        .expect("claimed");
    // The request went out and the gateway made the withdrawal; then the process died.
    let gateway = app.sim_client(&demo_qris());
    let made = gateway
        .withdraw(&WithdrawRequest::Dana { amount, number: "081234567890".into(), name: "John Doe".into() })
        .await
        .unwrap();

    // The dead process's lease runs out (as time would make it).
    expire_lease(&app, row.id).await;
    app.restart().await;
    let mut status = String::new();
    for _ in 0..50 {
        status = sqlx::query_scalar("SELECT status FROM withdrawals WHERE id = $1")
            .bind(row.id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        if status == "submitted" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "submitted");
    let gateway_id: Option<String> = sqlx::query_scalar("SELECT gateway_withdraw_id FROM withdrawals WHERE id = $1")
        .bind(row.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(gateway_id, Some(made.id));
    assert_eq!(audit_events(&app).await, ["created", "confirmed", "unknown", "resolved"]);
    let watched: i64 = sqlx::query_scalar("SELECT count(*) FROM watches WHERE kind = 'qris_withdrawal'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(watched, 1, "a withdrawal settled from the history is watched like any other");
    let counts: Value = reqwest::get(format!("{}/_sim/requests", app.sim.url)).await.unwrap().json().await.unwrap();
    assert_eq!(counts["POST /api/v1/withdraw"], 1, "never sent again");
}

/// Sets a PIN through /pin: each PIN message is deleted.
async fn set_pin(app: &TestApp, user: &TestUser, pin: &str, threshold: &str) {
    app.tg.send_text(user, "/pin");
    let menu = app.tg.message(user.id).await;
    app.tg.press(user, &menu, &menu.button("Set a PIN"));
    app.tg.message(user.id).await;
    for _ in 0..2 {
        let id = app.tg.send_text_returning_id(user, pin);
        app.tg.take("PIN message deleted", |c| c.method == "deleteMessage" && c.params["message_id"] == id).await;
        app.tg.message(user.id).await;
    }
    app.tg.send_text(user, "/pin");
    let menu = app.tg.message(user.id).await;
    app.tg.press(user, &menu, &menu.button("Change the amount"));
    app.tg.message(user.id).await;
    let id = app.tg.send_text_returning_id(user, pin);
    app.tg.take("PIN message deleted", |c| c.method == "deleteMessage" && c.params["message_id"] == id).await;
    app.tg.message(user.id).await;
    app.tg.send_text(user, threshold);
    assert!(app.tg.message(user.id).await.text.contains("asked for withdrawals above"));
}

/// The documented success answer, with a new withdraw_id each time.
fn distinct_ids() -> impl Fn(&wiremock::Request) -> ResponseTemplate {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    move |_: &wiremock::Request| {
        let mut body: Value = serde_json::from_str(&fixture("qris_withdraw_ok")).unwrap();
        body["withdraw_id"] = json!(format!("wd-{}", counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst)));
        ResponseTemplate::new(200).set_body_json(body)
    }
}

#[tokio::test]
async fn a_pin_guards_withdrawals_above_the_threshold_and_five_wrong_ones_lock() {
    let server = qris_gateway().await;
    Mock::given(method("POST")).respond_with(distinct_ids()).mount(&server).await;
    let (app, wati) = qris_app(&server).await;
    set_pin(&app, &wati, "482913", "50rb").await;
    let hash: String = sqlx::query_scalar("SELECT pin_hash FROM users WHERE telegram_id = $1")
        .bind(wati.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert!(!dump_database(&app.db.pool).await.contains("482913"), "the PIN is in no table in clear");

    // Below the threshold: no PIN.
    let small = to_summary(&app, &wati, "20000").await;
    app.tg.press(&wati, &small, &small.button("Confirm"));
    assert_eq!(app.tg.edit(wati.id).await.text, "Sending the withdrawal…");
    app.tg.edit(wati.id).await;
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 1);

    // Above: the PIN; a wrong one sends nothing, the right one sends.
    let big = to_summary(&app, &wati, "100000").await;
    app.tg.press(&wati, &big, &big.button("Confirm"));
    assert!(app.tg.edit(wati.id).await.text.contains("Send your withdrawal PIN"));
    app.tg.send_text(&wati, "111111");
    assert!(app.tg.message(wati.id).await.text.contains("Wrong PIN. 4 tries left"));
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 1);
    app.tg.send_text(&wati, "482913");
    app.tg.edit(wati.id).await;
    assert!(app.tg.edit(wati.id).await.text.contains("✅ Withdrawal"));
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 2);

    // Five wrong in a row lock withdrawals.
    let third = to_summary(&app, &wati, "100000").await;
    app.tg.press(&wati, &third, &third.button("Confirm"));
    app.tg.edit(wati.id).await;
    for left in (1..=4).rev() {
        app.tg.send_text(&wati, "000000");
        assert!(app.tg.message(wati.id).await.text.contains(&format!("{left} tries left")));
    }
    app.tg.send_text(&wati, "000000");
    assert!(app.tg.edit(wati.id).await.text.contains("locked"), "the summary says withdrawals are locked");
    app.tg.send_text(&wati, "/withdraw");
    assert!(app.tg.message(wati.id).await.text.contains("locked"));
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 2);
}

async fn expire_lease(app: &TestApp, id: merchant_bot::domain::WithdrawalId) {
    sqlx::query("UPDATE withdrawals SET lease_until = now() - interval '1 second' WHERE id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

async fn status_of(app: &TestApp, id: merchant_bot::domain::WithdrawalId) -> String {
    sqlx::query_scalar("SELECT status FROM withdrawals WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.unwrap()
}

/// A confirmed DANA withdrawal of Rp 70,000 claimed for its request, on the demo QRIS
/// account at the simulator.
async fn claimed(app: &TestApp, user: &TestUser) -> withdrawals::WithdrawalRow {
    let account_id = app.link(user, "kasir", demo_qris()).await;
    let destination = Destination::Dana { number: "081234567890".into(), name: "John Doe".into() };
    let amount = Amount::from_rupiah(70_000).unwrap();
    let row = withdrawals::create_draft(&app.db.pool, user.uid(), account_id, "kasir", "qris", amount, &destination)
        .await
        .unwrap()
        .expect("the account is linked");
    assert!(
        withdrawals::claim_for_submit(&app.db.pool, user.uid(), row.id, app.config.submit_lease())
            .await
            .unwrap()
            .is_none(),
        "a draft is not sent"
    );
    withdrawals::confirm(&app.db.pool, user.uid(), &row).await.unwrap().expect("confirmed");
    withdrawals::claim_for_submit(&app.db.pool, user.uid(), row.id, app.config.submit_lease())
        .await
        .unwrap()
        .expect("claimed")
}

async fn resolve(app: &TestApp, gateway_url: &str) -> usize {
    let gateways = Gateways::new(
        Http::new(test_http()),
        GatewayUrls { bukalapak: None, qris: Some(gateway_url.parse().unwrap()), snap: None },
    );
    merchant_bot::withdrawals::resolve_unknown(
        &app.db.pool,
        &app.config.master_key,
        &gateways,
        app.config.withdrawal_give_up_after,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_row_another_replica_is_sending_is_left_alone_until_its_lease_is_over() {
    let app = TestApp::spawn().await;
    let wati = TestUser::new(9521, "Wati", Some("en"));
    let row = claimed(&app, &wati).await;
    // Another process starts, or its resolver runs: the row is being sent right now.
    assert_eq!(withdrawals::sweep_dead_submitting(&app.db.pool).await.unwrap(), 0);
    assert_eq!(status_of(&app, row.id).await, "submitting");
    expire_lease(&app, row.id).await;
    assert_eq!(withdrawals::sweep_dead_submitting(&app.db.pool).await.unwrap(), 1);
    assert_eq!(status_of(&app, row.id).await, "unknown");
    // The sender was only slow, not dead: its answer still wins, and is watched.
    assert!(
        withdrawals::record_submitted(&app.db.pool, &row, "w-late", None, None, app.config.notify_poll_interval)
            .await
            .unwrap()
    );
    assert_eq!(status_of(&app, row.id).await, "submitted");
}

#[tokio::test]
async fn the_give_up_clock_starts_at_the_request_not_at_the_draft() {
    let app = TestApp::spawn().await;
    let wati = TestUser::new(9522, "Wati", Some("en"));
    let row = claimed(&app, &wati).await;
    // The summary was left open for an hour before Confirm.
    sqlx::query("UPDATE withdrawals SET created_at = now() - interval '1 hour' WHERE id = $1")
        .bind(row.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    expire_lease(&app, row.id).await;
    assert_eq!(resolve(&app, &app.sim.url).await, 0, "requested just now: not given up yet");
    assert_eq!(status_of(&app, row.id).await, "unknown");
    sqlx::query("UPDATE withdrawals SET requested_at = now() - interval '16 minutes' WHERE id = $1")
        .bind(row.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(resolve(&app, &app.sim.url).await, 1);
    assert_eq!(status_of(&app, row.id).await, "refused", "not in the history 16 minutes after the request");
    // If the sender's "made" answer comes after all, it is the truth.
    assert!(
        withdrawals::record_submitted(&app.db.pool, &row, "w-after-all", None, None, app.config.notify_poll_interval)
            .await
            .unwrap()
    );
    assert_eq!(status_of(&app, row.id).await, "submitted");
}

#[tokio::test]
async fn a_history_read_only_in_part_is_never_a_reason_to_give_up() {
    let gateway = MockServer::start().await;
    let someone_else = json!({"withdraw_id": "other", "amount": 5_000, "status": "success",
                              "created_at": "2026-01-01T00:00:00.000Z"});
    Mock::given(method("GET"))
        .and(path("/api/v1/withdraw/history"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "data": [someone_else],
            "pagination": {"page": 1, "limit": 20, "total": 10_000, "total_pages": 500}
        })))
        .mount(&gateway)
        .await;
    let app = TestApp::spawn().await;
    let wati = TestUser::new(9523, "Wati", Some("en"));
    let row = claimed(&app, &wati).await;
    sqlx::query("UPDATE withdrawals SET requested_at = now() - interval '1 hour', lease_until = NULL WHERE id = $1")
        .bind(row.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(resolve(&app, &gateway.uri()).await, 0);
    assert_eq!(status_of(&app, row.id).await, "unknown", "500 pages of history, 10 read: still unknown");
}

#[tokio::test]
async fn a_busy_accounts_history_newest_first_settles_past_the_pages_read() {
    // Ten thousand withdrawals, one a minute, newest first: the request 20 minutes ago
    // is older than page 1's items and newer than page 2's last ones.
    let gateway = MockServer::start().await;
    let now = chrono::Utc::now();
    for page in 1..=merchant_bot::withdrawals::HISTORY_PAGES {
        let items: Vec<Value> = (0..20)
            .map(|i| {
                let minutes = i64::from(page - 1) * 20 + i;
                let at = now - chrono::Duration::minutes(minutes);
                json!({"withdraw_id": format!("w{minutes}"), "amount": 5_000, "status": "success",
                       "account_number": "081234567890",
                       "created_at": at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()})
            })
            .collect();
        Mock::given(method("GET"))
            .and(path("/api/v1/withdraw/history"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "success": true, "data": items,
                "pagination": {"page": page, "limit": 20, "total": 10_000, "total_pages": 500}
            })))
            .mount(&gateway)
            .await;
    }
    let app = TestApp::spawn().await;
    let wati = TestUser::new(9524, "Wati", Some("en"));
    let row = claimed(&app, &wati).await;
    sqlx::query(
        "UPDATE withdrawals SET requested_at = now() - interval '20 minutes', lease_until = NULL WHERE id = $1",
    )
    .bind(row.id)
    .execute(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(resolve(&app, &gateway.uri()).await, 1, "settled although 500 pages exist");
    assert_eq!(status_of(&app, row.id).await, "refused", "not among the withdrawals since the request");
    let pages: Vec<String> = gateway
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.url.query_pairs().find(|(k, _)| k == "page").map(|(_, v)| v.into_owned()))
        .collect();
    assert_eq!(pages, ["1", "2"], "read only as far back as the request");
}

#[tokio::test]
async fn a_recent_destination_button_of_an_earlier_withdrawal_does_not_bring_its_amount() {
    let (_server, app, wati) = qris_accepting().await;
    let summary = to_summary(&app, &wati, "100rb").await;
    app.tg.press(&wati, &summary, &summary.button("Confirm"));
    app.tg.edit(wati.id).await;
    assert!(app.tg.edit(wati.id).await.text.contains("✅"), "the first withdrawal was made");

    // A second /withdraw of Rp 50,000 offers the destination as a button; it is left.
    app.tg.send_text(&wati, "/withdraw");
    app.tg.message(wati.id).await;
    app.tg.send_text(&wati, "50000");
    let offer = app.tg.message(wati.id).await;
    let stale = offer.button("DANA 081234567890");
    app.tg.send_text(&wati, "/cancel");
    app.tg.message(wati.id).await;

    // A third, of Rp 20,000: the old button names the place, not the amount.
    app.tg.send_text(&wati, "/withdraw");
    app.tg.message(wati.id).await;
    app.tg.send_text(&wati, "20000");
    app.tg.message(wati.id).await;
    app.tg.press(&wati, &offer, &stale);
    let summary = app.tg.edit(wati.id).await;
    assert!(summary.text.contains("Amount: <b>Rp 20,000</b>"), "{}", summary.text);
}

#[tokio::test]
async fn confirm_lives_as_long_as_the_dialogue_and_abandoned_drafts_expire_without_sending() {
    let server = qris_gateway().await;
    let (app, wati) = qris_app(&server).await;
    to_summary(&app, &wati, "100rb").await;
    let confirm_lives_past_the_dialogue: bool = sqlx::query_scalar(
        "SELECT expires_at > now() + interval '1 hour' FROM pending_actions WHERE action ? 'WithdrawConfirm'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(!confirm_lives_past_the_dialogue, "Confirm works for the dialogue's 10 minutes, not 24 hours");

    // The summary was left; a later sweep finds it (time moved on).
    sqlx::query("UPDATE withdrawals SET updated_at = now() - interval '1 hour'").execute(&app.db.pool).await.unwrap();
    assert_eq!(withdrawals::expire_abandoned(&app.db.pool, Duration::from_secs(1200)).await.unwrap(), 1);
    let status: String = sqlx::query_scalar("SELECT status FROM withdrawals").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(status, "expired");
    assert_eq!(audit_events(&app).await, ["created", "expired"]);
    assert_eq!(withdraw_requests(&server, "/api/v1/withdraw").await, 0);
}

#[tokio::test]
async fn a_withdrawal_in_doubt_is_settled_with_its_own_accounts_credentials_after_an_unlink_or_a_relink() {
    use merchant_bot::storage::accounts;
    for relink in [false, true] {
        let app = TestApp::spawn().await;
        let wati = TestUser::new(9531, "Wati", Some("en"));
        let row = claimed(&app, &wati).await;
        let account_id = row.account_id.unwrap();
        // The request reached the gateway and the withdrawal was made; the process died.
        let gateway = app.sim_client(&demo_qris());
        let request =
            WithdrawRequest::Dana { amount: row.amount(), number: "081234567890".into(), name: "John Doe".into() };
        let made = gateway.withdraw(&request).await.unwrap();
        expire_lease(&app, row.id).await;
        assert_eq!(withdrawals::sweep_dead_submitting(&app.db.pool).await.unwrap(), 1);

        let key = &app.config.master_key;
        if relink {
            // The same name, now another gateway account.
            let other = Credentials::Qris { api_key: "another-qris-account-key".into() };
            let label = merchant_bot::domain::AccountLabel::parse("kasir").unwrap();
            let new = accounts::replace(&app.db.pool, key, wati.uid(), &label, &other).await.unwrap();
            assert_ne!(new.id, account_id, "the new credentials get a row of their own");
        } else {
            accounts::unlink(&app.db.pool, key, wati.uid(), account_id).await.unwrap();
        }
        let still_linked: Option<i64> = sqlx::query_scalar("SELECT account_id FROM withdrawals WHERE id = $1")
            .bind(row.id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(still_linked, None, "nothing of the old account is done with other credentials");
        assert!(!dump_database(&app.db.pool).await.contains(merchant_bot::simulator::DEMO.qris_api_key));

        assert_eq!(resolve(&app, &app.sim.url).await, 1, "relink={relink}");
        assert_eq!(status_of(&app, row.id).await, "submitted", "relink={relink}");
        let (gateway_id, parked): (Option<String>, bool) =
            sqlx::query_as("SELECT gateway_withdraw_id, settle_credentials IS NOT NULL FROM withdrawals WHERE id = $1")
                .bind(row.id)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(gateway_id, Some(made.id));
        assert!(!parked, "the parked credentials are deleted once it is settled");
    }
}

#[tokio::test]
async fn parked_credentials_move_to_a_new_master_key_with_the_rest() {
    use merchant_bot::{crypto::MasterKey, storage::accounts};
    let app = TestApp::spawn().await;
    let wati = TestUser::new(9532, "Wati", Some("en"));
    let row = claimed(&app, &wati).await;
    let key = &app.config.master_key;
    accounts::unlink(&app.db.pool, key, wati.uid(), row.account_id.unwrap()).await.unwrap();
    let new = MasterKey::parse(&MasterKey::generate()).unwrap();
    accounts::rotate_key(&app.db.pool, key, &new).await.unwrap();
    assert!(
        accounts::parked_credentials(&app.db.pool, key, wati.uid(), row.id).await.is_err(),
        "not under the old key"
    );
    let parked = accounts::parked_credentials(&app.db.pool, &new, wati.uid(), row.id).await.unwrap();
    assert_eq!(parked, Some(demo_qris()));
}
