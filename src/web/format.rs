//! The app's texts that are computed rather than written: a signal's value
//! in its unit, an action in one line, a leaderboard entry's dimensions,
//! the caret under a PromQL error, a stage's progress. Plain Rust, so
//! `cargo test` runs it; the views (`app/*.rs`) call these.

use crate::env::Action;
use crate::leaderboard::Leaderboard;
use crate::scenario::Task;

/// Score a stage needs before the next one is recommended.
pub const PASS_SCORE: f64 = 0.6;

/// At most 40 characters of a value a person or page sent, with `…` when
/// cut, for a notice or an error message.
pub fn clip(text: &str) -> String {
    let clipped: String = text.chars().take(40).collect();
    if clipped.len() < text.len() {
        clipped + "…"
    } else {
        clipped
    }
}

/// A signal's value in its unit: `_ratio` as a percentage, `_seconds` in
/// milliseconds, anything else as a whole number.
///
/// ```
/// assert_eq!(firedrill::web::format::metric_value("error_ratio", 0.1234), "12.3%");
/// assert_eq!(firedrill::web::format::metric_value("latency_p99_seconds", 0.25), "250 ms");
/// ```
pub fn metric_value(name: &str, value: f64) -> String {
    if name.ends_with("_ratio") {
        format!("{:.1}%", value * 100.0)
    } else if name.ends_with("_seconds") {
        format!("{:.0} ms", value * 1000.0)
    } else {
        format!("{value:.0}")
    }
}

/// An action in one line: type, target, then each parameter.
///
/// ```
/// use firedrill::env::Action;
/// let action = Action::new("remediate", Some("db")).with("kind", "restart");
/// assert_eq!(firedrill::web::format::action_line(&action), "remediate db · kind: restart");
/// ```
pub fn action_line(action: &Action) -> String {
    let mut line = action.action_type.clone();
    if let Some(target) = &action.target {
        line.push(' ');
        line.push_str(target);
    }
    for (name, value) in &action.parameters {
        line.push_str(&format!(" · {name}: {value}"));
    }
    line
}

/// The graded dimensions of a leaderboard entry in one line (the score's
/// tooltip), or `None` for an entry from before dimensions were kept.
pub fn dimension_scores<'a>(
    dimensions: impl IntoIterator<Item = (&'a String, &'a f64)>,
) -> Option<String> {
    let parts: Vec<String> = dimensions
        .into_iter()
        .map(|(name, score)| format!("{} {score:.2}", name.replace('_', " ")))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The line and column a PromQL error message starts with (`3:14: …`).
pub fn error_position(message: &str) -> Option<(usize, usize)> {
    let mut parts = message.splitn(3, ':');
    let line = parts.next()?.trim().parse().ok()?;
    let column = parts.next()?.trim().parse().ok()?;
    parts.next()?;
    Some((line, column))
}

/// The query's line that a PromQL error points into, and a caret under its
/// column; `None` when the message has no position.
///
/// ```
/// let caret = firedrill::web::format::error_caret("sum(up", "1:4: parse error: unclosed left parenthesis");
/// assert_eq!(caret.as_deref(), Some("sum(up\n   ^"));
/// ```
pub fn error_caret(query: &str, message: &str) -> Option<String> {
    let (line, column) = error_position(message)?;
    let line_text = query
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or_default();
    Some(format!(
        "{line_text}\n{}^",
        " ".repeat(column.saturating_sub(1))
    ))
}

/// The progress line of stage `stage` (0-based, in [`Task::ALL`] order) for
/// `player` (empty: `anonymous`): the best score of their entries, or
/// whether the stage is open yet.
pub fn stage_progress(board: &Leaderboard, player: &str, stage: usize) -> String {
    let me = if player.is_empty() {
        "anonymous"
    } else {
        player
    };
    let best = |stage: usize| {
        let task = Task::ALL.get(stage)?;
        board
            .entries
            .iter()
            .filter(|e| e.task == task.id() && e.name == me)
            .map(|e| e.score)
            .fold(None, |best: Option<f64>, s| {
                Some(best.map_or(s, |b| b.max(s)))
            })
    };
    match best(stage) {
        Some(score) if score >= PASS_SCORE => format!("best {score:.2} ✓ passed"),
        Some(score) => format!("best {score:.2} · pass at {PASS_SCORE:.1}"),
        None if stage == 0 || best(stage - 1).is_some_and(|s| s >= PASS_SCORE) => {
            String::from("unlocked · not played")
        }
        None => format!("after stage {stage} (open anyway)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leaderboard::Entry;
    use std::collections::BTreeMap;

    #[test]
    fn metric_values_are_in_their_unit() {
        for (name, value, text) in [
            ("error_ratio", 0.0, "0.0%"),
            ("error_ratio", 0.05, "5.0%"),
            ("saturation_ratio", 1.0, "100.0%"),
            ("latency_p99_seconds", 0.0123, "12 ms"),
            ("latency_p99_seconds", 2.5, "2500 ms"),
            ("requests_per_second", 1234.4, "1234"),
            ("open_connections", 7.6, "8"),
        ] {
            assert_eq!(metric_value(name, value), text, "{name} {value}");
        }
    }

    #[test]
    fn actions_read_in_one_line() {
        let cases = [
            (
                Action::new("classify", None).with("severity", "P1"),
                "classify · severity: P1",
            ),
            (Action::new("investigate", Some("api")), "investigate api"),
            (
                Action::new("communicate", None)
                    .with("message", "down")
                    .with("channel", "slack"),
                "communicate · channel: slack · message: down",
            ),
            (Action::new("dance", None).because("why not"), "dance"),
        ];
        for (action, line) in cases {
            assert_eq!(action_line(&action), line);
        }
    }

    #[test]
    fn dimensions_read_in_one_line() {
        let mut dimensions = BTreeMap::new();
        assert_eq!(dimension_scores(&dimensions), None);
        dimensions.insert(String::from("severity_accuracy"), 1.0);
        dimensions.insert(String::from("efficiency"), 0.456);
        assert_eq!(
            dimension_scores(&dimensions).as_deref(),
            Some("efficiency 0.46 · severity accuracy 1.00")
        );
    }

    #[test]
    fn carets_point_at_the_error() {
        for (query, message, caret) in [
            ("sum(up", "1:4: parse error: x", Some("sum(up\n   ^")),
            ("up", "1:1: parse error: x", Some("up\n^")),
            ("up +\nfoo(", "2:4: parse error: x", Some("foo(\n   ^")),
            ("up", "9:1: parse error: x", Some("\n^")),
            ("up", "0:0: parse error: x", Some("up\n^")),
            ("up", "many-to-many matching not allowed", None),
            ("up", "1:2", None),
            ("up", "a:b: c", None),
        ] {
            assert_eq!(error_caret(query, message).as_deref(), caret, "{message}");
        }
    }

    fn entry(name: &str, task: Task, score: f64) -> Entry {
        Entry {
            name: name.into(),
            scenario: String::from("s"),
            task: task.id().into(),
            seed: 1,
            score,
            steps: 3,
            date: String::from("2026-01-01T00:00:00Z"),
            dimensions: BTreeMap::new(),
            mode: Default::default(),
            agent: None,
        }
    }

    #[test]
    fn stage_progress_follows_the_players_best_scores() {
        let board = Leaderboard {
            entries: vec![
                entry("ada", Task::SeverityClassification, 0.4),
                entry("ada", Task::SeverityClassification, 0.7),
                entry("bob", Task::SeverityClassification, 0.3),
                entry("anonymous", Task::SeverityClassification, 0.5),
                entry("bob", Task::RootCauseAnalysis, 0.9),
            ],
        };
        let cases = [
            ("ada", 0, "best 0.70 ✓ passed"),
            ("ada", 1, "unlocked · not played"),
            ("ada", 2, "after stage 2 (open anyway)"),
            ("bob", 0, "best 0.30 · pass at 0.6"),
            ("bob", 1, "best 0.90 ✓ passed"),
            ("bob", 2, "unlocked · not played"),
            ("", 0, "best 0.50 · pass at 0.6"),
            ("", 1, "after stage 1 (open anyway)"),
            ("cy", 0, "unlocked · not played"),
            ("cy", 3, "after stage 3 (open anyway)"),
        ];
        for (player, stage, text) in cases {
            assert_eq!(
                stage_progress(&board, player, stage),
                text,
                "{player} {stage}"
            );
        }
    }
}
