//! Replay links: an episode's actions encoded for a URL parameter, so that
//! `?scenario=<id>&seed=<n>&replay=<code>` reproduces the episode (and its
//! score) anywhere.
//!
//! The code is `2.` followed by the unpadded base64url encoding (RFC 4648 §5)
//! of the actions' JSON array, each action in the shape the environment
//! takes (`{action_type, target, parameters, reasoning}`).
//!
//! Version 2 came with the `resolve` action (2026-12-07): before it, an
//! episode of the hard task ended once all six other action types had been
//! used, so a version-1 code that leaves such an episode open is ended by
//! playing [`legacy_end`] after its actions. Both versions decode.
//!
//! ```
//! use firedrill::env::Action;
//! use firedrill::replay::{decode, decode_versioned, encode};
//! let actions = vec![Action::new("classify", None).with("severity", "P2").because("one region down")];
//! let code = encode(&actions);
//! assert!(code.starts_with("2."));
//! assert_eq!(decode(&code).unwrap(), actions);
//! let old = code.replacen("2.", "1.", 1);
//! assert_eq!(decode_versioned(&old).unwrap(), (1, actions));
//! assert!(decode("2.@@").unwrap_err().contains("position 2"));
//! ```

use crate::env::Action;

/// Longest accepted code, in bytes.
pub const MAX_CODE_BYTES: usize = 64 * 1024;
/// Most actions in one replay.
pub const MAX_ACTIONS: usize = 200;

/// The format version of the codes [`encode`] writes.
pub const VERSION: u32 = 2;
const VERSION_PREFIX: &str = "2.";
/// The prefixes [`decode`] reads, by version.
const PREFIXES: [(u32, &str); 2] = [(1, "1."), (2, "2.")];

/// The action that ends an episode a version-1 code left open: before the
/// `resolve` action existed, the episode was over after its last action.
pub fn legacy_end() -> Action {
    Action::new("resolve", None)
        .with(
            "summary",
            "Closed when the replay's last action was played (a link from before the resolve action).",
        )
        .because("Version-1 replay links end the episode after their last action.")
}
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The replay code of a list of actions.
pub fn encode(actions: &[Action]) -> String {
    let json = serde_json::to_vec(actions).unwrap_or_default();
    let mut out = String::with_capacity(VERSION_PREFIX.len() + json.len() * 4 / 3 + 4);
    out.push_str(VERSION_PREFIX);
    push_base64url(&mut out, &json);
    out
}

/// Appends the unpadded base64url encoding of `bytes` to `out`.
pub(crate) fn push_base64url(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
}

/// The actions of a replay code; the error says what is wrong and where.
pub fn decode(code: &str) -> Result<Vec<Action>, String> {
    decode_versioned(code).map(|(_, actions)| actions)
}

/// The format version and the actions of a replay code.
pub fn decode_versioned(code: &str) -> Result<(u32, Vec<Action>), String> {
    if code.len() > MAX_CODE_BYTES {
        return Err(format!(
            "the replay code is {} bytes; at most {MAX_CODE_BYTES} are accepted",
            code.len()
        ));
    }
    let Some((version, body)) = PREFIXES
        .iter()
        .find_map(|(version, prefix)| code.strip_prefix(prefix).map(|body| (*version, body)))
    else {
        return Err(String::from(
            "the replay code must start with \"2.\" (format version 2) or \"1.\" (version 1)",
        ));
    };
    let bytes = base64url_bytes(body, code.len() - body.len(), "replay code")?;
    let actions: Vec<Action> = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "the replay code does not hold a list of actions (column {} of its JSON: {e})",
            e.column()
        )
    })?;
    if actions.len() > MAX_ACTIONS {
        return Err(format!(
            "the replay has {} actions; at most {MAX_ACTIONS} are accepted",
            actions.len()
        ));
    }
    Ok((version, actions))
}

/// The bytes of the base64url text `body`, which starts at position
/// `offset` of a `what` ("replay code") for the error messages.
pub(crate) fn base64url_bytes(body: &str, offset: usize, what: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(body.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for (i, c) in body.bytes().enumerate() {
        let Some(value) = ALPHABET.iter().position(|&a| a == c) else {
            return Err(format!(
                "the {what} has {:?} at position {}; expected base64url (A-Z a-z 0-9 - _)",
                char::from(c),
                i + offset
            ));
        };
        buffer = (buffer << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return Err(format!("the {what} is cut short"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_round_trips() {
        for n in 0..12 {
            let action = Action::new("investigate", Some(&"x".repeat(n))).because("é✓");
            let code = encode(std::slice::from_ref(&action));
            assert!(code.bytes().skip(2).all(|b| ALPHABET.contains(&b)));
            assert_eq!(decode(&code).unwrap(), vec![action]);
        }
        assert_eq!(decode(&encode(&[])).unwrap(), vec![]);
    }

    #[test]
    fn bad_codes_say_what_is_wrong() {
        let cases = [
            ("", "must start with \"2.\""),
            ("3.abc", "must start with \"2.\""),
            ("1.ab=c", "position 4"),
            ("2.ab=c", "position 4"),
            ("1.e30", "does not hold a list of actions"),
            ("1.A", "cut short"),
        ];
        for (code, expected) in cases {
            let error = decode(code).unwrap_err();
            assert!(error.contains(expected), "{code}: {error}");
        }
        let long = format!("2.{}", "A".repeat(MAX_CODE_BYTES));
        assert!(decode(&long).unwrap_err().contains("at most"));
        let many = vec![Action::new("classify", None); MAX_ACTIONS + 1];
        assert!(decode(&encode(&many)).unwrap_err().contains("201 actions"));
    }
}
