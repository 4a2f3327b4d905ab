//! What can go wrong talking to a gateway, in kinds a merchant can act on.

use crate::{i18n::Lang, tr};

/// A gateway's refusal of a request, typed where the bot knows the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Bukalapak: "Rekening pencairan harus milik Anda."
    AccountNotYours,
    /// Bukalapak: "Password tidak valid."
    WrongPassword,
    /// Bukalapak: "Pencairan hanya bisa dilakukan satu kali sehari."
    OncePerDay,
    /// QRIS: "Invoice tidak bisa dibatalkan, status saat ini: paid"
    InvoiceAlreadyPaid,
    /// Anything else, exactly as the gateway wrote it.
    Other(String),
}

impl Refusal {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Refusal::AccountNotYours => tr!(lang, "refusal-account-not-yours"),
            Refusal::WrongPassword => tr!(lang, "refusal-wrong-password"),
            Refusal::OncePerDay => tr!(lang, "refusal-once-per-day"),
            Refusal::InvoiceAlreadyPaid => tr!(lang, "refusal-invoice-paid"),
            Refusal::Other(message) => crate::i18n::escape_html(message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The gateway does not accept the credentials (HTTP 401/403 or its own words).
    #[error("credentials rejected by the gateway{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    CredentialsRejected { message: Option<String> },
    /// The gateway understood and said no.
    #[error("refused by the gateway: {0:?}")]
    Refused(Vec<Refusal>),
    #[error("not found at the gateway")]
    NotFound,
    /// 5xx, 429, or the connection failed.
    #[error("gateway unavailable{}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Unavailable { status: Option<u16> },
    #[error("the gateway did not answer in time")]
    TimedOut,
    /// Not sent: too many calls were already waiting on this gateway
    /// ([`MAX_CALLS_PER_GATEWAY`](super::http::MAX_CALLS_PER_GATEWAY)).
    #[error("too many calls waiting on the gateway; not sent")]
    Busy,
    /// An answer the bot cannot read: HTML, an empty body, malformed or unexpected JSON.
    #[error("unexpected answer from the gateway: {0}")]
    Unexpected(String),
    /// The provider has no such feature.
    #[error("this provider does not offer that")]
    Unsupported,
}

impl GatewayError {
    /// The localized message for the merchant. Never includes a secret: gateway
    /// messages are shown escaped, and nothing else from the request is.
    pub fn user_text(&self, lang: Lang) -> String {
        match self {
            GatewayError::CredentialsRejected { .. } => tr!(lang, "gateway-credentials-rejected"),
            GatewayError::Refused(reasons) => {
                let reasons: Vec<String> = reasons.iter().map(|r| format!("• {}", r.text(lang))).collect();
                tr!(lang, "gateway-refused", reasons = crate::i18n::Html(reasons.join("\n")))
            }
            GatewayError::NotFound => tr!(lang, "gateway-not-found"),
            GatewayError::Unavailable { .. } => tr!(lang, "gateway-unavailable"),
            GatewayError::TimedOut => tr!(lang, "gateway-timed-out"),
            GatewayError::Busy => tr!(lang, "gateway-busy"),
            GatewayError::Unexpected(_) => tr!(lang, "gateway-unexpected"),
            GatewayError::Unsupported => tr!(lang, "gateway-unsupported"),
        }
    }
}
