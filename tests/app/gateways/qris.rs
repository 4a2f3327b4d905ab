//! The QRIS gateway against a mocked server.

use std::time::Duration;

use merchant_bot::{
    domain::Credentials,
    providers::{
        BalanceSource, Destination, Gateway, GatewayError, InvoiceQr, InvoiceStatus, Refusal, WithdrawRequest,
        WithdrawalStatus,
    },
};
use serde_json::Value;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, method, path, query_param, query_param_is_missing},
};

use super::{client, fixture, rp};

const KEY: &str = "qris-secret-api-key-42";

fn qris(server: &MockServer) -> Gateway {
    client(&server.uri(), Credentials::Qris { api_key: KEY.into() })
}

fn json(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json")
}

fn raw(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

#[tokio::test]
async fn balance() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/balance"))
        .and(query_param("apikey", KEY))
        .respond_with(json("qris_balance"))
        .mount(&server)
        .await;
    let b = qris(&server).balance().await.unwrap();
    assert_eq!((b.amount, b.source), (rp(100_000), BalanceSource::Reported));
}

#[tokio::test]
async fn create_and_read_an_invoice() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/invoice/create"))
        .and(query_param("apikey", KEY))
        .and(query_param("amount", "10000"))
        .respond_with(json("qris_invoice_create"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/invoice/status"))
        .and(query_param("apikey", KEY))
        .and(query_param("invoice_id", "64c8d9e..."))
        .respond_with(json("qris_invoice_status"))
        .mount(&server)
        .await;
    let g = qris(&server);
    let created = g.create_invoice(rp(10_000)).await.unwrap();
    assert_eq!(created.id, "64c8d9e...");
    assert_eq!((created.amount, created.fee, created.total), (rp(10_000), rp(123), rp(10_123)));
    assert_eq!(created.status, InvoiceStatus::Pending);
    assert_eq!(created.qr, InvoiceQr::ImageUrl("https://...".into()));
    assert_eq!(created.expires_at.unwrap().to_rfc3339(), "2025-01-01T12:00:00+07:00");

    let read = g.invoice("64c8d9e...").await.unwrap();
    assert_eq!(read.status, InvoiceStatus::Pending);
    assert_eq!(read.created_at.unwrap().to_rfc3339(), "2025-01-01T11:30:00+07:00");
}

#[tokio::test]
async fn the_qris_string_is_preferred_to_the_image() {
    let server = MockServer::start().await;
    let mut body: Value = serde_json::from_str(&fixture("qris_invoice_create")).unwrap();
    body["qris_string"] = "000201010212...6304ABCD".into();
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let invoice = qris(&server).create_invoice(rp(10_000)).await.unwrap();
    assert_eq!(invoice.qr, InvoiceQr::Payload("000201010212...6304ABCD".into()));
}

#[tokio::test]
async fn cancel_a_pending_invoice_and_refuse_a_paid_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/invoice/cancel"))
        .and(query_param("apikey", KEY))
        .and(query_param("invoice_id", "pending-1"))
        .respond_with(json("qris_cancel_ok"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(query_param("invoice_id", "paid-1"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(fixture("qris_cancel_paid"), "application/json"))
        .mount(&server)
        .await;
    let g = qris(&server);
    assert_eq!(g.cancel_invoice("pending-1").await.unwrap(), InvoiceStatus::Expired);
    match g.cancel_invoice("paid-1").await {
        Err(GatewayError::Refused(r)) => assert_eq!(r, vec![Refusal::InvoiceAlreadyPaid]),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_dana_withdrawal_sends_the_documented_json_once() {
    let server = MockServer::start().await;
    let expected: Value = serde_json::from_str(&fixture("qris_withdraw_request")).unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/withdraw"))
        .and(query_param("apikey", KEY))
        .and(body_json(expected))
        .respond_with(json("qris_withdraw_ok"))
        .expect(1)
        .mount(&server)
        .await;
    let request = WithdrawRequest::Dana { amount: rp(100_000), number: "081234567890".into(), name: "John Doe".into() };
    let receipt = qris(&server).withdraw(&request).await.unwrap();
    assert_eq!(receipt.id, "65a1b2c3d4e5f6...");
    assert_eq!(
        (receipt.fee, receipt.total, receipt.new_balance),
        (Some(rp(1_000)), Some(rp(101_000)), Some(rp(899_000)))
    );
    assert_eq!(receipt.status, WithdrawalStatus::Pending);
}

#[tokio::test]
async fn withdrawal_status_and_history() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/withdraw/status"))
        .and(query_param("withdraw_id", "65a1b2c3d4e5f6..."))
        .and(query_param("apikey", KEY))
        .respond_with(json("qris_withdraw_status"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/withdraw/history"))
        .and(query_param("apikey", KEY))
        .and(query_param("page", "1"))
        .and(query_param("limit", "10"))
        .and(query_param("status", "success"))
        .respond_with(json("qris_withdraw_history"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/withdraw/history"))
        .and(query_param_is_missing("status"))
        .respond_with(json("qris_withdraw_history"))
        .mount(&server)
        .await;
    let g = qris(&server);
    let w = g.withdrawal("65a1b2c3d4e5f6...").await.unwrap();
    assert_eq!((w.status.clone(), w.amount, w.total), (WithdrawalStatus::Success, rp(100_000), Some(rp(101_000))));
    assert_eq!(w.destination, Some(Destination::Dana { number: "081234567890".into(), name: "John Doe".into() }));
    assert_eq!(w.admin_note, None);
    assert!(w.processed_at.is_some());
    let page = g.withdrawals(1, 10, Some("success")).await.unwrap();
    assert_eq!((page.items.len(), page.total_pages), (1, Some(1)));
    assert!(!page.has_next(10));
    assert_eq!(g.withdrawals(1, 10, None).await.unwrap().items[0].id, "65a1b2c3...");
}

#[tokio::test]
async fn every_kind_of_bad_answer_is_a_clear_error() {
    let cases: Vec<(ResponseTemplate, &str)> = vec![
        (raw(401, r#"{"error":"API key tidak valid"}"#), "credentials"),
        (raw(200, r#"{"success":false,"message":"Saldo tidak mencukupi"}"#), "refused"),
        (raw(404, r#"{"error":"Invoice tidak ditemukan"}"#), "not found"),
        (
            ResponseTemplate::new(500)
                .set_body_raw("<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html"),
            "unavailable",
        ),
        (raw(429, ""), "unavailable"),
        (raw(200, r#"{"balance": "#), "unexpected"),
        (raw(200, ""), "unexpected"),
        (ResponseTemplate::new(200).set_body_raw("<!DOCTYPE html><p>maintenance</p>", "text/html"), "unexpected"),
        (raw(200, r#"{"balance": "lots"}"#), "unexpected"),
        (raw(200, r#"[1, 2, 3]"#), "unexpected"),
        (raw(200, "{}").set_delay(Duration::from_secs(2)), "timed out"),
    ];
    for (response, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET")).respond_with(response).mount(&server).await;
        let err = qris(&server).balance().await.unwrap_err();
        let kind = match &err {
            GatewayError::CredentialsRejected { .. } => "credentials",
            GatewayError::Refused(r) => {
                assert_eq!(r, &vec![Refusal::Other("Saldo tidak mencukupi".into())]);
                "refused"
            }
            GatewayError::NotFound => "not found",
            GatewayError::Unavailable { .. } => "unavailable",
            GatewayError::Unexpected(_) => "unexpected",
            GatewayError::TimedOut => "timed out",
            GatewayError::Busy => "busy",
            GatewayError::Unsupported => "unsupported",
        };
        assert_eq!(kind, expected, "{err:?}");
    }
}

#[tokio::test]
async fn numbers_as_strings_are_read_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(raw(200, r#"{"balance": "100000.50"}"#)).mount(&server).await;
    assert_eq!(qris(&server).balance().await.unwrap().amount, merchant_bot::domain::Amount::from_sen(10_000_050));
}

#[tokio::test]
async fn invoice_creation_is_sent_once_even_after_a_5xx_or_a_timeout() {
    for answer in [raw(502, "<html>Bad gateway</html>"), json("qris_invoice_create").set_delay(Duration::from_secs(2))]
    {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/api/v1/invoice/create"))
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
        assert!(qris(&server).create_invoice(rp(10_000)).await.is_err());
        // `expect(1)` is checked when the server drops: a second request would be an
        // orphan invoice at the gateway.
    }
}

#[tokio::test]
async fn a_hung_gateway_costs_one_timeout_not_one_per_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/balance"))
        .respond_with(json("qris_balance").set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    assert!(matches!(qris(&server).balance().await, Err(GatewayError::TimedOut)));
}

#[tokio::test]
async fn an_answer_over_1_mb_is_refused_unread() {
    let server = MockServer::start().await;
    let huge = format!("{{\"balance\": 1, \"pad\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    Mock::given(method("GET")).and(path("/api/v1/balance")).respond_with(raw(200, &huge)).mount(&server).await;
    let e = qris(&server).balance().await.unwrap_err();
    assert!(matches!(e, GatewayError::Unavailable { .. }), "{e:?}");
}

#[tokio::test]
async fn an_ambiguous_answer_to_a_withdrawal_is_unknown_never_a_refusal() {
    for body in [r#"{"error": ""}"#, r#"{"error": false}"#, r#"{"error": 0}"#, r#"{"success": true}"#] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/v1/withdraw"))
            .respond_with(raw(200, body))
            .expect(1)
            .mount(&server)
            .await;
        let request = WithdrawRequest::Dana { amount: rp(50_000), number: "081234567890".into(), name: "Ann".into() };
        let e = qris(&server).withdraw(&request).await.unwrap_err();
        assert!(matches!(e, GatewayError::Unexpected(_)), "{body}: {e:?}");
    }
}

fn png_answer() -> ResponseTemplate {
    let png = merchant_bot::qr::image::qr_png("00020101021126", 4).unwrap();
    ResponseTemplate::new(200).set_body_raw(png, "image/png")
}

#[tokio::test]
async fn qris_image_is_fetched_from_the_gateways_own_host_and_nowhere_private() {
    use merchant_bot::providers::FetchError;
    let gateway = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET")).and(path("/img.png")).respond_with(png_answer()).mount(&gateway).await;
    Mock::given(method("GET")).and(path("/img.png")).respond_with(png_answer()).expect(0).mount(&elsewhere).await;
    Mock::given(method("GET"))
        .and(path("/moved.png"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", format!("{}/img.png", elsewhere.uri())))
        .mount(&gateway)
        .await;
    let http = super::http();
    let base: reqwest::Url = gateway.uri().parse().unwrap();
    let fetch = |url: String| {
        let (http, base) = (http.clone(), base.clone());
        async move { http.fetch_image(&url.parse().unwrap(), Some(&base), 1 << 20, Duration::from_secs(2)).await }
    };
    // The host the operator configured for the gateway: fetched as it is.
    assert!(fetch(format!("{}/img.png", gateway.uri())).await.is_ok());
    // Any other host: https only, and never a loopback or private address.
    let other = elsewhere.uri();
    assert!(matches!(fetch(format!("{other}/img.png")).await, Err(FetchError::Refused(_))));
    let port = other.rsplit(':').next().unwrap();
    for url in [
        format!("https://127.0.0.1:{port}/img.png"),
        format!("https://localhost:{port}/img.png"),
        "https://10.0.0.7/img.png".to_owned(),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://[::1]/img.png".to_owned(),
    ] {
        assert_eq!(
            fetch(url.clone()).await,
            Err(FetchError::Refused("the host is not on the public internet")),
            "{url}"
        );
    }
    // A redirect to another host is not followed.
    assert_eq!(fetch(format!("{}/moved.png", gateway.uri())).await, Err(FetchError::Status(302)));
}
