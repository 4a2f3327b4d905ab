//! The CSV export: UTF-8 with a byte order mark (so spreadsheet programs read it as
//! UTF-8), one header row, CRLF line ends (RFC 4180), ISO 8601 times in WIB, integer
//! rupiah. A field that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first)
//! is written with a leading `'`.

use chrono::{DateTime, Utc};

use super::{InvoiceEntry, WithdrawalEntry};
use crate::providers::{Destination, json::jakarta};

const BOM: &str = "\u{feff}";

fn field(value: &str) -> String {
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

fn time(t: &DateTime<Utc>) -> String {
    t.with_timezone(&jakarta()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = String::from(BOM);
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|v| field(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub const INVOICE_HEADER: [&str; 8] =
    ["created_at", "invoice_id", "account", "status", "amount", "fee", "total", "settled_at"];

pub const WITHDRAWAL_HEADER: [&str; 8] =
    ["requested_at", "withdrawal_id", "gateway_id", "account", "status", "amount", "fee", "destination"];

pub fn invoices(entries: &[InvoiceEntry]) -> Vec<u8> {
    table(
        &INVOICE_HEADER,
        entries.iter().map(|i| {
            vec![
                time(&i.created_at),
                i.gateway_invoice_id.clone(),
                i.account_label.clone(),
                i.status.to_string(),
                i.amount.to_string(),
                i.fee.to_string(),
                i.total.to_string(),
                i.settled_at.as_ref().map(time).unwrap_or_default(),
            ]
        }),
    )
}

pub fn withdrawals(entries: &[WithdrawalEntry]) -> Vec<u8> {
    table(
        &WITHDRAWAL_HEADER,
        entries.iter().map(|w| {
            let destination = match &w.destination.0 {
                Destination::Dana { number, name } => format!("DANA {number} {name}"),
                Destination::BankAccount { id } => format!("bank_account_id {id}"),
            };
            vec![
                time(&w.requested_at),
                w.id.to_string(),
                w.gateway_withdraw_id.clone().unwrap_or_default(),
                w.account_label.clone(),
                w.status.to_string(),
                w.amount.to_string(),
                w.fee.map(|f| f.to_string()).unwrap_or_default(),
                destination,
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("kasir"), "kasir");
        assert_eq!(field("Budi, Toko"), "\"Budi, Toko\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
    }

    #[test]
    fn times_are_iso_in_wib() {
        let t: DateTime<Utc> = "2026-12-05T17:00:00Z".parse().unwrap();
        assert_eq!(time(&t), "2026-12-06T00:00:00+07:00");
    }
}
