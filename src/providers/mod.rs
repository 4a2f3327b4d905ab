//! Gateway clients, one module per gateway, behind one interface ([`Gateway`]) that
//! speaks in domain types and says which [`Capability`]s a provider has. A chat handler
//! never sees a gateway's JSON.

pub mod bukalapak;
pub mod error;
mod history;
pub mod http;
pub mod json;
pub mod qris;
pub mod snap;
pub mod types;

use reqwest::Url;

pub use error::{GatewayError, Refusal};
pub use history::HistoryOrder;
pub use http::{FetchError, Http, HttpOptions};
pub use types::*;

use crate::{
    config::Config,
    domain::{Amount, Credentials, Provider},
};

/// The error for an answer that is not a success and carries no message the gateway
/// module recognized.
pub(crate) fn failure_for_status(reply: &http::Reply) -> GatewayError {
    let status = reply.status.as_u16();
    match status {
        401 | 403 => GatewayError::CredentialsRejected { message: None },
        404 => GatewayError::NotFound,
        429 | 500..=599 => GatewayError::Unavailable { status: Some(status) },
        _ => {
            let described = match serde_json::from_slice::<serde_json::Value>(&reply.body) {
                Ok(_) => format!("HTTP {status}"),
                Err(e) => format!("HTTP {status} with {}", json::describe_unreadable(&reply.body, &e)),
            };
            GatewayError::Unexpected(described)
        }
    }
}

impl Provider {
    pub fn capabilities(self) -> &'static [Capability] {
        use Capability::*;
        match self {
            Provider::Bukalapak => &[Balance, Withdraw, WithdrawalHistory, Mutations],
            Provider::Qris => &[Balance, Invoices, Withdraw, WithdrawalHistory],
            Provider::Snap => &[Disbursements, SubAccounts, VirtualAccounts],
        }
    }

    pub fn can(self, capability: Capability) -> bool {
        self.capabilities().contains(&capability)
    }
}

/// The base URL of each gateway; a provider without one is not offered.
#[derive(Clone, Debug)]
pub struct GatewayUrls {
    pub bukalapak: Option<Url>,
    pub qris: Option<Url>,
    pub snap: Option<Url>,
}

impl GatewayUrls {
    pub fn from_config(config: &Config) -> GatewayUrls {
        GatewayUrls {
            bukalapak: Some(config.bukalapak_api_url.clone()),
            qris: config.qris_api_url.clone(),
            snap: config.snap_api_url.clone(),
        }
    }

    pub fn for_provider(&self, provider: Provider) -> Option<&Url> {
        match provider {
            Provider::Bukalapak => self.bukalapak.as_ref(),
            Provider::Qris => self.qris.as_ref(),
            Provider::Snap => self.snap.as_ref(),
        }
    }

    /// The providers that can be linked, in menu order.
    pub fn offered(&self) -> Vec<Provider> {
        Provider::ALL.into_iter().filter(|p| self.for_provider(*p).is_some()).collect()
    }
}

/// Makes clients: one HTTP connection pool and one SNAP token cache for the process.
#[derive(Clone, Debug)]
pub struct Gateways {
    http: Http,
    /// Shared: an `App` (and so this) is cloned several times for every update.
    urls: std::sync::Arc<GatewayUrls>,
    snap_tokens: snap::TokenCache,
}

/// A client for one linked account.
#[derive(Clone, Debug)]
pub enum Gateway {
    Bukalapak(bukalapak::Bukalapak),
    Qris(qris::Qris),
    Snap(snap::Snap),
}

impl Gateways {
    pub fn new(http: Http, urls: GatewayUrls) -> Gateways {
        Gateways { http, urls: std::sync::Arc::new(urls), snap_tokens: snap::TokenCache::default() }
    }

    /// Token lifetimes measured on `clock` (the process's; tests move it).
    pub fn with_clock(self, clock: std::sync::Arc<crate::clock::Clock>) -> Gateways {
        Gateways { snap_tokens: snap::TokenCache::with_clock(clock), ..self }
    }

    pub fn urls(&self) -> &GatewayUrls {
        &self.urls
    }

    /// The shared HTTP layer (for fetching images).
    pub fn http(&self) -> &Http {
        &self.http
    }

    /// The client for `credentials`; `Unsupported` if the provider's URL is not configured.
    pub fn client(&self, credentials: &Credentials) -> Result<Gateway, GatewayError> {
        let base = self.urls.for_provider(credentials.provider()).cloned().ok_or(GatewayError::Unsupported)?;
        let http = self.http.clone();
        Ok(match credentials.clone() {
            Credentials::Bukalapak { user_id, api_key } => {
                Gateway::Bukalapak(bukalapak::Bukalapak::new(http, base, user_id, api_key))
            }
            Credentials::Qris { api_key } => Gateway::Qris(qris::Qris::new(http, base, api_key)),
            Credentials::Snap { partner_id, client_secret, account_id } => Gateway::Snap(snap::Snap::new(
                http,
                base,
                partner_id,
                client_secret,
                account_id,
                self.snap_tokens.clone(),
            )),
        })
    }
}

impl Gateway {
    pub fn provider(&self) -> Provider {
        match self {
            Gateway::Bukalapak(_) => Provider::Bukalapak,
            Gateway::Qris(_) => Provider::Qris,
            Gateway::Snap(_) => Provider::Snap,
        }
    }

    /// A harmless call that proves the credentials work.
    pub async fn verify(&self) -> Result<(), GatewayError> {
        match self {
            Gateway::Bukalapak(g) => g.verify().await,
            Gateway::Qris(g) => g.verify().await,
            Gateway::Snap(g) => g.verify().await,
        }
    }

    pub async fn balance(&self) -> Result<Balance, GatewayError> {
        match self {
            Gateway::Bukalapak(g) => g.balance().await,
            Gateway::Qris(g) => g.balance().await,
            Gateway::Snap(_) => Err(GatewayError::Unsupported),
        }
    }

    pub async fn create_invoice(&self, amount: Amount) -> Result<Invoice, GatewayError> {
        match self {
            Gateway::Qris(g) => g.create_invoice(amount).await,
            _ => Err(GatewayError::Unsupported),
        }
    }

    pub async fn invoice(&self, id: &str) -> Result<Invoice, GatewayError> {
        match self {
            Gateway::Qris(g) => g.invoice(id).await,
            _ => Err(GatewayError::Unsupported),
        }
    }

    pub async fn cancel_invoice(&self, id: &str) -> Result<InvoiceStatus, GatewayError> {
        match self {
            Gateway::Qris(g) => g.cancel_invoice(id).await,
            _ => Err(GatewayError::Unsupported),
        }
    }

    /// Submits a withdrawal. Sent once; never retried by any layer.
    pub async fn withdraw(&self, request: &WithdrawRequest) -> Result<WithdrawReceipt, GatewayError> {
        match (self, request) {
            (Gateway::Qris(g), WithdrawRequest::Dana { amount, number, name }) => {
                g.withdraw(*amount, number, name).await
            }
            (Gateway::Bukalapak(g), WithdrawRequest::Bank { amount, bank_account_id, password }) => {
                g.withdraw(*amount, bank_account_id, password).await
            }
            _ => Err(GatewayError::Unsupported),
        }
    }

    pub async fn withdrawal(&self, id: &str) -> Result<Withdrawal, GatewayError> {
        match self {
            Gateway::Qris(g) => g.withdrawal(id).await,
            Gateway::Bukalapak(g) => g.withdrawal(id).await,
            Gateway::Snap(_) => Err(GatewayError::Unsupported),
        }
    }

    /// One page of withdrawals; `status` filters where the gateway can (QRIS).
    pub async fn withdrawals(
        &self,
        page: u32,
        per_page: u32,
        status: Option<&str>,
    ) -> Result<Page<Withdrawal>, GatewayError> {
        match self {
            Gateway::Qris(g) => g.withdrawals(page, per_page, status).await,
            Gateway::Bukalapak(g) => {
                let mut found = g.withdrawals(page, per_page).await?;
                if let Some(status) = status {
                    found.items.retain(|w| w.status.as_str().eq_ignore_ascii_case(status));
                }
                Ok(found)
            }
            Gateway::Snap(_) => Err(GatewayError::Unsupported),
        }
    }

    pub async fn mutations(&self, page: u32, per_page: u32) -> Result<Page<Mutation>, GatewayError> {
        match self {
            Gateway::Bukalapak(g) => g.mutations(page, per_page).await,
            _ => Err(GatewayError::Unsupported),
        }
    }

    pub async fn disbursement(&self, transaction_id: &str) -> Result<Disbursement, GatewayError> {
        match self {
            Gateway::Snap(g) => g.disbursement(transaction_id).await,
            _ => Err(GatewayError::Unsupported),
        }
    }

    pub async fn sub_accounts(&self, page: u32) -> Result<Page<SubAccount>, GatewayError> {
        match self {
            Gateway::Snap(g) => g.sub_accounts(page).await,
            _ => Err(GatewayError::Unsupported),
        }
    }

    pub async fn virtual_accounts(&self, kind: VaKind, page: u32) -> Result<Page<VirtualAccount>, GatewayError> {
        match self {
            Gateway::Snap(g) => g.virtual_accounts(kind, page).await,
            _ => Err(GatewayError::Unsupported),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;
    use reqwest::StatusCode;

    use super::http::Reply;

    /// A status and a body for the parsers' property tests.
    #[derive(Clone, Debug)]
    pub struct ArbitraryReply {
        status: u16,
        body: Vec<u8>,
    }

    pub fn fixture_reply(r: &ArbitraryReply) -> Reply {
        Reply { status: StatusCode::from_u16(r.status).expect("100..600"), body: r.body.clone() }
    }

    /// Arbitrary bytes, and the gateways' own example bodies with random bytes changed,
    /// cut or doubled (so the parsers go deep into nearly valid JSON), under any status.
    pub fn reply_strategy(fixtures: &'static [&'static str]) -> impl Strategy<Value = ArbitraryReply> {
        let random = proptest::collection::vec(any::<u8>(), 0..300);
        let mutated = (
            0..fixtures.len(),
            proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            any::<prop::sample::Index>(),
            any::<bool>(),
        )
            .prop_map(move |(which, edits, cut, doubled)| {
                let mut body = fixtures[which].as_bytes().to_vec();
                for (at, byte) in edits {
                    let i = at.index(body.len());
                    body[i] = byte;
                }
                if doubled {
                    body.extend_from_within(..);
                } else {
                    body.truncate(cut.index(body.len() + 1));
                }
                body
            });
        (100u16..600, prop_oneof![random, mutated]).prop_map(|(status, body)| ArbitraryReply { status, body })
    }
}
