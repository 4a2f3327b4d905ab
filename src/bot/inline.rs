//! Inline mode: `@<bot> 25000` (or `@<bot> 25000 label`) in any chat offers one result
//! that posts a QRIS invoice card there, for the merchant's own customers to pay.
//!
//! An inline message cannot take an uploaded photo, only one Telegram already has (a
//! `file_id`) or a public URL, and the bot has no public URL in long-polling mode. So
//! the result is first a short text ("creating the invoice…"); when Telegram reports the
//! choice (`chosen_inline_result`, switched on with @BotFather's /setinlinefeedback),
//! the bot makes the invoice, sends the merchant their own copy of the card in the
//! private chat (the upload that gives Telegram the image, and the merchant's Cancel and
//! Share), and edits the inline message into that photo with a Check status button that
//! anyone in the chat may press. If the private chat cannot take the copy (the merchant
//! never started the bot there, or blocked it), the inline message shows the invoice as
//! text with a button to the pay link instead. Works alike with long polling and webhooks.

use crate::domain::AccountId;
use crate::domain::TelegramUserId;
use futures::FutureExt;
use teloxide::{
    prelude::*,
    types::{
        ChosenInlineResult, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InlineQuery, InlineQueryResult,
        InlineQueryResultArticle, InlineQueryResultsButton, InlineQueryResultsButtonKind, InputFile, InputMedia,
        InputMediaPhoto, InputMessageContent, InputMessageContentText, ParseMode,
    },
};

use super::{App, Bot, Callback, Ctx, HandlerResult, commands, deposit};
use crate::{
    cards,
    domain::{Amount, LinkKind, Provider},
    i18n::Lang,
    services::{
        self,
        accounts::LinkedAccount,
        invoices::{self, Audience, CreateError, InvoiceRow},
    },
    tr,
};

/// The callback data of the button an inline result carries until its invoice exists
/// (Telegram reports the inline message's id only for a message with a keyboard).
const WAIT: &str = "inline:wait";

async fn lang_of(app: &App, user: &teloxide::types::User) -> Lang {
    match services::users::lang_of(app, TelegramUserId::new(user.id.0 as i64)).await {
        Ok(Some(lang)) => lang,
        _ => Lang::from_telegram(user.language_code.as_deref()),
    }
}

/// The words of an HTML text, for a place that shows plain text (a button).
fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// `25000` or `25000 label`: the amount and the account's label, if named.
fn parse_query(query: &str) -> (Option<&str>, Option<&str>) {
    let mut words = query.split_whitespace();
    (words.next(), words.next())
}

/// The result's id names the account and the amount; both are checked again when it
/// is chosen (the id comes back from the client).
fn result_id(account_id: AccountId, amount: Amount) -> String {
    format!("inv:{account_id}:{}", amount.whole_rupiah().unwrap_or(0))
}

fn parse_result_id(id: &str) -> Option<(AccountId, i64)> {
    let mut parts = id.strip_prefix("inv:")?.split(':');
    let account = AccountId::parse(parts.next()?)?;
    let rupiah = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((account, rupiah))
}

/// The merchant's QRIS accounts (the ones that make invoices), default first.
async fn invoicing_accounts(app: &App, user: TelegramUserId) -> anyhow::Result<Vec<LinkedAccount>> {
    let all = services::accounts::list(app, user).await?;
    Ok(all.into_iter().filter(|a| a.provider == Provider::Qris).collect())
}

pub async fn query(bot: Bot, app: App, q: InlineQuery, update: Update) -> HandlerResult {
    commands::in_update(&bot.clone(), &app.clone(), &update, query_tracked(bot, app, q).boxed()).await
}

async fn query_tracked(bot: Bot, app: App, q: InlineQuery) -> HandlerResult {
    let _timer = crate::metrics::Timer::start("inline_query");
    let _turn = app.in_flight.acquire().await?;
    let lang = lang_of(&app, &q.from).await;
    let hint = |text: String| InlineQueryResultsButton {
        text,
        kind: InlineQueryResultsButtonKind::StartParameter("inline".into()),
    };
    let accounts = invoicing_accounts(&app, TelegramUserId::new(q.from.id.0 as i64)).await?;
    let (amount_text, label) = parse_query(&q.query);
    let max = super::format::rupiah(app.config.max_deposit_amount);
    let outcome = if accounts.is_empty() {
        Err(tr!(lang, "inline-no-account"))
    } else {
        match amount_text.map(|t| Amount::parse_user(t, max)) {
            None => Err(tr!(lang, "inline-type-amount")),
            Some(Err(e)) => Err(plain(&super::format::amount_error(&e, lang))),
            Some(Ok(amount)) => {
                let account = match label {
                    Some(label) => accounts.iter().find(|a| a.label.as_str() == label.to_lowercase()),
                    None => accounts.first(),
                };
                match account {
                    Some(account) => Ok((account, amount)),
                    None => Err(tr!(lang, "inline-no-such-account", label = label.unwrap_or_default())),
                }
            }
        }
    };
    let request = match outcome {
        Ok((account, amount)) => {
            let title = tr!(lang, "inline-result-title", amount = amount.format(lang), label = account.label.as_str());
            // What the chat sees: never the label, which is the merchant's own word.
            let text = tr!(lang, "inline-creating", amount = amount.format(lang));
            let content = InputMessageContent::Text(InputMessageContentText::new(text).parse_mode(ParseMode::Html));
            let wait = InlineKeyboardButton::callback(tr!(lang, "inline-wait-button"), WAIT);
            let result = InlineQueryResultArticle::new(result_id(account.id, amount), title, content)
                .description(tr!(lang, "inline-result-description"))
                .reply_markup(InlineKeyboardMarkup::new([[wait]]));
            bot.answer_inline_query(q.id.clone(), [InlineQueryResult::Article(result)])
        }
        Err(why) => bot.answer_inline_query(q.id.clone(), Vec::<InlineQueryResult>::new()).button(hint(why)),
    };
    request.cache_time(0).is_personal(true).await?;
    Ok(())
}

pub async fn chosen(bot: Bot, app: App, r: ChosenInlineResult, update: Update) -> HandlerResult {
    commands::in_update(&bot.clone(), &app.clone(), &update, chosen_tracked(bot, app, r).boxed()).await
}

async fn chosen_tracked(bot: Bot, app: App, r: ChosenInlineResult) -> HandlerResult {
    let _timer = crate::metrics::Timer::start("inline_chosen");
    let _turn = app.in_flight.acquire().await?;
    let Some(inline_id) = r.inline_message_id.clone() else {
        tracing::warn!("a chosen inline result without an inline message id (is inline feedback on?)");
        return Ok(());
    };
    let user = TelegramUserId::new(r.from.id.0 as i64);
    let lang = lang_of(&app, &r.from).await;
    let say = |text: String| {
        let bot = bot.clone();
        let inline_id = inline_id.clone();
        async move { bot.edit_message_text_inline(inline_id, text).await.map(drop) }
    };
    let max = super::format::rupiah(app.config.max_deposit_amount);
    let wanted = parse_result_id(&r.result_id)
        .and_then(|(account, rupiah)| Some((account, Amount::from_rupiah(rupiah)?)))
        .filter(|(_, amount)| amount.is_positive() && *amount <= max);
    let Some((account_id, amount)) = wanted else {
        tracing::warn!(result = r.result_id, "a chosen inline result this bot did not offer");
        return Ok(say(tr!(lang, "callback-stale")).await?);
    };
    // The merchant's own context: their private chat, where their copy of the card goes.
    let ctx = Ctx::new(bot.clone(), app.clone(), lang, user, ChatId(user.get()));
    let account = match super::reads::client(&ctx, account_id).await? {
        // Inline mode is the owner's: the accounts offered are their own QRIS accounts.
        Ok(found) if found.account.provider == Provider::Qris && found.account.owner_id == user => found,
        Ok(_) => return Ok(say(tr!(lang, "callback-stale")).await?),
        Err(text) => return Ok(say(text).await?),
    };
    let row = match invoices::create(&app, user, &account, amount).await? {
        Ok((row, _)) => row,
        Err(CreateError::Failed(e)) => return Ok(say(super::reads::gateway_error(&ctx, &account.account, &e)).await?),
        Err(CreateError::NotWholeRupiah) => {
            return Ok(say(crate::providers::GatewayError::Unexpected(String::new()).user_text(lang)).await?);
        }
    };
    let (row, token) = invoices::mark_inline(&app, user, row).await?;
    tracing::info!(invoice_id = row.id.get(), "invoice created from inline mode");

    let file_id = merchant_copy(&ctx, &row).await;
    let check = InlineKeyboardButton::callback(tr!(lang, "button-check-status"), Callback::Pay(token.clone()).encode());
    let caption = cards::caption(&row, Audience::Customer, lang);
    let edited = match file_id {
        Some(file_id) => {
            let photo =
                InputMediaPhoto::new(InputFile::file_id(FileId(file_id))).caption(caption).parse_mode(ParseMode::Html);
            let keyboard = InlineKeyboardMarkup::new([[check]]);
            bot.edit_message_media_inline(inline_id.clone(), InputMedia::Photo(photo)).reply_markup(keyboard).await
        }
        None => {
            // No image Telegram has: the invoice as text, and the pay link opens its QR.
            let username = app.username.get().cloned().unwrap_or_default();
            let url = reqwest::Url::parse(&token.link(&username, LinkKind::Pay))?;
            let open = InlineKeyboardButton::url(tr!(lang, "inline-open-qr"), url);
            let keyboard = InlineKeyboardMarkup::new([vec![open], vec![check]]);
            bot.edit_message_text_inline(inline_id.clone(), caption).reply_markup(keyboard).await
        }
    };
    let is_photo = match edited {
        Ok(_) => file_id_was_used(&row),
        Err(e) => {
            tracing::warn!(invoice_id = row.id.get(), error = %e, "the inline message could not show the invoice");
            return Err(e.into());
        }
    };
    invoices::posted_inline(&app, &row, &inline_id, lang, is_photo).await?;
    Ok(())
}

/// Whether the inline message became a photo: only with a payload the bot could draw.
fn file_id_was_used(row: &InvoiceRow) -> bool {
    row.payload.is_some()
}

/// Sends the merchant their copy of an inline invoice's card (with Check status, Cancel
/// and Share) in the private chat; the file id of its photo, which the inline message
/// then shows. `None` if there is no image or the private chat refused it.
async fn merchant_copy(ctx: &Ctx, row: &InvoiceRow) -> Option<String> {
    let png = match cards::png(row, Audience::Merchant, ctx.lang).await? {
        Ok(png) => png,
        Err(e) => {
            tracing::warn!(invoice_id = row.id.get(), error = %e, "the inline invoice's card could not be drawn");
            return None;
        }
    };
    let keyboard = match deposit::keyboard(ctx, row).await {
        Ok(keyboard) => keyboard,
        Err(e) => {
            tracing::warn!(invoice_id = row.id.get(), error = %e, "the merchant copy's buttons could not be stored");
            None
        }
    };
    let caption = format!("{}\n\n{}", deposit::caption(ctx, row), tr!(ctx.lang, "inline-merchant-copy"));
    let photo = InputFile::memory(png).file_name(format!("invoice-{}.png", row.id));
    let mut request = ctx.bot.send_photo(ctx.chat, photo).caption(caption);
    if let Some(keyboard) = keyboard {
        request = request.reply_markup(keyboard);
    }
    let sent = match ctx.send(request).await {
        Ok(sent) => sent,
        Err(e) => {
            tracing::info!(invoice_id = row.id.get(), error = %e, "the merchant's private chat took no copy of an inline invoice");
            return None;
        }
    };
    if let Err(e) = invoices::posted(&ctx.app, row, Audience::Merchant, ctx.chat.0, sent.id.0, ctx.lang, true).await {
        tracing::warn!(invoice_id = row.id.get(), error = %e, "the merchant copy could not be recorded");
    }
    sent.photo().and_then(|sizes| sizes.iter().max_by_key(|p| p.width * p.height)).map(|p| p.file.id.0.clone())
}

/// A press on a button of an inline message (which has no chat the bot can see).
pub async fn press(bot: Bot, app: App, q: CallbackQuery, update: Update) -> HandlerResult {
    commands::in_update(&bot.clone(), &app.clone(), &update, press_tracked(bot, app, q).boxed()).await
}

async fn press_tracked(bot: Bot, app: App, q: CallbackQuery) -> HandlerResult {
    let _timer = crate::metrics::Timer::start("inline_callback");
    let lang = lang_of(&app, &q.from).await;
    match q.data.as_deref() {
        Some(WAIT) => {
            bot.answer_callback_query(q.id.clone()).text(tr!(lang, "inline-wait-toast")).await?;
            Ok(())
        }
        data => match data.and_then(Callback::decode) {
            Some(Callback::Pay(token)) => super::pay::press(&bot, &app, lang, &q, token).await,
            _ => {
                bot.answer_callback_query(q.id.clone()).text(tr!(lang, "callback-stale")).await?;
                Ok(())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_ids_round_trip_and_junk_is_refused() {
        let id = result_id(AccountId::new(42), Amount::from_rupiah(25_000).unwrap());
        assert_eq!(id, "inv:42:25000");
        assert!(id.len() <= 64);
        assert_eq!(parse_result_id(&id), Some((AccountId::new(42), 25_000)));
        for junk in ["", "inv:", "inv:42", "inv:x:1", "inv:1:2:3", "other:1:2"] {
            assert_eq!(parse_result_id(junk), None, "{junk}");
        }
    }

    #[test]
    fn hints_are_plain_text() {
        assert_eq!(plain("Send <code>25000</code> &amp; more"), "Send 25000 & more");
    }

    #[test]
    fn a_query_is_an_amount_and_perhaps_a_label() {
        assert_eq!(parse_query("  25000  kasir "), (Some("25000"), Some("kasir")));
        assert_eq!(parse_query("25rb"), (Some("25rb"), None));
        assert_eq!(parse_query(""), (None, None));
    }
}
