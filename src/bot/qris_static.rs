//! Static to dynamic QRIS, with no gateway: a photo of the merchant's printed static
//! QRIS is decoded, validated and (after a confirmation) stored; `/qris <amount>` then
//! answers with a dynamic QRIS for that amount (tag 01 = 12, tag 54 = amount, CRC
//! recomputed). No payment provider issues such a code, so no confirmation can follow.

use reqwest::Url;
use teloxide::{
    prelude::*,
    types::{ChatAction, InlineKeyboardMarkup, InputFile, MessageId},
};

use super::{ButtonAction, Ctx, HandlerResult, deposit::max_deposit, format};
use crate::{
    domain::Amount,
    qr::{
        payload::PayloadError,
        render::{Card, invoice_png_blocking},
    },
    services::static_qris::{self, PhotoRead},
    tr,
};

fn invalid_reason(e: &PayloadError, ctx: &Ctx) -> String {
    match e {
        PayloadError::BadCrc { .. } => tr!(ctx.lang, "qris-invalid-crc"),
        PayloadError::MissingTag(tag) => tr!(ctx.lang, "qris-invalid-missing", tag = format!("{tag:02}")),
        PayloadError::WrongCountry(c) => tr!(ctx.lang, "qris-invalid-country", country = c),
        PayloadError::WrongCurrency(c) => tr!(ctx.lang, "qris-invalid-currency", currency = c),
        _ => tr!(ctx.lang, "qris-invalid-structure"),
    }
}

/// A photo in a private chat.
pub async fn on_photo(ctx: &Ctx, msg: &Message) -> HandlerResult {
    let Some(largest) =
        msg.photo().and_then(|sizes| sizes.iter().max_by_key(|s| u64::from(s.width) * u64::from(s.height)))
    else {
        return Ok(());
    };
    ctx.typing();
    let file = ctx.bot.get_file(largest.file.id.clone()).await?;
    let config = &ctx.app.config;
    let url = Url::parse(&format!(
        "{}/file/bot{}/{}",
        config.api_url.as_str().trim_end_matches('/'),
        config.token,
        file.path
    ))?;
    let qris = match static_qris::read_photo(&ctx.app, &url, &config.api_url).await {
        PhotoRead::Static(qris) => qris,
        PhotoRead::Unavailable => return ctx.tell(tr!(ctx.lang, "qris-photo-unavailable")).await,
        PhotoRead::NoCode => return ctx.tell(tr!(ctx.lang, "qris-photo-no-code")).await,
        PhotoRead::Invalid(e) => {
            return ctx.tell(tr!(ctx.lang, "qris-photo-invalid", reason = invalid_reason(&e, ctx))).await;
        }
        PhotoRead::Dynamic => return ctx.tell(tr!(ctx.lang, "qris-photo-dynamic")).await,
    };
    let mut question = tr!(ctx.lang, "qris-photo-found", merchant = qris.merchant_name(), city = qris.merchant_city());
    if let Some(current) = static_qris::get(&ctx.app, ctx.user).await? {
        question.push_str("\n\n");
        question.push_str(&tr!(ctx.lang, "qris-photo-replaces", merchant = current.merchant_name));
    }
    let save = ctx
        .app
        .button(ctx.user, tr!(ctx.lang, "button-save"), ButtonAction::SaveStaticQris { payload: qris.to_string() })
        .await?;
    let cancel = ctx.app.button(ctx.user, tr!(ctx.lang, "button-cancel"), ButtonAction::LinkCancel).await?;
    ctx.say_with(question, InlineKeyboardMarkup::new([[save, cancel]])).await?;
    Ok(())
}

/// The Save button.
pub async fn save(ctx: &Ctx, message: MessageId, payload: &str) -> HandlerResult {
    let Some(qris) = static_qris::save(&ctx.app, ctx.user, payload).await? else {
        return ctx.edit(message, tr!(ctx.lang, "callback-stale"), None).await;
    };
    ctx.edit(message, tr!(ctx.lang, "qris-saved", merchant = qris.merchant_name()), None).await
}

/// `/qris` (what is stored, how to use it) and `/qris <amount>`.
pub async fn command(ctx: &Ctx, args: &str) -> HandlerResult {
    if args.trim().is_empty() {
        let text = match &static_qris::get(&ctx.app, ctx.user).await? {
            Some(s) => tr!(ctx.lang, "qris-current", merchant = &s.merchant_name),
            None => tr!(ctx.lang, "qris-none"),
        };
        return ctx.tell(text).await;
    }
    let amount = match Amount::parse_user(args, max_deposit(ctx)) {
        Ok(a) => a,
        Err(e) => return ctx.tell(format::amount_error(&e, ctx.lang)).await,
    };
    let Some((merchant, dynamic)) = static_qris::with_amount(&ctx.app, ctx.user, amount).await? else {
        return ctx.tell(tr!(ctx.lang, "qris-none")).await;
    };
    ctx.busy(ChatAction::UploadPhoto);
    let card = Card {
        title: merchant.merchant_name().to_owned(),
        headline: Some((tr!(ctx.lang, "card-total"), amount.format(ctx.lang))),
        rows: vec![(tr!(ctx.lang, "card-city"), merchant.merchant_city().to_owned())],
        footer: Some(tr!(ctx.lang, "qris-card-footer")),
        stamp: None,
    };
    let png = invoice_png_blocking(dynamic.to_string(), card).await?;
    let caption =
        tr!(ctx.lang, "qris-dynamic-caption", merchant = merchant.merchant_name(), amount = amount.format(ctx.lang));
    ctx.send(ctx.bot.send_photo(ctx.chat, InputFile::memory(png).file_name("qris.png")).caption(caption)).await?;
    Ok(())
}
