//! `/report [period]` and `/export invoices|withdrawals [period]`: the merchant's books
//! from `crate::reports`, as a chart and a text, or as a CSV file.

use teloxide::{prelude::*, types::InputFile};

use super::{Ctx, HandlerResult};
use crate::{
    i18n::{Html, Lang},
    reports::{self, Figures, Period, PeriodError, chart::ChartText},
    services::reports::{self as reports_service, Histories},
    tr,
};

/// The period the user typed, or why it is not one (already said to the user).
async fn period(ctx: &Ctx, args: &str, usage: &str) -> Result<Option<Period>, anyhow::Error> {
    let today = reports::today(ctx.app.clock.now());
    let why = match Period::parse(args, today) {
        Ok(p) => return Ok(Some(p)),
        Err(PeriodError::Unreadable) => tr!(ctx.lang, "report-bad-period", usage = Html(usage.to_owned())),
        Err(PeriodError::Backwards) => tr!(ctx.lang, "report-backwards"),
        Err(PeriodError::Future) => tr!(ctx.lang, "report-future"),
        Err(PeriodError::TooLong) => tr!(ctx.lang, "report-too-long", days = reports::MAX_DAYS),
    };
    ctx.tell(why).await?;
    Ok(None)
}

fn figures_lines(lang: Lang, f: &Figures) -> Vec<String> {
    let mut lines = vec![tr!(
        lang,
        "report-paid",
        count = f.paid.count,
        sum = f.paid.sum().format(lang),
        fees = f.paid.fees().format(lang)
    )];
    if f.expired + f.cancelled > 0 {
        lines.push(tr!(lang, "report-unpaid", expired = f.expired, cancelled = f.cancelled));
    }
    lines.push(tr!(
        lang,
        "report-withdrawn",
        count = f.withdrawn.count,
        sum = f.withdrawn.sum().format(lang),
        fees = f.withdrawn.fees().format(lang)
    ));
    if f.rejected > 0 {
        lines.push(tr!(lang, "report-rejected", count = f.rejected));
    }
    if f.in_doubt > 0 {
        lines.push(tr!(lang, "report-in-doubt", count = f.in_doubt));
    }
    if f.outside.count > 0 {
        lines.push(tr!(
            lang,
            "report-outside",
            count = f.outside.count,
            sum = f.outside.sum().format(lang),
            fees = f.outside.fees().format(lang)
        ));
    }
    lines
}

/// The report's text: per account (when there are several), the total, and where the
/// figures come from.
pub fn text(lang: Lang, report: &reports::Report, histories: &Histories) -> String {
    let title = tr!(lang, "report-title", period = report.period.label(lang));
    let mut out = Vec::new();
    if report.total.is_empty() {
        out.push(tr!(lang, "report-nothing"));
    } else {
        if report.accounts.len() > 1 {
            for (label, figures) in &report.accounts {
                out.push(String::new());
                out.push(tr!(lang, "report-account", label = label));
                out.extend(figures_lines(lang, figures));
            }
            out.push(String::new());
            out.push(tr!(lang, "report-total"));
        }
        out.extend(figures_lines(lang, &report.total));
    }
    out.push(String::new());
    out.push(tr!(lang, "report-source"));
    if !histories.read.is_empty() {
        out.push(tr!(lang, "report-history-read", labels = histories.read.join(", ")));
    }
    if !histories.failed.is_empty() {
        out.push(tr!(lang, "report-history-failed", labels = histories.failed.join(", ")));
    }
    // Many accounts could exceed one message: cut with a "… N more" line.
    super::format::fit_lines(lang, format!("{title}\n"), &out, "\n")
}

/// The chart's texts.
pub fn chart_text(lang: Lang, report: &reports::Report) -> ChartText {
    let period = report.period.label(lang);
    let (title, bar_labels) = if report.by_hour() {
        (tr!(lang, "card-chart-hours", period = period), (0..24).map(|h| format!("{h:02}")).collect())
    } else {
        let days = (0..report.period.days())
            .map(|i| (report.period.from + chrono::Duration::days(i)).format("%-d").to_string());
        (tr!(lang, "card-chart-days", period = period), days.collect())
    };
    let top = report.buckets.iter().copied().max().unwrap_or(0);
    let top_label = crate::domain::Amount::from_rupiah(top).unwrap_or_default().format(lang);
    ChartText { title, top_label, bar_labels }
}

pub async fn report(ctx: &Ctx, args: &str) -> HandlerResult {
    let Some(period) = period(ctx, args, "/report").await? else { return Ok(()) };
    let (report, histories) = reports_service::report(&ctx.app, ctx.user, ctx.accounts().await?, period).await?;
    if report.total.paid.count > 0 {
        let texts = chart_text(ctx.lang, &report);
        let buckets = report.buckets.clone();
        let png = tokio::task::spawn_blocking(move || reports::chart::sales_chart_png(&buckets, &texts)).await??;
        let name = format!("sales-{}.png", period.slug());
        let caption = tr!(ctx.lang, "report-chart-caption", period = period.label(ctx.lang));
        ctx.send(ctx.bot.send_photo(ctx.chat, InputFile::memory(png).file_name(name)).caption(caption)).await?;
    }
    ctx.tell(text(ctx.lang, &report, &histories)).await
}

/// What `/export` exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    Invoices,
    Withdrawals,
}

pub async fn export(ctx: &Ctx, args: &str) -> HandlerResult {
    let args = args.trim();
    let (what, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let what = match what.to_lowercase().as_str() {
        "invoices" | "invoice" | "tagihan" | "invois" => Export::Invoices,
        "withdrawals" | "withdrawal" | "penarikan" | "tarik" => Export::Withdrawals,
        _ => return ctx.tell(tr!(ctx.lang, "export-usage")).await,
    };
    // A whole month unless said otherwise.
    let rest = if rest.trim().is_empty() { "month" } else { rest };
    let Some(period) = period(ctx, rest, "/export invoices").await? else { return Ok(()) };
    let (rows, bytes, name) = match what {
        Export::Invoices => {
            let entries = reports_service::invoices_made(&ctx.app, ctx.user, period).await?;
            (entries.len(), reports::csv::invoices(&entries), "invoices")
        }
        Export::Withdrawals => {
            let entries = reports_service::withdrawals_requested(&ctx.app, ctx.user, period).await?;
            (entries.len(), reports::csv::withdrawals(&entries), "withdrawals")
        }
    };
    let label = period.label(ctx.lang);
    if rows == 0 {
        return ctx
            .tell(match what {
                Export::Invoices => tr!(ctx.lang, "export-no-invoices", period = label),
                Export::Withdrawals => tr!(ctx.lang, "export-no-withdrawals", period = label),
            })
            .await;
    }
    let file = InputFile::memory(bytes).file_name(format!("{name}-{}.csv", period.slug()));
    let caption = tr!(ctx.lang, "export-caption", count = rows, period = label);
    ctx.send(ctx.bot.send_document(ctx.chat, file).caption(caption)).await?;
    Ok(())
}
