//! Push notifications: the poller and the sender against the simulator, the fake Bot API
//! and real PostgreSQL, including two notifier processes on one database.

use std::{collections::HashMap, time::Duration};

use merchant_bot::{
    domain::{Amount, events::WatchKind},
    notifier::Notifier,
    storage::{invoices, watches},
    telegram::build_bot,
};
use serde_json::json;

use crate::support::{TestApp, TestUser, demo_bukalapak, demo_qris, eventually, test_app};

async fn fast_app() -> TestApp {
    TestApp::spawn_with(|s| s.notify_poll_interval = Some("200ms".into())).await
}

fn qris_client(app: &TestApp) -> merchant_bot::providers::Gateway {
    app.sim_client(&demo_qris())
}

/// Makes an invoice at the simulator and records it as the bot does (with its watch).
async fn invoice_for(
    app: &TestApp,
    user: &TestUser,
    account_id: merchant_bot::domain::AccountId,
    rupiah: i64,
) -> String {
    let invoice = qris_client(app).create_invoice(Amount::from_rupiah(rupiah).unwrap()).await.unwrap();
    let account = merchant_bot::storage::accounts::get(&app.db.pool, user.uid(), account_id).await.unwrap().unwrap();
    invoices::insert(&app.db.pool, &account, None, &invoice, None, app.config.notify_poll_interval)
        .await
        .unwrap()
        .unwrap();
    invoice.id
}

/// Waits (up to 10 s) until the poller's first look at the mutations watch set its cursor.
async fn first_look_done(app: &TestApp) {
    eventually(|| async {
        app.wake_notifier();
        let state: Option<String> = sqlx::query_scalar("SELECT last_state FROM watches WHERE kind = 'mutations'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        state.map(|_| ()).ok_or("the poller never looked at the mutations watch")
    })
    .await
}

/// Waits (waking the notifier and looking every few milliseconds, up to 10 s) until it has nothing
/// left that could send anything: no invoice watched, every notification sent, every
/// card of an ended invoice brought up to date. After that, silence is a fact, not a wait.
pub async fn settled(app: &TestApp) {
    eventually(|| async {
        // A new watch is first checked one poll interval after it was written: that
        // much time passes, as the stored times show it (no test waits for real).
        watches_due_now(app).await;
        app.wake_notifier();
        let busy: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM watches WHERE kind = 'invoice')
                  + (SELECT count(*) FROM notification_outbox WHERE sent_at IS NULL AND failed_at IS NULL)
                  + (SELECT count(*) FROM invoice_cards c JOIN invoices i ON i.id = c.invoice_id
                     WHERE c.shown_status = 'pending' AND i.status <> 'pending')",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        if busy == 0 { Ok(()) } else { Err(format!("the notifier never settled ({busy} left)")) }
    })
    .await
}

#[tokio::test]
async fn a_new_invoice_is_first_asked_about_one_poll_interval_after_it_is_made() {
    // An invoice just made is still pending at the gateway: asking at once would be a
    // call (and two writes) for nothing. The first check comes one interval (30 s) later
    // — when the check at once would have been followed by the first useful one.
    let app = TestApp::spawn().await;
    let ann = TestUser::new(9681, "Ann", Some("en"));
    app.link(&ann, "kasir", demo_qris()).await;
    app.tg.send_text(&ann, "/deposit 25000");
    let photo = app.tg.message(ann.id).await;
    let id = crate::support::invoice_id(&photo);
    let due_in: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM next_check_at - now())::float8 FROM watches WHERE gateway_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!((25.0..=30.0).contains(&due_in), "first check in {due_in} s");
    let bot = crate::support::test_app(app.db.pool.clone(), app.config.clone());
    assert_eq!(merchant_bot::notifier::poller::round(&bot).await.unwrap(), 0, "nothing is due: no call");
    // Paid meanwhile; when the interval has passed, the first check finds it.
    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    watches_due_now(&app).await;
    app.wake_notifier();
    let paid = app.tg.message(ann.id).await;
    assert!(paid.text.contains("paid") && paid.text.contains(&id), "{}", paid.text);
}

/// Makes every watch due now, as if its next check's time had come.
pub async fn watches_due_now(app: &TestApp) {
    sqlx::query("UPDATE watches SET next_check_at = now() WHERE next_check_at > now()")
        .execute(&app.db.pool)
        .await
        .unwrap();
}

async fn outbox_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM notification_outbox").fetch_one(&app.db.pool).await.unwrap()
}

#[tokio::test]
async fn a_paid_invoice_is_notified_once_replying_to_the_invoice_and_an_expired_one_says_so() {
    let app = fast_app().await;
    let ann = TestUser::new(9601, "Ann", Some("en"));
    app.link(&ann, "kasir", demo_qris()).await;
    app.tg.send_text(&ann, "/deposit 25000");
    let photo = app.tg.message(ann.id).await;
    let id = crate::support::invoice_id(&photo);
    app.card_recorded(ann.id, photo.message_id).await;
    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    let paid = app.tg.message(ann.id).await;
    assert!(paid.text.contains("is <b>paid</b>: Rp 25,000 received"), "{}", paid.text);
    assert_eq!(paid.call.params["reply_parameters"]["message_id"], photo.message_id, "it quotes the invoice");
    let status: String = sqlx::query_scalar("SELECT status FROM invoices").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(status, "paid");
    // The card itself marks itself paid (pay_links.rs has the rest of that).
    let card = app.tg.edit(ann.id).await;
    assert_eq!((card.method.as_str(), card.message_id), ("editMessageMedia", photo.message_id));

    let account_id: merchant_bot::domain::AccountId =
        sqlx::query_scalar("SELECT id FROM linked_accounts").fetch_one(&app.db.pool).await.unwrap();
    let other = invoice_for(&app, &ann, account_id, 10_000).await;
    app.control(&format!("/_sim/qris/invoices/{other}/expire"), json!({})).await;
    let expired = app.tg.message(ann.id).await;
    assert!(expired.text.contains("expired unpaid") && expired.text.contains(&other), "{}", expired.text);
    settled(&app).await;
    app.tg.assert_silent(ann.id, Duration::from_millis(10)).await;
    assert_eq!(outbox_count(&app).await, 2);
}

#[tokio::test]
async fn two_notifiers_on_one_database_notify_200_changes_exactly_once() {
    let app = fast_app().await;
    let users: Vec<TestUser> = (0..20).map(|i| TestUser::new(9700 + i, "U", Some("en"))).collect();
    let mut ids = Vec::new();
    for user in &users {
        let account_id = app.link(user, "kasir", demo_qris()).await;
        for _ in 0..10 {
            ids.push(invoice_for(&app, user, account_id, 10_000).await);
        }
    }
    // A second process: its own pool and Bot API client, the same database.
    let second_app = test_app(app.db.new_pool().await, app.config.clone());
    let second = Notifier::start(second_app.clone(), build_bot(&second_app.config));
    for id in &ids {
        app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for _ in 0..ids.len() {
        let call = app
            .tg
            .take("a paid notification", |c| {
                c.method == "sendMessage" && c.params["text"].as_str().is_some_and(|t| t.contains("is <b>paid</b>"))
            })
            .await;
        let text = call.params["text"].as_str().unwrap();
        let id = ids.iter().find(|id| text.contains(id.as_str())).expect("names its invoice").clone();
        *seen.entry(id).or_default() += 1;
    }
    settled(&app).await;
    let extra = app.tg.calls().iter().filter(|c| c.method == "sendMessage").count();
    second.shutdown(Duration::from_secs(5)).await;
    assert_eq!(seen.len(), 200);
    assert!(seen.values().all(|n| *n == 1));
    assert_eq!(extra, 200, "no duplicate was sent");
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM notification_outbox WHERE sent_at IS NOT NULL")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(sent, 200);
}

#[tokio::test]
async fn a_change_written_by_a_process_that_died_before_sending_is_sent_once_after_a_restart() {
    let mut app = fast_app().await;
    let budi = TestUser::new(9602, "Budi", Some("id"));
    app.link(&budi, "kasir", demo_qris()).await;
    app.stop().await;
    // What the dead process left: the state recorded, the notification queued and leased.
    let event = json!({"type": "invoice_paid", "label": "kasir", "invoice": "inv-dead-1", "amount": 1_000_000, "total": 1_007_000});
    sqlx::query(
        "INSERT INTO notification_outbox (owner_id, chat_id, state, event, lease_until) VALUES ($1, $1, 'paid', $2, now() + interval '1 second')",
    )
    .bind(budi.id)
    .bind(event)
    .execute(&app.db.pool)
    .await
    .unwrap();
    app.restart().await;
    let message = app.tg.message(budi.id).await;
    assert!(
        message.text.contains("inv-dead-1")
            && message.text.contains("sudah dibayar")
            && message.text.contains("Rp 10.000"),
        "{}",
        message.text
    );
    settled(&app).await;
    app.tg.assert_silent(budi.id, Duration::from_millis(10)).await;
}

#[tokio::test]
async fn a_429_delays_delivery_and_a_403_stops_the_users_watches() {
    let app = fast_app().await;
    let cici = TestUser::new(9603, "Cici", Some("en"));
    let account_id = app.link(&cici, "kasir", demo_qris()).await;
    let first = invoice_for(&app, &cici, account_id, 10_000).await;
    app.tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", Some(1));
    app.control(&format!("/_sim/qris/invoices/{first}/pay"), json!({})).await;
    app.tg.failures_served("sendMessage").await;
    // Held for the second Telegram asked for: not sent again at once...
    app.tg.assert_silent(cici.id, Duration::from_millis(100)).await;
    // ...and delivered once it has passed: the bot's clock for the chat's hold, the
    // outbox's retry time for the database (nobody waits for either).
    app.clock.as_ref().unwrap().advance(Duration::from_secs(1));
    sqlx::query(
        "UPDATE notification_outbox SET next_attempt_at = next_attempt_at - interval '1 second' WHERE sent_at IS NULL",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    app.wake_notifier();
    let message = app.tg.message(cici.id).await;
    assert!(message.text.contains(&first));

    let second = invoice_for(&app, &cici, account_id, 20_000).await;
    let _third = invoice_for(&app, &cici, account_id, 30_000).await;
    app.tg.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", None);
    app.control(&format!("/_sim/qris/invoices/{second}/pay"), json!({})).await;
    let mut blocked = false;
    for _ in 0..50 {
        blocked = sqlx::query_scalar::<_, bool>("SELECT blocked_at IS NOT NULL FROM users WHERE telegram_id = $1")
            .bind(cici.id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        if blocked {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(blocked);
    // Nothing is sent while the bot is blocked, but the watches are kept...
    app.control(&format!("/_sim/qris/invoices/{_third}/pay"), json!({})).await;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM watches WHERE owner_id = $1")
        .bind(cici.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 1, "the unpaid invoice's watch is kept, not polled");
    // ...and resume when the user writes to the bot again.
    app.tg.send_text(&cici, "/start");
    let texts = [app.tg.message(cici.id).await.text, app.tg.message(cici.id).await.text];
    assert!(texts.iter().any(|t| t.starts_with("Hello")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains(&_third) && t.contains("paid")), "{texts:?}");
}

#[tokio::test]
async fn notify_off_queues_nothing_and_unlinking_ends_the_watches() {
    let app = fast_app().await;
    let dedi = TestUser::new(9604, "Dedi", Some("en"));
    let account_id = app.link(&dedi, "kasir", demo_qris()).await;
    app.tg.send_text(&dedi, "/notify");
    let settings = app.tg.message(dedi.id).await;
    assert!(settings.text.contains("🔔 Invoices paid or expired"), "{}", settings.text);
    app.tg.press(&dedi, &settings, &settings.button("Invoices paid or expired: on"));
    let switched = app.tg.edit(dedi.id).await;
    assert!(switched.text.contains("🔕 Invoices paid or expired"), "{}", switched.text);

    let id = invoice_for(&app, &dedi, account_id, 10_000).await;
    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    let mut status = String::new();
    for _ in 0..50 {
        status = sqlx::query_scalar("SELECT status FROM invoices").fetch_one(&app.db.pool).await.unwrap();
        if status == "paid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "paid", "the watch still keeps the records");
    assert_eq!(outbox_count(&app).await, 0, "nothing queued for a kind that is off");

    invoice_for(&app, &dedi, account_id, 20_000).await;
    sqlx::query("DELETE FROM linked_accounts WHERE id = $1").bind(account_id).execute(&app.db.pool).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM watches").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn withdrawals_incoming_money_and_disbursements_are_notified() {
    let app = fast_app().await;
    let eka = TestUser::new(9605, "Eka", Some("en"));
    let qris = app.link(&eka, "kasir", demo_qris()).await;
    let toko = app.link(&eka, "toko", demo_bukalapak()).await;
    let receipt = qris_client(&app)
        .withdraw(&merchant_bot::providers::WithdrawRequest::Dana {
            amount: Amount::from_rupiah(50_000).unwrap(),
            number: "081234567890".into(),
            name: "Eka".into(),
        })
        .await
        .unwrap();
    watches::watch(&app.db.pool, eka.uid(), qris, WatchKind::QrisWithdrawal, &receipt.id, None).await.unwrap();
    watches::watch(&app.db.pool, eka.uid(), toko, WatchKind::Mutations, "credits", None).await.unwrap();
    // The first look sets the mutation cursor: wait for it, however busy the machine.
    first_look_done(&app).await;
    app.control(
        &format!("/_sim/qris/withdrawals/{}/reject", receipt.id),
        json!({"admin_note": "Nomor tidak terdaftar"}),
    )
    .await;
    app.control("/_sim/bukalapak/mutations", json!({"amount": 75000, "action": "remit"})).await;
    let mut texts = vec![app.tg.message(eka.id).await.text, app.tg.message(eka.id).await.text];
    texts.sort();
    assert!(
        texts.iter().any(|t| t.contains("Rp 75,000</b> came in to toko") && t.contains("Balance: Rp 1,325,000")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("❌ rejected") && t.contains("Nomor tidak terdaftar")), "{texts:?}");
}

#[tokio::test]
async fn a_notification_telegram_refuses_as_built_is_logged_with_its_key_and_not_retried() {
    let app = fast_app().await;
    crate::support::logs::captured();
    let ann = TestUser::new(9651, "Ann", Some("en"));
    let account_id = app.link(&ann, "kasir", demo_qris()).await;
    let id = invoice_for(&app, &ann, account_id, 15_000).await;
    app.tg.fail_next("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag \"x\"", None);
    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    eventually(|| async {
        let failed: Option<bool> = sqlx::query_scalar("SELECT failed_at IS NOT NULL FROM notification_outbox")
            .fetch_optional(&app.db.pool)
            .await
            .unwrap();
        (failed == Some(true)).then_some(()).ok_or("the refused notification is given up at once, not retried")
    })
    .await;
    let logs = crate::support::logs::captured();
    let line = logs.lines().find(|l| l.contains("Telegram refused a notification the bot built")).expect("logged");
    assert!(line.contains("notify-invoice-paid") && line.contains("Unsupported start tag"), "{line}");
}

#[tokio::test]
async fn a_notification_is_marked_sent_only_by_the_sender_that_holds_its_lease() {
    use merchant_bot::{notifier::events::Event, storage::outbox};
    let mut app = TestApp::spawn_with(|s| s.notify_poll_interval = Some("1h".into())).await;
    let ann = TestUser::new(9661, "Ann", Some("en"));
    app.link(&ann, "kasir", demo_qris()).await;
    app.stop().await; // only this test touches the outbox
    let event = Event::CredentialsRejected { label: "kasir".into() };
    sqlx::query("INSERT INTO notification_outbox (owner_id, chat_id, state, event) VALUES ($1, $1, 'x', $2)")
        .bind(ann.id)
        .bind(sqlx::types::Json(&event))
        .execute(&app.db.pool)
        .await
        .unwrap();
    let lease = Duration::from_secs(120);
    let first = outbox::claim(&app.db.pool, 10, lease).await.unwrap().remove(0);
    // The first sender's lease runs out while Telegram holds its request; a second
    // sender claims the notification.
    sqlx::query("UPDATE notification_outbox SET lease_until = now() - interval '1 second'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let second = outbox::claim(&app.db.pool, 10, lease).await.unwrap().remove(0);
    assert_eq!(first.id, second.id);
    assert!(outbox::renew(&app.db.pool, first.id, first.lease_until, lease).await.unwrap().is_none());
    assert!(!outbox::mark_sent(&app.db.pool, first.id, first.lease_until).await.unwrap(), "the first lost it");
    let token = outbox::renew(&app.db.pool, second.id, second.lease_until, lease).await.unwrap().expect("held");
    assert!(outbox::mark_sent(&app.db.pool, second.id, token).await.unwrap());
}

#[tokio::test]
async fn more_than_a_page_of_incoming_money_between_looks_is_all_notified() {
    let app = fast_app().await;
    let eka = TestUser::new(9662, "Eka", Some("en"));
    let toko = app.link(&eka, "toko", demo_bukalapak()).await;
    watches::watch(&app.db.pool, eka.uid(), toko, WatchKind::Mutations, "credits", None).await.unwrap();
    // Wait for the first look, which only sets the cursor.
    first_look_done(&app).await;
    for i in 1..=25 {
        app.control("/_sim/bukalapak/mutations", json!({"amount": 1000 * i, "action": "remit"})).await;
    }
    let mut seen = Vec::new();
    for _ in 0..25 {
        seen.push(app.tg.message(eka.id).await.text);
    }
    for i in [1, 5, 25] {
        let amount = format!("Rp {},000</b> came in", i);
        assert!(seen.iter().any(|t| t.contains(&amount)), "{amount} among {seen:?}");
    }
}

#[tokio::test]
async fn a_bukalapak_withdrawal_that_is_transferred_is_recorded_as_paid_out() {
    use merchant_bot::{providers::Destination, secret::Secret, simulator::DEMO, storage::withdrawals};
    let app = fast_app().await;
    let eka = TestUser::new(9663, "Eka", Some("en"));
    let toko = app.link(&eka, "toko", demo_bukalapak()).await;
    let gateway = app.sim_client(&demo_bukalapak());
    let amount = Amount::from_rupiah(25_000).unwrap();
    let bank = DEMO.bukalapak_bank_account_id.to_owned();
    let destination = Destination::BankAccount { id: bank.clone() };
    let row = withdrawals::create_draft(&app.db.pool, eka.uid(), toko, "toko", "bukalapak", amount, &destination)
        .await
        .unwrap()
        .expect("the account is linked");
    withdrawals::confirm(&app.db.pool, eka.uid(), &row).await.unwrap().unwrap();
    let row = withdrawals::claim_for_submit(&app.db.pool, eka.uid(), row.id, app.config.submit_lease())
        .await
        .unwrap()
        .unwrap();
    let request = merchant_bot::providers::WithdrawRequest::Bank {
        amount,
        bank_account_id: bank,
        password: Secret::new(DEMO.bukalapak_password.to_owned()),
    };
    let receipt = gateway.withdraw(&request).await.unwrap();
    assert!(
        withdrawals::record_submitted(&app.db.pool, &row, &receipt.id, None, None, app.config.notify_poll_interval)
            .await
            .unwrap()
    );
    app.control(&format!("/_sim/bukalapak/withdrawals/{}/state", receipt.id), json!({"state": "transferred"})).await;
    let changed = app.tg.message(eka.id).await;
    assert!(changed.text.contains(&receipt.id), "{}", changed.text);
    let mut status = String::new();
    for _ in 0..100 {
        status = sqlx::query_scalar("SELECT status FROM withdrawals WHERE id = $1")
            .bind(row.id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        if status != "submitted" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "success");
}

#[tokio::test]
async fn the_paid_notification_of_an_invoice_made_in_a_group_does_not_quote_a_group_message() {
    use crate::support::GROUP_ID;
    let app = fast_app().await;
    let ann = TestUser::new(9664, "Ann", Some("en"));
    app.link(&ann, "kasir", demo_qris()).await;
    app.tg.send_text_in(GROUP_ID, &ann, "/group on");
    app.tg.message(GROUP_ID).await;
    app.tg.send_text_in(GROUP_ID, &ann, "/deposit 25000");
    let card = app.tg.message(GROUP_ID).await;
    let id = crate::support::invoice_id(&card);
    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    let paid = app.tg.message(ann.id).await;
    assert!(paid.text.contains("paid"), "{}", paid.text);
    assert!(
        paid.call.params.get("reply_parameters").is_none(),
        "the card's message id belongs to the group: {}",
        paid.call.params
    );
}

#[tokio::test]
async fn with_paid_broadcast_on_notifications_are_sent_as_paid_broadcasts_and_replies_are_not() {
    let app = TestApp::spawn_with(|s| {
        s.notify_poll_interval = Some("200ms".into());
        s.telegram_paid_broadcast = Some("true".into());
        s.telegram_rate_limit = Some("500".into());
    })
    .await;
    let dewi = TestUser::new(9641, "Dewi", Some("en"));
    app.link(&dewi, "kasir", demo_qris()).await;
    app.tg.send_text(&dewi, "/deposit 15000");
    let card = app.tg.message(dewi.id).await;
    assert_eq!(card.call.params.get("allow_paid_broadcast"), None, "a reply is not a broadcast");
    let id = crate::support::invoice_id(&card);
    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    let paid = app.tg.message(dewi.id).await;
    assert!(paid.text.contains("paid"), "{}", paid.text);
    assert_eq!(paid.call.params["allow_paid_broadcast"], true);
}

#[tokio::test]
async fn a_gateway_with_no_place_free_is_asked_nothing_more_that_round_and_its_watches_keep_their_schedule() {
    use merchant_bot::{app::App, domain::AccountLabel, providers::HttpOptions, storage::accounts};

    use crate::support::{FakeTelegram, TestDb, settings, test_http, test_limits};

    // Five merchants' invoices watched on one gateway, and no place free for a call to it
    // (as when the bot already has as many calls waiting on it as it allows). The call is
    // held back before it is sent, so the gateway's address is never reached.
    let tg = FakeTelegram::start().await;
    let db = TestDb::new().await;
    let mut s = settings(&tg, &db);
    s.qris_api_url = Some("http://127.0.0.1:9".into());
    s.notify_poll_interval = Some("30s".into());
    let config = s.config().expect("valid settings");
    let app = App::with_http(db.pool.clone(), config, HttpOptions { per_gateway: 0, ..test_http() })
        .with_limits(test_limits());
    let label = AccountLabel::parse("kasir").unwrap();
    for owner in 1..=5 {
        let owner = merchant_bot::domain::TelegramUserId::new(owner);
        merchant_bot::storage::users::touch(&db.pool, owner, None).await.unwrap();
        let account = accounts::insert(&db.pool, app.key(), owner, &label, &demo_qris()).await.unwrap();
        watches::watch(&db.pool, owner, account.id, WatchKind::Invoice, &format!("INV-{}", owner.get()), None)
            .await
            .unwrap();
    }

    // What the bot's /metrics says of calls to that endpoint held back (this test is the
    // only one that watches invoices with no place free).
    let held_back = || {
        let wanted =
            r#"merchant_bot_gateway_seconds_count{provider="qris",endpoint="/api/v1/invoice/status",outcome="busy"}"#;
        merchant_bot::metrics::render(None)
            .lines()
            .find_map(|l| l.strip_prefix(wanted).map(|n| n.trim().parse::<u64>().unwrap()))
            .unwrap_or(0)
    };
    let before = held_back();
    assert_eq!(merchant_bot::notifier::poller::round(&app).await.unwrap(), 5, "all five were due");
    assert_eq!(held_back() - before, 1, "the gateway was asked once in the round, not once per watch");
    let rows: Vec<(i32, bool, f64)> = sqlx::query_as(
        "SELECT attempts, lease_until IS NULL, extract(epoch FROM next_check_at - now())::float8 FROM watches",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 5);
    for (attempts, released, due_in) in rows {
        // Not a failure of the gateway or the account: no attempt counted, no back-off
        // (which would have put the next check at twice the interval or later).
        assert_eq!(attempts, 0, "nothing was sent, so nothing failed");
        assert!(released, "the watch is free for the next round, this process's or another's");
        assert!((25.0..=30.0).contains(&due_in), "due again after the regular interval, not later: {due_in} s");
    }
}
