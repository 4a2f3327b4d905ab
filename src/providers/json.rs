//! Reading gateway JSON tolerantly: the documents disagree with themselves, so ids and
//! amounts may be numbers or strings, timestamps unix milliseconds or text, and the
//! example bodies even carry `//` comments and trailing commas.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use serde_json::Value;

use crate::domain::Amount;

pub use crate::domain::period::jakarta;

/// Why a body could not be read, in words for a log line.
pub fn describe_unreadable(body: &[u8], error: &serde_json::Error) -> String {
    let trimmed = body.trim_ascii_start();
    if trimmed.is_empty() {
        "an empty body".to_owned()
    } else if trimmed.starts_with(b"<") {
        "an HTML page instead of JSON".to_owned()
    } else {
        format!("malformed or unexpected JSON ({error})")
    }
}

/// Parses `body` as `T`, first strictly, then after removing `//` comments and trailing
/// commas.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    match serde_json::from_slice(body) {
        Ok(v) => Ok(v),
        Err(strict) => {
            let text = String::from_utf8_lossy(body);
            serde_json::from_str(&relax(&text)).map_err(|_| describe_unreadable(body, &strict))
        }
    }
}

/// Removes `//` line comments (outside strings) and commas that close nothing.
fn relax(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    // Trailing commas: a comma followed only by whitespace and a closing bracket.
    let mut result = String::with_capacity(out.len());
    let bytes: Vec<char> = out.chars().collect();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            result.push(c);
            if c == '\\' && i + 1 < bytes.len() {
                result.push(bytes[i + 1]);
                i += 1;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            result.push(c);
        } else if c == ',' {
            let next = bytes[i + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}') | Some(']')) {
                result.push(c);
            }
        } else {
            result.push(c);
        }
        i += 1;
    }
    result
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An amount given as a number or a string (`11000`, `"11000.00"`).
pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
    let value = Value::deserialize(d)?;
    text_of(&value)
        .and_then(|t| Amount::parse_decimal(&t))
        .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {value}")))
}

pub fn opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Amount>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => text_of(&v)
            .and_then(|t| Amount::parse_decimal(&t))
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {v}"))),
    }
}

/// An id given as a number or a string.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let value = Value::deserialize(d)?;
    text_of(&value).filter(|s| !s.is_empty()).ok_or_else(|| serde::de::Error::custom(format!("not an id: {value}")))
}

pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(value.as_ref().and_then(text_of).filter(|s| !s.is_empty()))
}

/// A page or count given as a number or a string.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(value.as_ref().and_then(text_of).and_then(|t| t.parse().ok()))
}

/// Parses a timestamp in any of the gateways' forms: unix milliseconds (number or
/// string), RFC 3339 (`2013-11-25T15:32:47+07:00`, `2025-01-15T10:30:00.000Z`), or
/// `YYYY-MM-DD HH:MM:SS` in Asia/Jakarta.
pub fn parse_timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let ms: i64 = text.parse().ok()?;
        return Utc.timestamp_millis_opt(ms).single().map(|t| t.fixed_offset());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t);
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()?;
    jakarta().from_local_datetime(&naive).single()
}

pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    match value.as_ref().and_then(text_of) {
        None => Ok(None),
        Some(t) if t.is_empty() => Ok(None),
        Some(t) => {
            parse_timestamp(&t).map(Some).ok_or_else(|| serde::de::Error::custom(format!("not a timestamp: {t}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas_are_tolerated() {
        let doc = r#"{"data": [{"status": "active", // active, inactive
            "url": "http://x//y", }], "page": 2,}"#;
        let v: Value = parse(doc.as_bytes()).unwrap();
        assert_eq!(v["data"][0]["status"], "active");
        assert_eq!(v["data"][0]["url"], "http://x//y");
        assert_eq!(v["page"], 2);
    }

    #[test]
    fn unreadable_bodies_are_described() {
        assert_eq!(parse::<Value>(b"").unwrap_err(), "an empty body");
        assert_eq!(parse::<Value>(b"  <html><body>502</body></html>").unwrap_err(), "an HTML page instead of JSON");
        assert!(parse::<Value>(b"{\"a\":").unwrap_err().starts_with("malformed"));
    }

    #[test]
    fn timestamps_in_every_form() {
        let jkt = parse_timestamp("2025-01-01 12:00:00").unwrap();
        assert_eq!(jkt.to_rfc3339(), "2025-01-01T12:00:00+07:00");
        assert_eq!(parse_timestamp("1714618220440").unwrap().timestamp_millis(), 1_714_618_220_440);
        assert_eq!(parse_timestamp("2013-11-25T15:32:47+07:00").unwrap().timestamp(), 1_385_368_367);
        assert!(parse_timestamp("2025-01-15T10:30:00.000Z").is_some());
        assert!(parse_timestamp("yesterday").is_none());
    }
}
