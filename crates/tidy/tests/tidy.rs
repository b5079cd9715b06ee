//! The rules of `ARCHITECTURE.md` that a machine can check, as tests over the workspace's
//! manifests and sources. Each failure says which crate or file broke which rule.
//!
//! What counts: a crate's *normal* and build dependencies (`[dependencies]`,
//! `[build-dependencies]`, and their `[target.*]` forms) and the code under its `src/`, without
//! its `#[cfg(test)]` modules. Dev-dependencies and `tests/` are not the product: the
//! binary's black-box tests, say, open the database with `sqlx` to tamper with it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------
// The rules

/// Crates that speak HTTP (client or server).
const HTTP_CRATES: &[&str] = &[
    "axum",
    "axum-core",
    "h2",
    "http",
    "http-body",
    "hyper",
    "hyper-util",
    "reqwest",
    "tower",
    "tower-http",
    "ureq",
    "utoipa-axum",
];

/// The crates that may depend on [`HTTP_CRATES`]: the server listens, ingest fetches
/// (through its guarded client, which the monitor's webhooks use too).
const HTTP_ALLOWED: &[&str] = &["claimdesk-server", "claimdesk-ingest"];

/// Dependencies that do I/O (files, sockets, processes, a runtime, a database).
const IO_CRATES: &[&str] = &[
    "async-std",
    "memmap2",
    "mio",
    "notify",
    "reqwest",
    "sqlx",
    "tempfile",
    "tokio",
];

/// What I/O looks like in source.
const IO_PATHS: &[&str] = &[
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "File::open",
    "File::create",
];

/// Crates that do no I/O at all.
const PURE_CRATES: &[&str] = &["claimdesk-core", "claimdesk-text", "claimdesk-printer"];

/// The workspace crates the binary may use besides what the engine re-exports: the engine
/// itself, the server it serves, and the printer that words what it prints.
const BINARY_CRATES: &[&str] = &["claimdesk-engine", "claimdesk-server", "claimdesk-printer"];

/// External crates the binary may use besides the engine, the server and what the engine
/// re-exports, each for the command line itself, never for the desk's logic:
const BINARY_EXTERNAL: &[&str] = &[
    // flags, errors for people, progress bars, logs to stderr
    "anyhow",
    "clap",
    "indicatif",
    "tracing",
    "tracing-subscriber",
    // the process: its allocator and the runtime `main` runs on
    "mimalloc",
    "tokio",
    // printing results as JSON
    "serde_json",
    // values in flags: dates and durations (`--since`), URLs (`sources add`)
    "jiff",
    "url",
    // `demo`'s throwaway data directory
    "tempfile",
];

/// The binary's budget of lines of non-test code, neither blank nor comment (ARCHITECTURE.md:
/// flags, progress, wiring; the wording of what it prints is in `claimdesk-printer`).
const BINARY_MAX_LINES: usize = 1_500;

// ---------------------------------------------------------------------------------------
// Reading the workspace

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Crate {
    /// Its package name (`claimdesk-store`).
    name: String,
    dir: PathBuf,
    manifest: toml::Table,
}

fn crates() -> Vec<Crate> {
    let mut out: Vec<Crate> = fs::read_dir(root().join("crates"))
        .unwrap()
        .filter_map(|e| {
            let dir = e.unwrap().path();
            let text = fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            let manifest: toml::Table = text.parse().unwrap();
            let name = manifest["package"]["name"].as_str().unwrap().to_string();
            Some(Crate {
                name,
                dir,
                manifest,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(out.len() >= 10, "found only {} crates", out.len());
    out
}

fn krate<'a>(all: &'a [Crate], name: &str) -> &'a Crate {
    all.iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no crate {name}"))
}

/// The packages a crate depends on outside its tests (renames resolved).
fn dependencies(c: &Crate) -> BTreeSet<String> {
    fn from(table: Option<&toml::Value>, out: &mut BTreeSet<String>) {
        let Some(table) = table.and_then(|t| t.as_table()) else {
            return;
        };
        for (key, value) in table {
            let package = value.get("package").and_then(|p| p.as_str());
            out.insert(package.unwrap_or(key).to_string());
        }
    }
    let mut out = BTreeSet::new();
    for section in ["dependencies", "build-dependencies"] {
        from(c.manifest.get(section), &mut out);
        if let Some(targets) = c.manifest.get("target").and_then(|t| t.as_table()) {
            for target in targets.values() {
                from(target.get(section), &mut out);
            }
        }
    }
    out
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A crate's product code: each file under `src/` with its `#[cfg(test)]` items removed.
fn sources(c: &Crate) -> Vec<(PathBuf, String)> {
    rust_files(&c.dir.join("src"))
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, without_tests(&text))
        })
        .collect()
}

/// `source` without the items marked `#[cfg(test)]` (a `mod tests { ... }`, a helper fn).
fn without_tests(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its first `;` before any brace, or where its braces close.
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, ch) in code_chars(item) {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The characters of Rust source that are code, with their byte offsets: comments,
/// string literals and char literals are left out.
fn code_chars(source: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut strings = Vec::new();
    scan(source, &mut out, &mut strings);
    out
}

/// The string literals of Rust source (their contents, escapes left as written).
fn string_literals(source: &str) -> Vec<String> {
    let mut code = Vec::new();
    let mut strings = Vec::new();
    scan(source, &mut code, &mut strings);
    strings
}

/// Splits source into code characters and string literals, skipping comments.
fn scan(source: &str, code: &mut Vec<(usize, char)>, strings: &mut Vec<String>) {
    let b = source.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == b'r'
            && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                code.push((i, 'r'));
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let start = j + 1;
            let end = source[start..].find(&close).map_or(b.len(), |e| start + e);
            strings.push(source[start..end].to_string());
            i = end + close.len();
        } else if c == b'"' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j] != b'"' {
                if b[j] == b'\\' {
                    j += 1;
                }
                j += 1;
            }
            strings.push(source[start..j.min(b.len())].to_string());
            i = j + 1;
        } else if c == b'\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if b.get(i + 1) == Some(&b'\\') {
                let close = source[i + 2..].find('\'').map_or(b.len(), |e| i + 2 + e);
                i = close + 1;
            } else if let Some(ch) = source[i + 1..].chars().next() {
                let after = i + 1 + ch.len_utf8();
                if b.get(after) == Some(&b'\'') {
                    i = after + 1;
                } else {
                    i += 1;
                }
            } else {
                i += 1;
            }
        } else {
            let ch = source[i..].chars().next().unwrap();
            code.push((i, ch));
            i += ch.len_utf8();
        }
    }
}

/// The code of `source` as text (comments and literals removed).
fn code(source: &str) -> String {
    code_chars(source).into_iter().map(|(_, c)| c).collect()
}

/// Whether a string literal is SQL: the statement shapes in capitals, as the store writes
/// them (prose says "select" and "from" in lower case).
fn is_sql(literal: &str) -> bool {
    let s = literal.split_whitespace().collect::<Vec<_>>().join(" ");
    (s.contains("SELECT ") && s.contains(" FROM "))
        || s.contains("INSERT INTO ")
        || s.contains("DELETE FROM ")
        || (s.contains("UPDATE ") && s.contains(" SET "))
        || s.contains("CREATE TABLE")
        || s.contains("CREATE INDEX")
        || s.contains("ALTER TABLE")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

// ---------------------------------------------------------------------------------------
// Dependencies and what is where

#[test]
fn only_the_store_depends_on_sqlx() {
    for c in crates() {
        if c.name != "claimdesk-store" {
            assert!(
                !dependencies(&c).contains("sqlx"),
                "{} depends on sqlx: only claimdesk-store talks to the database; use its traits",
                c.name
            );
        }
    }
}

#[test]
fn only_the_store_contains_sql() {
    let mut found = Vec::new();
    for c in crates() {
        if c.name == "claimdesk-store" {
            continue;
        }
        for (path, source) in sources(&c) {
            if code(&source).contains("sqlx::") {
                found.push(format!("{}: names sqlx", relative(&path)));
            }
            for literal in string_literals(&source) {
                if is_sql(&literal) {
                    found.push(format!("{}: SQL `{}`", relative(&path), literal.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL outside claimdesk-store (add a store method instead):\n{}",
        found.join("\n")
    );
}

/// Where a backend may be named: the store that defines it, and the one place that opens it.
const OPENS_THE_STORE: &[&str] = &["crates/engine/src/data.rs"];

#[test]
fn callers_name_the_store_traits_not_the_backend() {
    let mut found = Vec::new();
    for c in crates() {
        if c.name == "claimdesk-store" {
            continue;
        }
        for (path, source) in sources(&c) {
            let file = relative(&path);
            if code(&source).contains("SqliteStore") && !OPENS_THE_STORE.contains(&file.as_str()) {
                found.push(file);
            }
        }
    }
    assert!(
        found.is_empty(),
        "these name SqliteStore; take `&impl ItemStore` (or the role they need) or the \
         engine's StoreHandle instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_server_and_ingest_speak_http() {
    for c in crates() {
        if HTTP_ALLOWED.contains(&c.name.as_str()) {
            continue;
        }
        let http: Vec<_> = dependencies(&c)
            .into_iter()
            .filter(|d| HTTP_CRATES.contains(&d.as_str()))
            .collect();
        assert!(
            http.is_empty(),
            "{} depends on {http:?}: only {HTTP_ALLOWED:?} know HTTP",
            c.name
        );
    }
}

#[test]
fn core_and_text_do_no_io() {
    let all = crates();
    for name in PURE_CRATES {
        let c = krate(&all, name);
        let io: Vec<_> = dependencies(c)
            .into_iter()
            .filter(|d| IO_CRATES.contains(&d.as_str()))
            .collect();
        assert!(io.is_empty(), "{name} depends on {io:?}: it does no I/O");
        for (path, source) in sources(c) {
            let code = code(&source);
            for io in IO_PATHS {
                assert!(
                    !code.contains(io),
                    "{} uses {io}: {name} does no I/O",
                    relative(&path)
                );
            }
        }
    }
}

/// The workspace crates the engine re-exports (`pub use claimdesk_store as store;`).
fn engine_reexports(all: &[Crate]) -> BTreeSet<String> {
    let lib = fs::read_to_string(krate(all, "claimdesk-engine").dir.join("src/lib.rs")).unwrap();
    code(&lib)
        .split(';')
        .filter_map(|statement| {
            let s = statement.split_whitespace().collect::<Vec<_>>().join(" ");
            let rest = s.strip_prefix("pub use ")?;
            let (krate, _) = rest.split_once(" as ")?;
            krate
                .starts_with("claimdesk_")
                .then(|| krate.replace('_', "-"))
        })
        .collect()
}

#[test]
fn the_binary_depends_on_the_engine_and_what_it_reexports() {
    let all = crates();
    let reexported = engine_reexports(&all);
    assert!(
        reexported.contains("claimdesk-store"),
        "read no re-exports from the engine's lib.rs: {reexported:?}"
    );
    let binary = krate(&all, "claimdesk");
    let workspace: BTreeSet<&str> = all.iter().map(|c| c.name.as_str()).collect();
    for dep in dependencies(binary) {
        let allowed = if workspace.contains(dep.as_str()) {
            BINARY_CRATES.contains(&dep.as_str()) || reexported.contains(&dep)
        } else {
            BINARY_EXTERNAL.contains(&dep.as_str())
        };
        assert!(
            allowed,
            "the binary depends on `{dep}`: it is glue over the engine and the server; \
             what it needs of another crate belongs in the engine (re-exported there), \
             and a new command-line crate goes in BINARY_EXTERNAL with its reason"
        );
    }
}

#[test]
fn the_binary_stays_small() {
    let all = crates();
    let binary = krate(&all, "claimdesk");
    let lines: usize = sources(binary)
        .iter()
        .flat_map(|(_, s)| s.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count();
    assert!(
        lines <= BINARY_MAX_LINES,
        "crates/claimdesk/src has {lines} lines of non-test code (at most {BINARY_MAX_LINES}): \
         the binary parses flags, shows progress and wires the crates together; the desk's \
         logic belongs in the engine, the wording of what it prints in the printer"
    );
}

// ---------------------------------------------------------------------------------------
// No import cycles among a crate's modules

/// A crate's module graph: module path (`sqlite::write`) → the modules it imports.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let module_of = |path: &Path| -> String {
        let rel = path.strip_prefix(src).unwrap().with_extension("");
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_str().unwrap().to_string())
            .filter(|p| p != "mod")
            .collect();
        parts.join("::")
    };
    let files: Vec<(String, String)> = rust_files(src)
        .into_iter()
        .map(|p| {
            let source = without_tests(&fs::read_to_string(&p).unwrap());
            (module_of(&p), code(&source))
        })
        .collect();
    let modules: BTreeSet<String> = files
        .iter()
        .map(|(m, _)| m.clone())
        .filter(|m| m != "lib" && m != "main")
        .collect();
    // Names the crate root re-exports: `pub use module::{A, B};` → A, B live in `module`.
    let root = files
        .iter()
        .find(|(m, _)| m == "lib" || m == "main")
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let mut reexports: BTreeMap<String, String> = BTreeMap::new();
    for statement in root.split(';') {
        let s: String = statement.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(rest) = s.strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        if !modules.contains(module) {
            continue;
        }
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() && name != "*" {
                reexports.insert(name.to_string(), module.to_string());
            }
        }
    }
    // The module a path from the crate root (`a::b::C`) points into.
    let resolve = |path: &[&str]| -> Option<String> {
        let mut best = None;
        for n in 1..=path.len() {
            let candidate = path[..n].join("::");
            if modules.contains(&candidate) {
                best = Some(candidate);
            }
        }
        best.or_else(|| path.first().and_then(|n| reexports.get(*n).cloned()))
    };
    let mut graph = BTreeMap::new();
    for (module, code) in &files {
        if !modules.contains(module) {
            continue;
        }
        let parent: Vec<&str> = module.split("::").collect();
        let parent = &parent[..parent.len() - 1];
        let mut edges = BTreeSet::new();
        for path in paths(code) {
            let segments: Vec<&str> = path.split("::").collect();
            let target = match segments[0] {
                "crate" => resolve(&segments[1..]),
                "super" => {
                    let mut full: Vec<&str> = parent.to_vec();
                    full.extend(&segments[1..]);
                    resolve(&full).or_else(|| (!parent.is_empty()).then(|| parent.join("::")))
                }
                "self" => {
                    let mut full: Vec<&str> = module.split("::").collect();
                    full.extend(&segments[1..]);
                    resolve(&full)
                }
                // A child module named from its parent (`write::now` in `sqlite`).
                first => {
                    let child = format!("{module}::{first}");
                    modules.contains(&child).then(|| {
                        let mut full: Vec<&str> = module.split("::").collect();
                        full.extend(&segments);
                        resolve(&full).unwrap_or(child)
                    })
                }
            };
            if let Some(target) = target.filter(|t| t != module) {
                edges.insert(target);
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// Every path in code (`crate::a::B`, `super::x`, `write::now`), with `{...}` groups
/// expanded (`crate::{a, b::C}` → `crate::a`, `crate::b::C`).
fn paths(code: &str) -> Vec<String> {
    fn expand(prefix: &str, group: &str, out: &mut Vec<String>) {
        // Split the group at top-level commas.
        let mut depth = 0;
        let mut start = 0;
        let bytes = group.as_bytes();
        for i in 0..=bytes.len() {
            let c = bytes.get(i).copied().unwrap_or(b',');
            match c {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                b',' if depth == 0 => {
                    let part = group[start..i].trim();
                    start = i + 1;
                    if part.is_empty() || part == "self" || part == "*" {
                        continue;
                    }
                    match part.find("::{") {
                        Some(at) if part.ends_with('}') => expand(
                            &format!("{prefix}::{}", &part[..at]),
                            &part[at + 3..part.len() - 1],
                            out,
                        ),
                        _ => out.push(format!("{prefix}::{part}")),
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let preceded_by_path = i >= 2 && &code[i - 2..i] == "::";
        if !(starts_word
            && !preceded_by_path
            && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_'))
        {
            i += 1;
            continue;
        }
        // Read `ident(::ident)*`, then maybe `::{group}`.
        let mut j = i;
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            if code[j..].starts_with("::") && code[j + 2..].starts_with('{') {
                let open = j + 2;
                let mut depth = 0;
                let mut k = open;
                while k < bytes.len() {
                    match bytes[k] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    k += 1;
                }
                let k = k.min(bytes.len());
                expand(&code[i..j], &code[open + 1..k], &mut out);
                j = k + 1;
                break;
            }
            if code[j..].starts_with("::")
                && code[j + 2..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            {
                j += 2;
                continue;
            }
            if code[i..j].contains("::") {
                out.push(code[i..j].to_string());
            }
            break;
        }
        i = j.max(i + 1);
    }
    out
}

/// A cycle in `graph`, as the modules along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut done, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

fn assert_no_cycle(crate_dir: &str) {
    let graph = module_graph(&root().join(crate_dir).join("src"));
    assert!(
        graph.len() > 3,
        "read only {} modules in {crate_dir}",
        graph.len()
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "{crate_dir}: modules import each other in a cycle: {}\n(the graph: {graph:#?})",
            cycle.join(" → ")
        );
    }
}

#[test]
fn no_import_cycle_among_the_stores_modules() {
    assert_no_cycle("crates/store");
}

#[test]
fn the_stores_graph_has_its_edges() {
    // The resolver follows `super::`, child modules and the root's re-exports: a check that
    // reads no edge would pass whatever the code does.
    let graph = module_graph(&root().join("crates/store/src"));
    let edges = |m: &str| graph.get(m).cloned().unwrap_or_default();
    assert!(
        edges("sqlite::users").contains("sqlite::write"),
        "{graph:#?}"
    );
    assert!(edges("sqlite::write").contains("sqlite"), "{graph:#?}");
    assert!(edges("sqlite::items").contains("items"), "{graph:#?}");
    assert!(edges("factchecks").contains("audit"), "{graph:#?}");
}

#[test]
fn no_import_cycle_among_the_engines_modules() {
    assert_no_cycle("crates/engine");
}

#[test]
fn a_cycle_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", &["b"][..]),
        ("b", &["c"][..]),
        ("c", &["a"][..]),
        ("d", &[][..]),
    ]
    .into_iter()
    .map(|(n, e)| (n.into(), e.iter().map(|s| s.to_string()).collect()))
    .collect();
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
}

#[test]
fn paths_are_read_through_groups_and_comments() {
    let source = "use crate::{a, b::{C, d::E}};\n// crate::hidden\nlet x = \"crate::s\"; \
                  super::f(); write::now(); x::y::z;";
    assert_eq!(
        paths(&code(source)),
        [
            "crate::a",
            "crate::b::C",
            "crate::b::d::E",
            "super::f",
            "write::now",
            "x::y::z"
        ]
    );
}

#[test]
fn sql_is_recognized_in_literals_only() {
    let source = "// SELECT id FROM items\nlet q = \"SELECT id\n FROM items\"; \
                  let p = \"select a book from the shelf\"; let r = r#\"INSERT INTO t\"#;";
    let sql: Vec<_> = string_literals(source)
        .into_iter()
        .filter(|l| is_sql(l))
        .collect();
    assert_eq!(sql, ["SELECT id\n FROM items", "INSERT INTO t"]);
}

#[test]
fn test_modules_are_not_product_code() {
    let source =
        "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() { let s = \"}\"; }\n}\nfn c() {}\n";
    assert_eq!(without_tests(source), "fn a() {}\n\nfn c() {}\n");
}
