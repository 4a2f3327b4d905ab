//! Every key used in the code exists in every locale (that every locale has the same
//! keys is a unit test in `i18n.rs`).

use std::{fs, path::Path};

use merchant_bot::i18n::{SOURCES, keys_of};

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The literal keys of every `tr!(lang, "key" …)` in `source`.
fn keys_used(source: &str) -> Vec<String> {
    source
        .match_indices("tr!(")
        .filter(|(at, _)| !source[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .filter_map(|(at, _)| {
            let rest = &source[at..];
            let open = rest.find('"')?;
            // The key is the first string literal of the call, before its closing paren.
            if rest[..open].contains(')') {
                return None;
            }
            let key = &rest[open + 1..];
            Some(key[..key.find('"')?].to_owned())
        })
        .collect()
}

#[test]
fn every_key_used_in_code_exists_in_every_locale() {
    let mut files = Vec::new();
    rust_files(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")), &mut files);
    let mut used = Vec::new();
    for file in &files {
        for key in keys_used(&fs::read_to_string(file).unwrap()) {
            used.push((key, file.display().to_string()));
        }
    }
    assert!(used.len() > 10, "the scan finds the keys ({} found)", used.len());
    for (lang, source) in SOURCES {
        let keys = keys_of(source);
        for (key, file) in &used {
            assert!(keys.contains(key), "{key} (used in {file}) is missing from locales/{}.ftl", lang.code());
        }
    }
}
