//! Inputs the fuzzers found (`scripts/fuzz`, FUZZING.md), each pinned as
//! the behaviour it broke. One test per finding, named after that behaviour.

use firedrill::leaderboard::Leaderboard;
use firedrill::scenario::Catalog;

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
