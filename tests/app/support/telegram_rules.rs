#![allow(dead_code)] // Each rule serves the fake Bot API and the all-messages test; not every module uses all.

//! What Telegram refuses, with Telegram's own wording: the fake Bot API answers 400
//! with these descriptions, and the all-messages test checks every text with them.
//!
//! The HTML rules follow Telegram's parser (tdlib's `parse_html`): only Telegram's tags,
//! matched and closed, and the offsets it reports are byte offsets into the text. One
//! rule is stricter than Telegram: a `&` that does not start `&lt;` `&gt;` `&amp;`
//! `&quot;` or a numeric entity is refused. Telegram keeps such a `&` as it is, but its
//! documentation requires every `&` outside an entity to be escaped, and a bot that
//! relies on the leniency shows `&nbsp;` literally to the user.

use serde_json::Value;

/// Telegram's limits, from the Bot API documentation.
pub const MAX_TEXT: usize = 4096;
pub const MAX_CAPTION: usize = 1024;
pub const MAX_CALLBACK_DATA: usize = 64;
pub const MAX_CALLBACK_ANSWER: usize = 200;
pub const MAX_COMMANDS: usize = 100;
pub const MAX_COMMAND_DESCRIPTION: usize = 256;
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_PHOTO_WIDTH_PLUS_HEIGHT: u32 = 10_000;

/// The tags Telegram's HTML parse mode knows.
const TAGS: [&str; 16] = [
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
];

fn entities(detail: String) -> String {
    format!("Bad Request: can't parse entities: {detail}")
}

/// Parses `text` as Telegram parses `parse_mode=HTML`, returning the plain text the user
/// would see, or Telegram's error description.
pub fn parse_html(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => {
                let (decoded, len) = decode_entity(&text[i..]).ok_or_else(|| {
                    let shown: String = text[i..].chars().take(8).collect();
                    entities(format!("Unsupported HTML entity starting with \"{shown}\" at byte offset {i}"))
                })?;
                out.push(decoded);
                i += len;
            }
            b'<' if bytes.get(i + 1) == Some(&b'/') => {
                let Some(close) = text[i..].find('>') else {
                    return Err(entities(format!("Unclosed end tag at byte offset {i}")));
                };
                let name = text[i + 2..i + close].trim().to_ascii_lowercase();
                let Some((expected, _)) = open.pop() else {
                    return Err(entities(format!("Unexpected end tag at byte offset {i}")));
                };
                if name != expected {
                    return Err(entities(format!(
                        "Unmatched end tag at byte offset {i}, expected \"</{expected}>\", found \"</{name}>\""
                    )));
                }
                i += close + 1;
            }
            b'<' => {
                let name_len = text[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(text.len() - i - 1);
                let name = text[i + 1..i + 1 + name_len].to_ascii_lowercase();
                if !TAGS.contains(&name.as_str()) {
                    return Err(entities(format!("Unsupported start tag \"{name}\" at byte offset {i}")));
                }
                let Some(close) = end_of_start_tag(&text[i..]) else {
                    return Err(entities(format!("Unclosed start tag at byte offset {i}")));
                };
                let attributes = &text[i + 1 + name_len..i + close];
                if name == "span" && !attributes.contains("tg-spoiler") {
                    return Err(entities("Tag \"span\" must have class \"tg-spoiler\"".to_owned()));
                }
                open.push((name, i));
                i += close + 1;
            }
            _ => {
                let c = text[i..].chars().next().expect("i is at a character boundary");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some((name, _)) = open.pop() {
        return Err(entities(format!("Can't find end tag corresponding to start tag \"{name}\"")));
    }
    Ok(out)
}

/// The byte index of the `>` that ends a start tag, skipping quoted attribute values.
fn end_of_start_tag(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (at, c) in tag.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(at),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// `&lt;` `&gt;` `&amp;` `&quot;` and numeric entities: the character and the length.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let semi = s.char_indices().take(12).find(|&(_, c)| c == ';')?.0;
    let name = &s[1..semi];
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')?
        }
    };
    Some((c, semi + 1))
}

/// Telegram counts lengths in UTF-16 code units of the text after entity parsing,
/// without the leading and trailing white space it strips.
pub fn visible_len(plain: &str) -> usize {
    plain.trim().encode_utf16().count()
}

/// The plain text of a text or caption as Telegram would parse it.
fn parsed(text: &str, parse_mode: Option<&str>) -> Result<String, String> {
    match parse_mode {
        None => Ok(text.to_owned()),
        Some(mode) if mode.eq_ignore_ascii_case("html") => parse_html(text),
        Some(other) => Err(format!("Bad Request: unsupported parse_mode \"{other}\"")),
    }
}

/// `sendMessage`'s `text` (`edit` for `editMessageText`, whose too-long error differs).
pub fn check_text(text: &str, parse_mode: Option<&str>, edit: bool) -> Result<(), String> {
    let plain = parsed(text, parse_mode)?;
    let len = visible_len(&plain);
    if len == 0 {
        return Err("Bad Request: message text is empty".to_owned());
    }
    if len > MAX_TEXT {
        return Err(if edit { "Bad Request: MESSAGE_TOO_LONG" } else { "Bad Request: message is too long" }.to_owned());
    }
    Ok(())
}

/// A photo's `caption` (may be absent or empty).
pub fn check_caption(caption: &str, parse_mode: Option<&str>) -> Result<(), String> {
    let plain = parsed(caption, parse_mode)?;
    if visible_len(&plain) > MAX_CAPTION {
        return Err("Bad Request: message caption is too long".to_owned());
    }
    Ok(())
}

/// An inline keyboard (`reply_markup`, as JSON or as the JSON text teloxide sends).
pub fn check_keyboard(markup: &Value) -> Result<(), String> {
    let markup = match markup {
        Value::String(s) => serde_json::from_str(s)
            .map_err(|_| "Bad Request: can't parse reply keyboard markup JSON object".to_owned())?,
        v => v.clone(),
    };
    let Some(rows) = markup.get("inline_keyboard") else { return Ok(()) };
    let rows = rows.as_array().ok_or("Bad Request: field \"inline_keyboard\" must be an Array")?;
    for button in rows.iter().flat_map(|row| row.as_array().into_iter().flatten()) {
        let text = button.get("text").and_then(Value::as_str).unwrap_or_default();
        if text.trim().is_empty() {
            return Err("Bad Request: can't parse inline keyboard button: Text must be non-empty".to_owned());
        }
        if let Some(data) = button.get("callback_data").and_then(Value::as_str) {
            if data.is_empty() {
                return Err("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard".to_owned());
            }
            if data.len() > MAX_CALLBACK_DATA {
                return Err("Bad Request: BUTTON_DATA_INVALID".to_owned());
            }
        } else if let Some(url) = button.get("url") {
            let url = url.as_str().and_then(|u| reqwest::Url::parse(u).ok());
            if !url.is_some_and(|u| matches!(u.scheme(), "http" | "https" | "tg")) {
                return Err("Bad Request: BUTTON_URL_INVALID".to_owned());
            }
        } else if button.get("url").is_none()
            && button.get("switch_inline_query").is_none()
            && button.get("switch_inline_query_current_chat").is_none()
            && button.get("switch_inline_query_chosen_chat").is_none()
            && button.get("copy_text").is_none()
        {
            return Err(
                "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                    .to_owned(),
            );
        }
    }
    Ok(())
}

/// `answerCallbackQuery`'s `text`.
pub fn check_callback_answer(text: &str) -> Result<(), String> {
    if text.encode_utf16().count() > MAX_CALLBACK_ANSWER {
        return Err("Bad Request: MESSAGE_TOO_LONG".to_owned());
    }
    Ok(())
}

/// `setMyCommands`' `commands`.
pub fn check_commands(commands: &Value) -> Result<(), String> {
    let commands = match commands {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        v => v.clone(),
    };
    let list = commands.as_array().ok_or("Bad Request: parameter \"commands\" is required")?;
    if list.is_empty() || list.len() > MAX_COMMANDS {
        return Err("Bad Request: BOT_COMMANDS_TOO_MUCH".to_owned());
    }
    for command in list {
        let name = command.get("command").and_then(Value::as_str).unwrap_or_default();
        let ok_name = (1..=32).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok_name {
            return Err("Bad Request: BOT_COMMAND_INVALID".to_owned());
        }
        let description = command.get("description").and_then(Value::as_str).unwrap_or_default();
        if description.trim().is_empty() {
            return Err("Bad Request: command description must be non-empty".to_owned());
        }
        if description.encode_utf16().count() > MAX_COMMAND_DESCRIPTION {
            return Err("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID".to_owned());
        }
    }
    Ok(())
}

/// An uploaded photo: at most 10 MB, width + height at most 10000.
pub fn check_photo(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err("Bad Request: PHOTO_SAVE_FILE_INVALID".to_owned());
    }
    let dimensions = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok());
    match dimensions {
        None => Err("Bad Request: IMAGE_PROCESS_FAILED".to_owned()),
        Some((w, h)) if w + h > MAX_PHOTO_WIDTH_PLUS_HEIGHT => Err("Bad Request: PHOTO_INVALID_DIMENSIONS".to_owned()),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn html_error(text: &str) -> String {
        parse_html(text).expect_err(text)
    }

    #[test]
    fn telegrams_tags_and_entities_parse_to_the_plain_text() {
        let text = "<b>Saldo</b> &amp; <i>x</i> <code>a&lt;b&gt;</code> <a href=\"https://t.me/x?a=1&amp;b=2\">l</a> \
                    <span class=\"tg-spoiler\">s</span> <tg-spoiler>t</tg-spoiler> <blockquote expandable>q</blockquote> \
                    <pre><code class=\"language-rust\">fn</code></pre> &quot;&#64;&#x41;";
        assert_eq!(parse_html(text).unwrap(), "Saldo & x a<b> l s t q fn \"@A");
        assert_eq!(parse_html("<B>upper</B>").unwrap(), "upper");
    }

    #[test]
    fn an_unknown_tag_is_refused_as_telegram_words_it() {
        assert_eq!(
            html_error("Status: /invoice <id>"),
            "Bad Request: can't parse entities: Unsupported start tag \"id\" at byte offset 17"
        );
        assert_eq!(
            html_error("<br>"),
            "Bad Request: can't parse entities: Unsupported start tag \"br\" at byte offset 0"
        );
        assert_eq!(
            html_error("1 < 2"),
            "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2"
        );
    }

    #[test]
    fn tags_must_be_matched_and_closed() {
        assert_eq!(
            html_error("<b>bold"),
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
        );
        assert_eq!(
            html_error("<b><i>x</b></i>"),
            "Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\""
        );
        assert_eq!(html_error("x</b>"), "Bad Request: can't parse entities: Unexpected end tag at byte offset 1");
        assert_eq!(html_error("<b>x</b"), "Bad Request: can't parse entities: Unclosed end tag at byte offset 4");
        assert_eq!(html_error("<a href=\"x"), "Bad Request: can't parse entities: Unclosed start tag at byte offset 0");
        assert_eq!(
            html_error("<span>x</span>"),
            "Bad Request: can't parse entities: Tag \"span\" must have class \"tg-spoiler\""
        );
    }

    #[test]
    fn only_four_named_entities_and_numeric_ones_are_known() {
        assert!(html_error("a &nbsp; b").starts_with("Bad Request: can't parse entities: Unsupported HTML entity"));
        assert!(html_error("Budi & Sons").contains("at byte offset 5"));
        assert!(html_error("&#0;").starts_with("Bad Request: can't parse entities:"));
        assert_eq!(parse_html("&lt;&gt;&amp;&quot;&#8364;").unwrap(), "<>&\"€");
        assert_eq!(parse_html("&gt;👋👋👋").unwrap(), ">👋👋👋", "multi-byte characters after an entity");
    }

    #[test]
    fn text_is_1_to_4096_characters_after_parsing() {
        assert_eq!(check_text("", None, false).unwrap_err(), "Bad Request: message text is empty");
        assert_eq!(check_text("<b> </b>", Some("HTML"), false).unwrap_err(), "Bad Request: message text is empty");
        let long = "a".repeat(MAX_TEXT + 1);
        assert_eq!(check_text(&long, None, false).unwrap_err(), "Bad Request: message is too long");
        assert_eq!(check_text(&long, None, true).unwrap_err(), "Bad Request: MESSAGE_TOO_LONG");
        // Markup does not count: 4096 visible characters inside tags are fine.
        let exactly = format!("<b>{}</b>", "&amp;".repeat(MAX_TEXT));
        assert!(check_text(&exactly, Some("HTML"), false).is_ok());
        // An emoji outside the BMP counts twice, as in UTF-16.
        assert!(check_text(&"💰".repeat(2049), None, false).is_err());
        assert_eq!(
            check_text("x", Some("Markdown"), false).unwrap_err(),
            "Bad Request: unsupported parse_mode \"Markdown\""
        );
    }

    #[test]
    fn a_caption_is_at_most_1024_characters() {
        assert!(check_caption(&"a".repeat(MAX_CAPTION), None).is_ok());
        assert_eq!(
            check_caption(&"a".repeat(MAX_CAPTION + 1), None).unwrap_err(),
            "Bad Request: message caption is too long"
        );
        assert!(check_caption("<x>", Some("HTML")).unwrap_err().contains("Unsupported start tag \"x\""));
    }

    #[test]
    fn buttons_need_text_and_1_to_64_bytes_of_callback_data() {
        let keyboard = |text: &str, data: &str| json!({"inline_keyboard": [[{"text": text, "callback_data": data}]]});
        assert!(check_keyboard(&keyboard("ok", "a:1")).is_ok());
        assert!(check_keyboard(&json!(keyboard("ok", "a:1").to_string())).is_ok(), "the JSON text teloxide sends");
        assert_eq!(check_keyboard(&keyboard("ok", &"x".repeat(65))).unwrap_err(), "Bad Request: BUTTON_DATA_INVALID");
        assert!(check_keyboard(&keyboard("ok", &"é".repeat(32))).is_ok(), "64 bytes");
        assert_eq!(check_keyboard(&keyboard("ok", &"é".repeat(33))).unwrap_err(), "Bad Request: BUTTON_DATA_INVALID");
        assert_eq!(
            check_keyboard(&keyboard("ok", "")).unwrap_err(),
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        );
        assert_eq!(
            check_keyboard(&keyboard(" ", "a:1")).unwrap_err(),
            "Bad Request: can't parse inline keyboard button: Text must be non-empty"
        );
    }

    #[test]
    fn a_callback_answer_is_at_most_200_characters() {
        assert!(check_callback_answer(&"a".repeat(200)).is_ok());
        assert_eq!(check_callback_answer(&"a".repeat(201)).unwrap_err(), "Bad Request: MESSAGE_TOO_LONG");
    }

    #[test]
    fn commands_are_1_to_100_lowercase_names_with_descriptions_up_to_256() {
        let one = |command: &str, description: &str| json!([{"command": command, "description": description}]);
        assert!(check_commands(&one("balance_2", "Balance")).is_ok());
        assert_eq!(check_commands(&json!([])).unwrap_err(), "Bad Request: BOT_COMMANDS_TOO_MUCH");
        let many: Vec<Value> = (0..101).map(|i| json!({"command": format!("c{i}"), "description": "d"})).collect();
        assert_eq!(check_commands(&json!(many)).unwrap_err(), "Bad Request: BOT_COMMANDS_TOO_MUCH");
        for bad in ["", "Balance", "/balance", "saldo-ku", &"a".repeat(33)] {
            assert_eq!(check_commands(&one(bad, "d")).unwrap_err(), "Bad Request: BOT_COMMAND_INVALID", "{bad:?}");
        }
        assert_eq!(check_commands(&one("a", "")).unwrap_err(), "Bad Request: command description must be non-empty");
        assert_eq!(
            check_commands(&one("a", &"d".repeat(257))).unwrap_err(),
            "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
        );
    }

    #[test]
    fn a_photo_is_at_most_10_mb_and_10000_pixels_across_plus_down() {
        let png = |w: u32, h: u32| {
            let mut bytes = Vec::new();
            image::DynamicImage::new_luma8(w, h)
                .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
                .unwrap();
            bytes
        };
        assert!(check_photo(&png(600, 800)).is_ok());
        assert_eq!(check_photo(&png(9000, 1001)).unwrap_err(), "Bad Request: PHOTO_INVALID_DIMENSIONS");
        let mut huge = png(10, 10);
        huge.resize(MAX_PHOTO_BYTES + 1, 0);
        assert_eq!(check_photo(&huge).unwrap_err(), "Bad Request: PHOTO_SAVE_FILE_INVALID");
        assert_eq!(check_photo(b"not an image").unwrap_err(), "Bad Request: IMAGE_PROCESS_FAILED");
    }
}
