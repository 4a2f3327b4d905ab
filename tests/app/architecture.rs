//! The layers of `src/`, checked by reading the source: which top-level module names
//! which (`crate::x`, `use crate::{x, y::z}`; comments do not count). A module that
//! imports one above it fails here, with the file and the line.

use std::collections::{BTreeMap, BTreeSet};

/// Each top-level module (`src/x.rs` or `src/x/`) with the top-level modules it names,
/// and where.
fn imports() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for file in rs_files(&src) {
        let relative = file.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        let module = relative.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in named_modules(code) {
                if name != module {
                    let place = format!("src/{relative}:{}", number + 1);
                    out.entry(module.clone()).or_default().entry(name).or_default().push(place);
                }
            }
        }
        // A `use crate::{…}` over several lines: the names at its first level.
        let code: String = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
        for name in grouped_modules(&code) {
            if name != module {
                let place = format!("src/{relative}");
                out.entry(module.clone()).or_default().entry(name).or_default().push(place);
            }
        }
    }
    out
}

fn identifier(text: &str) -> String {
    text.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// `crate::name` on one line.
fn named_modules(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .map(|(i, _)| identifier(&code[i + "crate::".len()..]))
        .filter(|n| !n.is_empty())
        .collect()
}

/// The first-level names of every `crate::{…}` group.
fn grouped_modules(code: &str) -> Vec<String> {
    let mut names = vec![];
    for (i, _) in code.match_indices("crate::{") {
        let mut depth = 0;
        let mut expect_name = false;
        for (j, c) in code[i + "crate::".len()..].char_indices() {
            match c {
                '{' => {
                    depth += 1;
                    expect_name = depth == 1;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ',' if depth == 1 => expect_name = true,
                c if c.is_whitespace() => {}
                _ if expect_name => {
                    let start = i + "crate::".len() + j;
                    let name = identifier(&code[start..]);
                    if !name.is_empty() && name != "self" {
                        names.push(name);
                    }
                    expect_name = false;
                }
                _ => {}
            }
        }
    }
    names
}

/// A cycle among the modules, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|start| visit(start, graph, &mut vec![], &mut done))
}

#[test]
fn the_top_level_modules_form_layers_without_a_cycle() {
    let all = imports();
    let modules: BTreeSet<String> = all.keys().cloned().collect();
    // Only names of modules count (`crate::tr!` is a macro).
    let graph: BTreeMap<String, BTreeSet<String>> = all
        .iter()
        .map(|(m, names)| (m.clone(), names.keys().filter(|n| modules.contains(*n)).cloned().collect()))
        .collect();
    if let Some(found) = cycle(&graph) {
        let places: Vec<String> =
            found.windows(2).map(|w| format!("{} -> {} at {:?}", w[0], w[1], all[&w[0]][&w[1]].first())).collect();
        panic!("the modules import each other in a circle: {}\n{}", found.join(" -> "), places.join("\n"));
    }
}

#[test]
fn nothing_below_the_chat_layer_imports_it_and_storage_does_not_import_the_notifier() {
    let all = imports();
    // The update tree is started only by `run` (start-up and shutdown).
    let bot_users: Vec<&String> = all.iter().filter(|(_, n)| n.contains_key("bot")).map(|(m, _)| m).collect();
    assert_eq!(bot_users, ["run"], "only run starts the bot");
    let lower = [
        "app",
        "cards",
        "clock",
        "config",
        "crypto",
        "domain",
        "i18n",
        "metrics",
        "notifier",
        "pin",
        "providers",
        "qr",
        "reports",
        "secret",
        "services",
        "storage",
        "telegram",
        "withdrawals",
    ];
    for module in lower {
        for upper in ["bot", "http", "run", "cli"] {
            if let Some(places) = all.get(module).and_then(|n| n.get(upper)) {
                panic!("{module} imports {upper}, a layer above it: {places:?}");
            }
        }
    }
    if let Some(places) = all.get("storage").and_then(|n| n.get("notifier")) {
        panic!("storage imports the notifier: {places:?}");
    }
    // The use cases sit under the chat layer and the background tasks.
    for upper in ["notifier", "http"] {
        if let Some(places) = all.get("services").and_then(|n| n.get(upper)) {
            panic!("services imports {upper}, a layer above it: {places:?}");
        }
    }
}

/// Whether `code` contains `word` not followed by more of an identifier
/// (`providers::Gateway` is not named by `providers::GatewayError`).
fn names(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(i, _)| {
        let next = code[i + word.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            || !word.ends_with(|c: char| c.is_ascii_alphanumeric())
    })
}

/// The `.rs` files under `root`, at any depth.
fn rs_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![];
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// Each line of the `.rs` files under `src/<dir>` (comments dropped) that names one of
/// `words`, with its place.
fn lines_naming(dir: &str, words: &[&str]) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut found = vec![];
    for path in rs_files(&root) {
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if words.iter().any(|w| names(code, w)) {
                found.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_chat_layer_names_no_database_and_no_gateway_client() {
    // Handlers parse, call a use case in `services`, and render its result: the pool,
    // SQL, the records' modules and the gateways' clients are the use cases' business.
    let found = lines_naming(
        "bot",
        &["PgPool", ".pool", "sqlx", "storage::", "gateways", "Gateway", "Gateways", "providers::http"],
    );
    assert!(found.is_empty(), "src/bot/ names the database or a gateway client:\n{}", found.join("\n"));
}

#[test]
fn the_use_cases_know_nothing_of_telegram_or_of_words() {
    // A use case returns a typed result or error; the chat layer puts it into words.
    let found = lines_naming("services", &["teloxide", "tr!(", "crate::telegram", "translate("]);
    assert!(found.is_empty(), "src/services/ names Telegram or renders words:\n{}", found.join("\n"));
}

#[test]
fn every_query_is_checked_at_compile_time() {
    // Each query goes through sqlx::query!/query_as!/query_scalar!, checked against the
    // schema (.sqlx/ offline, scripts/sqlx-prepare --check in CI): no SQL built at run
    // time, no SQL in a string the compiler cannot see.
    let found = lines_naming(
        "",
        &[
            "sqlx::query(",
            "sqlx::query_as(",
            "sqlx::query_scalar(",
            "sqlx::query_with(",
            "AssertSqlSafe",
            "QueryBuilder",
            "raw_sql(",
        ],
    );
    assert!(found.is_empty(), "src/ has queries not checked at compile time:\n{}", found.join("\n"));
}

#[test]
fn the_import_reader_sees_grouped_and_single_imports() {
    let code = "use crate::{\n    app::App,\n    storage::{self, reports::InvoiceDay},\n    tr,\n};\nlet x = crate::bot::start;";
    assert_eq!(grouped_modules(code), ["app", "storage", "tr"]);
    assert_eq!(named_modules("let x = crate::bot::start; crate::tr!(lang, \"k\")"), ["bot", "tr"]);
    assert!(names("let g: Gateway = x;", "Gateway"));
    assert!(!names("let e: GatewayError = x;", "Gateway"));
    assert!(names("app.pool.clone()", ".pool"));
    assert!(!names("app.pooled", ".pool"));
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycle(&graph), Some(vec!["a".to_owned(), "b".to_owned(), "a".to_owned()]));
}
