//! Inline-button presses. Callback data is client-controlled and at most 64 bytes, so a
//! button carries a short typed [`Action`]; anything that changes money or accounts will
//! refer to a server-side action bound to its user (see `pending_actions`).

use teloxide::prelude::*;

use super::{App, Bot, HandlerResult, commands, fallback_lang};
use crate::{i18n::Lang, storage, tr};

/// What a button does, encoded compactly as `verb:argument`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Choose the language of the bot (the presser's own setting).
    SetLanguage(Lang),
}

impl Action {
    pub fn encode(&self) -> String {
        let data = match self {
            Action::SetLanguage(lang) => format!("lang:{}", lang.code()),
        };
        debug_assert!(data.len() <= 64, "Telegram allows 64 bytes of callback data");
        data
    }

    /// `None` for data this version does not understand (an old button, or forged data).
    pub fn decode(data: &str) -> Option<Action> {
        let (verb, arg) = data.split_once(':')?;
        match verb {
            "lang" => Lang::parse(arg).map(Action::SetLanguage),
            _ => None,
        }
    }
}

/// Answers every press at once (no endless spinner), then does the work.
pub async fn handle(bot: Bot, app: App, q: CallbackQuery) -> HandlerResult {
    let lang = app.user(&q.from).await.map(|u| u.lang()).unwrap_or_else(|_| fallback_lang(Some(&q.from)));
    let Some(action) = q.data.as_deref().and_then(Action::decode) else {
        bot.answer_callback_query(q.id.clone()).text(tr!(lang, "callback-stale")).await?;
        return Ok(());
    };
    match action {
        Action::SetLanguage(new) => {
            bot.answer_callback_query(q.id.clone()).await?;
            let user_id = q.from.id.0 as i64;
            if let Err(e) = storage::users::set_language(&app.pool, user_id, new).await {
                tracing::error!(error = %e, "could not store the language");
                if let Some(msg) = q.regular_message() {
                    bot.send_message(msg.chat.id, tr!(lang, "error-internal")).await?;
                }
                return Ok(());
            }
            if let Some(msg) = q.regular_message() {
                bot.edit_message_text(msg.chat.id, msg.id, tr!(new, "language-set")).await?;
                if msg.chat.is_private()
                    && let Err(e) = commands::register_for_chat(&bot, msg.chat.id, new).await
                {
                    tracing::warn!(error = %e, "could not set the chat's command menu");
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_junk_is_refused() {
        for lang in Lang::ALL {
            let a = Action::SetLanguage(lang);
            assert_eq!(Action::decode(&a.encode()), Some(a));
        }
        for junk in ["", "lang", "lang:xx", "nope:id", "lang:id:extra"] {
            assert_eq!(Action::decode(junk), None, "{junk}");
        }
    }
}
