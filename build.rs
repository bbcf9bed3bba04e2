//! Lists every `scenarios/*.toml` file for the build: `BUILTIN_SCENARIOS`,
//! each file's name, the FNV-1a hash of its bytes (which names the version
//! the app fetches and checks what it got against), its listing entry (id,
//! title, debrief title, task, fault type, service names) and, when the
//! build embeds the texts, its text (its whole-line comments emptied, which
//! the loader never reads; every line keeps its number). The listing is read here so that listing
//! the scenarios needs no parse at run time: a file is parsed and validated
//! the first time it is played (`Catalog::get`).
//!
//! The texts are embedded (cfg `scenario_texts`) in every native build and
//! in a wasm build with the feature `embed-scenarios` (the core-only module,
//! the browser tests). The app's Trunk build leaves them out: its first
//! load carries only the listing, and the app fetches a file
//! (`scenarios/<file>.toml`, which Trunk copies into the dist) the first
//! time it is played (`src/web/app/loading.rs`).
//!
//! A file whose listing cannot be read here gets its file stem as id and
//! empty fields; its parse then fails with the loader's located error
//! (the test suite and `firedrill check scenarios` report it).

use std::{env, fs, path::Path};

/// The listing fields of a scenario file, as the loader would read them.
struct Listing {
    id: String,
    title: String,
    debrief_title: String,
    task: String,
    fault: String,
    services: Vec<String>,
}

fn listing(stem: &str, text: &str) -> Listing {
    let table = toml::from_str::<toml::Table>(text).unwrap_or_default();
    let text_of = |value: Option<&toml::Value>| {
        value
            .and_then(toml::Value::as_str)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let services = table
        .get("services")
        .and_then(toml::Value::as_array)
        .map(|services| services.iter().map(|s| text_of(s.get("name"))).collect())
        .unwrap_or_default();
    let id = text_of(table.get("id"));
    Listing {
        id: if id.is_empty() { stem.to_string() } else { id },
        title: text_of(table.get("title")),
        debrief_title: match text_of(table.get("debrief_title")) {
            t if t.is_empty() => text_of(table.get("title")),
            t => t,
        },
        task: text_of(table.get("task")),
        fault: text_of(table.get("fault").and_then(|f| f.get("cause"))),
        services,
    }
}

fn main() {
    let files = toml_files("scenarios");
    println!("cargo::rustc-check-cfg=cfg(scenario_texts)");
    let embed = env::var_os("CARGO_FEATURE_EMBED_SCENARIOS").is_some()
        || env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch != "wasm32");
    if embed {
        println!("cargo::rustc-cfg=scenario_texts");
    }
    let out_dir = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).to_path_buf();
    let mut code = String::from(
        "/// The built-in scenario files, sorted by name, with their listing entries.\n\
         static BUILTIN_SCENARIOS: &[Builtin] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let stem = name.trim_end_matches(".toml");
        let text = fs::read_to_string(path).unwrap_or_default();
        let l = listing(stem, &text);
        let text_field = if embed {
            let embedded = out_dir.join(name);
            fs::write(&embedded, without_comment_lines(&text)).expect("write an embedded scenario");
            format!("text: include_str!({:?}), ", embedded.display().to_string())
        } else {
            String::new()
        };
        code.push_str(&format!(
            "    Builtin {{ file: {:?}, hash: {:?}, {text_field}id: {:?}, title: {:?}, debrief_title: {:?}, task: {:?}, fault: {:?}, services: &{:?} }},\n",
            format!("scenarios/{name}"),
            format!("{:016x}", fnv1a(text.as_bytes())),
            l.id,
            l.title,
            l.debrief_title,
            l.task,
            l.fault,
            l.services,
        ));
    }
    code.push_str("];\n");
    fs::write(out_dir.join("builtin_scenarios.rs"), code).expect("write builtin_scenarios.rs");
    write_builtin_packs(&out_dir);
}

/// The `.toml` files of the crate's folder `folder`, sorted; the folder is
/// watched for new files.
fn toml_files(folder: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join(folder);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Lists `packs/*.toml` for `src/workshop/pack.rs`: `BUILTIN_PACKS`, each
/// file's path and text (always embedded: packs are small).
fn write_builtin_packs(out_dir: &Path) {
    let files = toml_files("packs");
    let mut code = String::from(
        "/// The built-in pack files, sorted by name: (path, text).\n\
         static BUILTIN_PACKS: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            format!("packs/{name}"),
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    fs::write(out_dir.join("builtin_packs.rs"), code).expect("write builtin_packs.rs");
}

/// The 64-bit FNV-1a hash of `bytes` (as `Catalog::load_builtin_text`
/// computes it).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `text` with every line that holds only a comment made empty (a `#`
/// inside a multi-line string is left alone: such a text is kept whole).
fn without_comment_lines(text: &str) -> String {
    if text.contains("\"\"\"") || text.contains("'''") {
        return text.to_string();
    }
    text.split_inclusive('\n')
        .map(|line| {
            if line.trim_start().starts_with('#') {
                if line.ends_with('\n') {
                    "\n"
                } else {
                    ""
                }
            } else {
                line
            }
        })
        .collect()
}
