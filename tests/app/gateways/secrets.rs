//! No log line, ours or a library's, carries a credential, a password or a token, even
//! with `RUST_LOG=trace`.

use std::time::Duration;

use merchant_bot::{
    domain::Credentials,
    providers::{VaKind, WithdrawRequest},
};
use serde_json::json;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use super::{client, rp};
use crate::support::{TestApp, TestUser, fake_telegram::BOT_TOKEN, logs};

const API_KEY: &str = "bl-api-key-UNIQUE-7781";
const PASSWORD: &str = "P4ssw0rd-UNIQUE-9921";
const QRIS_KEY: &str = "qris-key-UNIQUE-5512";
const CLIENT_SECRET: &str = "snap-secret-UNIQUE-3307";
const BEARER: &str = "bearer-UNIQUE-6650";

#[tokio::test]
async fn no_secret_reaches_a_log_line() {
    logs::captured();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::path("/api/v1.0/access-token/b2b"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"accessToken": BEARER, "expiresIn": "900"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": "ERROR", "message": "Password tidak valid."})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(500).set_body_string("<html>oops</html>").set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;

    let bukalapak = client(&server.uri(), Credentials::Bukalapak { user_id: "77".into(), api_key: API_KEY.into() });
    let withdraw = WithdrawRequest::Bank { amount: rp(50_000), bank_account_id: "1".into(), password: PASSWORD.into() };
    assert!(bukalapak.withdraw(&withdraw).await.is_err());
    assert!(bukalapak.balance().await.is_err());
    let qris = client(&server.uri(), Credentials::Qris { api_key: QRIS_KEY.into() });
    assert!(qris.balance().await.is_err());
    // A timeout: reqwest's error names the URL, which carries the key.
    let slow = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&slow)
        .await;
    assert!(client(&slow.uri(), Credentials::Qris { api_key: QRIS_KEY.into() }).invoice("x").await.is_err());
    let snap = client(
        &server.uri(),
        Credentials::Snap { partner_id: "p".into(), client_secret: CLIENT_SECRET.into(), account_id: "a".into() },
    );
    assert!(snap.virtual_accounts(VaKind::Permanent, 1).await.is_err());
    // The bot token is in every Bot API URL.
    let app = TestApp::spawn().await;
    let user = TestUser::new(5001, "Ana", None);
    app.tg.send_text(&user, "/start");
    app.tg.message(user.id).await;

    let logs = logs::captured();
    assert!(logs.contains("gateway call"), "the capture works");
    assert!(logs.contains("endpoint=\"/api/v1/balance\""), "the endpoint is logged:\n{logs}");
    // The capture asks for `reqwest::connect=trace` and `hyper_util=trace`: the filter
    // holds the URL-logging libraries at info all the same.
    let below_info = |l: &&str| l.contains(" DEBUG ") || l.contains(" TRACE ");
    let url_loggers: Vec<&str> = logs
        .lines()
        .filter(below_info)
        .filter(|l| ["reqwest::", "hyper::", "hyper_util::", "teloxide_core::"].iter().any(|t| l.contains(t)))
        .collect();
    assert!(url_loggers.is_empty(), "a URL-logging library logged below info:\n{}", url_loggers.join("\n"));
    for secret in [API_KEY, PASSWORD, QRIS_KEY, CLIENT_SECRET, BEARER, BOT_TOKEN, "TEST-token"] {
        let leaks: Vec<&str> = logs.lines().filter(|l| l.contains(secret)).collect();
        assert!(leaks.is_empty(), "{secret} was logged:\n{}", leaks.join("\n"));
    }
}
