//! The HTTP layer every gateway client shares: base URLs from configuration, a timeout,
//! a User-Agent, bounded retries with backoff for reads only (never a POST: a
//! withdrawal is sent at most once), and one structured log line per attempt with the
//! provider, endpoint, status and latency, and nothing secret (no URL, no query, no
//! header, no body).

use std::time::{Duration, Instant};

use reqwest::{
    Method, StatusCode, Url,
    header::{HeaderMap, USER_AGENT},
};
use serde_json::Value;

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
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions { timeout: Duration::from_secs(10), read_retries: 2, backoff: Duration::from_millis(300) }
    }
}

/// One client (one connection pool) for all gateways.
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    options: HttpOptions,
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
}

impl Request {
    pub fn new(provider: &'static str, method: Method, endpoint: &'static str, url: Url) -> Request {
        Request { provider, endpoint, method, url, headers: HeaderMap::new(), basic_auth: None, body: Body::None }
    }
}

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
        Http { client, options }
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
    /// comes back as a [`Reply`]; only a transport failure is an error here.
    pub async fn send(&self, request: &Request) -> Result<Reply, GatewayError> {
        let retries = if request.method == Method::GET { self.options.read_retries } else { 0 };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            // A transport failure keeps only whether it timed out and its text without
            // the URL (the URL may carry an api key in its query).
            let outcome: Result<Reply, (bool, String)> = match self.build(request).send().await {
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(body) => Ok(Reply { status, body: body.to_vec() }),
                        Err(e) => Err((e.is_timeout(), e.without_url().to_string())),
                    }
                }
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
            if passing && attempt <= retries {
                tokio::time::sleep(self.options.backoff * 2u32.pow(attempt - 1)).await;
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
}

impl Http {
    /// Fetches an image (a gateway's `qris_image`, a Telegram file): at most `max_bytes`,
    /// within `timeout`, and only if the server says it is an image. The URL is never
    /// logged (a Telegram file URL carries the bot token).
    pub async fn fetch_image(&self, url: &Url, max_bytes: usize, timeout: Duration) -> Result<Vec<u8>, FetchError> {
        let attempt = async {
            let mut response = self
                .client
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
}

/// Appends `path` to a base URL that may itself have a path (`https://gw/base`).
pub fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path.trim_start_matches('/'));
    url.set_path(&joined);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_a_base_path() {
        let base = Url::parse("https://gw.example/base/").unwrap();
        assert_eq!(join(&base, "/api/v1/balance").as_str(), "https://gw.example/base/api/v1/balance");
        let root = Url::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(join(&root, "/v1/x.json").as_str(), "http://127.0.0.1:9000/v1/x.json");
    }
}
