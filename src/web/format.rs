//! The app's texts that are computed rather than written: a signal's value
//! in its unit, a query's value rounded for reading, an action in one line,
//! a leaderboard entry's dimensions, the caret under a PromQL error, a
//! stage's progress. Plain Rust, so `cargo test` runs it; the views
//! (`app/*.rs`) call these.

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

/// The unit a metric's name gives its values, by the Prometheus naming
/// conventions (base units as suffixes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// `…_ratio`: a fraction of one, read as a percentage.
    Ratio,
    /// `…_seconds`: a duration, read in milliseconds below a second.
    Seconds,
    /// Anything else (counts, rates, bytes, unnamed results): a number.
    Plain,
}

impl Unit {
    /// The unit of the metric `name` (`None`: a result without a name,
    /// such as `rate(…)`'s, whose unit PromQL does not say).
    ///
    /// ```
    /// use firedrill::web::format::Unit;
    /// assert_eq!(Unit::of_metric(Some("error_ratio")), Unit::Ratio);
    /// assert_eq!(Unit::of_metric(Some("http_request_duration_seconds_bucket")), Unit::Plain);
    /// assert_eq!(Unit::of_metric(None), Unit::Plain);
    /// ```
    pub fn of_metric(name: Option<&str>) -> Unit {
        match name {
            Some(name) if name.ends_with("_ratio") => Unit::Ratio,
            Some(name) if name.ends_with("_seconds") => Unit::Seconds,
            _ => Unit::Plain,
        }
    }

    /// The one unit of a set of series' names: theirs if they all agree,
    /// else [`Unit::Plain`] (and for no series).
    pub fn common<'a>(names: impl IntoIterator<Item = Option<&'a str>>) -> Unit {
        let mut units = names.into_iter().map(Unit::of_metric);
        match units.next() {
            Some(first) if units.all(|unit| unit == first) => first,
            _ => Unit::Plain,
        }
    }
}

/// Significant digits of a number shown to a person (a query's value, a
/// tick): `0.0521` rather than `0.052083333333333336`. Digits left of the
/// point are never dropped (`12346`, not `1.23e4`).
pub const SIGNIFICANT_DIGITS: i32 = 3;

/// `value` rounded to `digits` significant digits, without trailing zeros
/// (an integer has no decimals) and never in exponent form; `NaN`, `+Inf`
/// and `-Inf` as Prometheus writes them.
///
/// ```
/// use firedrill::web::format::significant;
/// assert_eq!(significant(0.052083333333333336, 3), "0.0521");
/// assert_eq!(significant(12345.678, 3), "12346");
/// assert_eq!(significant(2.0, 3), "2");
/// ```
pub fn significant(value: f64, digits: i32) -> String {
    if value.is_nan() {
        return String::from("NaN");
    }
    if value.is_infinite() {
        return String::from(if value > 0.0 { "+Inf" } else { "-Inf" });
    }
    if value == 0.0 {
        return String::from("0");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).clamp(0, 17) as usize;
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        String::from("0")
    } else {
        text
    }
}

/// A value in its unit, rounded for reading: a ratio as a percentage with
/// one decimal (two significant digits below 1%), seconds as milliseconds
/// below a second, anything else to [`SIGNIFICANT_DIGITS`].
///
/// ```
/// use firedrill::web::format::{readable_value, Unit};
/// assert_eq!(readable_value(Unit::Ratio, 0.052083333333333336), "5.2%");
/// assert_eq!(readable_value(Unit::Seconds, 0.25), "250 ms");
/// assert_eq!(readable_value(Unit::Seconds, 2.5), "2.5 s");
/// assert_eq!(readable_value(Unit::Plain, 0.052083333333333336), "0.0521");
/// ```
pub fn readable_value(unit: Unit, value: f64) -> String {
    if !value.is_finite() {
        return significant(value, SIGNIFICANT_DIGITS);
    }
    match unit {
        Unit::Ratio => {
            let percent = value * 100.0;
            let magnitude = if percent == 0.0 {
                0
            } else {
                percent.abs().log10().floor() as i32
            };
            // One decimal from 1% up; two significant digits below.
            let decimals = (1 - magnitude).clamp(1, 17) as usize;
            let text = format!("{percent:.decimals$}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            let text = if text == "-0" { "0" } else { text };
            format!("{text}%")
        }
        Unit::Seconds if value.abs() < 1.0 => {
            format!("{} ms", significant(value * 1000.0, SIGNIFICANT_DIGITS))
        }
        Unit::Seconds => format!("{} s", significant(value, SIGNIFICANT_DIGITS)),
        Unit::Plain => significant(value, SIGNIFICANT_DIGITS),
    }
}

/// A sample's value as the Prometheus HTTP API writes it (a string such as
/// `"0.052083333333333336"`, `"NaN"` or `"+Inf"`), rounded for reading in
/// the unit of the series' metric name; text that is no number is kept.
///
/// ```
/// use firedrill::web::format::readable_sample;
/// assert_eq!(readable_sample(Some("error_ratio"), "0.052083333333333336"), "5.2%");
/// assert_eq!(readable_sample(None, "0.052083333333333336"), "0.0521");
/// assert_eq!(readable_sample(None, "+Inf"), "+Inf");
/// ```
pub fn readable_sample(name: Option<&str>, text: &str) -> String {
    match text.parse::<f64>() {
        Ok(value) => readable_value(Unit::of_metric(name), value),
        Err(_) => text.to_string(),
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

/// A difficulty in words: "Easy", "Medium", "Hard".
pub fn difficulty(difficulty: crate::scenario::Difficulty) -> &'static str {
    use crate::scenario::Difficulty;
    match difficulty {
        Difficulty::Easy => "Easy",
        Difficulty::Medium => "Medium",
        Difficulty::Hard => "Hard",
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
    fn values_round_to_three_significant_digits() {
        for (value, text) in [
            (0.052083333333333336, "0.0521"),
            (0.0520, "0.052"),
            (1.0 / 3.0, "0.333"),
            (2.0 / 3.0, "0.667"),
            (12.3456, "12.3"),
            (123.456, "123"),
            (12345.678, "12346"),
            (42.0, "42"),
            (1e12, "1000000000000"),
            (0.099_96, "0.1"),
            (-0.052083, "-0.0521"),
            (-0.000_000_1, "-0.0000001"),
            (-0.0, "0"),
            (0.0, "0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ] {
            assert_eq!(significant(value, SIGNIFICANT_DIGITS), text, "{value}");
        }
    }

    #[test]
    fn values_read_in_the_unit_their_name_gives() {
        for (name, value, text) in [
            (Some("error_ratio"), 0.052083333333333336, "5.2%"),
            (Some("error_ratio"), 0.19231, "19.2%"),
            (Some("error_ratio"), 0.0043, "0.43%"),
            (Some("error_ratio"), 0.000_521, "0.052%"),
            (Some("saturation_ratio"), 1.0, "100%"),
            (Some("saturation_ratio"), 0.0, "0%"),
            (Some("cpu_usage_ratio"), -0.05, "-5%"),
            (Some("latency_p99_seconds"), 0.25, "250 ms"),
            (Some("latency_p99_seconds"), 0.012_345, "12.3 ms"),
            (Some("latency_p99_seconds"), 0.0, "0 ms"),
            (Some("latency_p99_seconds"), 1.0, "1 s"),
            (Some("latency_p99_seconds"), 2.345_67, "2.35 s"),
            (Some("http_requests_total"), 1234.6, "1235"),
            (Some("http_requests_total"), 7.0, "7"),
            (Some("up"), 1.0, "1"),
            (Some("http_request_duration_seconds_bucket"), 0.5, "0.5"),
            (None, 0.052083333333333336, "0.0521"),
            (Some("error_ratio"), f64::NAN, "NaN"),
            (Some("latency_p99_seconds"), f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(
                readable_value(Unit::of_metric(name), value),
                text,
                "{name:?} {value}"
            );
        }
    }

    #[test]
    fn samples_as_the_api_writes_them_read_rounded() {
        for (name, sample, text) in [
            (Some("error_ratio"), "0.052083333333333336", "5.2%"),
            (None, "0.052083333333333336", "0.0521"),
            (None, "1e-7", "0.0000001"),
            (None, "NaN", "NaN"),
            (None, "+Inf", "+Inf"),
            (None, "-Inf", "-Inf"),
            (None, "not a number", "not a number"),
        ] {
            assert_eq!(readable_sample(name, sample), text, "{sample}");
        }
    }

    #[test]
    fn a_set_of_series_has_one_unit_only_if_they_agree() {
        for (names, unit) in [
            (&[][..], Unit::Plain),
            (&[Some("error_ratio")][..], Unit::Ratio),
            (
                &[Some("error_ratio"), Some("saturation_ratio")][..],
                Unit::Ratio,
            ),
            (
                &[Some("error_ratio"), Some("latency_p99_seconds")][..],
                Unit::Plain,
            ),
            (&[Some("latency_p99_seconds"), None][..], Unit::Plain),
        ] {
            assert_eq!(Unit::common(names.iter().copied()), unit, "{names:?}");
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
