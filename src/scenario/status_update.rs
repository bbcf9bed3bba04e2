//! Reading a status update as its readers would: does it say what state
//! the incident is in, and when the next update comes? Any natural wording
//! counts; no particular word is required.
//!
//! ```
//! use firedrill::scenario::status_update::{names_state, promises_next_update};
//! let update = "Card payments are failing for some customers. We found the cause and rolled back; \
//!               payments are recovering. Next update by 10:30.";
//! assert!(names_state(update));
//! assert!(promises_next_update(update));
//! assert!(!names_state("Card payments are failing."));
//! assert!(!promises_next_update("We rolled back."));
//! ```

use super::causes::{mentions, normalize};

/// Phrases that say where the response stands, from "we know" to "it is
/// over": investigating, identified, mitigated, resolved, monitoring.
pub const STATE_PHRASES: &[&str] = &[
    // investigating
    "investigating",
    "investigate",
    "looking into",
    "we are aware",
    "we re aware",
    "aware of",
    "working on",
    "working to",
    "diagnosing",
    "triaging",
    "trying to understand",
    // identified
    "identified",
    "found the cause",
    "found the problem",
    "found the issue",
    "know the cause",
    "root cause",
    "the cause is",
    "caused by",
    "traced",
    // mitigated
    "mitigated",
    "mitigating",
    "mitigation",
    "rolled back",
    "rolling back",
    "roll back",
    "reverted",
    "reverting",
    "fix is in",
    "fix applied",
    "applied a fix",
    "deployed a fix",
    "deploying a fix",
    "workaround",
    "restarted",
    "failed over",
    "scaled",
    "recovering",
    "improving",
    // resolved and monitoring
    "resolved",
    "fixed",
    "recovered",
    "restored",
    "back to normal",
    "working again",
    "operating normally",
    "monitoring",
    "keep watching",
    "stable",
];

/// Whether the update says what state the response is in.
pub fn names_state(text: &str) -> bool {
    mentions(text, STATE_PHRASES)
}

/// Whether the update closes the incident ("resolved", "fully recovered"):
/// a last update owes no next one.
pub fn is_final(text: &str) -> bool {
    mentions(
        text,
        &[
            "resolved",
            "fully recovered",
            "has recovered",
            "have recovered",
            "back to normal",
            "operating normally",
            "fully restored",
        ],
    )
}

/// Whether a word of a scenario's `must_mention` is a state, not an impact
/// ("investigating", "degraded", …): files from before `impact` listed both.
pub fn is_status_word(word: &str) -> bool {
    let word = normalize(word);
    STATE_PHRASES.iter().any(|p| normalize(p) == word)
        || matches!(
            word.as_str(),
            "degraded" | "outage" | "incident" | "update" | "impact" | "affected" | "disruption"
        )
}

/// Whether the update says when the next one comes: "next update in 30
/// minutes", "we will post again by 10:30", "further updates to follow",
/// "update within the hour".
pub fn promises_next_update(text: &str) -> bool {
    let words: Vec<String> = normalize(text).split(' ').map(str::to_string).collect();
    let has = |w: &str| words.iter().any(|x| x == w);
    let phrase = mentions(
        text,
        &[
            "next update",
            "further update",
            "further updates",
            "more updates",
            "another update",
            "update again",
            "post again",
            "we will update",
            "we ll update",
            "will keep you updated",
            "keep you posted",
            "will post",
            "will share",
            "will follow up",
            "to follow",
            "will provide an update",
        ],
    );
    let clock = text
        .split(|c: char| !(c.is_ascii_digit() || c == ':'))
        .any(|t| {
            let mut parts = t.split(':');
            matches!(
                (parts.next(), parts.next(), parts.next()),
                (Some(h), Some(m), None)
                    if (1..=2).contains(&h.len()) && m.len() == 2
                        && h.bytes().all(|b| b.is_ascii_digit())
                        && m.bytes().all(|b| b.is_ascii_digit())
            )
        });
    let when =
        has("minutes") || has("minute") || has("mins") || has("hour") || has("hours") || clock;
    phrase || ((has("update") || has("updates") || has("again")) && when)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_updates_are_read_for_state_and_next_update() {
        for (text, state, next) in [
            ("We're aware that logins fail and are looking into it. Next update in 30 minutes.", true, true),
            ("Found the cause and rolled back; checkout is recovering. We will post again at 10:45.", true, true),
            ("Checkout has fully recovered. This incident is resolved.", true, false),
            ("Some customers cannot pay. More updates to follow.", false, true),
            ("Checkout broken.", false, false),
            ("We will update you within the hour.", false, true),
            ("Not resolved yet; investigating. Update in 15 mins.", true, true),
        ] {
            assert_eq!(names_state(text), state, "state: {text}");
            assert_eq!(promises_next_update(text), next, "next: {text}");
        }
    }

    #[test]
    fn status_words_are_told_from_impact_words() {
        for word in ["investigating", "degraded", "resolved", "Identified"] {
            assert!(is_status_word(word), "{word}");
        }
        for word in ["checkout", "payments", "login"] {
            assert!(!is_status_word(word), "{word}");
        }
    }
}
