//! What an operator sees: /healthz, /metrics, and webhook mode.

use merchant_bot::run::webhook_secret;
use serde_json::{Value, json};

use crate::support::{TestApp, TestUser, fake_telegram::BOT_TOKEN};

#[tokio::test]
async fn healthz_is_200_with_the_database_up_and_503_with_it_down() {
    let app = TestApp::spawn().await;
    let up = reqwest::get(format!("{}/healthz", app.http_url())).await.unwrap();
    assert_eq!(up.status(), 200);
    let body: Value = up.json().await.unwrap();
    assert_eq!((body["status"].as_str(), body["database"].as_str()), (Some("ok"), Some("up")));
    app.db.pool.close().await;
    let down = reqwest::get(format!("{}/healthz", app.http_url())).await.unwrap();
    assert_eq!(down.status(), 503);
    assert_eq!(down.json::<Value>().await.unwrap()["database"], "down");
}

/// The value of one sample line (`name{labels} value`) in Prometheus text.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_move_when_the_bot_works() {
    let app = TestApp::spawn().await;
    let before = reqwest::get(format!("{}/metrics", app.http_url())).await.unwrap().text().await.unwrap();
    let ann = TestUser::new(9801, "Ann", Some("en"));
    app.tg.send_text(&ann, "/start");
    app.tg.message(ann.id).await;
    let after = reqwest::get(format!("{}/metrics", app.http_url())).await.unwrap().text().await.unwrap();
    for line in after.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample line: {line}"));
        assert!(value.parse::<f64>().is_ok(), "not a number in {line}");
        let name_end = series.find('{').unwrap_or(series.len());
        assert!(series[..name_end].chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "bad metric name in {line}");
        if name_end < series.len() {
            assert!(series.ends_with('}'), "unclosed labels in {line}");
        }
    }
    for family in [
        "merchant_bot_updates_total",
        "merchant_bot_handler_seconds",
        "merchant_bot_notifications_sent_total",
        "merchant_bot_outbox_depth",
    ] {
        assert!(after.contains(&format!("# TYPE {family} ")), "{family} is exposed");
    }
    let series = "merchant_bot_updates_total{kind=\"message\"}";
    assert!(sample(&after, series) > sample(&before, series), "the update counter moved");
    let handled = "merchant_bot_handler_seconds_count{handler=\"command\"}";
    assert!(sample(&after, handled) > sample(&before, handled), "the handler histogram moved");
}

#[tokio::test]
async fn webhook_mode_answers_a_posted_update_and_refuses_a_wrong_secret() {
    let app = TestApp::spawn_with(|s| s.webhook_url = Some("https://bot.example.com/telegram/hook".into())).await;
    let registered = app.tg.call("setWebhook").await;
    assert_eq!(registered.params["url"], "https://bot.example.com/telegram/hook");
    let secret = webhook_secret(BOT_TOKEN);
    assert_eq!(registered.params["secret_token"], secret.as_str());

    let update = |id: i64, text: &str| {
        json!({"update_id": id, "message": {"message_id": id, "date": 0, "chat": {"id": 9802, "type": "private", "first_name": "Budi"},
            "from": {"id": 9802, "is_bot": false, "first_name": "Budi", "language_code": "id"}, "text": text}})
    };
    let client = reqwest::Client::new();
    let hook = format!("{}/telegram/hook", app.http_url());
    let refused = client
        .post(&hook)
        .header("X-Telegram-Bot-Api-Secret-Token", "wrong")
        .json(&update(1, "/help"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let missing = client.post(&hook).json(&update(2, "/help")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let accepted = client
        .post(&hook)
        .header("X-Telegram-Bot-Api-Secret-Token", &secret)
        .json(&update(3, "/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    // Telegram's request is answered only after the update was handled: the reply is
    // already out when the 200 arrives (a process dying mid-update leaves it unanswered,
    // and Telegram delivers it again).
    let replied = app.tg.calls().iter().any(|c| c.method == "sendMessage" && c.chat_id() == Some(9802));
    assert!(replied, "the update was handled before its webhook request was answered");
    let reply = app.tg.message(9802).await;
    assert!(reply.text.starts_with("Halo, <b>Budi</b>"), "{}", reply.text);
    // The refused requests were answered 401 before anything was dispatched: one reply.
    let replies = app.tg.calls().iter().filter(|c| c.method == "sendMessage" && c.chat_id() == Some(9802)).count();
    assert_eq!(replies, 1);
    assert_eq!(app.tg.polls(), 0, "no long polling in webhook mode");
}
