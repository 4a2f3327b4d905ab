//! The Bot API client as the bot uses it, and what Telegram's refusals mean.

pub mod limiter;

use teloxide::{adaptors::DefaultParseMode, requests::RequesterExt, types::ParseMode};

use crate::config::Config;

pub use limiter::{Class, Limiter, Permit, SendLimits};

/// The bot as handlers use it: replies in HTML. Telegram's limits are kept by the
/// [`Limiter`] in `App`, which handlers and the notifier send through.
pub type Bot = DefaultParseMode<teloxide::Bot>;

/// The Bot API client for `config`.
pub fn build_bot(config: &Config) -> Bot {
    teloxide::Bot::new(config.token.clone()).set_api_url(config.api_url.clone()).parse_mode(ParseMode::Html)
}

/// Telegram's description when it refused a request the bot built (a 400), as opposed
/// to a failure of the network, of Telegram, of the database or of a gateway.
pub fn refused_as_built(e: &teloxide::RequestError) -> Option<String> {
    match e {
        teloxide::RequestError::Api(api) => {
            let description = api.to_string();
            description.starts_with("Bad Request").then_some(description)
        }
        _ => None,
    }
}
