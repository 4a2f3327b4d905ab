//! The gateway clients against mocked servers (every endpoint, with the documents'
//! example bodies verbatim, and every way an answer can go wrong), and against the
//! simulator.

mod bukalapak;
mod qris;
mod secrets;
pub mod simulator;
mod snap;

use std::time::Duration;

use merchant_bot::{
    domain::{Amount, Credentials},
    providers::{Gateway, GatewayUrls, Gateways, Http, HttpOptions},
};
use reqwest::Url;

/// An example body from the gateways' documents (`tests/fixtures`).
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Short timeouts and backoff so failure paths are quick.
pub fn http() -> Http {
    Http::new(HttpOptions {
        timeout: Duration::from_millis(500),
        read_retries: 2,
        backoff: Duration::from_millis(10),
        ..HttpOptions::default()
    })
}

/// A client for `credentials` against `url` (every provider pointed at it).
pub fn client(url: &str, credentials: Credentials) -> Gateway {
    client_on(url, credentials, std::sync::Arc::default())
}

/// The same, with token lifetimes measured on `clock` (which the test moves).
pub fn client_on(url: &str, credentials: Credentials, clock: std::sync::Arc<merchant_bot::clock::Clock>) -> Gateway {
    let url = Some(Url::parse(url).unwrap());
    let urls = GatewayUrls { bukalapak: url.clone(), qris: url.clone(), snap: url };
    Gateways::new(http(), urls).with_clock(clock).client(&credentials).unwrap()
}

pub fn rp(rupiah: i64) -> Amount {
    Amount::from_rupiah(rupiah).unwrap()
}

/// A gateway that accepts connections and never answers; each connection it holds is
/// announced on the channel.
async fn hung_gateway() -> (String, tokio::sync::mpsc::UnboundedReceiver<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (seen, connections) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
            let _ = seen.send(());
        }
    });
    (url, connections)
}

#[tokio::test]
async fn a_gateway_that_stops_answering_holds_only_its_own_share_of_calls() {
    use merchant_bot::providers::{GatewayError, http::Request};
    use reqwest::Method;
    let http = Http::new(HttpOptions { timeout: Duration::from_secs(600), per_gateway: 2, ..HttpOptions::default() });
    let (hung, mut reached_hung) = hung_gateway().await;
    let (other, mut reached_other) = hung_gateway().await;
    let call = |provider: &'static str, url: &str| {
        let (http, request) = (http.clone(), Request::new(provider, Method::GET, "/balance", Url::parse(url).unwrap()));
        tokio::spawn(async move { http.send(&request).await })
    };
    // Two calls wait on the hung gateway: its share.
    let waiting = [call("qris", &hung), call("qris", &hung)];
    for _ in 0..2 {
        reached_hung.recv().await.unwrap();
    }
    // A third is refused at once, without reaching it, in words the merchant can act on.
    let refused = tokio::time::timeout(Duration::from_secs(5), call("qris", &hung)).await.expect("refused at once");
    let e = refused.unwrap().unwrap_err();
    assert!(matches!(e, GatewayError::Busy), "{e:?}");
    assert!(
        e.user_text(merchant_bot::i18n::Lang::En).contains("Nothing was sent"),
        "{}",
        e.user_text(merchant_bot::i18n::Lang::En)
    );
    assert!(reached_hung.try_recv().is_err(), "the refused call reached the gateway");
    // Another gateway's calls are not held up by it.
    let _other_call = call("bukalapak", &other);
    reached_other.recv().await.unwrap();
    // Once a waiting call is over, its place is free again.
    let [first, _second] = waiting;
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    let _again = call("qris", &hung);
    tokio::time::timeout(Duration::from_secs(5), reached_hung.recv()).await.expect("admitted again").unwrap();
}
