//! Replay links: an episode's actions encoded for a URL parameter, so that
//! `?scenario=<id>&seed=<n>&replay=<code>` reproduces the episode (and its
//! score) anywhere.
//!
//! The code is `1.` followed by the unpadded base64url encoding (RFC 4648 §5)
//! of the actions' JSON array, each action in the shape the environment
//! takes (`{action_type, target, parameters, reasoning}`).
//!
//! ```
//! use firedrill::env::Action;
//! use firedrill::replay::{decode, encode};
//! let actions = vec![Action::new("classify", None).with("severity", "P2").because("one region down")];
//! let code = encode(&actions);
//! assert!(code.starts_with("1."));
//! assert_eq!(decode(&code).unwrap(), actions);
//! assert!(decode("1.@@").unwrap_err().contains("position 2"));
//! ```

use crate::env::Action;

/// Longest accepted code, in bytes.
pub const MAX_CODE_BYTES: usize = 64 * 1024;
/// Most actions in one replay.
pub const MAX_ACTIONS: usize = 200;

const VERSION_PREFIX: &str = "1.";
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The replay code of a list of actions.
pub fn encode(actions: &[Action]) -> String {
    let json = serde_json::to_vec(actions).unwrap_or_default();
    let mut out = String::with_capacity(VERSION_PREFIX.len() + json.len() * 4 / 3 + 4);
    out.push_str(VERSION_PREFIX);
    for chunk in json.chunks(3) {
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
    out
}

/// The actions of a replay code; the error says what is wrong and where.
pub fn decode(code: &str) -> Result<Vec<Action>, String> {
    if code.len() > MAX_CODE_BYTES {
        return Err(format!(
            "the replay code is {} bytes; at most {MAX_CODE_BYTES} are accepted",
            code.len()
        ));
    }
    let Some(body) = code.strip_prefix(VERSION_PREFIX) else {
        return Err(String::from(
            "the replay code must start with \"1.\" (format version 1)",
        ));
    };
    let mut bytes = Vec::with_capacity(body.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for (i, c) in body.bytes().enumerate() {
        let Some(value) = ALPHABET.iter().position(|&a| a == c) else {
            return Err(format!(
                "the replay code has {:?} at position {}; expected base64url (A-Z a-z 0-9 - _)",
                char::from(c),
                i + VERSION_PREFIX.len()
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
        return Err(String::from("the replay code is cut short"));
    }
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
    Ok(actions)
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
            ("", "must start with \"1.\""),
            ("2.abc", "must start with \"1.\""),
            ("1.ab=c", "position 4"),
            ("1.e30", "does not hold a list of actions"),
            ("1.A", "cut short"),
        ];
        for (code, expected) in cases {
            let error = decode(code).unwrap_err();
            assert!(error.contains(expected), "{code}: {error}");
        }
        let long = format!("1.{}", "A".repeat(MAX_CODE_BYTES));
        assert!(decode(&long).unwrap_err().contains("at most"));
        let many = vec![Action::new("classify", None); MAX_ACTIONS + 1];
        assert!(decode(&encode(&many)).unwrap_err().contains("201 actions"));
    }
}
