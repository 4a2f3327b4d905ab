//! Localized texts: Fluent files in `locales/`, embedded at build time, looked up by key.
//!
//! Every user-visible string goes through [`tr!`]. String arguments are HTML-escaped on
//! the way in (replies use Telegram's HTML parse mode); wrap pre-rendered markup in
//! [`Html`] to insert it as it is.

use std::sync::LazyLock;

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use serde::{Deserialize, Serialize};

/// The languages the bot speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    /// The language for a Telegram `language_code`: Indonesian for `id` (and `id-…`),
    /// English for everything else, including no code at all.
    pub fn from_telegram(code: Option<&str>) -> Lang {
        match code {
            Some(c) if c == "id" || c.starts_with("id-") || c == "in" => Lang::Id,
            _ => Lang::En,
        }
    }

    /// Parses a stored or callback code (`id`, `en`).
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

/// The Fluent sources, one per language, in [`Lang::ALL`] order.
pub const SOURCES: [(Lang, &str); 2] =
    [(Lang::Id, include_str!("../locales/id.ftl")), (Lang::En, include_str!("../locales/en.ftl"))];

struct Catalog {
    id: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog { id: bundle(Lang::Id), en: bundle(Lang::En) });

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let source = SOURCES.iter().find(|(l, _)| *l == lang).expect("every language has a source").1;
    // The locale files are part of the binary and covered by tests: a syntax error
    // there is a build defect, not a runtime condition.
    let resource = FluentResource::try_new(source.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("locales/{}.ftl does not parse: {errors:?}", lang.code()));
    let langid = lang.code().parse().expect("language codes are valid identifiers");
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Telegram renders the Unicode isolation marks Fluent adds around arguments as
    // visible garbage in some clients.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).expect("message ids are unique within a locale file");
    bundle
}

/// An argument inserted into a text as it is: markup the bot itself produced.
#[derive(Clone, Debug)]
pub struct Html(pub String);

/// Conversion of a text argument, escaping anything that is not already markup.
pub trait ToArg {
    fn to_arg(self) -> FluentValue<'static>;
}

impl ToArg for &str {
    fn to_arg(self) -> FluentValue<'static> {
        FluentValue::from(escape_html(self))
    }
}

impl ToArg for String {
    fn to_arg(self) -> FluentValue<'static> {
        self.as_str().to_arg()
    }
}

impl ToArg for &String {
    fn to_arg(self) -> FluentValue<'static> {
        self.as_str().to_arg()
    }
}

impl ToArg for Html {
    fn to_arg(self) -> FluentValue<'static> {
        FluentValue::from(self.0)
    }
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(self) -> FluentValue<'static> {
                // Written out as text: Fluent's own number formatting would group
                // digits by its locale rules, and the bot formats numbers itself.
                FluentValue::from(self.to_string())
            }
        }
    )*};
}
int_arg!(i32, i64, u32, u64, usize);

tokio::task_local! {
    /// The keys rendered while handling one update, newest last (see [`tracking`]).
    static RENDERED: std::cell::RefCell<Vec<&'static str>>;
}

/// How many of the newest keys an update remembers.
const REMEMBERED_KEYS: usize = 8;

/// Runs `work` remembering the message keys it renders, so that a message Telegram
/// refuses can be traced to the key that produced it ([`rendered_keys`]).
pub async fn tracking<F: std::future::Future>(work: F) -> F::Output {
    RENDERED.scope(std::cell::RefCell::new(Vec::new()), work).await
}

/// The keys rendered so far in this update (inside [`tracking`]), newest last.
pub fn rendered_keys() -> Vec<&'static str> {
    RENDERED.try_with(|keys| keys.borrow().clone()).unwrap_or_default()
}

fn remember(key: &'static str) {
    let _ = RENDERED.try_with(|keys| {
        let mut keys = keys.borrow_mut();
        if keys.len() == REMEMBERED_KEYS {
            keys.remove(0);
        }
        keys.push(key);
    });
}

/// Looks up `key` in `lang` with `args`. A missing key yields the key itself and a log
/// line; the test suite makes sure this never happens in a build.
pub fn translate(lang: Lang, key: &'static str, args: Option<&FluentArgs<'_>>) -> String {
    remember(key);
    let bundle = match lang {
        Lang::Id => &CATALOG.id,
        Lang::En => &CATALOG.en,
    };
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        tracing::error!(key, lang = lang.code(), "missing translation");
        return key.to_owned();
    };
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::error!(key, lang = lang.code(), ?errors, "translation arguments do not match");
    }
    text.into_owned()
}

/// The localized text of a key, with optional named arguments:
/// `tr!(lang, KEY)` or `tr!(lang, KEY, name = value, …)` where KEY is a string literal.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:literal) => {
        $crate::i18n::translate($lang, $key, None)
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = ::fluent_bundle::FluentArgs::new();
        $( args.set(stringify!($name), $crate::i18n::ToArg::to_arg($value)); )+
        $crate::i18n::translate($lang, $key, Some(&args))
    }};
}

/// Escapes text for Telegram's HTML parse mode (`&`, `<`, `>`; teloxide's own escaping).
pub fn escape_html(text: &str) -> String {
    teloxide::utils::html::escape(text)
}

/// Message ids defined in one Fluent source, for the completeness tests.
pub fn keys_of(source: &str) -> Vec<String> {
    let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, e)| e).expect("locale parses");
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// A gateway status in words; unknown ones as the gateway wrote them (escaped).
pub fn status(s: &str, lang: Lang) -> String {
    match s.to_ascii_lowercase().as_str() {
        "pending" => crate::tr!(lang, "status-pending"),
        "success" => crate::tr!(lang, "status-success"),
        "rejected" => crate::tr!(lang, "status-rejected"),
        "failed" => crate::tr!(lang, "status-failed"),
        "paid" => crate::tr!(lang, "status-paid"),
        "expired" => crate::tr!(lang, "status-expired"),
        "cancelled" => crate::tr!(lang, "status-cancelled"),
        "active" => crate::tr!(lang, "status-active"),
        "inactive" => crate::tr!(lang, "status-inactive"),
        other => escape_html(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_codes_pick_the_language() {
        assert_eq!(Lang::from_telegram(Some("id")), Lang::Id);
        assert_eq!(Lang::from_telegram(Some("id-ID")), Lang::Id);
        assert_eq!(Lang::from_telegram(Some("en-GB")), Lang::En);
        assert_eq!(Lang::from_telegram(Some("ru")), Lang::En);
        assert_eq!(Lang::from_telegram(None), Lang::En);
    }

    #[test]
    fn string_arguments_are_escaped_and_markup_is_not() {
        let text = tr!(Lang::En, "start-welcome", name = "<b>Budi & Sons</b>");
        assert!(text.contains("&lt;b&gt;Budi &amp; Sons&lt;/b&gt;"), "{text}");
        assert!(!text.contains('\u{2068}'), "no isolation marks");
    }

    #[test]
    fn every_locale_has_every_key() {
        let all: Vec<(Lang, Vec<String>)> = SOURCES.iter().map(|(l, s)| (*l, keys_of(s))).collect();
        for (lang, keys) in &all {
            for (other, other_keys) in &all {
                for key in other_keys {
                    assert!(keys.contains(key), "{key} is in {}.ftl but not in {}.ftl", other.code(), lang.code());
                }
            }
        }
    }
}
