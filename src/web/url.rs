//! The URL contract of the app and of embed mode, parsed once for both:
//! `drill`, `scenario`, `task`, `seed`, `mode`, `embed`, `parent`,
//! `replay`, `pack`, `facilitate` and `debug`
//! (README "The app", docs/embedding.md). Plain Rust, so `cargo test` runs
//! it natively.
//!
//! `drill=<handle>` opens a scenario by its neutral public handle (what
//! trainees see and share; the app writes it); `scenario=<id>` keeps working
//! for authors and automation. A value that is wrong is reported, never
//! silently replaced: an unknown task or mode and a seed that is not an integer from 0 to
//! [`MAX_SAFE_SEED`] are [`UrlError`]s, shown as
//! a notice. A bad seed falls back to [`DEFAULT_SEED`], the seed of a URL
//! without one, and the notice says so. What needs the catalog (does the
//! scenario exist?) or the browser (is `parent` an origin?) is checked by
//! the app and by embed mode themselves.
//!
//! ```
//! use firedrill::web::url::{UrlError, UrlParams};
//! let params = UrlParams::parse("?scenario=disk-full-v1&seed=7");
//! assert_eq!(params.scenario.as_deref(), Some("disk-full-v1"));
//! assert_eq!(params.seed_or_default(), 7);
//! let bad = UrlParams::parse("?seed=abc");
//! assert_eq!(bad.seed_or_default(), 1);
//! assert_eq!(bad.problems, vec![UrlError::Seed("abc".into())]);
//! assert_eq!(
//!     bad.problems[0].to_string(),
//!     "seed \"abc\" in the URL is not an integer from 0 to 9007199254740991; seed 1 is played"
//! );
//! ```

use super::format::clip;
use crate::leaderboard::Mode;
use crate::rng::MAX_SAFE_SEED;
use crate::scenario::Task;
use std::fmt;

/// The seed played when the URL gives none, or one that is not valid.
pub const DEFAULT_SEED: u64 = 1;

/// The parameters of a page URL's query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlParams {
    /// `drill=<handle>`: the scenario to open, by its public handle (not
    /// checked against the catalog).
    pub drill: Option<String>,
    /// `scenario=<id>`: the scenario to open (not checked against the catalog).
    pub scenario: Option<String>,
    /// `task=<task id>`: the task to choose.
    pub task: Option<Task>,
    /// `seed=<n>`: the seed, when it is valid.
    pub seed: Option<u64>,
    /// `mode=practice|exam`: the mode to play in, when it is valid.
    pub mode: Option<Mode>,
    /// `embed=1`: the compact embedded drill.
    pub embed: bool,
    /// `parent=<origin>`: the host page's origin in embed mode, as given
    /// (embed mode checks that it is exactly an origin).
    pub parent: Option<String>,
    /// `replay=<code>`: the actions to replay (`crate::replay` decodes them).
    pub replay: Option<String>,
    /// `debug=panic`: the next action panics (honoured in debug builds only).
    pub debug_panic: bool,
    /// `pack=<id>`: walk the participant through a workshop pack (not
    /// checked against the packs).
    pub pack: Option<String>,
    /// `facilitate=1`: the facilitator's view.
    pub facilitate: bool,
    /// What was wrong, in the order of the parameters above.
    pub problems: Vec<UrlError>,
    /// Whether the query has no parameter at all (a bare URL reopens the
    /// saved episode).
    empty: bool,
}

/// A parameter whose value cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// `seed` is not an integer from 0 to `MAX_SAFE_SEED`: [`DEFAULT_SEED`]
    /// is played instead.
    Seed(String),
    /// `task` is not a task id.
    Task(String),
    /// `mode` is neither `practice` nor `exam`.
    Mode(String),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Seed(text) => write!(
                f,
                "seed {:?} in the URL is not an integer from 0 to {MAX_SAFE_SEED}; seed {DEFAULT_SEED} is played",
                clip(text)
            ),
            UrlError::Task(text) => write!(
                f,
                "unknown task {:?} in the URL; expected one of {}",
                clip(text),
                Task::ALL.map(Task::id).join(", ")
            ),
            UrlError::Mode(text) => write!(
                f,
                "unknown mode {:?} in the URL; expected practice or exam",
                clip(text)
            ),
        }
    }
}

impl std::error::Error for UrlError {}

impl UrlParams {
    /// Parses a query (`location.search`, with or without its `?`). Keys
    /// and values are decoded as `decodeURIComponent` does, `+` being a
    /// space; the first of repeated keys counts; unknown keys are ignored.
    pub fn parse(query: &str) -> UrlParams {
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode_component(key), decode_component(value))
            })
            .collect();
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let mut problems = Vec::new();
        let task = value("task").and_then(|text| {
            let task = Task::from_id(&text);
            if task.is_none() {
                problems.push(UrlError::Task(text));
            }
            task
        });
        let seed = value("seed").and_then(|text| {
            let seed = parse_seed(&text);
            if seed.is_none() {
                problems.push(UrlError::Seed(text));
            }
            seed
        });
        let mode = value("mode").and_then(|text| {
            let mode = Mode::from_name(text.trim());
            if mode.is_none() {
                problems.push(UrlError::Mode(text));
            }
            mode
        });
        UrlParams {
            drill: value("drill"),
            scenario: value("scenario"),
            task,
            seed,
            mode,
            embed: value("embed").as_deref() == Some("1"),
            parent: value("parent"),
            replay: value("replay"),
            debug_panic: value("debug").as_deref() == Some("panic"),
            pack: value("pack")
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
            facilitate: value("facilitate").as_deref() == Some("1"),
            problems,
            empty: pairs.is_empty(),
        }
    }

    /// The seed to play: the URL's, or [`DEFAULT_SEED`] when it has none
    /// or a bad one.
    pub fn seed_or_default(&self) -> u64 {
        self.seed.unwrap_or(DEFAULT_SEED)
    }

    /// Whether the query has no parameter at all.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Whether the URL named a task that does not exist.
    pub fn has_unknown_task(&self) -> bool {
        self.problems
            .iter()
            .any(|problem| matches!(problem, UrlError::Task(_)))
    }
}

/// A seed from the URL: an integer from 0 to `MAX_SAFE_SEED`, spaces
/// around it allowed.
fn parse_seed(text: &str) -> Option<u64> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|seed| *seed <= MAX_SAFE_SEED)
}

/// The query that opens an episode: `?drill=<handle>&seed=<n>` (the
/// scenario's public handle, which does not name the cause), and
/// `&replay=<code>` to replay its actions; the values encoded as
/// `encodeURIComponent` does.
///
/// ```
/// use firedrill::web::url::{episode_query, UrlParams};
/// let query = episode_query("K7QM2X", 7, Some("1.W10"));
/// assert_eq!(query, "?drill=K7QM2X&seed=7&replay=1.W10");
/// assert_eq!(UrlParams::parse(&query).drill.as_deref(), Some("K7QM2X"));
/// assert_eq!(UrlParams::parse(&query).replay.as_deref(), Some("1.W10"));
/// ```
pub fn episode_query(handle: &str, seed: u64, replay: Option<&str>) -> String {
    let mut query = format!("?drill={}&seed={seed}", encode_component(handle));
    if let Some(code) = replay {
        query.push_str("&replay=");
        query.push_str(&encode_component(code));
    }
    query
}

/// `text` with `+` read as a space and `%XX` escapes decoded, as
/// `decodeURIComponent(text.replace(/\+/g, " "))`; `text` unchanged when
/// that would throw (a malformed escape, bytes that are not UTF-8).
pub fn decode_component(text: &str) -> String {
    let spaced = text.replace('+', " ");
    let bytes = spaced.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let byte = bytes
                .get(i + 1..i + 3)
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            match byte {
                Some(byte) => decoded.push(byte),
                None => return text.to_string(),
            }
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).unwrap_or_else(|_| text.to_string())
}

/// `text` encoded as `encodeURIComponent` does: every byte of its UTF-8
/// but letters, digits and `-_.!~*'()` as `%XX`.
pub fn encode_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query and what it should give.
    struct Case {
        query: &'static str,
        scenario: Option<&'static str>,
        task: Option<Task>,
        seed: u64,
        problems: &'static [&'static str],
    }

    const MAX: &str = "9007199254740991";

    #[test]
    fn seeds_tasks_and_scenarios() {
        let seed_problem = |text: &str| {
            format!("seed {text:?} in the URL is not an integer from 0 to {MAX}; seed 1 is played")
        };
        let cases = [
            Case {
                query: "",
                scenario: None,
                task: None,
                seed: 1,
                problems: &[],
            },
            Case {
                query: "?scenario=disk-full-v1&seed=7",
                scenario: Some("disk-full-v1"),
                task: None,
                seed: 7,
                problems: &[],
            },
            Case {
                query: "seed=0",
                scenario: None,
                task: None,
                seed: 0,
                problems: &[],
            },
            Case {
                query: "seed=9007199254740991",
                scenario: None,
                task: None,
                seed: (1 << 53) - 1,
                problems: &[],
            },
            Case {
                query: "seed=%207%20",
                scenario: None,
                task: None,
                seed: 7,
                problems: &[],
            },
            Case {
                query: "seed=007",
                scenario: None,
                task: None,
                seed: 7,
                problems: &[],
            },
            Case {
                query: "seed=abc",
                scenario: None,
                task: None,
                seed: 1,
                problems: &["abc"],
            },
            Case {
                query: "seed=-1",
                scenario: None,
                task: None,
                seed: 1,
                problems: &["-1"],
            },
            Case {
                query: "seed=",
                scenario: None,
                task: None,
                seed: 1,
                problems: &[""],
            },
            Case {
                query: "seed",
                scenario: None,
                task: None,
                seed: 1,
                problems: &[""],
            },
            Case {
                query: "seed=9007199254740992",
                scenario: None,
                task: None,
                seed: 1,
                problems: &["9007199254740992"],
            },
            Case {
                query: "seed=18446744073709551616",
                scenario: None,
                task: None,
                seed: 1,
                problems: &["18446744073709551616"],
            },
            Case {
                query: "seed=1.5",
                scenario: None,
                task: None,
                seed: 1,
                problems: &["1.5"],
            },
            Case {
                query: "seed=1e3",
                scenario: None,
                task: None,
                seed: 1,
                problems: &["1e3"],
            },
            Case {
                query: "seed=5&seed=abc",
                scenario: None,
                task: None,
                seed: 5,
                problems: &[],
            },
            Case {
                query: "task=root_cause_analysis&seed=3",
                scenario: None,
                task: Some(Task::RootCauseAnalysis),
                seed: 3,
                problems: &[],
            },
            Case {
                query: "scenario=no-such-thing&seed=abc",
                scenario: Some("no-such-thing"),
                task: None,
                seed: 1,
                problems: &["abc"],
            },
            Case {
                query: "scenario=a%20b+c",
                scenario: Some("a b c"),
                task: None,
                seed: 1,
                problems: &[],
            },
            Case {
                query: "scenario=%E2%9C%93",
                scenario: Some("✓"),
                task: None,
                seed: 1,
                problems: &[],
            },
            Case {
                query: "scenario=100%&seed=2",
                scenario: Some("100%"),
                task: None,
                seed: 2,
                problems: &[],
            },
            Case {
                query: "scenario=%FF",
                scenario: Some("%FF"),
                task: None,
                seed: 1,
                problems: &[],
            },
        ];
        for case in cases {
            let params = UrlParams::parse(case.query);
            assert_eq!(
                params.scenario.as_deref(),
                case.scenario,
                "{}: scenario",
                case.query
            );
            assert_eq!(params.task, case.task, "{}: task", case.query);
            assert_eq!(params.seed_or_default(), case.seed, "{}: seed", case.query);
            let problems: Vec<String> = params.problems.iter().map(|p| p.to_string()).collect();
            let expected: Vec<String> = case.problems.iter().map(|t| seed_problem(t)).collect();
            assert_eq!(problems, expected, "{}: problems", case.query);
        }
    }

    #[test]
    fn an_unknown_task_is_reported_with_the_task_ids() {
        let params = UrlParams::parse("task=juggling");
        assert_eq!(params.task, None);
        assert!(params.has_unknown_task());
        assert_eq!(
            params.problems[0].to_string(),
            "unknown task \"juggling\" in the URL; expected one of severity_classification, root_cause_analysis, full_incident_management"
        );
        let both = UrlParams::parse("task=x&seed=y");
        assert_eq!(
            both.problems,
            vec![UrlError::Task("x".into()), UrlError::Seed("y".into())]
        );
    }

    #[test]
    fn a_long_bad_value_is_clipped_in_the_notice() {
        let long = "9".repeat(100);
        let notice = UrlParams::parse(&format!("seed={long}")).problems[0].to_string();
        assert!(notice.starts_with(&format!("seed \"{}…\" in the URL", "9".repeat(40))));
    }

    #[test]
    fn embed_parent_replay_and_debug() {
        let params = UrlParams::parse(
            "?embed=1&scenario=x&parent=https%3A%2F%2Fdocs.example.org&replay=1.abc&debug=panic",
        );
        assert!(params.embed);
        assert_eq!(params.parent.as_deref(), Some("https://docs.example.org"));
        assert_eq!(params.replay.as_deref(), Some("1.abc"));
        assert!(params.debug_panic);
        assert!(!params.is_empty());
        for query in ["embed=0", "embed=true", "embed", "debug=1", ""] {
            let params = UrlParams::parse(query);
            assert!(!params.embed && !params.debug_panic, "{query}");
        }
        assert!(UrlParams::parse("").is_empty());
        assert!(UrlParams::parse("?").is_empty());
        assert!(!UrlParams::parse("?utm_source=x").is_empty());
    }

    #[test]
    fn components_decode_and_encode_as_the_browser_does() {
        for (text, decoded) in [
            ("plain", "plain"),
            ("a+b", "a b"),
            ("a%2Bb", "a+b"),
            ("%e2%9c%93", "✓"),
            ("%", "%"),
            ("%4", "%4"),
            ("%zz", "%zz"),
            ("%+1", "%+1"),
            ("%C3", "%C3"),
            ("%C3+", "%C3+"),
        ] {
            assert_eq!(decode_component(text), decoded, "{text}");
        }
        for (text, encoded) in [
            ("disk-full-v1", "disk-full-v1"),
            ("a b/c?d&e=f", "a%20b%2Fc%3Fd%26e%3Df"),
            ("1.AZaz09-_", "1.AZaz09-_"),
            ("!~*'()", "!~*'()"),
            ("✓", "%E2%9C%93"),
        ] {
            assert_eq!(encode_component(text), encoded, "{text}");
            assert_eq!(decode_component(&encode_component(text)), text);
        }
    }

    #[test]
    fn drills_and_modes() {
        let params = UrlParams::parse("?drill=k7qm2x&mode=exam");
        assert_eq!(params.drill.as_deref(), Some("k7qm2x"));
        assert_eq!(params.mode, Some(Mode::Exam));
        assert!(params.problems.is_empty());
        assert_eq!(
            UrlParams::parse("?mode=practice").mode,
            Some(Mode::Practice)
        );
        let bad = UrlParams::parse("?mode=hard");
        assert_eq!(bad.mode, None);
        assert_eq!(
            bad.problems[0].to_string(),
            "unknown mode \"hard\" in the URL; expected practice or exam"
        );
    }

    #[test]
    fn an_episode_query_reads_back() {
        let query = episode_query("a b", 9, None);
        assert_eq!(query, "?drill=a%20b&seed=9");
        let params = UrlParams::parse(&query);
        assert_eq!(params.drill.as_deref(), Some("a b"));
        assert_eq!(params.seed, Some(9));
        assert_eq!(params.replay, None);
    }
}
