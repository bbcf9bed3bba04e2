//! Workshop packs: a title, learning objectives and an ordered list of
//! drills (scenario, seed, mode, suggested minutes, a facilitator's note),
//! read from TOML. The built-in packs are the `packs/*.toml` files, embedded
//! in every build (they are small); a custom pack is loaded like a custom
//! scenario, and `firedrill check` validates both.
//!
//! ```
//! use firedrill::workshop::pack::{builtin_packs, parse};
//! let packs = builtin_packs();
//! assert!(packs.len() >= 3);
//! let known = |id: &str| firedrill::scenario::Catalog::builtin().summary(id).is_some();
//! let error = parse("mine.toml", "id = \"mine\"\ntitle = \"T\"\nsummary = \"S\"\nobjectives = [\"Learn.\"]\n[[drills]]\nscenario = \"nope\"\nseed = 1\nmode = \"practice\"\nminutes = 5\nnote = \"N\"\n", &known).unwrap_err();
//! assert_eq!(error[0].to_string(), "mine.toml:6:12: drills[0].scenario: unknown scenario \"nope\"; expected the id of a built-in scenario or of one loaded with the pack");
//! ```

use crate::leaderboard::Mode;
use crate::rng::MAX_SAFE_SEED;
use crate::scenario::error::SourceMap;
use crate::scenario::ScenarioError;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// Largest pack file accepted, in bytes.
pub const MAX_PACK_BYTES: usize = 64 * 1024;
/// Most drills in a pack.
pub const MAX_DRILLS: usize = 12;

include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));

/// A workshop pack.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pack {
    /// Unique id (`?pack=<id>`), kebab-case.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Who it is for and what the session covers.
    pub summary: String,
    /// Learning objectives.
    pub objectives: Vec<String>,
    /// The drills, in the order they are played.
    pub drills: Vec<Drill>,
}

/// One drill of a pack.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Drill {
    /// Scenario id.
    pub scenario: String,
    /// The seed every participant plays.
    pub seed: u64,
    /// Practice or exam.
    pub mode: Mode,
    /// Suggested minutes for the round.
    pub minutes: u32,
    /// The facilitator's note for the debrief (it may name the cause).
    pub note: String,
}

impl Pack {
    /// Suggested minutes of all the drills.
    pub fn minutes(&self) -> u32 {
        self.drills.iter().map(|d| d.minutes).sum()
    }
}

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    id: S<String>,
    title: S<String>,
    summary: S<String>,
    objectives: S<Vec<S<String>>>,
    drills: S<Vec<RawDrill>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDrill {
    scenario: S<String>,
    seed: S<i64>,
    mode: S<String>,
    minutes: S<i64>,
    note: S<String>,
}

/// Whether a TOML text is a pack rather than a scenario: it has
/// `[[drills]]` (a scenario never has).
pub fn is_pack(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|table| table.contains_key("drills"))
}

/// Reads a pack; `scenario_exists` says whether a drill's scenario id is
/// known. Every error is located (`file:line:col: field: message`).
pub fn parse(
    file: &str,
    text: &str,
    scenario_exists: &dyn Fn(&str) -> bool,
) -> Result<Pack, Vec<ScenarioError>> {
    let source = SourceMap::new(file, text);
    if text.len() > MAX_PACK_BYTES {
        return Err(vec![source.error(
            0..0,
            "",
            format!(
                "the pack is {} bytes; at most {MAX_PACK_BYTES} are accepted",
                text.len()
            ),
        )]);
    }
    let raw: RawPack = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        vec![source.error(span, "", e.message().trim().to_string())]
    })?;
    let mut errors = Vec::new();
    let text_of = |value: &S<String>, field: &str, max: usize, errors: &mut Vec<ScenarioError>| {
        let trimmed = value.get_ref().trim();
        if trimmed.is_empty() || trimmed.chars().count() > max {
            errors.push(source.error(
                value.span(),
                field,
                format!("expected a non-empty string of at most {max} characters"),
            ));
        }
        trimmed.to_string()
    };
    let id = raw.id.get_ref().clone();
    let kebab = !id.is_empty()
        && id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !kebab {
        errors.push(source.error(
            raw.id.span(),
            "id",
            format!("expected 1 to 64 lower-case letters, digits or '-', starting with a letter; found {id:?}"),
        ));
    }
    let title = text_of(&raw.title, "title", 80, &mut errors);
    let summary = text_of(&raw.summary, "summary", 1000, &mut errors);
    if raw.objectives.get_ref().is_empty() {
        errors.push(source.error(
            raw.objectives.span(),
            "objectives",
            "expected at least one learning objective".into(),
        ));
    }
    let objectives = raw
        .objectives
        .get_ref()
        .iter()
        .enumerate()
        .map(|(i, o)| text_of(o, &format!("objectives[{i}]"), 300, &mut errors))
        .collect();
    let count = raw.drills.get_ref().len();
    if count == 0 || count > MAX_DRILLS {
        errors.push(source.error(
            raw.drills.span(),
            "drills",
            format!("expected 1 to {MAX_DRILLS} [[drills]], found {count}"),
        ));
    }
    let mut drills = Vec::new();
    for (i, d) in raw.drills.get_ref().iter().enumerate() {
        let field = |key: &str| format!("drills[{i}].{key}");
        let scenario = d.scenario.get_ref().trim().to_string();
        if !scenario_exists(&scenario) {
            errors.push(source.error(
                d.scenario.span(),
                &field("scenario"),
                format!("unknown scenario {scenario:?}; expected the id of a built-in scenario or of one loaded with the pack"),
            ));
        }
        let seed = *d.seed.get_ref();
        if seed < 0 || seed as u64 > MAX_SAFE_SEED {
            errors.push(source.error(
                d.seed.span(),
                &field("seed"),
                format!("expected an integer from 0 to {MAX_SAFE_SEED}, found {seed}"),
            ));
        }
        let mode = Mode::from_name(d.mode.get_ref()).unwrap_or_else(|| {
            errors.push(source.error(
                d.mode.span(),
                &field("mode"),
                format!(
                    "unknown mode {:?}; expected practice or exam",
                    d.mode.get_ref()
                ),
            ));
            Mode::Practice
        });
        let minutes = *d.minutes.get_ref();
        if !(1..=120).contains(&minutes) {
            errors.push(source.error(
                d.minutes.span(),
                &field("minutes"),
                format!("expected an integer from 1 to 120, found {minutes}"),
            ));
        }
        let note = text_of(&d.note, &field("note"), 1000, &mut errors);
        if drills
            .iter()
            .any(|other: &Drill| other.scenario == scenario && other.seed == seed as u64)
        {
            errors.push(source.error(
                d.scenario.span(),
                &field("scenario"),
                format!("drill {scenario:?} with seed {seed} is already in the pack"),
            ));
        }
        drills.push(Drill {
            scenario,
            seed: seed.max(0) as u64,
            mode,
            minutes: minutes.clamp(1, 120) as u32,
            note,
        });
    }
    if errors.is_empty() {
        Ok(Pack {
            id,
            title,
            summary,
            objectives,
            drills,
        })
    } else {
        Err(errors)
    }
}

/// The built-in packs (`packs/*.toml`), sorted by file name. A built-in
/// pack that does not parse is left out (the test suite and `firedrill
/// check packs` report it).
pub fn builtin_packs() -> Vec<Pack> {
    let catalog = crate::scenario::Catalog::builtin();
    let known = |id: &str| catalog.summary(id).is_some();
    BUILTIN_PACKS
        .iter()
        .filter_map(|(file, text)| parse(file, text, &known).ok())
        .collect()
}

/// A built-in pack by id.
pub fn builtin_pack(id: &str) -> Option<Pack> {
    builtin_packs().into_iter().find(|p| p.id == id)
}

/// The built-in pack files: (path, text).
pub fn builtin_pack_files() -> &'static [(&'static str, &'static str)] {
    BUILTIN_PACKS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pack_parses_and_plays_known_scenarios() {
        let catalog = crate::scenario::Catalog::builtin();
        let known = |id: &str| catalog.summary(id).is_some();
        assert!(BUILTIN_PACKS.len() >= 3);
        for (file, text) in BUILTIN_PACKS {
            let pack = parse(file, text, &known).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(format!("packs/{}.toml", pack.id), *file);
        }
    }

    #[test]
    fn bad_packs_say_where_and_what() {
        let known = |id: &str| id == "disk-full-v1";
        let cases = [
            ("id = 3", "1:6: invalid type"),
            (
                "id = \"A\"\ntitle = \"T\"\nsummary = \"S\"\nobjectives = []\ndrills = []",
                "1:6: id: expected 1 to 64",
            ),
            (
                "id = \"a\"\ntitle = \"T\"\nsummary = \"S\"\nobjectives = []\ndrills = []",
                "4:14: objectives: expected at least one",
            ),
            (
                "id = \"a\"\ntitle = \"T\"\nsummary = \"S\"\nobjectives = [\"O\"]\n[[drills]]\nscenario = \"disk-full-v1\"\nseed = -1\nmode = \"blind\"\nminutes = 0\nnote = \"\"",
                "7:8: drills[0].seed: expected an integer from 0",
            ),
            (
                "id = \"a\"\ntitle = \"T\"\nsummary = \"S\"\nobjectives = [\"O\"]\n[[drills]]\nscenario = \"disk-full-v1\"\nseed = 1\nmode = \"blind\"\nminutes = 5\nnote = \"n\"",
                "8:8: drills[0].mode: unknown mode \"blind\"",
            ),
            (
                "id = \"a\"\ntitle = \"T\"\nsummary = \"S\"\nobjectives = [\"O\"]\n[[drills]]\nscenario = \"disk-full-v1\"\nseed = 1\nmode = \"exam\"\nminutes = 5\nnote = \"n\"\nextra = 1",
                "unknown field `extra`",
            ),
        ];
        for (text, expected) in cases {
            let errors = parse("p.toml", text, &known).unwrap_err();
            let all: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            assert!(
                all.iter().any(|e| e.contains(expected)),
                "{text}: {all:?} lacks {expected}"
            );
        }
        assert!(is_pack("[[drills]]\nscenario = \"x\""));
        assert!(!is_pack("id = \"x\"\n[[services]]\nname = \"a\""));
    }
}
