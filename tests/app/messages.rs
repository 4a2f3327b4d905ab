//! Every localized message, in both languages, rendered with the hardest arguments it can
//! get (the longest names and amounts, HTML specials, 50-row pages) and checked with the
//! rules Telegram applies ([`telegram_rules`]). The keys come from the locale files
//! themselves, so a new key is covered the moment it is added.

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
use fluent_syntax::ast;
use merchant_bot::{
    bot::{commands, format, start},
    domain::Amount,
    i18n::{Lang, SOURCES, ToArg, escape_html},
    providers::Page,
};
use serde_json::json;

use crate::support::telegram_rules as rules;

/// Keys whose text Telegram shows as it is (command menu, button labels) or that are
/// drawn on images: no HTML there, but also none of its escapes.
fn is_plain(key: &str) -> bool {
    ["cmd-", "button-", "card-"].iter().any(|p| key.starts_with(p))
        || ["lang-name", "link-use-label", "qris-card-footer"].contains(&key)
}

/// Texts that are also answers to a button press (at most 200 characters).
const CALLBACK_ANSWERS: [&str; 3] = ["callback-stale", "callback-not-yours", "error-internal"];

/// The hardest value an argument can take where the bot inserts it.
fn hardest(variable: &str, lang: Lang) -> String {
    match variable {
        // Telegram first names are up to 64 characters and may hold anything.
        "name" => format!("<b>Budi & \"Sons\"</b> {}", "Ω".repeat(64 - 25)),
        // Labels: 32 of letters, digits, - and _ (AccountLabel::parse).
        "label" => "toko_pusat_jakarta_selatan_00001".to_owned(),
        "amount" | "total" | "balance" | "max" | "threshold" | "sum" | "fees" | "paid" | "withdrawn" => {
            Amount::from_sen(i64::MAX).format(lang)
        }
        "count" | "left" | "page" | "pages" | "step" | "steps" | "days" | "expired" | "cancelled" | "paid_count"
        | "withdrawn_count" => u32::MAX.to_string(),
        // The longest period label: two dates in different years.
        "period" | "day" => "30 Des 2025 – 28 Des 2026".to_owned(),
        "hour" => "22:00".to_owned(),
        // Whatever a gateway or a user may send back: 200 characters with HTML specials.
        _ => "<id> & \"quoted\" 'x' ".repeat(10),
    }
}

fn variables_of_expression(expression: &ast::Expression<&str>, out: &mut Vec<String>) {
    match expression {
        ast::Expression::Inline(inline) => variables_of_inline(inline, out),
        ast::Expression::Select { selector, variants } => {
            variables_of_inline(selector, out);
            for variant in variants {
                variables_of_pattern(&variant.value, out);
            }
        }
    }
}

fn variables_of_inline(inline: &ast::InlineExpression<&str>, out: &mut Vec<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => out.push(id.name.to_owned()),
        ast::InlineExpression::Placeable { expression } => variables_of_expression(expression, out),
        _ => {}
    }
}

fn variables_of_pattern(pattern: &ast::Pattern<&str>, out: &mut Vec<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            variables_of_expression(expression, out);
        }
    }
}

/// Each message of a Fluent source with the names of the variables it uses.
fn messages_of(source: &str) -> Vec<(String, Vec<String>)> {
    let resource = fluent_syntax::parser::parse(source).expect("the locale parses");
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(m) => {
                let mut variables = Vec::new();
                if let Some(value) = &m.value {
                    variables_of_pattern(value, &mut variables);
                }
                Some((m.id.name.to_owned(), variables))
            }
            _ => None,
        })
        .collect()
}

/// A line break inside a sentence: a phone wraps text itself, so a hard break there
/// leaves a ragged half-empty line.
fn mid_sentence_break(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).find_map(|w| {
        (w[1] == '\n' && (w[0].is_alphabetic() || w[0] == ',') && w[2].is_lowercase())
            .then(|| format!("…{}⏎{}…", w[0], w[2]))
    })
}

/// Every problem Telegram (or a reader on a phone) would have with the messages of
/// `sources`, as "lang key: problem" lines.
fn problems(sources: &[(Lang, &str)]) -> Vec<String> {
    let mut found = Vec::new();
    for (lang, source) in sources {
        let resource = FluentResource::try_new(source.to_string()).expect("the locale parses");
        let mut bundle = FluentBundle::new_concurrent(vec![lang.code().parse().unwrap()]);
        bundle.set_use_isolating(false); // as the bot's own bundles
        bundle.add_resource(resource).expect("keys are unique");
        for (key, variables) in messages_of(source) {
            let mut args = FluentArgs::new();
            for variable in &variables {
                // As `tr!` inserts a text argument: escaped.
                args.set(variable.clone(), hardest(variable, *lang).as_str().to_arg());
            }
            let pattern = bundle.get_message(&key).and_then(|m| m.value()).expect("every message has a value");
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors).into_owned();
            let mut problem = |what: String| found.push(format!("{} {key}: {what}", lang.code()));
            if !errors.is_empty() {
                problem(format!("does not render: {errors:?}"));
            }
            if let Some(at) = mid_sentence_break(&text) {
                problem(format!("a hard line break in mid-sentence at {at}"));
            }
            if is_plain(&key) {
                if text.trim().is_empty() {
                    problem("is empty".to_owned());
                }
                for markup in ["&lt;", "&gt;", "&amp;", "&quot;", "&#", "<b>", "<i>", "<code>"] {
                    if text.contains(markup) {
                        problem(format!("is shown as plain text, so {markup} would show as typed"));
                    }
                }
                // Where the bot puts a plain text into HTML, it escapes it.
                if let Err(e) = rules::check_text(&escape_html(&text), Some("HTML"), false) {
                    problem(e);
                }
            } else if let Err(e) = rules::check_text(&text, Some("HTML"), false) {
                problem(e);
            }
            if CALLBACK_ANSWERS.contains(&key.as_str())
                && let Err(e) = rules::check_callback_answer(&text)
            {
                problem(format!("as a button answer: {e}"));
            }
        }
    }
    found
}

#[test]
fn every_message_in_both_languages_is_one_telegram_accepts() {
    let problems = problems(&SOURCES);
    assert!(problems.is_empty(), "messages Telegram would refuse or that read badly:\n{}", problems.join("\n"));
}

#[test]
fn a_key_with_an_unescaped_tag_fails_the_check() {
    for (lang, source) in SOURCES {
        let with_bad_key = format!("{source}\nbad-usage = Status of one invoice: /invoice <x>\n");
        let problems = problems(&[(lang, &with_bad_key)]);
        assert_eq!(
            problems,
            [format!(
                "{} bad-usage: Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 32",
                lang.code()
            )]
        );
    }
    let broken_line = "en-dash-key = Your credentials are stored\n    encrypted and never shown.\n";
    assert_eq!(problems(&[(Lang::En, broken_line)]).len(), 1, "a mid-sentence break is found");
    let plain_markup = "button-x = <b>Save</b>\n";
    assert_eq!(problems(&[(Lang::En, plain_markup)]).len(), 1, "markup in a button label is found");
}

#[test]
fn help_and_the_command_menu_are_accepted_in_both_languages() {
    for lang in Lang::ALL {
        let help = start::help_text(lang);
        rules::check_text(&help, Some("HTML"), false).unwrap_or_else(|e| panic!("{}: {e}\n{help}", lang.code()));
        let menu: Vec<serde_json::Value> = commands::menu(lang)
            .into_iter()
            .map(|c| json!({"command": c.command, "description": c.description}))
            .collect();
        rules::check_commands(&json!(menu)).unwrap_or_else(|e| panic!("{}: {e}", lang.code()));
        for name in commands::MENU {
            assert!(help.contains(&format!("/{name} — ")), "{}: /help names /{name}", lang.code());
        }
    }
}

#[test]
fn every_keyboard_built_without_a_database_is_accepted() {
    for lang in Lang::ALL {
        for keyboard in [start::first_steps_keyboard(lang), start::language_keyboard()] {
            let markup = serde_json::to_value(&keyboard).unwrap();
            rules::check_keyboard(&markup).unwrap_or_else(|e| panic!("{}: {e}: {markup}", lang.code()));
        }
    }
    // Buttons that refer to a stored action carry only its id: within 64 bytes for any id.
    let widest = merchant_bot::bot::Callback::Action(i64::MAX).encode();
    rules::check_keyboard(&json!({"inline_keyboard": [[{"text": "x", "callback_data": widest}]]})).unwrap();
}

#[test]
fn a_50_row_page_with_long_rows_is_cut_to_what_telegram_accepts() {
    for lang in Lang::ALL {
        let rows: Vec<String> = (0..50).map(|i| format!("row {i} {}", escape_html(&hardest("note", lang)))).collect();
        let page = Page { items: rows, page: u32::MAX, total_pages: Some(u32::MAX) };
        let (text, has_next) = format::page(lang, "<b>Withdrawals</b> — toko".to_owned(), &page, 50, |r| r.clone());
        rules::check_text(&text, Some("HTML"), false).unwrap_or_else(|e| panic!("{}: {e}", lang.code()));
        assert!(text.contains("row 0 ") && !text.contains("row 49 "), "the first rows are shown, the rest cut");
        assert!(text.contains(if lang == Lang::En { "not shown here" } else { "tidak ditampilkan" }), "{text}");
        assert!(!has_next, "the last page has no next");

        // Short rows all fit, with nothing said about cutting.
        let short = Page { items: (0..50).map(|i| format!("row {i}")).collect(), page: 1, total_pages: Some(2) };
        let (text, has_next) = format::page(lang, "t".to_owned(), &short, 50, |r: &String| r.clone());
        assert!(text.contains("row 49") && !text.contains("…"), "{text}");
        assert!(has_next);
    }
}

#[test]
fn an_invoice_caption_with_the_longest_values_fits_a_photo() {
    for lang in Lang::ALL {
        let (id, label, amount) = (hardest("id", lang), hardest("label", lang), hardest("amount", lang));
        let caption = [
            merchant_bot::tr!(lang, "invoice-title", id = &id, label = &label),
            merchant_bot::tr!(lang, "invoice-amount", amount = &amount),
            merchant_bot::tr!(lang, "invoice-fee", amount = &amount),
            merchant_bot::tr!(lang, "invoice-total", amount = &amount),
            merchant_bot::tr!(lang, "invoice-expires", at = hardest("at", lang)),
            merchant_bot::tr!(lang, "invoice-status", status = hardest("status", lang)),
        ]
        .join("\n");
        rules::check_caption(&caption, Some("HTML")).unwrap_or_else(|e| panic!("{}: {e}\n{caption}", lang.code()));
    }
}
