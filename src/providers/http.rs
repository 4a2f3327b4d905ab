//! The HTTP layer every gateway client shares: base URLs from configuration, a timeout,
//! a User-Agent, bounded retries with backoff for reads only (never a POST: a
//! withdrawal is sent at most once), and one structured log line per attempt with the
//! provider, endpoint, status and latency, and nothing secret (no URL, no query, no
//! header, no body).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use reqwest::{
    Method, StatusCode, Url,
    header::{HeaderMap, USER_AGENT},
};
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::GatewayError;

pub const USER_AGENT_VALUE: &str = concat!("merchant-bot/", env!("CARGO_PKG_VERSION"));

#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Per attempt.
    pub timeout: Duration,
    /// Extra attempts for a read that timed out, failed to connect, or got 5xx/429.
    pub read_retries: u32,
    /// Wait before the first retry; doubled for each next one.
    pub backoff: Duration,
    /// Calls waiting on one gateway at once ([`MAX_CALLS_PER_GATEWAY`]).
    pub per_gateway: usize,
}

/// Calls waiting on one gateway at once, in one process: half of the updates it handles
/// at once (the app's `MAX_UPDATES_IN_FLIGHT`, which checks this). A gateway that stops
/// answering then holds at most half of those places until its timeout, and the
/// merchants of the other gateways (and every command that needs no gateway) are still
/// served. A call beyond it is refused at once, unsent ([`GatewayError::Busy`]).
pub const MAX_CALLS_PER_GATEWAY: usize = 128;

impl Default for HttpOptions {
    fn default() -> Self {
        // A user waiting on a slow gateway is told so after SLOW_NOTICE_AFTER (10 s);
        // the answer still replaces that message if it comes within this.
        HttpOptions {
            timeout: Duration::from_secs(30),
            read_retries: 2,
            backoff: Duration::from_millis(300),
            per_gateway: MAX_CALLS_PER_GATEWAY,
        }
    }
}

/// One client (one connection pool) for all gateways, and one for fetching images
/// (which follows redirects only within the same origin).
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    images: reqwest::Client,
    options: HttpOptions,
    waiting: Arc<Waiting>,
}

/// The calls waiting on each gateway (by [`Request::provider`]), shared by every clone.
#[derive(Debug, Default)]
struct Waiting(std::sync::Mutex<HashMap<&'static str, Arc<Semaphore>>>);

impl Waiting {
    /// A place among `limit` calls waiting on `provider`, if one is free.
    fn enter(&self, provider: &'static str, limit: usize) -> Option<OwnedSemaphorePermit> {
        let places = self
            .0
            .lock()
            .expect("gateway places")
            .entry(provider)
            .or_insert_with(|| Arc::new(Semaphore::new(limit)))
            .clone();
        places.try_acquire_owned().ok()
    }
}

#[derive(Debug)]
pub enum Body {
    None,
    Json(Value),
    /// `application/x-www-form-urlencoded` fields.
    Form(Vec<(&'static str, String)>),
}

/// A request to a gateway. `url` and `headers` may carry credentials: they are sent,
/// never logged.
#[derive(Debug)]
pub struct Request {
    pub provider: &'static str,
    /// The endpoint as a template (`/api/v1/invoice/status`), the only part of the URL
    /// that is logged.
    pub endpoint: &'static str,
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub basic_auth: Option<(String, String)>,
    pub body: Body,
    /// Whether a failed attempt may be repeated: reads only. A GET that creates
    /// something (the QRIS gateway's `invoice/create`) is marked with [`Request::once`].
    pub retry: bool,
}

impl Request {
    pub fn new(provider: &'static str, method: Method, endpoint: &'static str, url: Url) -> Request {
        let retry = method == Method::GET;
        Request {
            provider,
            endpoint,
            method,
            url,
            headers: HeaderMap::new(),
            basic_auth: None,
            body: Body::None,
            retry,
        }
    }

    /// Sent at most once, whatever its method: a repeat would create a second one.
    pub fn once(mut self) -> Request {
        self.retry = false;
        self
    }
}

/// The most of a gateway's answer the bot reads; a larger one is refused unread.
pub const MAX_BODY: usize = 1024 * 1024;

/// A gateway's answer, whatever its status.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl Http {
    pub fn new(options: HttpOptions) -> Http {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(5)))
            .build()
            .expect("the HTTP client builds with rustls");
        let images = reqwest::Client::builder()
            .redirect(same_origin_redirects())
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("the HTTP client builds with rustls");
        Http { client, images, options, waiting: Arc::default() }
    }

    fn build(&self, request: &Request) -> reqwest::RequestBuilder {
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.clone())
            .headers(request.headers.clone())
            .header(USER_AGENT, USER_AGENT_VALUE);
        if let Some((user, password)) = &request.basic_auth {
            builder = builder.basic_auth(user, Some(password));
        }
        match &request.body {
            Body::None => builder,
            Body::Json(value) => builder.json(value),
            Body::Form(fields) => builder.form(fields),
        }
    }

    /// Sends `request`, retrying a read that failed for a passing reason. Any status
    /// comes back as a [`Reply`]; only a transport failure is an error here. One span per
    /// call names the gateway and the endpoint, never the request itself (its URL, body
    /// or headers can carry credentials).
    #[tracing::instrument(name = "gateway", skip_all, fields(provider = request.provider, endpoint = request.endpoint))]
    pub async fn send(&self, request: &Request) -> Result<Reply, GatewayError> {
        let Some(_place) = self.waiting.enter(request.provider, self.options.per_gateway) else {
            let (provider, endpoint) = (request.provider, request.endpoint);
            tracing::warn!(provider, endpoint, "too many calls waiting on this gateway; refused without sending");
            crate::metrics::gateway_call(provider, endpoint, "busy", Duration::ZERO);
            return Err(GatewayError::Busy);
        };
        let retries = if request.retry { self.options.read_retries } else { 0 };
        // One deadline for all attempts: a hung gateway keeps a merchant waiting one
        // timeout, not one per attempt. A retry starts only with time left for it.
        let deadline = Instant::now() + self.options.timeout;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            let remaining = deadline.saturating_duration_since(started);
            // A transport failure keeps only whether it timed out and its text without
            // the URL (the URL may carry an api key in its query).
            let outcome: Result<Reply, (bool, String)> = match self.build(request).timeout(remaining).send().await {
                Ok(response) => read_capped(response).await,
                Err(e) => Err((e.is_timeout(), e.without_url().to_string())),
            };
            let latency_ms = started.elapsed().as_millis() as u64;
            let (provider, endpoint, method) = (request.provider, request.endpoint, request.method.as_str());
            let passing = match &outcome {
                Ok(reply) => {
                    let failing = reply.status.is_server_error() || reply.status == StatusCode::TOO_MANY_REQUESTS;
                    let status = reply.status.as_u16();
                    // Routine calls (the poller makes hundreds a second at scale) are
                    // debug lines; /metrics counts them all.
                    if failing {
                        tracing::warn!(provider, method, endpoint, status, latency_ms, attempt, "gateway call failed");
                    } else {
                        tracing::debug!(provider, method, endpoint, status, latency_ms, attempt, "gateway call");
                    }
                    failing
                }
                Err((_, error)) => {
                    tracing::warn!(provider, method, endpoint, latency_ms, attempt, error, "gateway call failed");
                    true
                }
            };
            let backoff = self.options.backoff * 2u32.pow(attempt - 1);
            let time_left = deadline.saturating_duration_since(Instant::now());
            if passing && attempt <= retries && time_left > backoff + self.options.timeout / 10 {
                tokio::time::sleep(backoff).await;
                continue;
            }
            let outcome_label = match &outcome {
                Ok(reply) => format!("{}xx", reply.status.as_u16() / 100),
                Err((true, _)) => "timeout".to_owned(),
                Err((false, _)) => "error".to_owned(),
            };
            crate::metrics::gateway_call(provider, endpoint, &outcome_label, started.elapsed());
            return outcome.map_err(|(timed_out, _)| {
                if timed_out { GatewayError::TimedOut } else { GatewayError::Unavailable { status: None } }
            });
        }
    }
}

/// Why a file could not be fetched.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error("the request failed or timed out")]
    Failed,
    #[error("HTTP {0}")]
    Status(u16),
    #[error("not an image (content type {0:?})")]
    NotAnImage(String),
    #[error("larger than {0} bytes")]
    TooLarge(usize),
    /// The URL is not one the bot fetches from (see [`Http::fetch_image`]).
    #[error("not fetched: {0}")]
    Refused(&'static str),
}

/// Redirects are followed only to the same scheme, host and port, at most 3 times.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt.previous().first().is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > 3 {
            attempt.error("too many redirects")
        } else if same {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Whether `ip` is an address on the public internet: not loopback, private, link-local,
/// shared (CGNAT), documentation, benchmarking, multicast, reserved or unspecified.
pub fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

impl Http {
    /// Fetches an image (a gateway's `qris_image`, a Telegram file): at most `max_bytes`,
    /// within `timeout`, and only if the server says it is an image. The URL is never
    /// logged (a Telegram file URL carries the bot token).
    ///
    /// A URL on `trusted` (the gateway's or the Bot API's configured base URL: the
    /// operator chose that host) is fetched as it is. Any other must be https and its
    /// host must resolve only to public addresses; the connection goes to the address
    /// that was checked, and redirects stay on the same origin. So a gateway cannot make
    /// the bot read from the operator's own network and show it to a user.
    pub async fn fetch_image(
        &self,
        url: &Url,
        trusted: Option<&Url>,
        max_bytes: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, FetchError> {
        if trusted.is_some_and(|t| t.origin() == url.origin()) {
            return fetch_with(&self.images, url, max_bytes, timeout).await;
        }
        if url.scheme() != "https" {
            return Err(FetchError::Refused("only https images are fetched from another host"));
        }
        let port = url.port_or_known_default().unwrap_or(443);
        let (host, addrs): (String, Vec<std::net::SocketAddr>) = match url.host() {
            Some(url::Host::Ipv4(ip)) => (ip.to_string(), vec![(ip, port).into()]),
            Some(url::Host::Ipv6(ip)) => (format!("[{ip}]"), vec![(ip, port).into()]),
            Some(url::Host::Domain(domain)) => {
                let lookup = tokio::net::lookup_host((domain, port));
                let found = tokio::time::timeout(timeout, lookup).await.map_err(|_| FetchError::Failed)?;
                (domain.to_owned(), found.map_err(|_| FetchError::Failed)?.collect())
            }
            None => return Err(FetchError::Refused("the URL has no host")),
        };
        if addrs.is_empty() || addrs.iter().any(|a| !is_public(a.ip())) {
            return Err(FetchError::Refused("the host is not on the public internet"));
        }
        let pinned = reqwest::Client::builder()
            .redirect(same_origin_redirects())
            .resolve_to_addrs(&host, &addrs)
            .build()
            .map_err(|_| FetchError::Failed)?;
        fetch_with(&pinned, url, max_bytes, timeout).await
    }
}

async fn fetch_with(
    client: &reqwest::Client,
    url: &Url,
    max_bytes: usize,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    let attempt = async {
        let mut response = client
            .get(url.clone())
            .header(USER_AGENT, USER_AGENT_VALUE)
            .send()
            .await
            .map_err(|_| FetchError::Failed)?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        // Telegram serves files as application/octet-stream; the image decoder decides then.
        if !content_type.starts_with("image/") && content_type != "application/octet-stream" {
            return Err(FetchError::NotAnImage(content_type));
        }
        if response.content_length().is_some_and(|len| len as usize > max_bytes) {
            return Err(FetchError::TooLarge(max_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|_| FetchError::Failed)? {
            if body.len() + chunk.len() > max_bytes {
                return Err(FetchError::TooLarge(max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(timeout, attempt).await.unwrap_or(Err(FetchError::Failed))
}

/// Appends `path` to a base URL that may itself have a path (`https://gw/base`).
pub fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path.trim_start_matches('/'));
    url.set_path(&joined);
    url
}

/// The body of `response`, refused past [`MAX_BODY`] without reading the rest.
async fn read_capped(mut response: reqwest::Response) -> Result<Reply, (bool, String)> {
    let status = response.status();
    if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err((false, format!("the answer is over {MAX_BODY} bytes")));
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err((false, format!("the answer is over {MAX_BODY} bytes")));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(Reply { status, body }),
            Err(e) => return Err((e.is_timeout(), e.without_url().to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "103.10.20.30", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn join_keeps_a_base_path() {
        let base = Url::parse("https://gw.example/base/").unwrap();
        assert_eq!(join(&base, "/api/v1/balance").as_str(), "https://gw.example/base/api/v1/balance");
        let root = Url::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(join(&root, "/v1/x.json").as_str(), "http://127.0.0.1:9000/v1/x.json");
    }
}
