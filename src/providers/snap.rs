//! The SNAP-style partner gateway (`seeds/001_*`, `003_*`, `004_*`, token per PRODUCT.md
//! 1.3): a B2B access token signed with HMAC-SHA512, cached per credential until shortly
//! before it expires, shared by concurrent callers, refreshed once on a 401.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::{
    Method, Url,
    header::{ACCEPT, AUTHORIZATION, HeaderValue},
};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

use super::{
    error::{GatewayError, Refusal},
    failure_for_status,
    http::{Body, Http, Reply, Request, join},
    json,
    types::*,
};
use crate::{clock::Clock, domain::Amount, secret::Secret};

const PROVIDER: &str = "snap";
/// A token is renewed when less than this is left of its life.
const RENEW_BEFORE: Duration = Duration::from_secs(30);

#[derive(Clone)]
struct Token {
    value: Secret,
    valid_until: tokio::time::Instant,
}

/// The token of one credential, locked while it is being fetched.
type TokenSlot = Arc<tokio::sync::Mutex<Option<Token>>>;

/// Tokens per credential, shared by every client of the process. Each credential has its
/// own lock, held while a token is fetched, so concurrent callers share one refresh.
#[derive(Clone, Default)]
pub struct TokenCache {
    slots: Arc<Mutex<HashMap<String, TokenSlot>>>,
    /// What a token's life is measured on (the process's clock).
    clock: Arc<Clock>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache")
    }
}

impl TokenCache {
    /// Token lives measured on `clock`.
    pub fn with_clock(clock: Arc<Clock>) -> TokenCache {
        TokenCache { slots: Arc::default(), clock }
    }

    fn slot(&self, key: &str) -> TokenSlot {
        self.slots.lock().expect("token cache lock").entry(key.to_owned()).or_default().clone()
    }
}

#[derive(Clone, Debug)]
pub struct Snap {
    http: Http,
    base: Url,
    partner_id: String,
    client_secret: Secret,
    account_id: String,
    tokens: TokenCache,
}

#[derive(Deserialize)]
struct TokenJson {
    #[serde(rename = "accessToken")]
    access_token: String,
    #[serde(rename = "expiresIn", default, deserialize_with = "json::opt_u32")]
    expires_in: Option<u32>,
}

#[derive(Deserialize)]
struct ErrorJson {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct MoneyJson {
    #[serde(deserialize_with = "json::amount")]
    value: Amount,
}

#[derive(Deserialize)]
struct FeeJson {
    #[serde(default)]
    name: Option<String>,
    #[serde(deserialize_with = "json::amount")]
    value: Amount,
}

#[derive(Deserialize)]
struct BankJson {
    #[serde(default)]
    code: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    account_number: Option<String>,
    #[serde(default)]
    account_name: Option<String>,
}

#[derive(Deserialize)]
struct DisbursementJson {
    #[serde(deserialize_with = "json::id")]
    transaction_id: String,
    status: String,
    amount: MoneyJson,
    #[serde(default)]
    fees: Vec<FeeJson>,
    #[serde(default)]
    total_amount: Option<MoneyJson>,
    #[serde(default)]
    bank: Option<BankJson>,
    // The field table names the bank fields flat; the example nests them in `bank`.
    #[serde(default)]
    bank_code: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    bank_account_number: Option<String>,
    #[serde(default)]
    bank_account_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    post_timestamp: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    processed_timestamp: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    balance_after: Option<MoneyJson>,
}

#[derive(Deserialize)]
struct SubAccountJson {
    #[serde(deserialize_with = "json::id")]
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    phone: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct VirtualAccountJson {
    #[serde(deserialize_with = "json::id")]
    id: String,
    amount: MoneyJson,
    kind: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    bank_code: Option<String>,
    #[serde(deserialize_with = "json::id")]
    number: String,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    created_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Deserialize)]
struct PaginationJson {
    #[serde(rename = "totalPages", default, deserialize_with = "json::opt_u32")]
    total_pages: Option<u32>,
    #[serde(rename = "currentPage", default, deserialize_with = "json::opt_u32")]
    current_page: Option<u32>,
}

#[derive(Deserialize)]
struct ListJson<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
    #[serde(default)]
    pagination: Option<PaginationJson>,
}

/// `X-SIGNATURE` of the token request: base64(HMAC-SHA512(client_secret, "<partner_id>|<timestamp>")).
pub fn signature(client_secret: &str, partner_id: &str, timestamp: &str) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(client_secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{partner_id}|{timestamp}").as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// The SNAP error message of a body, if it is one.
fn error_message(body: &[u8]) -> Option<String> {
    let e: ErrorJson = json::parse(body).ok()?;
    let message = match e.error? {
        Value::Object(o) => o.get("message").and_then(Value::as_str).unwrap_or_default().to_owned(),
        Value::String(s) => s,
        Value::Null => return None,
        other => other.to_string(),
    };
    (e.success != Some(true)).then_some(message)
}

fn failure(reply: &Reply) -> GatewayError {
    let message = error_message(&reply.body);
    match (reply.status.as_u16(), message) {
        (401 | 403, message) => GatewayError::CredentialsRejected { message },
        (404, _) => GatewayError::NotFound,
        (429 | 500..=599, _) => GatewayError::Unavailable { status: Some(reply.status.as_u16()) },
        (_, Some(message)) => GatewayError::Refused(vec![Refusal::Other(message)]),
        _ => failure_for_status(reply),
    }
}

impl Snap {
    pub fn new(
        http: Http,
        base: Url,
        partner_id: String,
        client_secret: Secret,
        account_id: String,
        tokens: TokenCache,
    ) -> Snap {
        Snap { http, base, partner_id, client_secret, account_id, tokens }
    }

    fn cache_key(&self) -> String {
        // The secret is part of the key (a re-linked account with a new secret gets a new
        // token) but only as a hash.
        let digest = Sha256::digest(self.client_secret.expose().as_bytes());
        let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}|{}|{hash}", self.base, self.partner_id)
    }

    async fn fetch_token(&self) -> Result<Token, GatewayError> {
        let endpoint = "/api/v1.0/access-token/b2b";
        let timestamp = chrono::Utc::now().with_timezone(&json::jakarta()).format("%Y-%m-%dT%H:%M:%S%:z").to_string();
        let mut request = Request::new(PROVIDER, Method::POST, endpoint, join(&self.base, endpoint));
        let header = |v: &str| {
            HeaderValue::from_str(v)
                .map_err(|_| GatewayError::Unexpected("a credential is not a valid header value".into()))
        };
        request.headers.insert("X-CLIENT-KEY", header(&self.partner_id)?);
        request.headers.insert("X-TIMESTAMP", header(&timestamp)?);
        request
            .headers
            .insert("X-SIGNATURE", header(&signature(self.client_secret.expose(), &self.partner_id, &timestamp))?);
        request.headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        request.body = Body::Json(json!({"grantType": "client_credentials"}));
        let reply = self.http.send(&request).await?;
        if !reply.status.is_success() || error_message(&reply.body).is_some() {
            return Err(failure(&reply));
        }
        let token: TokenJson = json::parse(&reply.body).map_err(GatewayError::Unexpected)?;
        let life = Duration::from_secs(u64::from(token.expires_in.unwrap_or(900)));
        Ok(Token {
            value: Secret::new(token.access_token),
            valid_until: self.tokens.clock.instant() + life.saturating_sub(RENEW_BEFORE),
        })
    }

    /// A valid token: the cached one, or a new one fetched by exactly one caller while
    /// the others wait for it. `stale` is a token a 401 just refused: it is replaced
    /// unless another caller already did.
    async fn token(&self, stale: Option<&Secret>) -> Result<Secret, GatewayError> {
        let slot = self.tokens.slot(&self.cache_key());
        let mut cached = slot.lock().await;
        if let Some(token) = cached.as_ref()
            && token.valid_until > self.tokens.clock.instant()
            && Some(&token.value) != stale
        {
            return Ok(token.value.clone());
        }
        let token = self.fetch_token().await?;
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    async fn get(&self, endpoint: &'static str, path: &str, query: &[(&str, String)]) -> Result<Reply, GatewayError> {
        let mut url = join(&self.base, path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut stale = None;
        for attempt in 0..2 {
            let token = self.token(stale.as_ref()).await?;
            let mut request = Request::new(PROVIDER, Method::GET, endpoint, url.clone());
            request.headers.insert(
                "X-PARTNER-ID",
                HeaderValue::from_str(&self.partner_id)
                    .map_err(|_| GatewayError::Unexpected("partner id is not a valid header value".into()))?,
            );
            let bearer = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| GatewayError::Unexpected("token is not a valid header value".into()))?;
            request.headers.insert(AUTHORIZATION, bearer);
            request.headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            let reply = self.http.send(&request).await?;
            if reply.status.as_u16() == 401 && attempt == 0 {
                stale = Some(token);
                continue;
            }
            return Ok(reply);
        }
        unreachable!("the loop returns on its second pass")
    }

    fn read<T: serde::de::DeserializeOwned>(reply: Reply) -> Result<T, GatewayError> {
        if !reply.status.is_success() || error_message(&reply.body).is_some() {
            return Err(failure(&reply));
        }
        json::parse(&reply.body).map_err(GatewayError::Unexpected)
    }

    pub async fn disbursement(&self, transaction_id: &str) -> Result<Disbursement, GatewayError> {
        let path = format!("/api/v1.0/disbursements/{}/{}", enc(&self.account_id), enc(transaction_id));
        let reply = self.get("/api/v1.0/disbursements/{account_id}/{transaction_id}", &path, &[]).await?;
        disbursement_from(reply)
    }

    pub async fn sub_accounts(&self, page: u32) -> Result<Page<SubAccount>, GatewayError> {
        let path = format!("/api/v1.0/statements/{}", enc(&self.account_id));
        let reply = self.get("/api/v1.0/statements/{account_id}", &path, &[("page", page.to_string())]).await?;
        let list: ListJson<SubAccountJson> = Self::read(reply)?;
        let items = list
            .data
            .into_iter()
            .map(|s| SubAccount {
                id: s.id,
                name: s.name.unwrap_or_default(),
                email: s.email,
                phone: s.phone,
                status: s.status.unwrap_or_default(),
            })
            .collect();
        Ok(page_of(items, page, list.pagination))
    }

    pub async fn virtual_accounts(&self, kind: VaKind, page: u32) -> Result<Page<VirtualAccount>, GatewayError> {
        let path = format!("/api/v1.0/virtual-accounts/{}", enc(&self.account_id));
        let query = [("kind", kind.as_str().to_owned()), ("page", page.to_string())];
        let reply = self.get("/api/v1.0/virtual-accounts/{account_id}", &path, &query).await?;
        let list: ListJson<VirtualAccountJson> = Self::read(reply)?;
        let items = list
            .data
            .into_iter()
            .map(|v| {
                Ok(VirtualAccount {
                    id: v.id,
                    amount: v.amount.value,
                    kind: VaKind::parse(&v.kind)
                        .ok_or_else(|| GatewayError::Unexpected(format!("unknown VA kind {:?}", v.kind)))?,
                    status: v.status.unwrap_or_default(),
                    bank_code: v.bank_code,
                    number: v.number,
                    created_at: v.created_at,
                })
            })
            .collect::<Result<Vec<_>, GatewayError>>()?;
        Ok(page_of(items, page, list.pagination))
    }

    /// A harmless call that proves the credentials: a token, then the first page of
    /// sub accounts (which also proves the account id).
    pub async fn verify(&self) -> Result<(), GatewayError> {
        self.sub_accounts(1).await.map(|_| ())
    }
}

/// A disbursement from the gateway's answer, in the nested or the flat shape.
fn disbursement_from(reply: Reply) -> Result<Disbursement, GatewayError> {
    let body: Value = Snap::read(reply)?;
    // The example nests the record in `data.data`; the field table has it in `data`.
    let mut record = body.get("data").cloned().unwrap_or(Value::Null);
    if record.get("transaction_id").is_none()
        && let Some(inner) = record.get("data")
    {
        let balance_after = record.get("balance_after").cloned();
        record = inner.clone();
        if let (Some(b), Some(obj)) = (balance_after, record.as_object_mut()) {
            obj.entry("balance_after").or_insert(b);
        }
    }
    if record.is_null() {
        return Err(GatewayError::NotFound);
    }
    let d: DisbursementJson =
        serde_json::from_value(record).map_err(|e| GatewayError::Unexpected(format!("disbursement: {e}")))?;
    let bank = match d.bank {
        Some(b) => Some(BankAccount { code: b.code, number: b.account_number, name: b.account_name }),
        None if d.bank_code.is_some() || d.bank_account_number.is_some() => {
            Some(BankAccount { code: d.bank_code, number: d.bank_account_number, name: d.bank_account_name })
        }
        None => None,
    };
    Ok(Disbursement {
        transaction_id: d.transaction_id,
        status: DisbursementStatus::parse(&d.status),
        amount: d.amount.value,
        fees: d.fees.into_iter().map(|f| Fee { name: f.name, value: f.value }).collect(),
        total: d.total_amount.map(|t| t.value),
        bank,
        posted_at: d.post_timestamp,
        processed_at: d.processed_timestamp,
        notes: d.notes.filter(|n| !n.trim().is_empty()),
        balance_after: d.balance_after.map(|b| b.value),
    })
}

fn page_of<T>(items: Vec<T>, asked: u32, pagination: Option<PaginationJson>) -> Page<T> {
    let (page, total_pages) = match pagination {
        Some(p) => (p.current_page.unwrap_or(asked), p.total_pages),
        None => (asked, None),
    };
    Page { items, page, total_pages }
}

/// Percent-encodes a path segment.
fn enc(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::providers::tests::{fixture_reply, reply_strategy};

    const FIXTURES: [&str; 4] = [
        include_str!("../../tests/fixtures/snap_disbursement.json"),
        include_str!("../../tests/fixtures/snap_statements.json"),
        include_str!("../../tests/fixtures/snap_virtual_accounts.json"),
        include_str!("../../tests/fixtures/snap_error_401.json"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn parsers_never_panic(reply in reply_strategy(&FIXTURES)) {
            let _ = disbursement_from(fixture_reply(&reply));
            let _ = Snap::read::<ListJson<SubAccountJson>>(fixture_reply(&reply));
            let _ = Snap::read::<ListJson<VirtualAccountJson>>(fixture_reply(&reply));
            let _ = Snap::read::<TokenJson>(fixture_reply(&reply));
            let _ = failure(&fixture_reply(&reply));
        }
    }

    #[test]
    fn signature_is_hmac_sha512_of_partner_and_timestamp() {
        // Computed independently with Python's hmac module.
        assert_eq!(
            signature("s3cret", "p-1", "2026-01-01T00:00:00+07:00"),
            "9bPDs3wNyRAFm+xPbhAksuBfSFX0+N7R6CNAgEuJNy9nm/JgmSg0n6qB1REazBQP4pO+oOxfBcxnULxCfbwLXQ=="
        );
    }
}
