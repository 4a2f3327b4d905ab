//! The merchant's books: `/report`'s sums against a seeded history (several accounts,
//! days, the hours around midnight WIB), its chart, `/export`'s CSV parsed back, and the
//! daily summary with a controlled clock across two notifier instances.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use merchant_bot::{
    domain::TelegramUserId,
    i18n::Lang,
    notifier::events::Event,
    providers::{Destination, json::jakarta},
    reports::{self, Period, Tally, daily},
    storage::{self, reports::InvoiceDay},
};
use sqlx::PgPool;

use crate::support::{TestApp, TestDb, TestUser};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// `hour` o'clock WIB on `day`.
fn wib(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    jakarta().from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap()).unwrap().with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn invoice(pool: &PgPool, owner: i64, label: &str, status: &str, amount: i64, fee: i64, settled: DateTime<Utc>) {
    let id = format!("inv-{owner}-{}", settled.timestamp_millis() + amount);
    sqlx::query(
        "INSERT INTO invoices (owner_id, account_label, gateway_invoice_id, amount, fee, total, status, created_at, settled_at)
         VALUES ($1, $2, $3, $4, $5, $4 + $5, $6, $7 - interval '10 minutes', CASE WHEN $6 = 'pending' THEN NULL ELSE $7 END)",
    )
    .bind(owner)
    .bind(label)
    .bind(id)
    .bind(amount)
    .bind(fee)
    .bind(status)
    .bind(settled)
    .execute(pool)
    .await
    .unwrap();
}

async fn withdrawal(pool: &PgPool, owner: i64, label: &str, status: &str, amount: i64, requested: DateTime<Utc>) {
    let destination = Destination::Dana { number: "081234567890".into(), name: "Budi, Santoso".into() };
    sqlx::query(
        "INSERT INTO withdrawals (owner_id, provider, amount, destination, status, fee, account_label, requested_at, created_at)
         VALUES ($1, 'qris', $2, $3, $4, 1000, $5, $6, $6 - interval '1 minute')",
    )
    .bind(owner)
    .bind(amount)
    .bind(sqlx::types::Json(destination))
    .bind(status)
    .bind(label)
    .bind(requested)
    .execute(pool)
    .await
    .unwrap();
}

async fn user(pool: &PgPool, id: i64) {
    storage::users::touch(pool, TelegramUserId::new(id), Some("en")).await.unwrap();
}

async fn books(pool: &PgPool, owner: i64, period: Period) -> reports::Report {
    let invoices =
        storage::reports::invoices(pool, TelegramUserId::new(owner), InvoiceDay::Settled, period.start(), period.end())
            .await
            .unwrap();
    let withdrawals =
        storage::reports::withdrawals_requested(pool, TelegramUserId::new(owner), period.start(), period.end())
            .await
            .unwrap();
    reports::summarize(period, &invoices, &withdrawals)
}

#[tokio::test]
async fn the_books_of_a_seeded_history_add_up_per_account_and_day_in_wib() {
    let db = TestDb::new().await;
    let pool = &db.pool;
    let (owner, other) = (7001, 7002);
    user(pool, owner).await;
    user(pool, other).await;
    // One second before and at midnight WIB between 30 Nov and 1 Dec.
    invoice(pool, owner, "kasir", "paid", 100_000, 700, at("2026-11-30T16:59:59Z")).await;
    invoice(pool, owner, "kasir", "paid", 50_000, 350, at("2026-11-30T17:00:00Z")).await;
    invoice(pool, owner, "toko", "paid", 25_000, 175, at("2026-12-01T05:00:00Z")).await;
    invoice(pool, owner, "kasir", "expired", 10_000, 70, at("2026-12-01T06:00:00Z")).await;
    invoice(pool, owner, "toko", "cancelled", 20_000, 140, at("2026-12-02T01:00:00Z")).await;
    invoice(pool, owner, "kasir", "pending", 99_000, 693, at("2026-12-01T07:00:00Z")).await;
    invoice(pool, other, "kasir", "paid", 777_000, 5_439, at("2026-12-01T07:00:00Z")).await;
    withdrawal(pool, owner, "kasir", "success", 60_000, at("2026-12-01T10:00:00Z")).await;
    withdrawal(pool, owner, "toko", "rejected", 30_000, at("2026-12-02T02:00:00Z")).await;
    withdrawal(pool, owner, "kasir", "unknown", 5_000, at("2026-12-01T16:59:00Z")).await;
    withdrawal(pool, owner, "kasir", "refused", 9_000, at("2026-12-01T11:00:00Z")).await;
    withdrawal(pool, owner, "kasir", "success", 70_000, at("2026-12-02T17:00:00Z")).await;

    let two_days = books(pool, owner, Period { from: date(2026, 12, 1), to: date(2026, 12, 2) }).await;
    let kasir = &two_days.accounts.iter().find(|(l, _)| l == "kasir").unwrap().1;
    let toko = &two_days.accounts.iter().find(|(l, _)| l == "toko").unwrap().1;
    assert_eq!(kasir.paid, Tally { count: 1, sum: 50_000, fees: 350 }, "the one at 00:00 WIB on 1 Dec");
    assert_eq!((kasir.expired, kasir.cancelled), (1, 0));
    assert_eq!(kasir.withdrawn, Tally { count: 1, sum: 60_000, fees: 1_000 }, "refused ones were not made");
    assert_eq!(kasir.in_doubt, 1);
    assert_eq!(toko.paid, Tally { count: 1, sum: 25_000, fees: 175 });
    assert_eq!((toko.cancelled, toko.rejected), (1, 1));
    let t = &two_days.total;
    assert_eq!(t.paid, Tally { count: 2, sum: 75_000, fees: 525 });
    assert_eq!((t.expired, t.cancelled, t.rejected, t.in_doubt), (1, 1, 1, 1));
    assert_eq!(t.withdrawn.sum, 60_000, "3 Dec 00:00 WIB is outside");
    assert_eq!(two_days.buckets, vec![75_000, 0]);

    let last_day_of_november = books(pool, owner, Period::day(date(2026, 11, 30))).await;
    assert_eq!(last_day_of_november.total.paid.sum, 100_000, "23:59:59 WIB on 30 Nov");
    assert_eq!(last_day_of_november.buckets[23], 100_000);
    let first_of_december = books(pool, owner, Period::day(date(2026, 12, 1))).await;
    assert_eq!(first_of_december.buckets.len(), 24, "one day: per hour");
    assert_eq!((first_of_december.buckets[0], first_of_december.buckets[12]), (50_000, 25_000));
    assert_eq!(first_of_december.buckets.iter().sum::<i64>(), 75_000);
}

/// Today's date and an hour of it in WIB, as the bot sees "now".
fn today() -> NaiveDate {
    reports::today(Utc::now())
}

#[tokio::test]
async fn report_shows_a_chart_and_the_sums_per_account() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(7011, "Ann", Some("en"));
    user(&app.db.pool, ann.id).await;
    let yesterday = today() - Duration::days(1);
    invoice(&app.db.pool, ann.id, "kasir", "paid", 100_000, 700, wib(yesterday, 10)).await;
    invoice(&app.db.pool, ann.id, "toko", "paid", 40_000, 280, wib(today(), 1)).await;
    withdrawal(&app.db.pool, ann.id, "kasir", "success", 60_000, wib(yesterday, 11)).await;

    app.tg.send_text(&ann, "/report week");
    let chart = app.tg.message(ann.id).await;
    assert_eq!(chart.call.method, "sendPhoto");
    assert!(chart.text.starts_with("📊 Sales,"), "{}", chart.text);
    let png = chart.call.files.get("photo").expect("the chart is uploaded");
    let img = image::load_from_memory(png).unwrap().to_luma8();
    assert_eq!((img.width(), img.height()), (reports::chart::WIDTH, reports::chart::HEIGHT));
    // Seven bars: the last two (yesterday, today) stand, the others do not.
    let stands = |i: usize| {
        let (x0, x1) = reports::chart::bar_span(i, 7);
        img.get_pixel((x0 + x1) / 2, reports::chart::BASELINE - 3).0[0] < 100
    };
    assert_eq!((0..7).map(stands).collect::<Vec<_>>(), [false, false, false, false, false, true, true]);

    let text = app.tg.message(ann.id).await.text;
    assert!(text.contains("<b>kasir</b>") && text.contains("<b>toko</b>") && text.contains("<b>Total</b>"), "{text}");
    assert!(text.contains("Paid invoices: 2, Rp 140,000 received (customers' fees Rp 980)"), "{text}");
    assert!(text.contains("Withdrawn: 1, Rp 60,000 (fees Rp 1,000)"), "{text}");
    assert!(text.contains("what this bot recorded"), "the report says where its figures come from: {text}");

    app.tg.send_text(&ann, "/report kapan-kapan");
    assert!(app.tg.message(ann.id).await.text.contains("That is not a period"));
    app.tg.send_text(&ann, "/report 1/1/2020..1/1/2026");
    assert!(app.tg.message(ann.id).await.text.contains("at most 366 days"));
    // A period with nothing: no chart, a plain answer.
    app.tg.send_text(&ann, "/report 1/1/2026");
    let nothing = app.tg.message(ann.id).await;
    assert_eq!(nothing.call.method, "sendMessage");
    assert!(nothing.text.contains("Nothing was paid or withdrawn"), "{}", nothing.text);
}

#[tokio::test]
async fn export_sends_a_csv_that_reads_back() {
    let app = TestApp::spawn().await;
    let budi = TestUser::new(7021, "Budi", Some("id"));
    user(&app.db.pool, budi.id).await;
    let yesterday = today() - Duration::days(1);
    invoice(&app.db.pool, budi.id, "kasir", "paid", 100_000, 700, wib(yesterday, 10)).await;
    invoice(&app.db.pool, budi.id, "kasir", "expired", 15_000, 105, wib(today(), 1)).await;
    withdrawal(&app.db.pool, budi.id, "kasir", "success", 60_000, wib(yesterday, 11)).await;

    app.tg.send_text(&budi, "/export invoices minggu");
    let doc = app.tg.message(budi.id).await;
    assert_eq!(doc.call.method, "sendDocument");
    assert!(doc.text.contains("2 baris"), "{}", doc.text);
    let bytes = doc.call.files.get("document").expect("a file");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with a byte order mark");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let rows: Vec<Vec<&str>> = text.split_terminator("\r\n").map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0], reports::csv::INVOICE_HEADER);
    assert_eq!(rows.len(), 3, "{text}");
    let paid = &rows[1];
    assert_eq!((paid[2], paid[3], paid[4], paid[5], paid[6]), ("kasir", "paid", "100000", "700", "100700"));
    let settled = format!("{}T10:00:00+07:00", yesterday.format("%Y-%m-%d"));
    assert_eq!(paid[7], settled, "ISO times in WIB");
    assert_eq!(rows[2][3], "expired");

    app.tg.send_text(&budi, "/export withdrawals minggu");
    let doc = app.tg.message(budi.id).await;
    let text = String::from_utf8(doc.call.files["document"][3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines[0], reports::csv::WITHDRAWAL_HEADER.join(","));
    assert!(lines[1].ends_with(",kasir,success,60000,1000,\"DANA 081234567890 Budi, Santoso\""), "{}", lines[1]);

    app.tg.send_text(&budi, "/export withdrawals 1/1/2026");
    assert!(app.tg.message(budi.id).await.text.contains("Tidak ada penarikan"));
    app.tg.send_text(&budi, "/export");
    assert!(app.tg.message(budi.id).await.text.contains("/export invoices"));
}

async fn outbox_rows(pool: &PgPool, owner: i64) -> Vec<(String, sqlx::types::Json<Event>)> {
    sqlx::query_as("SELECT state, event FROM notification_outbox WHERE owner_id = $1 ORDER BY id")
        .bind(owner)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_daily_summary_comes_once_a_day_at_the_chosen_hour_across_two_notifiers() {
    let db = TestDb::new().await;
    let pool = &db.pool;
    let other_pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let (eka, quiet) = (7031, 7032);
    user(pool, eka).await;
    user(pool, quiet).await;
    daily::set_hour(pool, TelegramUserId::new(eka), Some(20)).await.unwrap();
    let day = date(2026, 11, 10);
    invoice(pool, eka, "kasir", "paid", 100_000, 700, wib(day, 10)).await;

    assert_eq!(daily::queue_due(pool, wib(day, 20) - Duration::seconds(1)).await.unwrap(), 0, "19:59:59 WIB");
    // Two notifier instances look at 20:00 WIB at the same moment.
    let (a, b) = tokio::join!(daily::queue_due(pool, wib(day, 20)), daily::queue_due(&other_pool, wib(day, 20)));
    assert_eq!(a.unwrap() + b.unwrap(), 1, "exactly one of them queues it");
    assert_eq!(daily::queue_due(pool, wib(day, 22)).await.unwrap(), 0, "later the same day: already done");
    let rows = outbox_rows(pool, eka).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "daily:2026-11-10");
    let text = rows[0].1.0.text(Lang::En);
    assert!(text.contains("Today, 10 Nov 2026") && text.contains("Paid invoices: 1, Rp 100,000"), "{text}");

    // The next day has nothing: no message, unless quiet days are asked for.
    assert_eq!(daily::queue_due(pool, wib(day + Duration::days(1), 21)).await.unwrap(), 0);
    daily::toggle_quiet_days(pool, TelegramUserId::new(eka)).await.unwrap();
    assert_eq!(daily::queue_due(pool, wib(day + Duration::days(2), 20)).await.unwrap(), 1);
    assert_eq!(outbox_rows(pool, eka).await.len(), 2);
    // A user who did not ask gets nothing, however active.
    invoice(pool, quiet, "kasir", "paid", 5_000, 35, wib(day, 9)).await;
    assert!(outbox_rows(pool, quiet).await.is_empty());
}

#[tokio::test]
async fn the_daily_summary_is_chosen_in_notify_and_delivered() {
    let app = TestApp::spawn().await;
    let wati = TestUser::new(7041, "Wati", Some("en"));
    app.tg.send_text(&wati, "/notify");
    let settings = app.tg.message(wati.id).await;
    assert!(settings.text.contains("🔕 Daily summary"), "{}", settings.text);
    app.tg.press(&wati, &settings, &settings.button("Daily summary: off"));
    let menu = app.tg.edit(wati.id).await;
    app.tg.press(&wati, &menu, &menu.button("20:00"));
    let chosen = app.tg.edit(wati.id).await;
    assert!(chosen.text.contains("🔔 Daily summary"), "{}", chosen.text);
    assert!(chosen.buttons.iter().flatten().any(|(t, _)| t == "Daily summary: at 20:00 WIB"), "{:?}", chosen.buttons);

    invoice(&app.db.pool, wati.id, "kasir", "paid", 30_000, 210, wib(today(), 0)).await;
    // The notifier's own loop would queue it at 20:00 WIB; the test moves the clock there.
    let evening = wib(today(), 20) + Duration::minutes(1);
    assert_eq!(daily::queue_due(&app.db.pool, evening).await.unwrap(), 1);
    let summary = app.tg.message(wati.id).await;
    assert!(summary.text.contains("📊 <b>Today,") && summary.text.contains("Rp 30,000"), "{}", summary.text);
}

#[tokio::test]
async fn withdrawals_made_outside_the_bot_come_from_the_gateways_history() {
    use merchant_bot::{domain::Credentials, providers::WithdrawRequest};
    let app = TestApp::spawn().await;
    let sari = TestUser::new(7051, "Sari", Some("en"));
    app.link(&sari, "kasir", crate::support::demo_qris()).await;
    app.link(&sari, "rusak", Credentials::Qris { api_key: "a-key-the-gateway-does-not-know".into() }).await;
    let gateway = app.sim_client(&crate::support::demo_qris());
    let dana = |amount: i64| WithdrawRequest::Dana {
        amount: merchant_bot::domain::Amount::from_rupiah(amount).unwrap(),
        number: "081234567890".into(),
        name: "Sari".into(),
    };
    // One sent through the bot (recorded with its gateway id), one made elsewhere.
    let through_bot = gateway.withdraw(&dana(30_000)).await.unwrap();
    gateway.withdraw(&dana(25_000)).await.unwrap();
    withdrawal(&app.db.pool, sari.id, "kasir", "submitted", 30_000, Utc::now()).await;
    sqlx::query("UPDATE withdrawals SET gateway_withdraw_id = $1 WHERE owner_id = $2")
        .bind(&through_bot.id)
        .bind(sari.id)
        .execute(&app.db.pool)
        .await
        .unwrap();

    app.tg.send_text(&sari, "/report");
    let text = app.tg.message(sari.id).await.text;
    assert!(text.contains("Withdrawn: 1, Rp 30,000"), "{text}");
    assert!(text.contains("Withdrawn outside the bot (gateway's history): 1, Rp 25,000 (fees Rp 1,000)"), "{text}");
    assert!(text.contains("the gateway's own history of: kasir."), "{text}");
    assert!(text.contains("The gateway's history of rusak could not be read now"), "{text}");
}
