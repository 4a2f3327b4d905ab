//! Formatting for the chat: dates in Asia/Jakarta time per language, provider names and
//! statuses in words.

use chrono::{DateTime, FixedOffset};

use crate::{
    domain::{Amount, AmountError, Provider},
    i18n::{Lang, escape_html},
    providers::json::jakarta,
    tr,
};

/// `25 Nov 2026 15.32 WIB` (Indonesian) or `25 Nov 2026 15:32 WIB` (English).
pub fn datetime(t: &DateTime<FixedOffset>, lang: Lang) -> String {
    let local = t.with_timezone(&jakarta());
    let months_id = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];
    let months_en = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month0 = chrono::Datelike::month0(&local) as usize;
    let (month, sep) = match lang {
        Lang::Id => (months_id[month0], '.'),
        Lang::En => (months_en[month0], ':'),
    };
    format!(
        "{} {month} {} {}{sep}{} WIB",
        local.format("%-d"),
        local.format("%Y"),
        local.format("%H"),
        local.format("%M")
    )
}

pub fn provider(p: Provider, lang: Lang) -> String {
    match p {
        Provider::Bukalapak => tr!(lang, "provider-bukalapak"),
        Provider::Qris => tr!(lang, "provider-qris"),
        Provider::Snap => tr!(lang, "provider-snap"),
    }
}

/// A gateway status in words; unknown ones as the gateway wrote them (escaped).
pub fn status(s: &str, lang: Lang) -> String {
    match s.to_ascii_lowercase().as_str() {
        "pending" => tr!(lang, "status-pending"),
        "success" => tr!(lang, "status-success"),
        "rejected" => tr!(lang, "status-rejected"),
        "failed" => tr!(lang, "status-failed"),
        "paid" => tr!(lang, "status-paid"),
        "expired" => tr!(lang, "status-expired"),
        "cancelled" => tr!(lang, "status-cancelled"),
        "active" => tr!(lang, "status-active"),
        "inactive" => tr!(lang, "status-inactive"),
        other => escape_html(other),
    }
}

/// What is wrong with a typed amount, with an example of a good one.
pub fn amount_error(e: &AmountError, lang: Lang) -> String {
    match e {
        AmountError::NotANumber => tr!(lang, "amount-not-a-number"),
        AmountError::NotPositive => tr!(lang, "amount-not-positive"),
        AmountError::Fractional => tr!(lang, "amount-fractional"),
        AmountError::TooLarge { max } => tr!(lang, "amount-too-large", max = max.format(lang)),
    }
}

/// An amount in whole rupiah from the configuration.
pub fn rupiah(n: u64) -> Amount {
    i64::try_from(n).ok().and_then(Amount::from_rupiah).unwrap_or(Amount::from_sen(i64::MAX))
}

#[cfg(test)]
mod tests {
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
