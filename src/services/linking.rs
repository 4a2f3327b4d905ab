//! Linking an account: the provider's credential fields, one at a time (those collected
//! so far kept sealed in the dialogue), checked with a harmless gateway call, then
//! stored sealed; a Bukalapak account's incoming money is watched from then on.

use crate::domain::TelegramUserId;
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use serde::{Deserialize, Serialize};

use crate::{
    app::App,
    crypto::Sealed,
    domain::{AccountLabel, Credentials, Provider, events::WatchKind},
    providers::GatewayError,
    secret::Secret,
    storage::{
        accounts::{self, AccountError, LinkedAccount},
        watches,
    },
};

/// The credential fields of a provider, in the order they are asked. The secret one is
/// last, so it is used right away and never waits in the dialogue.
pub fn fields(provider: Provider) -> &'static [&'static str] {
    match provider {
        Provider::Bukalapak => &["user_id", "api_key"],
        Provider::Qris => &["api_key"],
        Provider::Snap => &["partner_id", "account_id", "client_secret"],
    }
}

/// Whether a typed credential value can be one: not empty, at most 256 characters, no
/// whitespace.
pub fn is_plausible(value: &str) -> bool {
    !value.is_empty() && value.chars().count() <= 256 && !value.chars().any(char::is_whitespace)
}

/// The credentials of `provider` from its fields' values, in [`fields`] order.
pub fn credentials(provider: Provider, values: &[String]) -> Option<Credentials> {
    Some(match provider {
        Provider::Bukalapak => {
            let [user_id, api_key] = values else { return None };
            Credentials::Bukalapak { user_id: user_id.clone(), api_key: Secret::new(api_key.clone()) }
        }
        Provider::Qris => {
            let [api_key] = values else { return None };
            Credentials::Qris { api_key: Secret::new(api_key.clone()) }
        }
        Provider::Snap => {
            let [partner_id, account_id, client_secret] = values else { return None };
            Credentials::Snap {
                partner_id: partner_id.clone(),
                client_secret: Secret::new(client_secret.clone()),
                account_id: account_id.clone(),
            }
        }
    })
}

/// Credential fields collected so far, sealed with the chat bound in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedPartial {
    pub ciphertext: String,
    pub nonce: String,
    pub key_id: String,
}

fn partial_aad(chat: i64) -> Vec<u8> {
    format!("merchant-bot link dialogue v1\0chat={chat}").into_bytes()
}

/// Seals the values collected so far in `chat`'s dialogue.
pub fn seal_partial(app: &App, chat: i64, values: &[String]) -> SealedPartial {
    let sealed = app.key().seal(&serde_json::to_vec(values).expect("strings serialize"), &partial_aad(chat));
    SealedPartial { ciphertext: B64.encode(sealed.ciphertext), nonce: B64.encode(sealed.nonce), key_id: sealed.key_id }
}

/// The values collected so far; `None` if they were sealed under another key or for
/// another chat (start the fields over).
pub fn open_partial(app: &App, chat: i64, partial: &Option<SealedPartial>) -> Option<Vec<String>> {
    let Some(p) = partial else { return Some(Vec::new()) };
    let sealed = Sealed {
        ciphertext: B64.decode(&p.ciphertext).ok()?,
        nonce: B64.decode(&p.nonce).ok()?,
        key_id: p.key_id.clone(),
    };
    serde_json::from_slice(&app.key().open(&sealed, &partial_aad(chat)).ok()?).ok()
}

/// The providers whose gateway this bot is configured for.
pub fn offered(app: &App) -> Vec<Provider> {
    app.gateways.urls().offered()
}

/// A free label for a new account of `provider` (`qris-1`, `qris-2`, …).
pub async fn suggest_label(app: &App, owner: TelegramUserId, provider: Provider) -> Result<String, AccountError> {
    let taken: Vec<String> = accounts::list(&app.pool, owner).await?.into_iter().map(|a| a.label.to_string()).collect();
    Ok((1..).map(|n| format!("{provider}-{n}")).find(|l| !taken.contains(l)).expect("some number is free"))
}

/// The user's account with this label, if there is one.
pub async fn existing(
    app: &App,
    owner: TelegramUserId,
    label: &AccountLabel,
) -> Result<Option<LinkedAccount>, AccountError> {
    Ok(accounts::list(&app.pool, owner).await?.into_iter().find(|a| &a.label == label))
}

/// Why linking did not happen.
#[derive(Debug)]
pub enum LinkError {
    /// The gateway refused the credentials.
    Rejected(GatewayError),
    /// The gateway could not be asked (down, slow, an answer not understood).
    Unverified(GatewayError),
    /// Another device linked or unlinked this label meanwhile.
    LabelChanged,
}

/// Checks the credentials with a harmless call, then stores them sealed (as a new
/// account, or in place of the account with this label); a Bukalapak account's incoming
/// money is watched from then on.
pub async fn link(
    app: &App,
    owner: TelegramUserId,
    label: &AccountLabel,
    credentials: &Credentials,
    replace: bool,
) -> anyhow::Result<Result<LinkedAccount, LinkError>> {
    let provider = credentials.provider();
    let verified = match app.gateways.client(credentials) {
        Ok(client) => {
            let span = super::accounts::gateway_span("verify", provider, None);
            tracing::Instrument::instrument(client.verify(), span).await
        }
        Err(e) => Err(e),
    };
    if let Err(e) = verified {
        tracing::info!(provider = provider.as_str(), error = %e, "linking: the credentials did not verify");
        return Ok(Err(match e {
            GatewayError::CredentialsRejected { .. } => LinkError::Rejected(e),
            other => LinkError::Unverified(other),
        }));
    }
    let stored = if replace {
        accounts::replace(&app.pool, app.key(), owner, label, credentials).await
    } else {
        accounts::insert(&app.pool, app.key(), owner, label, credentials).await
    };
    let account = match stored {
        Ok(account) => account,
        Err(AccountError::LabelTaken | AccountError::NotFound) => return Ok(Err(LinkError::LabelChanged)),
        Err(e) => return Err(e.into()),
    };
    tracing::info!(provider = provider.as_str(), account_id = account.id.get(), "account linked");
    if provider == Provider::Bukalapak {
        // Incoming money: the newest mutation id is the cursor.
        watches::watch(&app.pool, owner, account.id, WatchKind::Mutations, "credits", None).await?;
    }
    Ok(Ok(account))
}
