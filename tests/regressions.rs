//! Inputs the fuzzers found (`scripts/fuzz`, FUZZING.md), each pinned as
//! the behaviour it broke. One test per finding, named after that behaviour.

use firedrill::leaderboard::Leaderboard;

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
