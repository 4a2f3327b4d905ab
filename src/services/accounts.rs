//! The user's linked accounts: listing, choosing the default, naming them for
//! customers, unlinking, and opening one for gateway calls ([`Usable`]).

use crate::domain::AccountId;
use crate::domain::TelegramUserId;
use crate::{
    app::App,
    domain::{Amount, DisplayName, Provider},
    providers::{
        Balance, Disbursement, Gateway, GatewayError, Invoice, InvoiceStatus, Mutation, Page, SubAccount, VaKind,
        VirtualAccount, Withdrawal,
    },
    storage::accounts,
};

pub use crate::storage::accounts::{AccountError, LinkedAccount, OpenedAccount};

/// The user's accounts (the default first, then by label), without credentials.
pub async fn list(app: &App, owner: TelegramUserId) -> Result<Vec<LinkedAccount>, AccountError> {
    accounts::list(&app.pool, owner).await
}

/// One of the user's own accounts.
pub async fn get(
    app: &App,
    owner: TelegramUserId,
    account_id: AccountId,
) -> Result<Option<LinkedAccount>, AccountError> {
    accounts::get(&app.pool, owner, account_id).await
}

/// The accounts the user may use (their own, and those they are staff on) with their
/// credentials opened: one read, one decryption per account.
pub async fn opened(app: &App, user: TelegramUserId) -> Result<Vec<OpenedAccount>, AccountError> {
    accounts::list_opened(&app.pool, app.key(), user).await
}

/// The accounts an update's first read brought ([`crate::services::users::Known`]),
/// opened: one decryption per account, no database read.
pub fn open_read(app: &App, read: &[accounts::SealedAccount]) -> Result<Vec<OpenedAccount>, AccountError> {
    read.iter().map(|sealed| sealed.open(app.key())).collect()
}

/// Makes an account the default; the account as it is now. `NotFound` if it is not the
/// user's (any more).
pub async fn make_default(
    app: &App,
    owner: TelegramUserId,
    account_id: AccountId,
) -> Result<LinkedAccount, AccountError> {
    accounts::set_default(&app.pool, owner, account_id).await?;
    accounts::get(&app.pool, owner, account_id).await?.ok_or(AccountError::NotFound)
}

/// Unlinks an account: its credentials are deleted and its watches end.
pub async fn unlink(app: &App, owner: TelegramUserId, account_id: AccountId) -> Result<LinkedAccount, AccountError> {
    let removed = accounts::unlink(&app.pool, app.key(), owner, account_id).await?;
    tracing::info!(account_id = account_id.get(), "account unlinked");
    Ok(removed)
}

/// Sets (or clears) the name customers see; `None` if the account is gone.
pub async fn set_display_name(
    app: &App,
    owner: TelegramUserId,
    account_id: AccountId,
    name: Option<&DisplayName>,
) -> Result<Option<LinkedAccount>, AccountError> {
    accounts::set_display_name(&app.pool, owner, account_id, name).await
}

/// Why an account cannot be used for a gateway call.
#[derive(Debug)]
pub enum Unusable {
    /// Not the user's (any more): unlinked, or their staff role ended.
    Gone,
    /// Its stored credentials cannot be opened (another key, damaged row).
    Unreadable(LinkedAccount),
    /// No client can be made for it (its gateway is not configured here).
    NoClient(LinkedAccount, GatewayError),
}

/// One of the user's accounts, opened: every gateway call of the bot goes through one,
/// in a span that names the call, the provider and the account (never a credential).
pub struct Usable {
    pub account: LinkedAccount,
    gateway: Gateway,
}

/// Opens account `account_id` among the user's opened accounts.
pub fn open(app: &App, opened: &[OpenedAccount], account_id: AccountId) -> Result<Usable, Unusable> {
    let Some((account, credentials)) = opened.iter().find(|(a, _)| a.id == account_id) else {
        return Err(Unusable::Gone);
    };
    let credentials = match credentials {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(account_id = account_id.get(), error = %e, "stored credentials cannot be opened");
            return Err(Unusable::Unreadable(account.clone()));
        }
    };
    match app.gateways.client(credentials) {
        Ok(gateway) => Ok(Usable { account: account.clone(), gateway }),
        Err(e) => Err(Unusable::NoClient(account.clone(), e)),
    }
}

/// Opens an account of `owner` by itself (for someone acting on the owner's behalf, such
/// as a customer checking an invoice).
pub async fn open_owned(app: &App, owner: TelegramUserId, account_id: AccountId) -> Result<Usable, Unusable> {
    let (account, credentials) = match accounts::with_credentials(&app.pool, app.key(), owner, account_id).await {
        Ok(found) => found,
        Err(AccountError::NotFound) => return Err(Unusable::Gone),
        Err(e) => {
            tracing::warn!(account_id = account_id.get(), error = %e, "an account could not be opened");
            return Err(Unusable::Gone);
        }
    };
    match app.gateways.client(&credentials) {
        Ok(gateway) => Ok(Usable { account, gateway }),
        Err(e) => Err(Unusable::NoClient(account, e)),
    }
}

/// The span of one gateway call: the call, the provider and the account (once there is
/// one); never a credential.
pub(crate) fn gateway_span(call: &'static str, provider: Provider, account_id: Option<AccountId>) -> tracing::Span {
    tracing::info_span!("gateway", call, provider = provider.as_str(), account_id = account_id.map(AccountId::get))
}

/// One span per gateway call.
macro_rules! call {
    ($self:ident, $name:literal, $call:expr) => {{
        let span = gateway_span($name, $self.account.provider, Some($self.account.id));
        tracing::Instrument::instrument($call, span).await
    }};
}

impl Usable {
    pub fn provider(&self) -> Provider {
        self.account.provider
    }

    pub async fn verify(&self) -> Result<(), GatewayError> {
        call!(self, "verify", self.gateway.verify())
    }

    pub async fn balance(&self) -> Result<Balance, GatewayError> {
        call!(self, "balance", self.gateway.balance())
    }

    pub async fn create_invoice(&self, amount: Amount) -> Result<Invoice, GatewayError> {
        call!(self, "create_invoice", self.gateway.create_invoice(amount))
    }

    pub async fn invoice(&self, id: &str) -> Result<Invoice, GatewayError> {
        call!(self, "invoice", self.gateway.invoice(id))
    }

    pub async fn cancel_invoice(&self, id: &str) -> Result<InvoiceStatus, GatewayError> {
        call!(self, "cancel_invoice", self.gateway.cancel_invoice(id))
    }

    pub async fn withdrawals(
        &self,
        page: u32,
        per_page: u32,
        status: Option<&str>,
    ) -> Result<Page<Withdrawal>, GatewayError> {
        call!(self, "withdrawals", self.gateway.withdrawals(page, per_page, status))
    }

    pub async fn mutations(&self, page: u32, per_page: u32) -> Result<Page<Mutation>, GatewayError> {
        call!(self, "mutations", self.gateway.mutations(page, per_page))
    }

    pub async fn disbursement(&self, transaction_id: &str) -> Result<Disbursement, GatewayError> {
        call!(self, "disbursement", self.gateway.disbursement(transaction_id))
    }

    pub async fn sub_accounts(&self, page: u32) -> Result<Page<SubAccount>, GatewayError> {
        call!(self, "sub_accounts", self.gateway.sub_accounts(page))
    }

    pub async fn virtual_accounts(&self, kind: VaKind, page: u32) -> Result<Page<VirtualAccount>, GatewayError> {
        call!(self, "virtual_accounts", self.gateway.virtual_accounts(kind, page))
    }

    /// The gateway client itself, for the rules that send (a withdrawal is sent once,
    /// by [`crate::withdrawals::submit`]).
    pub(crate) fn gateway(&self) -> &Gateway {
        &self.gateway
    }
}
