//! Formatting for the chat: dates in Asia/Jakarta time per language, provider names and
//! statuses in words.

use crate::{
    domain::{Amount, AmountError, Provider},
    i18n::Lang,
    tr,
};

pub use crate::domain::period::datetime;

pub fn provider(p: Provider, lang: Lang) -> String {
    match p {
        Provider::Bukalapak => tr!(lang, "provider-bukalapak"),
        Provider::Qris => tr!(lang, "provider-qris"),
        Provider::Snap => tr!(lang, "provider-snap"),
    }
}

pub use crate::i18n::status;

/// What is wrong with a typed amount, with an example of a good one.
pub fn amount_error(e: &AmountError, lang: Lang) -> String {
    match e {
        AmountError::NotANumber => tr!(lang, "amount-not-a-number"),
        AmountError::NotPositive => tr!(lang, "amount-not-positive"),
        AmountError::Fractional => tr!(lang, "amount-fractional"),
        AmountError::TooLarge { max } => tr!(lang, "amount-too-large", max = max.format(lang)),
    }
}

/// The most a list message holds, in UTF-16 code units of its HTML. Telegram allows
/// 4096 visible characters; markup only adds to the count, so a text within this budget
/// is always accepted, with room left for the page line and the note of what was cut.
pub const LIST_BUDGET: usize = 3800;

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Appends `lines` to `text`, `separator` between them, leaving out the lines that would
/// take the text over [`LIST_BUDGET`] and saying how many were left out. A gateway can
/// return pages of any length, and a merchant can link many accounts.
pub fn fit_lines(lang: Lang, mut text: String, lines: &[String], separator: &str) -> String {
    let mut shown = 0;
    for line in lines {
        let sep = if shown > 0 { separator } else { "" };
        if utf16_len(&text) + utf16_len(sep) + utf16_len(line) > LIST_BUDGET {
            break;
        }
        text.push_str(sep);
        text.push_str(line);
        shown += 1;
    }
    if shown < lines.len() {
        text.push_str("\n\n");
        text.push_str(&tr!(lang, "list-cut", count = lines.len() - shown));
    }
    text
}

/// A page of a gateway list as text: title, items (within [`LIST_BUDGET`]), and the page
/// indicator. Also says whether a next page may exist.
pub fn page<T>(
    lang: Lang,
    title: String,
    page: &crate::providers::Page<T>,
    per_page: u32,
    line: impl Fn(&T) -> String,
) -> (String, bool) {
    let mut text = title;
    text.push_str("\n\n");
    if page.items.is_empty() {
        text.push_str(&tr!(lang, "list-empty"));
    } else {
        let lines: Vec<String> = page.items.iter().map(line).collect();
        text = fit_lines(lang, text, &lines, "\n\n");
    }
    text.push_str("\n\n");
    text.push_str(&match page.total_pages {
        Some(total) => tr!(lang, "list-page", page = page.page, pages = total.max(page.page)),
        None => tr!(lang, "list-page-unknown", page = page.page),
    });
    let has_next = !page.items.is_empty() && page.has_next(per_page);
    (text, has_next)
}

/// An amount in whole rupiah from the configuration.
pub fn rupiah(n: u64) -> Amount {
    i64::try_from(n).ok().and_then(Amount::from_rupiah).unwrap_or(Amount::from_sen(i64::MAX))
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    #[test]
    fn dates_are_shown_in_jakarta_time() {
        let t = DateTime::parse_from_rfc3339("2026-11-25T08:32:00Z").unwrap();
        assert_eq!(datetime(&t, Lang::Id), "25 Nov 2026 15.32 WIB");
        assert_eq!(datetime(&t, Lang::En), "25 Nov 2026 15:32 WIB");
        let may = DateTime::parse_from_rfc3339("2026-05-01T00:05:00+07:00").unwrap();
        assert_eq!(datetime(&may, Lang::Id), "1 Mei 2026 00.05 WIB");
    }
}
