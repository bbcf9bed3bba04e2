//! Inputs the fuzzers found (`scripts/fuzz`, FUZZING.md), each pinned as
//! the behaviour it broke. One test per finding, named after that behaviour.

use firedrill::agents::Heuristic;
use firedrill::env::{Env, Selection};
use firedrill::leaderboard::{Entry, Leaderboard, MAX_ENTRIES, MAX_IMPORT_BYTES};
use firedrill::promql::Engine;
use firedrill::runner::{run_episode, Driver};
use firedrill::scenario::Catalog;
use firedrill::series::Store;
use std::time::Duration;

/// leaderboard target: a score of more digits than an f64 holds, and
/// shortest forms that serde_json's default (approximate) float parser
/// misreads by one unit in the last place. The board's own export then
/// imported as new entries: duplicates on every merge.
#[test]
fn a_leaderboard_reimports_its_own_export_without_duplicates() {
    let file = r#"{"format": "firedrill-leaderboard", "version": 1, "entries": [
        {"name": "a", "scenario": "s", "task": "t", "seed": 1, "score": 0.241227272727272728, "steps": 1, "date": "d"},
        {"name": "b", "scenario": "s", "task": "t", "seed": 2, "score": 0.42459562786293004, "steps": 1, "date": "d"}
    ]}"#;
    let mut board = Leaderboard::default();
    assert_eq!(board.import(file), Ok(2));
    assert_eq!(board.entries[1].score, 0.42459562786293004);
    let exported = board.export();
    assert_eq!(board.import(&exported), Ok(0), "{exported}");
    let mut fresh = Leaderboard::default();
    assert_eq!(fresh.import(&exported), Ok(2));
    assert_eq!(fresh, board);
}

/// scenario_load target: a control character in a comment. The TOML parser
/// reports it with an empty message, and some of its messages span several
/// lines; `firedrill check` prints one `PATH:LINE:COL: message` line per
/// error, so each message is one line that says what is wrong.
#[test]
fn a_toml_syntax_error_has_a_message_of_one_line() {
    let (_, text) = Catalog::builtin_files()[0];
    // (The embedded texts have no comments left: build.rs empties them.)
    let in_comment = format!("# \u{3} a comment\n{text}");
    let cases = [
        (
            in_comment.as_str(),
            "invalid comment character, expected printable characters",
        ),
        (
            "[a\u{1}]\n",
            "invalid unquoted key, expected letters, numbers, `-`, `_`",
        ),
        (
            "x = [1,\u{2}]\n",
            "string values must be quoted, expected literal string",
        ),
    ];
    for (text, expected) in cases {
        let errors = Catalog::default().load_str("f.toml", text).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let message = &errors[0].message;
        assert!(message.contains(expected), "{message:?}");
        assert!(!message.trim().is_empty(), "{message:?}");
        assert!(!message.contains('\n'), "{message:?}");
    }
}

/// scenario_load target (2026-12-02, after 15 million inputs): a service
/// declared with a line break in its name, and a reference to an unknown
/// service. The malformed name has its own error, but the unknown
/// reference's message listed every declared name as it was, line break
/// included. The lists of declared services and teams now hold the
/// well-formed names only.
#[test]
fn an_unknown_reference_lists_declared_names_on_one_line() {
    let text = std::fs::read_to_string("docs/scenarios.md").unwrap();
    let example = text
        .split("```toml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let broken = example
        .replacen("name = \"feed-api\"", "name = \"feed-\\napi\"", 1)
        .replacen("team = \"feed\"", "team = \"fe\\ned\"", 1)
        .replacen(
            "service = \"feed-api\"\nmetric",
            "service = \"nowhere\"\nmetric",
            1,
        )
        .replacen(
            "escalate_to = [\"platform\"",
            "escalate_to = [\"nobody\"",
            1,
        );
    let errors = Catalog::default().load_str("f.toml", &broken).unwrap_err();
    let message = |needle: &str| {
        errors
            .iter()
            .find(|e| e.message.contains(needle))
            .unwrap_or_else(|| panic!("no error about {needle}: {errors:?}"))
            .message
            .clone()
    };
    let service = message("unknown service \"nowhere\"");
    assert!(
        service.ends_with("media-store, mobile-gateway, node-pool-b, thumbnail-queue, upload-api"),
        "{service}"
    );
    let team = message("unknown team \"nobody\"");
    assert!(!team.contains("fe\ned"), "{team}");
    for error in &errors {
        assert!(!error.message.contains('\n'), "{error:?}");
    }
}

/// promql target (a timeout, 2026-12-02): a query with a 1.5 KB
/// case-insensitive regex matcher and an error after it. The parser
/// compiles every regex it reads, and the search for the error's position
/// parses about 30 prefixes: 8 ms each, 250 ms in all (1.3 s in the fuzz
/// build). The search now parses the prefixes with long strings blanked
/// (`promql::parse` tests: offsets kept); the error is still found where it is.
#[test]
fn an_error_after_a_long_regex_is_located_where_it_is() {
    let query =
        |regex: &str| format!("rate(http_requests_total{{group=~\"{regex}\"}}[1m] offset -) + up");
    let long = query(&format!("(?i:{})", "dependency timeout ".repeat(200)));
    let error = Engine::default().parse(&long).unwrap_err().to_string();
    let at = long.find("offset -)").unwrap() + "offset -".len() + 1;
    assert_eq!(error, format!("1:{at}: parse error: unexpected \")\""));
}

/// promql target (a timeout): the position of a syntax error was found by
/// re-parsing every prefix of the query with every plausible completion,
/// quadratic in its length: a 4 KB query ending in an operator took 6.6 s
/// (release build) to be refused. Long queries now bisect over their tokens.
#[test]
fn a_long_query_with_a_syntax_error_is_refused_at_once() {
    let cases = [
        (
            format!("{}1 +", "up + ".repeat(800)),
            "1:4004: parse error: unexpected end of input",
        ),
        (
            format!("{}) + up", "up + ".repeat(500)),
            "1:2501: parse error: unexpected right parenthesis ')'",
        ),
        (
            format!("{}up $ 1", "up + ".repeat(700)),
            "1:3504: parse error: unexpected character: '$'",
        ),
        (
            format!("{}up}}", "up + ".repeat(800)),
            "1:4003: parse error: unexpected right brace '}'",
        ),
    ];
    for (query, expected) in cases {
        let started = std::time::Instant::now();
        let error = Engine::default().parse(&query).unwrap_err();
        assert_eq!(error.to_string(), expected);
        let elapsed = started.elapsed();
        assert!(
            elapsed < Duration::from_secs(2),
            "{} bytes: {elapsed:?}",
            query.len()
        );
    }
}

/// The series store of the hard task's first scenario, seed 1, played to
/// its end by the heuristic (the store the promql fuzz target queries), and
/// the time of its last sample (ms).
fn finished_store() -> (Store, i64) {
    let mut env = Env::new();
    let selection = Selection::Task("full_incident_management".into());
    run_episode(&mut env, &selection, 1, Driver::Agent(&mut Heuristic)).unwrap();
    let monitor = env.monitor().unwrap();
    (monitor.store().clone(), monitor.last_time() * 1000)
}

/// promql target (a timeout): `rate(sum_over_time(metric3_total[30s:10s])[50w:10s])`
/// (a seed from Prometheus' test scripts) ran 4.3 s, and a subquery over a
/// selector that matches nothing 43 s for 47 million steps (each step of an
/// empty selection counted nothing; 50 million was the budget). A step of a
/// subquery now counts 8, a series looked at 1, and the budget is 2 million:
/// such queries fail at once with a clear error, the heavy ones an episode
/// needs still answer.
#[test]
fn a_query_that_would_run_for_seconds_fails_at_once() {
    let (store, end) = finished_store();
    let engine = Engine::default();
    for query in [
        "rate(sum_over_time(metric3_total[30s:10s])[50w:10s])",
        "count_over_time(nothing[13h:1ms])",
        "count_over_time(vector(1)[1h:1ms])",
        r#"count_over_time(count_over_time({__name__=~".+"}[1ms])[1h:1ms])"#,
        "count_over_time(count_over_time(nothing[1m:1ms])[10m:1s])",
    ] {
        let started = std::time::Instant::now();
        let error = engine.instant(&store, query, end).unwrap_err();
        let elapsed = started.elapsed();
        assert!(
            error.to_string().contains("too many samples")
                && error.to_string().contains("more than 2000000"),
            "{query}: {error}"
        );
        assert!(elapsed < Duration::from_secs(1), "{query}: {elapsed:?}");
    }
    for query in [
        "max_over_time(rate(http_requests_total[5m])[1h:30s])",
        r#"sum(count_over_time({__name__=~".+"}[2h:30s]))"#,
        "max_over_time(http_requests_total[2h:1s])",
    ] {
        assert!(engine.instant(&store, query, end).is_ok(), "{query}");
    }
    let query = "sum by (service) (rate(http_requests_total[5m]))";
    assert!(engine
        .range(&store, query, end - 10_999_000, end, 1000)
        .is_ok());
}

/// leaderboard target (2026-12-02, after 31 thousand inputs): a file with
/// the scores 0 and -0. They are equal scores, so fewer steps rank first,
/// but the ranking compared them with `total_cmp`, which puts -0 below 0.
#[test]
fn a_negative_zero_score_ranks_as_zero() {
    let file = r#"{"format": "firedrill-leaderboard", "version": 2, "entries": [
        {"name": "a", "scenario": "s", "task": "t", "seed": 0, "score": 0.0, "steps": 3, "date": "d"},
        {"name": "b", "scenario": "s", "task": "t", "seed": 0, "score": -0.0, "steps": 2, "date": "d"}
    ]}"#;
    let mut board = Leaderboard::default();
    assert_eq!(board.import(file), Ok(2));
    let names: Vec<String> = board.ranked("t").into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["b", "a"]);
}

/// leaderboard import at its size limit (found by hand: the fuzzer's
/// inputs stay under 4 KB): a 2 MB file of 24 500 entries took 0.63 s
/// (release build) to merge, one sort of the board per entry past 5 000,
/// and reported 24 500 new entries when the board kept 5 000 (importing it
/// again "added" 19 500 more). The merge is one pass and one sort, and
/// counts the new entries the board keeps.
#[test]
fn the_largest_leaderboard_file_merges_at_once_and_counts_what_it_keeps() {
    // 20 000 entries: about as many as fit in the largest file in format 3.
    let entries: Vec<Entry> = (0..20_000)
        .map(|i| Entry {
            name: format!("{i}"),
            scenario: "s".into(),
            task: "t".into(),
            seed: 0,
            score: 0.5,
            steps: i % 7,
            date: "d".into(),
            dimensions: Default::default(),
            mode: Default::default(),
            agent: None,
        })
        .collect();
    let file =
        serde_json::json!({"format": "firedrill-leaderboard", "version": 1, "entries": entries});
    let text = file.to_string();
    assert!(text.len() <= MAX_IMPORT_BYTES);
    let mut board = Leaderboard::default();
    let started = std::time::Instant::now();
    assert_eq!(board.import(&text), Ok(MAX_ENTRIES));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(board.entries.len(), MAX_ENTRIES);
    assert!(board.entries.iter().all(|e| e.steps <= 1), "the best kept");
    assert_eq!(board.import(&text), Ok(0));
}
