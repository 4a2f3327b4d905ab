//! Bukalapak Dompet (`seeds/000_*.txt`): Basic auth with `user_id:api_key`; mutations,
//! withdrawals and the withdraw request. Errors come as `{"status":"ERROR","message":…}`
//! with any HTTP status, several messages joined by `", "`.

use reqwest::{Method, Url};
use serde::Deserialize;

use super::{
    error::{GatewayError, Refusal},
    failure_for_status,
    http::{Body, Http, Reply, Request, join},
    json,
    types::*,
};
use crate::{domain::Amount, secret::Secret};

const PROVIDER: &str = "bukalapak";

#[derive(Clone, Debug)]
pub struct Bukalapak {
    http: Http,
    base: Url,
    user_id: String,
    api_key: Secret,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct History<T> {
    #[serde(default = "Vec::new")]
    history: Vec<T>,
}

#[derive(Deserialize)]
struct MutationJson {
    #[serde(deserialize_with = "json::id")]
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    action: Option<String>,
    #[serde(deserialize_with = "json::amount")]
    amount: Amount,
    #[serde(deserialize_with = "json::amount")]
    initial_balance: Amount,
    #[serde(deserialize_with = "json::amount")]
    final_balance: Amount,
    #[serde(default, deserialize_with = "json::opt_id")]
    transaction_id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    created_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Deserialize)]
struct WithdrawalJson {
    #[serde(deserialize_with = "json::id")]
    id: String,
    #[serde(deserialize_with = "json::amount")]
    amount: Amount,
    #[serde(default, deserialize_with = "json::opt_id")]
    bank_account_id: Option<String>,
    state: String,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    created_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "json::opt_timestamp")]
    processed_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Deserialize)]
struct WithdrawJson {
    #[serde(default, deserialize_with = "json::opt_id")]
    withdrawal_id: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Splits Bukalapak's joined messages (`"A., B."`) into one refusal each. The split is
/// at `", "` after a sentence's full stop, as the documents show them joined, so that a
/// single unknown message that contains a comma stays whole.
pub fn refusals(message: &str) -> Vec<Refusal> {
    let mut parts = Vec::new();
    let mut rest = message.trim();
    while let Some(at) = rest.find("., ") {
        parts.push(&rest[..at + 1]);
        rest = &rest[at + 3..];
    }
    if !rest.trim().is_empty() {
        parts.push(rest);
    }
    parts
        .into_iter()
        .map(|part| match part.trim() {
            "Rekening pencairan harus milik Anda." => Refusal::AccountNotYours,
            "Password tidak valid." => Refusal::WrongPassword,
            "Pencairan hanya bisa dilakukan satu kali sehari." => Refusal::OncePerDay,
            other => Refusal::Other(other.to_owned()),
        })
        .collect()
}

fn mutations_from(items: Vec<MutationJson>) -> Result<Vec<Mutation>, GatewayError> {
    items
        .into_iter()
        .map(|m| {
            let kind = match m.kind.as_str() {
                "Deposit::Credit" => MutationKind::Credit,
                "Deposit::Debit" => MutationKind::Debit,
                other => return Err(GatewayError::Unexpected(format!("unknown mutation type {other:?}"))),
            };
            Ok(Mutation {
                id: m.id,
                kind,
                action: m.action.unwrap_or_default(),
                amount: m.amount,
                initial_balance: m.initial_balance,
                final_balance: m.final_balance,
                transaction_id: m.transaction_id,
                created_at: m.created_at,
            })
        })
        .collect()
}

impl Bukalapak {
    pub fn new(http: Http, base: Url, user_id: String, api_key: Secret) -> Bukalapak {
        Bukalapak { http, base, user_id, api_key }
    }

    fn request(&self, method: Method, endpoint: &'static str, query: &[(&str, String)]) -> Request {
        let mut url = join(&self.base, endpoint);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = Request::new(PROVIDER, method, endpoint, url);
        request.basic_auth = Some((self.user_id.clone(), self.api_key.expose().clone()));
        request
    }

    /// The body of a successful answer, or the error it carries.
    fn read<T: serde::de::DeserializeOwned>(reply: Reply) -> Result<T, GatewayError> {
        let envelope: Option<Envelope> = json::parse(&reply.body).ok();
        if let Some(Envelope { status: Some(status), message }) = &envelope
            && status.eq_ignore_ascii_case("ERROR")
        {
            let message = message.clone().unwrap_or_default();
            if matches!(reply.status.as_u16(), 401 | 403) {
                return Err(GatewayError::CredentialsRejected { message: Some(message) });
            }
            return Err(GatewayError::Refused(refusals(&message)));
        }
        if !reply.status.is_success() {
            return Err(failure_for_status(&reply));
        }
        json::parse(&reply.body).map_err(GatewayError::Unexpected)
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &'static str,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<T>, GatewayError> {
        let request =
            self.request(Method::GET, endpoint, &[("page", page.to_string()), ("per_page", per_page.to_string())]);
        let reply = self.http.send(&request).await?;
        Ok(Self::read::<History<T>>(reply)?.history)
    }

    pub async fn mutations(&self, page: u32, per_page: u32) -> Result<Page<Mutation>, GatewayError> {
        let items = mutations_from(self.list("/v1/dompet/history/mutations.json", page, per_page).await?)?;
        Ok(Page { items, page, total_pages: None })
    }

    /// There is no balance endpoint: the balance is the `final_balance` of the newest
    /// mutation.
    pub async fn balance(&self) -> Result<Balance, GatewayError> {
        let newest = self.mutations(1, 1).await?.items.into_iter().next();
        Ok(match newest {
            Some(m) => Balance { amount: m.final_balance, source: BalanceSource::NewestMutation { at: m.created_at } },
            None => Balance { amount: Amount::ZERO, source: BalanceSource::NoMutations },
        })
    }

    pub async fn withdrawals(&self, page: u32, per_page: u32) -> Result<Page<Withdrawal>, GatewayError> {
        let items: Vec<WithdrawalJson> = self.list("/v2/dompet/history/withdrawals.json", page, per_page).await?;
        let items = items
            .into_iter()
            .map(|w| Withdrawal {
                id: w.id,
                amount: w.amount,
                fee: None,
                total: None,
                status: WithdrawalStatus::parse(&w.state),
                destination: w.bank_account_id.map(|id| Destination::BankAccount { id }),
                admin_note: None,
                created_at: w.created_at,
                processed_at: w.processed_at,
            })
            .collect();
        Ok(Page { items, page, total_pages: None })
    }

    /// Bukalapak has no status endpoint: a withdrawal is looked up in the newest pages
    /// of the history.
    pub async fn withdrawal(&self, id: &str) -> Result<Withdrawal, GatewayError> {
        const PER_PAGE: u32 = 50;
        for page in 1..=5 {
            let found = self.withdrawals(page, PER_PAGE).await?;
            let last = !found.has_next(PER_PAGE);
            if let Some(w) = found.items.into_iter().find(|w| w.id == id) {
                return Ok(w);
            }
            if last {
                break;
            }
        }
        Err(GatewayError::NotFound)
    }

    /// Sent once, never retried (the HTTP layer retries reads only).
    pub async fn withdraw(
        &self,
        amount: Amount,
        bank_account_id: &str,
        password: &Secret,
    ) -> Result<WithdrawReceipt, GatewayError> {
        let rupiah =
            amount.whole_rupiah().ok_or_else(|| GatewayError::Unexpected("a withdrawal is whole rupiah".into()))?;
        let mut request = self.request(Method::POST, "/v2/dompet/withdraw.json", &[]);
        request.body = Body::Form(vec![
            ("deposit_withdrawal[amount]", rupiah.to_string()),
            ("deposit_withdrawal[bank_account_id]", bank_account_id.to_owned()),
            ("deposit_withdrawal[password]", password.expose().clone()),
        ]);
        let reply = self.http.send(&request).await?;
        let answer: WithdrawJson = Self::read(reply)?;
        let id = answer
            .withdrawal_id
            .ok_or_else(|| GatewayError::Unexpected("an accepted withdrawal without an id".into()))?;
        Ok(WithdrawReceipt {
            id,
            message: answer.message,
            fee: None,
            total: None,
            new_balance: None,
            status: WithdrawalStatus::Pending,
        })
    }

    /// A harmless call that proves the credentials: the newest mutation.
    pub async fn verify(&self) -> Result<(), GatewayError> {
        self.mutations(1, 1).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::providers::tests::{fixture_reply, reply_strategy};

    const FIXTURES: [&str; 7] = [
        include_str!("../../tests/fixtures/bukalapak_mutations.json"),
        include_str!("../../tests/fixtures/bukalapak_withdrawals.json"),
        include_str!("../../tests/fixtures/bukalapak_withdraw_ok.json"),
        include_str!("../../tests/fixtures/bukalapak_withdraw_not_yours.json"),
        include_str!("../../tests/fixtures/bukalapak_withdraw_wrong_password.json"),
        include_str!("../../tests/fixtures/bukalapak_withdraw_once_a_day.json"),
        include_str!("../../tests/fixtures/bukalapak_withdraw_once_a_day_and_password.json"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn parsers_never_panic(reply in reply_strategy(&FIXTURES)) {
            let _ = Bukalapak::read::<History<MutationJson>>(fixture_reply(&reply)).and_then(|h| mutations_from(h.history));
            let _ = Bukalapak::read::<History<WithdrawalJson>>(fixture_reply(&reply));
            let _ = Bukalapak::read::<WithdrawJson>(fixture_reply(&reply));
        }
    }

    #[test]
    fn joined_messages_are_split_and_typed() {
        assert_eq!(
            refusals("Pencairan hanya bisa dilakukan satu kali sehari., Password tidak valid."),
            vec![Refusal::OncePerDay, Refusal::WrongPassword]
        );
        assert_eq!(refusals("Rekening pencairan harus milik Anda."), vec![Refusal::AccountNotYours]);
        assert_eq!(
            refusals("Saldo tidak cukup, silakan isi ulang., Password tidak valid."),
            vec![Refusal::Other("Saldo tidak cukup, silakan isi ulang.".into()), Refusal::WrongPassword]
        );
    }
}
