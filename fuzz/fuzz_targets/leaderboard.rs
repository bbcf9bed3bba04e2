//! The leaderboard import: any file is merged whole or refused whole with a
//! message; what was merged exports to a file that imports to the same
//! entries, importing it twice adds nothing, the board never holds more
//! than `MAX_ENTRIES` entries nor a duplicate, and the ranking is ordered.
#![no_main]

use firedrill::leaderboard::{Entry, Leaderboard, MAX_ENTRIES};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;

/// A board with a few entries already, as on a laptop that played.
fn played() -> Leaderboard {
    let mut board = Leaderboard::default();
    for (i, (name, score, steps)) in [("ana", 0.9, 4), ("bo", 0.5, 9), ("cy", 0.9, 3)]
        .into_iter()
        .enumerate()
    {
        board.add(Entry {
            name: name.into(),
            scenario: "bad-deploy-v1".into(),
            task: "severity_classification".into(),
            seed: i as u64,
            score,
            steps,
            date: format!("2026-11-2{i}T10:00:00.000Z"),
            dimensions: Default::default(),
            mode: Default::default(),
            agent: None,
        });
    }
    board
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut board = played();
    let before = board.clone();
    match board.import(text) {
        Err(message) => {
            assert!(!message.is_empty());
            assert_eq!(board, before, "a refused file changed the board");
        }
        Ok(added) => {
            assert!(board.entries.len() <= MAX_ENTRIES);
            if board.entries.len() < MAX_ENTRIES {
                assert_eq!(board.entries.len(), before.entries.len() + added);
            }
            for (i, a) in board.entries.iter().enumerate() {
                assert!(!board.entries[i + 1..].contains(a), "duplicate {a:?}");
            }
            // Merging the same file again adds nothing.
            assert_eq!(board.clone().import(text), Ok(0));
            // The export round-trips: the same entries, nothing new on import.
            let exported = board.export();
            let mut fresh = Leaderboard::default();
            assert_eq!(fresh.import(&exported), Ok(board.entries.len()));
            assert_eq!(fresh, board, "export and import changed entries");
            assert_eq!(board.import(&exported), Ok(0), "own export re-imported");
            let tasks: BTreeSet<&str> = board.entries.iter().map(|e| e.task.as_str()).collect();
            for task in tasks {
                let ranked = board.ranked(task);
                for pair in ranked.windows(2) {
                    assert!(
                        pair[0].score > pair[1].score
                            || (pair[0].score == pair[1].score && pair[0].steps <= pair[1].steps),
                        "ranked out of order: {pair:?}"
                    );
                }
            }
        }
    }
});
