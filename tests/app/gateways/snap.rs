//! The SNAP gateway against a mocked server: the signed token, its cache, and the three
//! reads in both of their documented shapes.

use std::time::Duration;

use merchant_bot::{
    domain::Credentials,
    providers::{DisbursementStatus, Gateway, GatewayError, VaKind, snap::signature},
};
use serde_json::json;
use wiremock::{
    Match, Mock, MockServer, Request, ResponseTemplate,
    matchers::{body_json, header, method, path, path_regex, query_param},
};

use super::{client_on, fixture, rp};

const PARTNER: &str = "b3ed7d4b-a96c-6c08-b3c7-12c3124242d9";
const SECRET: &str = "snap-client-secret-xyz";
const ACCOUNT: &str = "1001";
const TOKEN_PATH: &str = "/api/v1.0/access-token/b2b";

fn snap(server: &MockServer) -> Gateway {
    snap_on(server, std::sync::Arc::default())
}

/// A client whose token lifetimes run on `clock`.
fn snap_on(server: &MockServer, clock: std::sync::Arc<merchant_bot::clock::Clock>) -> Gateway {
    client_on(
        &server.uri(),
        Credentials::Snap { partner_id: PARTNER.into(), client_secret: SECRET.into(), account_id: ACCOUNT.into() },
        clock,
    )
}

/// Accepts a token request only if its X-SIGNATURE is right for its X-TIMESTAMP.
struct SignedTokenRequest;

impl Match for SignedTokenRequest {
    fn matches(&self, request: &Request) -> bool {
        let h = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (Some(key), Some(ts), Some(sig)) = (h("x-client-key"), h("x-timestamp"), h("x-signature")) else {
            return false;
        };
        key == PARTNER
            && chrono::DateTime::parse_from_rfc3339(&ts).is_ok()
            && ts.ends_with("+07:00")
            && sig == signature(SECRET, PARTNER, &ts)
    }
}

fn token(value: &str, expires_in: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(
        json!({"responseCode": "2007300", "accessToken": value, "tokenType": "Bearer", "expiresIn": expires_in}),
    )
}

async fn mount_token(server: &MockServer, value: &str) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(SignedTokenRequest)
        .and(body_json(json!({"grantType": "client_credentials"})))
        .respond_with(token(value, "900"))
        .mount(server)
        .await;
}

async fn token_requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == TOKEN_PATH).count()
}

fn authorized(bearer: &str) -> impl Fn(wiremock::MockBuilder) -> wiremock::MockBuilder + '_ {
    move |m| {
        m.and(header("x-partner-id", PARTNER))
            .and(header("authorization", format!("Bearer {bearer}").as_str()))
            .and(header("accept", "application/json"))
    }
}

#[tokio::test]
async fn a_disbursement_in_the_documented_nested_shape() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    authorized("tok-1")(Mock::given(method("GET")).and(path(format!("/api/v1.0/disbursements/{ACCOUNT}/4565456565"))))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("snap_disbursement"), "application/json"))
        .mount(&server)
        .await;
    let d = snap(&server).disbursement("4565456565").await.unwrap();
    assert_eq!((d.transaction_id.as_str(), d.status.clone()), ("4565456565", DisbursementStatus::Success));
    assert_eq!((d.amount, d.total, d.balance_after), (rp(11_000), Some(rp(13_000)), Some(rp(11_000))));
    assert_eq!(d.fees.len(), 1);
    assert_eq!((d.fees[0].name.as_deref(), d.fees[0].value), (Some("transfer service fee name"), rp(2_000)));
    let bank = d.bank.unwrap();
    assert_eq!(
        (bank.code.as_deref(), bank.number.as_deref(), bank.name.as_deref()),
        (Some("BRI"), Some("63434554"), Some("John Doe"))
    );
    assert_eq!(d.posted_at.unwrap().timestamp_millis(), 1_714_618_220_440);
    assert_eq!(d.notes.as_deref(), Some("lorem ipsum"));
}

#[tokio::test]
async fn a_disbursement_in_the_flat_shape_with_numbers() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    let flat = json!({"status": 200, "success": true, "data": {
        "transaction_id": 36455454, "status": "pending", "bank_code": "BNI", "bank_account_number": 283434,
        "post_timestamp": 1714618220440_i64, "amount": {"value": 11000.00, "currency": "IDR"},
        "fees": [{"value": 2000, "currency": "IDR"}], "total_amount": {"value": "13000", "currency": "IDR"},
        "source_account": {"account_id": 1001}, "balance_after": {"value": 13000.00, "currency": "IDR"}
    }});
    Mock::given(method("GET"))
        .and(path(format!("/api/v1.0/disbursements/{ACCOUNT}/36455454")))
        .respond_with(ResponseTemplate::new(200).set_body_json(flat))
        .mount(&server)
        .await;
    let d = snap(&server).disbursement("36455454").await.unwrap();
    assert_eq!(
        (d.transaction_id.as_str(), d.status.clone(), d.amount),
        ("36455454", DisbursementStatus::Pending, rp(11_000))
    );
    let bank = d.bank.unwrap();
    assert_eq!((bank.code.as_deref(), bank.number.as_deref()), (Some("BNI"), Some("283434")));
    assert_eq!(d.balance_after, Some(rp(13_000)));
}

#[tokio::test]
async fn sub_accounts_from_the_documents_example_comment_and_all() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    authorized("tok-1")(
        Mock::given(method("GET")).and(path(format!("/api/v1.0/statements/{ACCOUNT}"))).and(query_param("page", "1")),
    )
    .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("snap_statements"), "application/json"))
    .mount(&server)
    .await;
    let page = snap(&server).sub_accounts(1).await.unwrap();
    let s = &page.items[0];
    assert_eq!((s.id.as_str(), s.name.as_str(), s.status.as_str()), ("436546545", "Julian Albertus Pratama", "active"));
    assert_eq!((s.email.as_deref(), s.phone.as_deref()), (Some("julian.pratama@example.com"), Some("62682293427611")));
    assert_eq!((page.page, page.total_pages), (1, Some(1)));
}

#[tokio::test]
async fn virtual_accounts_by_kind() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    authorized("tok-1")(
        Mock::given(method("GET"))
            .and(path(format!("/api/v1.0/virtual-accounts/{ACCOUNT}")))
            .and(query_param("kind", "temporary"))
            .and(query_param("page", "2")),
    )
    .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("snap_virtual_accounts"), "application/json"))
    .mount(&server)
    .await;
    let page = snap(&server).virtual_accounts(VaKind::Temporary, 2).await.unwrap();
    let va = &page.items[0];
    assert_eq!(
        (va.id.as_str(), va.kind, va.status.as_str(), va.number.as_str()),
        ("2374354", VaKind::Temporary, "expired", "465436543564546")
    );
    assert_eq!((va.amount, va.bank_code.as_deref()), (rp(11_000), Some("BRI")));
    assert_eq!(va.created_at.unwrap().timestamp_millis(), 1_714_616_095_080);
}

#[tokio::test]
async fn the_token_is_cached_between_calls() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1").await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1.0/statements/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("snap_statements"), "application/json"))
        .mount(&server)
        .await;
    let g = snap(&server);
    for _ in 0..3 {
        g.sub_accounts(1).await.unwrap();
    }
    assert_eq!(token_requests(&server).await, 1);
}

#[tokio::test]
async fn twenty_concurrent_calls_with_an_expired_token_make_one_token_request() {
    let server = MockServer::start().await;
    // The first token lives 31 s, which the client treats as 1 s (it renews 30 s early).
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token("old", "31"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token("new", "900"))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1.0/statements/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("snap_statements"), "application/json"))
        .mount(&server)
        .await;
    let clock = std::sync::Arc::new(merchant_bot::clock::Clock::default());
    let g = snap_on(&server, clock.clone());
    g.sub_accounts(1).await.unwrap();
    // The token's second passes on the client's clock, nobody waits for it.
    clock.advance(Duration::from_millis(1_100));
    let calls = (0..20).map(|_| {
        let g = g.clone();
        tokio::spawn(async move { g.sub_accounts(1).await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    assert_eq!(token_requests(&server).await, 2, "one at the start, one shared refresh");
    let with_new = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.headers.get("authorization").is_some_and(|v| v == "Bearer new"))
        .count();
    assert_eq!(with_new, 20);
}

#[tokio::test]
async fn a_401_refreshes_once_and_a_second_401_is_credentials_rejected() {
    let server = MockServer::start().await;
    mount_token(&server, "tok").await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(fixture("snap_error_401"), "application/json"))
        .expect(2)
        .mount(&server)
        .await;
    match snap(&server).disbursement("1").await {
        Err(GatewayError::CredentialsRejected { message }) => {
            assert_eq!(message.as_deref(), Some("Unauthorized partner, please sign in"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn a_refused_token_request_is_credentials_rejected() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_raw(fixture("snap_error_401"), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    assert!(matches!(snap(&server).verify().await, Err(GatewayError::CredentialsRejected { .. })));
}

#[tokio::test]
async fn an_unknown_disbursement_is_not_found() {
    let server = MockServer::start().await;
    mount_token(&server, "tok").await;
    let body = json!({"status": 404, "success": false, "error": {"code": 404, "message": "Disbursement not found"}});
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(404).set_body_json(body)).mount(&server).await;
    assert!(matches!(snap(&server).disbursement("999").await, Err(GatewayError::NotFound)));
}
