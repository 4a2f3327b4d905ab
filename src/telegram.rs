//! The Bot API client as the bot uses it, and what Telegram's refusals mean.

use teloxide::{
    adaptors::{DefaultParseMode, Throttle, throttle::Limits},
    requests::RequesterExt,
    types::ParseMode,
};

use crate::config::Config;

/// The bot as handlers use it: Telegram's limits kept by `Throttle` (a 429's
/// `retry_after` is honored and the request retried), replies in HTML.
pub type Bot = DefaultParseMode<Throttle<teloxide::Bot>>;

/// The Bot API client for `config`.
pub fn build_bot(config: &Config, limits: Limits) -> Bot {
    let bot = teloxide::Bot::new(config.token.clone()).set_api_url(config.api_url.clone());
    Throttle::new_spawn(bot, limits).parse_mode(ParseMode::Html)
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
