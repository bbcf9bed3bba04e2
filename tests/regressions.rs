//! Inputs the fuzzers found (`scripts/fuzz`, FUZZING.md), each pinned as
//! the behaviour it broke. One test per finding, named after that behaviour.

use firedrill::leaderboard::Leaderboard;
use firedrill::promql::Engine;
use firedrill::scenario::Catalog;
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
    let in_comment = text.replacen("# ", "# \u{3}", 1);
    let cases = [
        (in_comment.as_str(), "U+0003 (a control character)"),
        ("[a\u{1}]\n", "invalid table header; expected `.`, `]`"),
        ("x = [1,\u{2}]\n", "invalid array; expected `]`"),
    ];
    for (text, expected) in cases {
        let errors = Catalog::default().load_str("f.toml", text).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let message = &errors[0].message;
        assert!(message.contains(expected), "{message:?}");
        assert!(!message.contains('\n'), "{message:?}");
    }
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
