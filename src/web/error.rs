//! Errors at the browser boundary, with their kind: what the JS API throws
//! (a JS `Error` named [`JS_ERROR_NAME`] with a `kind` property) and what
//! embed mode replies (`{ type: "error", kind, detail }`). The kind is a
//! stable machine name a caller can branch on; the message says what was
//! wrong and what was expected, for people.
//!
//! | kind | when |
//! | --- | --- |
//! | `reset_needed` | a call that needs an episode before the first reset |
//! | `episode_over` | a step (or an agent's act) after the episode ended |
//! | `unknown_task` | a task id that does not exist |
//! | `unknown_scenario` | a scenario id that does not exist |
//! | `invalid_action` | a well-formed action that does not fit the scenario |
//! | `invalid_argument` | a JS value or message of the wrong shape: a wrong type, a missing or unknown field, a number out of range, a string too long, an unknown export kind, agent or message type |
//! | `query` | a range query's parameters: start after end, a step that is not positive, too many points |
//! | `scenario` | a scenario file that does not load (`loadScenario`) |
//! | `internal` | the drill could not do it (the PromQL engine did not load, a result could not be converted) |
//!
//! ```
//! use firedrill::env::EnvError;
//! use firedrill::web::error::{ErrorKind, WebError};
//! let error = WebError::from(EnvError::ResetNeeded).context("step");
//! assert_eq!(error.kind, ErrorKind::ResetNeeded);
//! assert_eq!(error.kind.name(), "reset_needed");
//! assert_eq!(error.to_string(), "step: reset needed: call reset before step, state, grade or render");
//! ```

use crate::env::EnvError;
use std::fmt;

/// The `name` of the JS `Error`s the JS API throws.
pub const JS_ERROR_NAME: &str = "FiredrillError";

/// What kind of mistake or failure an error is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A call that needs an episode before the first reset.
    ResetNeeded,
    /// A step after the episode terminated or was truncated.
    EpisodeOver,
    /// A task id that does not exist.
    UnknownTask,
    /// A scenario id that does not exist (or a task with no scenarios).
    UnknownScenario,
    /// An action that does not fit the scenario.
    InvalidAction,
    /// A JS value or message of the wrong shape.
    InvalidArgument,
    /// A range query's parameters are wrong.
    Query,
    /// A scenario file that does not load.
    Scenario,
    /// The drill could not do what was asked, through no fault of the caller.
    Internal,
}

impl ErrorKind {
    /// Every kind.
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::ResetNeeded,
        ErrorKind::EpisodeOver,
        ErrorKind::UnknownTask,
        ErrorKind::UnknownScenario,
        ErrorKind::InvalidAction,
        ErrorKind::InvalidArgument,
        ErrorKind::Query,
        ErrorKind::Scenario,
        ErrorKind::Internal,
    ];

    /// The kind's name: the JS error's `kind`, the error reply's `kind`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::ResetNeeded => "reset_needed",
            ErrorKind::EpisodeOver => "episode_over",
            ErrorKind::UnknownTask => "unknown_task",
            ErrorKind::UnknownScenario => "unknown_scenario",
            ErrorKind::InvalidAction => "invalid_action",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Query => "query",
            ErrorKind::Scenario => "scenario",
            ErrorKind::Internal => "internal",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The kind of an environment error.
    pub fn of(error: &EnvError) -> ErrorKind {
        match error {
            EnvError::ResetNeeded => ErrorKind::ResetNeeded,
            EnvError::EpisodeOver => ErrorKind::EpisodeOver,
            EnvError::UnknownTask(_) => ErrorKind::UnknownTask,
            EnvError::UnknownScenario(_) => ErrorKind::UnknownScenario,
            EnvError::InvalidAction { .. } => ErrorKind::InvalidAction,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error on its way out to JavaScript: its kind and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebError {
    /// What kind of error it is.
    pub kind: ErrorKind,
    /// What was wrong and what was expected.
    pub message: String,
}

impl WebError {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> WebError {
        WebError {
            kind,
            message: message.into(),
        }
    }

    /// A JS value or message of the wrong shape.
    pub fn argument(message: impl Into<String>) -> WebError {
        WebError::new(ErrorKind::InvalidArgument, message)
    }

    /// A failure of the drill's own.
    pub fn internal(message: impl Into<String>) -> WebError {
        WebError::new(ErrorKind::Internal, message)
    }

    /// The same error, its message prefixed with `what: ` (the call it came from).
    pub fn context(self, what: &str) -> WebError {
        WebError {
            kind: self.kind,
            message: format!("{what}: {}", self.message),
        }
    }
}

impl From<EnvError> for WebError {
    fn from(error: EnvError) -> WebError {
        WebError::new(ErrorKind::of(&error), error.to_string())
    }
}

impl fmt::Display for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WebError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_errors_keep_their_kind_and_message() {
        let cases = [
            EnvError::ResetNeeded,
            EnvError::EpisodeOver,
            EnvError::UnknownTask("juggling".into()),
            EnvError::UnknownScenario("nope".into()),
            EnvError::InvalidAction {
                field: "target".into(),
                reason: "unknown service".into(),
            },
        ];
        for error in cases {
            let web = WebError::from(error.clone());
            assert_eq!(web.kind.name(), error.kind(), "{error}");
            assert_eq!(web.message, error.to_string());
        }
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        let names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(
            names,
            [
                "reset_needed",
                "episode_over",
                "unknown_task",
                "unknown_scenario",
                "invalid_action",
                "invalid_argument",
                "query",
                "scenario",
                "internal"
            ]
        );
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(ErrorKind::from_name("Reset_Needed"), None);
    }

    #[test]
    fn context_prefixes_the_message_and_keeps_the_kind() {
        let error = WebError::argument("seed must be an integer").context("reset");
        assert_eq!(error.kind, ErrorKind::InvalidArgument);
        assert_eq!(error.to_string(), "reset: seed must be an integer");
        assert_eq!(WebError::internal("gone").kind.name(), "internal");
    }
}
