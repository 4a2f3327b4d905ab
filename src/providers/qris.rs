//! The QRIS payment gateway (`seeds/002_*.txt`, paths from PRODUCT.md 1.2): `apikey` as a
//! query parameter on every call. Errors come as `{"error":…}` with any HTTP status, or as
//! `{"success":false,…}`.

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::json;

use super::{
    error::{GatewayError, Refusal},
    failure_for_status,
    http::{Body, Http, Reply, Request, join},
    json,
    types::*,
};
use crate::{domain::Amount, secret::Secret};

const PROVIDER: &str = "qris";

#[derive(Clone, Debug)]
pub struct Qris {
    http: Http,
    base: Url,
    api_key: Secret,
}

#[derive(Deserialize)]
struct ErrorJson {
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct BalanceJson {
    #[serde(deserialize_with = "json::amount")]
    balance: Amount,
}

#[derive(Deserialize)]
struct InvoiceJson {
    #[serde(deserialize_with = "json::id")]
    invoice_id: String,
    #[serde(deserialize_with = "json::amount")]
    amount: Amount,
    #[serde(default, deserialize_with = "json::opt_amount")]
    fee: Option<Amount>,
    #[serde(default, deserialize_with = "json::opt_amount")]
    total: Option<Amount>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    qris_string: Option<String>,
    #[serde(default)]
    qris_image: Option<String>,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    expired_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    created_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Deserialize)]
struct CancelJson {
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct WithdrawalJson {
    #[serde(deserialize_with = "json::id")]
    withdraw_id: String,
    #[serde(deserialize_with = "json::amount")]
    amount: Amount,
    #[serde(default, deserialize_with = "json::opt_amount")]
    fee: Option<Amount>,
    #[serde(default, deserialize_with = "json::opt_amount")]
    total_deduct: Option<Amount>,
    #[serde(default, deserialize_with = "json::opt_amount")]
    new_balance: Option<Amount>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    account_number: Option<String>,
    #[serde(default)]
    account_name: Option<String>,
    #[serde(default)]
    admin_note: Option<String>,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    created_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    processed_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Deserialize)]
struct PaginationJson {
    #[serde(default, deserialize_with = "json::opt_u32")]
    total_pages: Option<u32>,
}

#[derive(Deserialize)]
struct HistoryJson {
    #[serde(default = "Vec::new")]
    data: Vec<WithdrawalJson>,
    #[serde(default)]
    pagination: Option<PaginationJson>,
}

impl WithdrawalJson {
    fn into_withdrawal(self) -> Withdrawal {
        let destination = match (self.account_number, self.account_name) {
            (Some(number), name) => Some(Destination::Dana { number, name: name.unwrap_or_default() }),
            _ => None,
        };
        Withdrawal {
            id: self.withdraw_id,
            amount: self.amount,
            fee: self.fee,
            total: self.total_deduct,
            status: WithdrawalStatus::parse(self.status.as_deref().unwrap_or("pending")),
            destination,
            admin_note: self.admin_note.filter(|n| !n.trim().is_empty()),
            created_at: self.created_at,
            processed_at: self.processed_at,
        }
    }
}

fn refusal(message: &str) -> Refusal {
    if message.trim() == "Invoice tidak bisa dibatalkan, status saat ini: paid" {
        Refusal::InvoiceAlreadyPaid
    } else {
        Refusal::Other(message.trim().to_owned())
    }
}

impl Qris {
    pub fn new(http: Http, base: Url, api_key: Secret) -> Qris {
        Qris { http, base, api_key }
    }

    async fn call(
        &self,
        method: Method,
        endpoint: &'static str,
        query: &[(&str, String)],
        body: Body,
    ) -> Result<Reply, GatewayError> {
        let mut url = join(&self.base, endpoint);
        url.query_pairs_mut().append_pair("apikey", self.api_key.expose()).extend_pairs(query);
        let mut request = Request::new(PROVIDER, method, endpoint, url);
        request.body = body;
        // `invoice/create` is a GET that makes an invoice: repeating it after a lost
        // answer would leave an orphan invoice the merchant never sees.
        if endpoint == "/api/v1/invoice/create" {
            request = request.once();
        }
        self.http.send(&request).await
    }

    fn read<T: serde::de::DeserializeOwned>(reply: Reply) -> Result<T, GatewayError> {
        if let Ok(e) = json::parse::<ErrorJson>(&reply.body) {
            let message = match e.error {
                Some(serde_json::Value::String(s)) => Some(s),
                Some(serde_json::Value::Object(o)) => o.get("message").and_then(|m| m.as_str()).map(str::to_owned),
                Some(other) if !other.is_null() => Some(other.to_string()),
                _ if e.success == Some(false) => Some(e.message.unwrap_or_default()),
                _ => None,
            };
            if let Some(message) = message {
                return Err(match reply.status.as_u16() {
                    401 | 403 => GatewayError::CredentialsRejected { message: Some(message) },
                    404 => GatewayError::NotFound,
                    _ => GatewayError::Refused(vec![refusal(&message)]),
                });
            }
        }
        if !reply.status.is_success() {
            return Err(failure_for_status(&reply));
        }
        json::parse(&reply.body).map_err(GatewayError::Unexpected)
    }

    pub async fn balance(&self) -> Result<Balance, GatewayError> {
        let reply = self.call(Method::GET, "/api/v1/balance", &[], Body::None).await?;
        let b: BalanceJson = Self::read(reply)?;
        Ok(Balance { amount: b.balance, source: BalanceSource::Reported })
    }

    fn invoice_from(json: InvoiceJson, default_status: InvoiceStatus) -> Result<Invoice, GatewayError> {
        let status = match json.status.as_deref() {
            None => default_status,
            Some(s) => InvoiceStatus::parse(s)
                .ok_or_else(|| GatewayError::Unexpected(format!("unknown invoice status {s:?}")))?,
        };
        let fee = json.fee.unwrap_or(Amount::ZERO);
        let total = match json.total {
            Some(total) => total,
            None => json.amount.checked_add(fee).ok_or_else(|| GatewayError::Unexpected("total overflows".into()))?,
        };
        let qr =
            match (json.qris_string.filter(|s| !s.trim().is_empty()), json.qris_image.filter(|s| !s.trim().is_empty()))
            {
                (Some(payload), _) => InvoiceQr::Payload(payload.trim().to_owned()),
                (None, Some(url)) => InvoiceQr::ImageUrl(url),
                (None, None) => InvoiceQr::None,
            };
        Ok(Invoice {
            id: json.invoice_id,
            amount: json.amount,
            fee,
            total,
            status,
            qr,
            expires_at: json.expired_at,
            created_at: json.created_at,
        })
    }

    pub async fn create_invoice(&self, amount: Amount) -> Result<Invoice, GatewayError> {
        let rupiah =
            amount.whole_rupiah().ok_or_else(|| GatewayError::Unexpected("an invoice is whole rupiah".into()))?;
        let reply =
            self.call(Method::GET, "/api/v1/invoice/create", &[("amount", rupiah.to_string())], Body::None).await?;
        Self::invoice_from(Self::read(reply)?, InvoiceStatus::Pending)
    }

    pub async fn invoice(&self, id: &str) -> Result<Invoice, GatewayError> {
        let reply =
            self.call(Method::GET, "/api/v1/invoice/status", &[("invoice_id", id.to_owned())], Body::None).await?;
        Self::invoice_from(Self::read(reply)?, InvoiceStatus::Pending)
    }

    /// Cancels a pending invoice (it becomes expired). A paid one is refused with
    /// [`Refusal::InvoiceAlreadyPaid`].
    pub async fn cancel_invoice(&self, id: &str) -> Result<InvoiceStatus, GatewayError> {
        let reply =
            self.call(Method::POST, "/api/v1/invoice/cancel", &[("invoice_id", id.to_owned())], Body::None).await?;
        let answer: CancelJson = Self::read(reply)?;
        Ok(answer.status.as_deref().and_then(InvoiceStatus::parse).unwrap_or(InvoiceStatus::Expired))
    }

    /// DANA withdrawal. Sent once, never retried.
    /// The answer to a withdraw request, read for what it proves. Misreading it costs
    /// money: an answer taken for a refusal invites the merchant to send again, so only
    /// a clear "no" is a refusal, and only a withdraw_id with no error is a success:
    /// - `401`/`403`: the credentials were refused (nothing was sent);
    /// - a 2xx answer with a `withdraw_id` and no error: made;
    /// - a 2xx or 4xx answer with a non-empty error message and no `withdraw_id`: refused;
    /// - anything else (`"error": ""`, `false`, `0`, a 2xx without a `withdraw_id`, a 5xx,
    ///   a body the bot cannot read): ambiguous, an `Unexpected` error, which the caller
    ///   records as `unknown` and settles from the gateway's history.
    fn read_withdraw(reply: Reply) -> Result<WithdrawalJson, GatewayError> {
        let value: Option<serde_json::Value> = json::parse(&reply.body).ok();
        let field = |name: &str| value.as_ref().and_then(|v| v.get(name));
        let withdraw_id = field("withdraw_id").and_then(|id| match id {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        let text = |v: Option<&serde_json::Value>| {
            v.and_then(|v| v.as_str()).map(str::trim).filter(|m| !m.is_empty()).map(str::to_owned)
        };
        let message =
            text(field("error")).or_else(|| text(field("error").and_then(|e| e.get("message")))).or_else(|| {
                (field("success") == Some(&serde_json::Value::Bool(false))).then(|| text(field("message"))).flatten()
            });
        let has_error = field("error").is_some_and(|e| !e.is_null()) || message.is_some();
        let status = reply.status;
        match (status.as_u16(), withdraw_id, message) {
            (401 | 403, None, message) => Err(GatewayError::CredentialsRejected { message }),
            (_, Some(_), None) if status.is_success() && !has_error => {
                json::parse(&reply.body).map_err(GatewayError::Unexpected)
            }
            (_, None, Some(message)) if status.is_success() || status.is_client_error() => {
                Err(GatewayError::Refused(vec![refusal(&message)]))
            }
            _ => Err(GatewayError::Unexpected(format!(
                "an ambiguous answer to a withdraw request (HTTP {}): the outcome is unknown",
                status.as_u16()
            ))),
        }
    }

    pub async fn withdraw(&self, amount: Amount, number: &str, name: &str) -> Result<WithdrawReceipt, GatewayError> {
        let rupiah =
            amount.whole_rupiah().ok_or_else(|| GatewayError::Unexpected("a withdrawal is whole rupiah".into()))?;
        let body = Body::Json(json!({"amount": rupiah, "accountNumber": number, "accountName": name}));
        let reply = self.call(Method::POST, "/api/v1/withdraw", &[], body).await?;
        let w: WithdrawalJson = Self::read_withdraw(reply)?;
        Ok(WithdrawReceipt {
            id: w.withdraw_id,
            message: w.message,
            fee: w.fee,
            total: w.total_deduct,
            new_balance: w.new_balance,
            status: WithdrawalStatus::parse(w.status.as_deref().unwrap_or("pending")),
        })
    }

    pub async fn withdrawal(&self, id: &str) -> Result<Withdrawal, GatewayError> {
        let reply =
            self.call(Method::GET, "/api/v1/withdraw/status", &[("withdraw_id", id.to_owned())], Body::None).await?;
        Ok(Self::read::<WithdrawalJson>(reply)?.into_withdrawal())
    }

    pub async fn withdrawals(
        &self,
        page: u32,
        limit: u32,
        status: Option<&str>,
    ) -> Result<Page<Withdrawal>, GatewayError> {
        let mut query = vec![("page", page.to_string()), ("limit", limit.to_string())];
        if let Some(status) = status {
            query.push(("status", status.to_owned()));
        }
        let reply = self.call(Method::GET, "/api/v1/withdraw/history", &query, Body::None).await?;
        let history: HistoryJson = Self::read(reply)?;
        let items = history.data.into_iter().map(WithdrawalJson::into_withdrawal).collect();
        Ok(Page { items, page, total_pages: history.pagination.and_then(|p| p.total_pages) })
    }

    /// A harmless call that proves the key: the balance.
    pub async fn verify(&self) -> Result<(), GatewayError> {
        self.balance().await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::providers::tests::{fixture_reply, reply_strategy};

    const FIXTURES: [&str; 8] = [
        include_str!("../../tests/fixtures/qris_balance.json"),
        include_str!("../../tests/fixtures/qris_invoice_create.json"),
        include_str!("../../tests/fixtures/qris_invoice_status.json"),
        include_str!("../../tests/fixtures/qris_cancel_ok.json"),
        include_str!("../../tests/fixtures/qris_cancel_paid.json"),
        include_str!("../../tests/fixtures/qris_withdraw_ok.json"),
        include_str!("../../tests/fixtures/qris_withdraw_status.json"),
        include_str!("../../tests/fixtures/qris_withdraw_history.json"),
    ];

    fn reply(status: u16, body: &str) -> Reply {
        Reply { status: reqwest::StatusCode::from_u16(status).unwrap(), body: body.as_bytes().to_vec() }
    }

    #[test]
    fn only_a_clear_no_to_a_withdrawal_is_a_refusal_and_anything_unclear_is_unknown() {
        let ok = include_str!("../../tests/fixtures/qris_withdraw_ok.json");
        assert!(Qris::read_withdraw(reply(200, ok)).is_ok());
        for (status, body) in [
            (400, r#"{"error": "Saldo tidak mencukupi"}"#),
            (200, r#"{"error": "Saldo tidak mencukupi"}"#),
            (422, r#"{"success": false, "message": "Nomor DANA tidak valid"}"#),
            (400, r#"{"error": {"message": "Nominal minimal 10000"}}"#),
        ] {
            let Err(e) = Qris::read_withdraw(reply(status, body)) else { panic!("{status} {body}: accepted") };
            assert!(matches!(e, GatewayError::Refused(_)), "{status} {body}: {e:?}");
        }
        assert!(matches!(
            Qris::read_withdraw(reply(401, r#"{"error": "Invalid API key"}"#)),
            Err(GatewayError::CredentialsRejected { .. })
        ));
        // Each of these was recorded as a refusal before: the merchant could retry and
        // be paid out twice.
        for (status, body) in [
            (200, r#"{"error": ""}"#),
            (200, r#"{"error": false}"#),
            (200, r#"{"error": 0}"#),
            (400, r#"{"error": "  "}"#),
            (200, r#"{"success": false}"#),
            (200, r#"{"success": true}"#),
            (200, r#"{"success": true, "withdraw_id": "w1", "amount": 1000, "error": "partial"}"#),
            (500, r#"{"error": "Internal error"}"#),
            (502, "<html>Bad gateway</html>"),
            (200, ""),
        ] {
            let Err(e) = Qris::read_withdraw(reply(status, body)) else { panic!("{status} {body}: accepted") };
            assert!(matches!(e, GatewayError::Unexpected(_)), "{status} {body}: {e:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn parsers_never_panic(reply in reply_strategy(&FIXTURES)) {
            let _ = Qris::read::<BalanceJson>(fixture_reply(&reply));
            let _ = Qris::read::<InvoiceJson>(fixture_reply(&reply)).and_then(|i| Qris::invoice_from(i, InvoiceStatus::Pending));
            let _ = Qris::read::<CancelJson>(fixture_reply(&reply));
            let _ = Qris::read::<WithdrawalJson>(fixture_reply(&reply)).map(WithdrawalJson::into_withdrawal);
            let _ = Qris::read_withdraw(fixture_reply(&reply));
            let _ = Qris::read::<HistoryJson>(fixture_reply(&reply));
        }
    }
}
