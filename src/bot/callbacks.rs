//! Inline-button presses: answered at once (no endless spinner), refused when the button
//! was made for someone else or is stale, then the work is done and the message edited.

use crate::domain::TelegramUserId;
use futures::FutureExt;
use teloxide::prelude::*;

use super::{
    App, Bot, ButtonAction, Callback, ChatDialogue, Ctx, FirstStep, HandlerResult, ReadCommand, Seen, State, accounts,
    commands, deposit, link, notify, pay, pin, qris_static, reads, start, withdraw,
};
use crate::{
    providers::VaKind,
    services::{
        self,
        buttons::{self, ActionRefused},
        staff::StaffRole,
    },
    tr,
};

pub async fn handle(
    bot: Bot,
    app: App,
    q: CallbackQuery,
    dialogue: ChatDialogue,
    seen: Seen,
    update: Update,
) -> HandlerResult {
    commands::in_update(&bot.clone(), &app.clone(), &update, handle_tracked(bot, app, q, dialogue, seen).boxed()).await
}

async fn handle_tracked(bot: Bot, app: App, q: CallbackQuery, dialogue: ChatDialogue, seen: Seen) -> HandlerResult {
    let _timer = crate::metrics::Timer::start("callback");
    let lang = seen.lang(Some(&q.from));
    let presser = TelegramUserId::new(q.from.id.0 as i64);
    let Some(callback) = q.data.as_deref().and_then(Callback::decode) else {
        bot.answer_callback_query(q.id.clone()).text(tr!(lang, "callback-stale")).await?;
        return Ok(());
    };
    let Some(message) = q.regular_message().cloned() else {
        // The message is too old for Telegram to show us: nothing to edit.
        bot.answer_callback_query(q.id.clone()).text(tr!(lang, "callback-stale")).await?;
        return Ok(());
    };
    let ctx = Ctx::entered(bot.clone(), app.clone(), lang, presser, message.chat.id, &seen);
    let action = match callback {
        Callback::SetLanguage(new) => {
            bot.answer_callback_query(q.id.clone()).await?;
            let result = set_language(&ctx, &message, new).await;
            return commands::report(&ctx, "language", result).await;
        }
        Callback::FirstStep(step) => {
            if seen.staff() == StaffRole::Active && !matches!(step, FirstStep::Deposit | FirstStep::Help) {
                bot.answer_callback_query(q.id.clone())
                    .text(tr!(lang, "staff-button-refused"))
                    .show_alert(true)
                    .await?;
                return Ok(());
            }
            bot.answer_callback_query(q.id.clone()).await?;
            if !message.chat.is_private() {
                return Ok(()); // /start offers these buttons only in a private chat
            }
            let result = start::first_step(&ctx, &dialogue, step).await;
            return commands::report(&ctx, "first step", result).await;
        }
        Callback::Action(id) => buttons::take::<ButtonAction>(&app, id, presser).await,
        Callback::Pay(token) => {
            let result = pay::press(&bot, &app, lang, &q, token).await;
            return commands::report(&ctx, "pay status", result).await;
        }
    };
    let action = match action {
        Ok(Ok(action)) => action,
        Ok(Err(refused)) => {
            let text = match refused {
                ActionRefused::NotYours => tr!(lang, "callback-not-yours"),
                ActionRefused::Stale => tr!(lang, "callback-stale"),
            };
            bot.answer_callback_query(q.id.clone()).text(text).show_alert(refused == ActionRefused::NotYours).await?;
            return Ok(());
        }
        Err(e) => {
            bot.answer_callback_query(q.id.clone()).text(tr!(lang, "error-internal")).await?;
            return Err(e.into());
        }
    };
    // Staff press only the buttons of invoices; a member removed meanwhile, none of theirs.
    if seen.staff() == StaffRole::Active && !super::staff::button_for_staff(&action) {
        bot.answer_callback_query(q.id.clone()).text(tr!(lang, "staff-button-refused")).show_alert(true).await?;
        return Ok(());
    }
    bot.answer_callback_query(q.id.clone()).await?;
    let result = run(&ctx, &dialogue, &message, action, &seen).await;
    commands::report(&ctx, "button", result).await
}

async fn run(
    ctx: &Ctx,
    dialogue: &ChatDialogue,
    pressed: &Message,
    action: ButtonAction,
    seen: &Seen,
) -> HandlerResult {
    let message = pressed.id;
    match action {
        ButtonAction::LinkProvider { provider } => link::on_provider(ctx, dialogue, message, provider).boxed().await,
        ButtonAction::LinkUseLabel { label } => match dialogue.get().await.map_err(|e| anyhow::anyhow!("{e}"))? {
            Some(State::LinkLabel { provider, .. }) => {
                ctx.edit(message, tr!(ctx.lang, "link-label-chosen", label = &label), None).await?;
                link::on_label(ctx, dialogue, provider, &label).boxed().await
            }
            _ => ctx.edit(message, tr!(ctx.lang, "callback-stale"), None).boxed().await,
        },
        ButtonAction::LinkReplace { provider, label } => {
            link::on_replace(ctx, dialogue, message, provider, label).boxed().await
        }
        ButtonAction::LinkCancel => {
            dialogue.exit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            ctx.edit(message, tr!(ctx.lang, "cancel-done"), None).boxed().await
        }
        ButtonAction::MakeDefault { account_id } => accounts::make_default(ctx, message, account_id).boxed().await,
        ButtonAction::AskUnlink { account_id } => accounts::ask_unlink(ctx, message, account_id).boxed().await,
        ButtonAction::Unlink { account_id } => accounts::unlink(ctx, message, account_id).boxed().await,
        ButtonAction::ShowAccounts => accounts::show(ctx, Some(message), None).boxed().await,
        ButtonAction::AskDisplayName { account_id } => {
            accounts::ask_display_name(ctx, dialogue, account_id).boxed().await
        }
        ButtonAction::Run { command, account_id, arg } => {
            reads::run(ctx, Some(message), command, account_id, arg, 1).boxed().await
        }
        ButtonAction::Page { command, account_id, page, arg } => {
            reads::run(ctx, Some(message), command, account_id, arg, page).boxed().await
        }
        ButtonAction::InvoiceRefresh { invoice_id } => deposit::refresh(ctx, pressed, invoice_id).boxed().await,
        ButtonAction::InvoiceCancel { invoice_id } => deposit::cancel(ctx, pressed, invoice_id).boxed().await,
        ButtonAction::InvoiceShare { invoice_id } => deposit::share(ctx, invoice_id).boxed().await,
        ButtonAction::StaffInvite { account_ids } => super::staff::invite(ctx, &account_ids).boxed().await,
        ButtonAction::StaffRemove { staff_id } => super::staff::remove(ctx, message, staff_id, seen).boxed().await,
        ButtonAction::InvoicesPage { page } => deposit::list(ctx, Some(message), page).boxed().await,
        ButtonAction::SaveStaticQris { payload } => qris_static::save(ctx, message, &payload).boxed().await,
        ButtonAction::WithdrawAccount { account_id } => {
            withdraw::on_account(ctx, dialogue, message, account_id).boxed().await
        }
        ButtonAction::WithdrawTo { account_id, destination } => {
            withdraw::on_destination(ctx, dialogue, message, account_id, destination).boxed().await
        }
        ButtonAction::WithdrawConfirm { withdrawal_id } => {
            withdraw::on_confirm(ctx, dialogue, message, withdrawal_id).boxed().await
        }
        ButtonAction::WithdrawCancel { withdrawal_id } => {
            withdraw::on_cancel(ctx, dialogue, Some(message), withdrawal_id).boxed().await
        }
        ButtonAction::Pin { choice } => pin::on_choice(ctx, dialogue, choice).boxed().await,
        ButtonAction::NotifyToggle { kind } => notify::toggle(ctx, message, kind).boxed().await,
        ButtonAction::DailySummaryMenu => notify::daily_menu(ctx, message).boxed().await,
        ButtonAction::DailySummaryHour { hour } => notify::set_daily_hour(ctx, message, hour).boxed().await,
        ButtonAction::DailySummaryQuietDays => notify::toggle_quiet_days(ctx, message).boxed().await,
        ButtonAction::VaKind { account_id, kind } => {
            let kind = VaKind::from(kind).as_str().to_owned();
            reads::run(ctx, Some(message), ReadCommand::VirtualAccounts, account_id, Some(kind), 1).boxed().await
        }
    }
}

async fn set_language(ctx: &Ctx, message: &Message, new: crate::i18n::Lang) -> HandlerResult {
    services::users::set_language(&ctx.app, ctx.user, new).await?;
    let ctx = Ctx { lang: new, ..ctx.clone() };
    ctx.edit(message.id, tr!(new, "language-set"), None).await?;
    if message.chat.is_private()
        && let Err(e) = commands::register_for_chat(&ctx.bot, message.chat.id, new).await
    {
        tracing::warn!(error = %e, "could not set the chat's command menu");
    }
    Ok(())
}
