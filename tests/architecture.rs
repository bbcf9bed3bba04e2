//! The crate is a stack: a top-level module uses only modules of lower
//! layers. The layers are the table "The stack" in the crate docs
//! (`src/lib.rs`), read here, so the order is written once. Every
//! `crate::…` path in `src/` (in code, not comments) is checked against it;
//! a failure names the file, the line and the import.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layer of each top-level module, from the crate docs' table: rows
/// `//! | <layer> | `module`, `module` | what it owns |`.
fn layers(lib_rs: &str) -> BTreeMap<String, u32> {
    let mut layers = BTreeMap::new();
    for line in lib_rs.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(Ok(layer)) = cells.first().map(|c| c.parse::<u32>()) else {
            continue;
        };
        for module in cells[1].split(',') {
            let module = module.trim().trim_matches('`');
            assert!(
                layers.insert(module.to_string(), layer).is_none(),
                "src/lib.rs: module `{module}` is in the stack table twice"
            );
        }
    }
    layers
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to; `None` for the crate
/// root and the binaries (`main.rs`, `bin/`), which sit above the stack.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" | "main.rs" | "bin" => None,
        file if file.ends_with(".rs") => Some(file.trim_end_matches(".rs").to_string()),
        folder => Some(folder.to_string()),
    }
}

/// The top-level modules a line of code names through `crate::`: `crate::a`
/// and each branch of `crate::{a::x, b}`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        rest = &rest[at + "crate::".len()..];
        if preceded_by_ident {
            continue; // `$crate::` or `firedrill_crate::`, not this crate's root
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for branch in group[..end].split(',') {
                found.push(first_ident(branch.trim()));
            }
        } else {
            found.push(first_ident(rest));
        }
    }
    found.retain(|m| !m.is_empty() && m != "self");
    found
}

fn first_ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The code of a line: without a `//` comment (doc comments included).
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    }
}

/// Every use of a module that is not below the user, as messages.
fn violations(src: &Path, layers: &BTreeMap<String, u32>) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src/");
        let Some(module) = module_of(relative) else {
            continue;
        };
        let shown = Path::new("src").join(relative);
        let Some(&own) = layers.get(&module) else {
            problems.push(format!(
                "{}: module `{module}` is not in the stack table of src/lib.rs",
                shown.display()
            ));
            continue;
        };
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (number, line) in text.lines().enumerate() {
            for used in crate_paths(code_of(line)) {
                if used == module {
                    continue;
                }
                match layers.get(&used) {
                    Some(&layer) if layer < own => {}
                    Some(&layer) => problems.push(format!(
                        "{}:{}: `{module}` (layer {own}) uses `{used}` (layer {layer}), which is not below it: {}",
                        shown.display(),
                        number + 1,
                        line.trim()
                    )),
                    None => problems.push(format!(
                        "{}:{}: `{module}` uses `crate::{used}`, which is not in the stack table of src/lib.rs: {}",
                        shown.display(),
                        number + 1,
                        line.trim()
                    )),
                }
            }
        }
    }
    problems
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = src();
    let lib_rs = fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let layers = layers(&lib_rs);
    assert!(
        layers.len() >= 10,
        "src/lib.rs: the stack table lists only {layers:?}"
    );
    let problems = violations(&src, &layers);
    assert!(
        problems.is_empty(),
        "the stack is broken (a module may use only modules of lower layers; the table is in src/lib.rs):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_stack_table_lists_exactly_the_top_level_modules() {
    let src = src();
    let lib_rs = fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let declared: Vec<String> = lib_rs
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';').to_string())
        .collect();
    let mut tabled: Vec<String> = layers(&lib_rs).into_keys().collect();
    let mut declared_sorted = declared.clone();
    declared_sorted.sort();
    tabled.sort();
    assert_eq!(
        declared_sorted, tabled,
        "the modules declared in src/lib.rs and the stack table differ"
    );
}

#[test]
fn the_checker_finds_an_upward_import_and_a_circle() {
    let dir = std::env::temp_dir().join(format!("firedrill-architecture-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("low")).unwrap();
    fs::write(
        dir.join("low/mod.rs"),
        "//! Low.\n// crate::high in a comment is no use\nuse crate::high::Thing;\n",
    )
    .unwrap();
    fs::write(
        dir.join("high.rs"),
        "use crate::{low::Base, self};\npub fn f() -> crate::nowhere::X {}\n",
    )
    .unwrap();
    let layers = BTreeMap::from([("low".to_string(), 0), ("high".to_string(), 1)]);
    let problems = violations(&dir, &layers);
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("src/high.rs:2: `high` uses `crate::nowhere`"));
    assert_eq!(
        problems[1],
        "src/low/mod.rs:3: `low` (layer 0) uses `high` (layer 1), which is not below it: use crate::high::Thing;"
    );
}

#[test]
fn crate_paths_are_read_from_plain_and_grouped_uses() {
    let cases: [(&str, &[&str]); 5] = [
        ("use crate::env::{Action, Env};", &["env"]),
        (
            "use crate::{scenario::Task, series};",
            &["scenario", "series"],
        ),
        ("let x = crate::rng::splitmix64(&mut y);", &["rng"]),
        ("$crate::foo::bar()", &[]),
        ("use crate::{self, env};", &["env"]),
    ];
    for (code, expected) in cases {
        assert_eq!(crate_paths(code), expected, "{code}");
    }
}
