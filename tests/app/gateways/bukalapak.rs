//! Bukalapak Dompet against a mocked server.

use merchant_bot::{
    domain::Credentials,
    providers::{
        BalanceSource, Destination, Gateway, GatewayError, MutationKind, Refusal, WithdrawRequest, WithdrawalStatus,
    },
};
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{basic_auth, header, method, path, query_param},
};

use super::{client, fixture, rp};

const USER: &str = "204254";
const KEY: &str = "Sy7PRGGr4foUk22uzjMu";

fn bukalapak(server: &MockServer) -> Gateway {
    client(&server.uri(), Credentials::Bukalapak { user_id: USER.into(), api_key: KEY.into() })
}

fn json(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json")
}

#[tokio::test]
async fn mutations_and_the_balance_from_the_newest_one() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/dompet/history/mutations.json"))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "1"))
        .and(basic_auth(USER, KEY))
        .and(header("user-agent", concat!("merchant-bot/", env!("CARGO_PKG_VERSION"))))
        .respond_with(json("bukalapak_mutations"))
        .expect(2)
        .mount(&server)
        .await;
    let g = bukalapak(&server);
    let page = g.mutations(1, 1).await.unwrap();
    let m = &page.items[0];
    assert_eq!((m.id.as_str(), m.kind, m.action.as_str()), ("346", MutationKind::Credit, "remit"));
    assert_eq!((m.amount, m.initial_balance, m.final_balance), (rp(30_000), rp(0), rp(30_000)));
    assert_eq!(m.transaction_id.as_deref(), Some("51938"));
    assert_eq!(m.created_at.unwrap().to_rfc3339(), "2013-11-25T15:32:47+07:00");

    let balance = g.balance().await.unwrap();
    assert_eq!(balance.amount, rp(30_000));
    assert!(matches!(balance.source, BalanceSource::NewestMutation { .. }));
}

#[tokio::test]
async fn withdrawal_history() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/dompet/history/withdrawals.json"))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "1"))
        .and(basic_auth(USER, KEY))
        .respond_with(json("bukalapak_withdrawals"))
        .mount(&server)
        .await;
    let page = bukalapak(&server).withdrawals(1, 1, None).await.unwrap();
    let w = &page.items[0];
    assert_eq!((w.id.as_str(), w.amount, &w.status), ("4", rp(25_000), &WithdrawalStatus::Pending));
    assert_eq!(w.destination, Some(Destination::BankAccount { id: "41812".into() }));
    assert!(page.has_next(1), "a full page may have a next one");
}

fn form(request: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

fn withdraw_request() -> WithdrawRequest {
    WithdrawRequest::Bank { amount: rp(25_000), bank_account_id: "41812".into(), password: "testing1234".into() }
}

#[tokio::test]
async fn withdraw_sends_the_documented_form_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/dompet/withdraw.json"))
        .and(basic_auth(USER, KEY))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(json("bukalapak_withdraw_ok"))
        .expect(1)
        .mount(&server)
        .await;
    let receipt = bukalapak(&server).withdraw(&withdraw_request()).await.unwrap();
    assert_eq!(receipt.id, "4");
    assert!(receipt.message.unwrap().starts_with("Pencairan akan diproses"));
    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        form(sent),
        [
            ("deposit_withdrawal[amount]", "25000"),
            ("deposit_withdrawal[bank_account_id]", "41812"),
            ("deposit_withdrawal[password]", "testing1234")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
}

#[tokio::test]
async fn each_documented_refusal_is_typed() {
    let cases = [
        ("bukalapak_withdraw_not_yours", vec![Refusal::AccountNotYours]),
        ("bukalapak_withdraw_wrong_password", vec![Refusal::WrongPassword]),
        ("bukalapak_withdraw_once_a_day", vec![Refusal::OncePerDay]),
        ("bukalapak_withdraw_once_a_day_and_password", vec![Refusal::OncePerDay, Refusal::WrongPassword]),
    ];
    for (name, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(json(name)).expect(1).mount(&server).await;
        match bukalapak(&server).withdraw(&withdraw_request()).await {
            Err(GatewayError::Refused(reasons)) => assert_eq!(reasons, expected, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unknown_message_is_kept_verbatim_whatever_the_status() {
    let server = MockServer::start().await;
    let body = r#"{"status":"ERROR","message":"Akun Anda sedang dibekukan, hubungi CS."}"#;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(422).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    match bukalapak(&server).balance().await {
        Err(GatewayError::Refused(reasons)) => {
            assert_eq!(reasons, vec![Refusal::Other("Akun Anda sedang dibekukan, hubungi CS.".into())])
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_failed_withdraw_is_never_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let err = bukalapak(&server).withdraw(&withdraw_request()).await.unwrap_err();
    assert!(matches!(err, GatewayError::Unavailable { status: Some(502) }), "{err:?}");
}

#[tokio::test]
async fn a_read_is_retried_after_a_5xx_and_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(json("bukalapak_mutations")).with_priority(2).mount(&server).await;
    assert_eq!(bukalapak(&server).balance().await.unwrap().amount, rp(30_000));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn wrong_credentials_are_reported_as_such() {
    let server = MockServer::start().await;
    let body = r#"{"status":"ERROR","message":"Otentikasi gagal."}"#;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    assert!(matches!(bukalapak(&server).verify().await, Err(GatewayError::CredentialsRejected { .. })));
}

#[tokio::test]
async fn no_mutations_means_a_zero_balance() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"status":"OK","history":[],"message":null}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let b = bukalapak(&server).balance().await.unwrap();
    assert_eq!((b.amount, b.source), (rp(0), BalanceSource::NoMutations));
}
