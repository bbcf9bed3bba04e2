//! Result codes: what a participant hands the facilitator at the end of a
//! drill. A result code is the replay code extended with who played and
//! what: `r1.` followed by the unpadded base64url encoding of
//! `{name, pack, drill, scenario, seed, mode, score, actions}` as JSON.
//!
//! The facilitator's board never trusts a code's `score` (what the
//! participant's page showed): it replays the actions in the core and
//! grades the episode itself ([`super::grade_code`]). An edited score is
//! thus ignored (and flagged), and an edited action list is simply another
//! episode, graded as played.
//!
//! ```
//! use firedrill::env::Action;
//! use firedrill::leaderboard::Mode;
//! use firedrill::workshop::code::{decode, ResultCode};
//! let code = ResultCode {
//!     name: "Ada".into(),
//!     pack: Some("triage-101".into()),
//!     drill: Some(1),
//!     scenario: "disk-full-v1".into(),
//!     seed: 3,
//!     mode: Mode::Practice,
//!     score: Some(0.5),
//!     actions: vec![Action::new("classify", None).with("severity", "P2")],
//! };
//! let text = code.encode();
//! assert!(text.starts_with("r1."));
//! assert_eq!(decode(&text).unwrap(), code);
//! assert!(decode("r1.@").unwrap_err().contains("position 3"));
//! ```

use crate::env::Action;
use crate::leaderboard::Mode;
use crate::replay::{base64url_bytes, push_base64url, MAX_ACTIONS, MAX_CODE_BYTES};
use serde::{Deserialize, Serialize};

/// The prefix of a version-1 result code.
pub const PREFIX: &str = "r1.";
/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 60;

/// What a result code holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultCode {
    /// Who played.
    pub name: String,
    /// The pack played, if the drill was one of a pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<String>,
    /// The drill's number in the pack, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<u32>,
    /// Scenario id.
    pub scenario: String,
    /// The seed played.
    pub seed: u64,
    /// Practice or exam.
    pub mode: Mode,
    /// The score the participant's page showed: a claim, never trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The actions played, in order.
    pub actions: Vec<Action>,
}

impl ResultCode {
    /// The code's text: `r1.` and the base64url of its JSON. The actions'
    /// `reasoning` is kept (the debrief shows it).
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut out = String::with_capacity(PREFIX.len() + json.len() * 4 / 3 + 4);
        out.push_str(PREFIX);
        push_base64url(&mut out, &json);
        out
    }
}

/// Reads a result code (surrounding white space ignored); the error says
/// what is wrong and where.
pub fn decode(text: &str) -> Result<ResultCode, String> {
    let text = text.trim();
    if text.len() > MAX_CODE_BYTES {
        return Err(format!(
            "the result code is {} bytes; at most {MAX_CODE_BYTES} are accepted",
            text.len()
        ));
    }
    let Some(body) = text.strip_prefix(PREFIX) else {
        let start: String = text.chars().take(12).collect();
        return Err(format!(
            "a result code starts with \"{PREFIX}\"; this one starts with {start:?}"
        ));
    };
    let bytes = base64url_bytes(body, PREFIX.len(), "result code")?;
    let code: ResultCode = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "the result code does not hold a drill's result (column {} of its JSON: {e})",
            e.column()
        )
    })?;
    if code.actions.len() > MAX_ACTIONS {
        return Err(format!(
            "the result code has {} actions; at most {MAX_ACTIONS} are accepted",
            code.actions.len()
        ));
    }
    if code.name.trim().is_empty() || code.name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "the result code's name must be 1 to {MAX_NAME_CHARS} characters"
        ));
    }
    Ok(code)
}

/// The result codes in a text: every whitespace-separated word that starts
/// with `r1.` (a pasted list, a file of them, a chat log).
pub fn codes_in(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '"')
        .filter(|word| word.starts_with(PREFIX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_bad_ones_say_why() {
        let code = ResultCode {
            name: "Grace Hopper".into(),
            pack: None,
            drill: None,
            scenario: "bad-deploy-v1".into(),
            seed: 0,
            mode: Mode::Exam,
            score: None,
            actions: vec![],
        };
        assert_eq!(decode(&format!("  {}\n", code.encode())).unwrap(), code);
        let cases = [
            ("2.W10", "starts with \"r1.\""),
            ("r1.W10", "does not hold a drill's result"),
            ("r1.A", "cut short"),
        ];
        for (text, expected) in cases {
            let error = decode(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let nameless = ResultCode {
            name: " ".into(),
            ..code.clone()
        };
        assert!(decode(&nameless.encode()).unwrap_err().contains("name"));
        let list = format!(
            "{}, {}\nnoise r2.x\n\"{}\"",
            code.encode(),
            code.encode(),
            code.encode()
        );
        assert_eq!(codes_in(&list).len(), 3);
    }
}
