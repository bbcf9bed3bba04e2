//! Actions: the JSON shape a caller sends, and its validation against the
//! scenario into a typed command.

use super::error::EnvError;
use crate::scenario::{ActionType, Scenario, Severity, CHANNELS, REMEDIATION_KINDS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The seven action types, in their canonical order.
pub const ACTION_TYPES: [&str; 8] = [
    ActionType::Investigate.name(),
    ActionType::Classify.name(),
    ActionType::Diagnose.name(),
    ActionType::Remediate.name(),
    ActionType::Escalate.name(),
    ActionType::Communicate.name(),
    ActionType::Resolve.name(),
    ActionType::Hint.name(),
];

/// Longest accepted `reasoning`, `message`, `summary`, `notes` or `root_cause`, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// An action as sent by a person, an agent or a file:
/// `{ action_type, target, parameters, reasoning }`.
///
/// ```
/// use firedrill::env::Action;
/// let action: Action = serde_json::from_str(
///     r#"{"action_type":"classify","parameters":{"severity":"P1"},"reasoning":"checkout down"}"#,
/// ).unwrap();
/// assert_eq!(action.parameters["severity"], "P1");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// One of [`ACTION_TYPES`].
    pub action_type: String,
    /// A service (investigate, diagnose, remediate) or a team (escalate); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `severity`, `root_cause` (and `notes`), `kind`, `channel` and `message`, `summary`, as the type needs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// Why; recorded in the history and the dashboard.
    #[serde(default)]
    pub reasoning: String,
}

impl Action {
    /// An action with no parameters.
    pub fn new(action_type: &str, target: Option<&str>) -> Action {
        Action {
            action_type: action_type.to_string(),
            target: target.map(str::to_string),
            parameters: BTreeMap::new(),
            reasoning: String::new(),
        }
    }

    /// Adds a parameter.
    pub fn with(mut self, name: &str, value: &str) -> Action {
        self.parameters.insert(name.to_string(), value.to_string());
        self
    }

    /// Sets the reasoning.
    pub fn because(mut self, reasoning: &str) -> Action {
        self.reasoning = reasoning.to_string();
        self
    }
}

/// A validated action.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Reveal a service's logs and detailed metrics.
    Investigate {
        /// Service index.
        service: usize,
    },
    /// Record the severity.
    Classify {
        /// The severity.
        severity: Severity,
    },
    /// Record a diagnosis.
    Diagnose {
        /// Service index.
        service: usize,
        /// Cause id (of [`crate::scenario::causes::CAUSES`]) or free text.
        root_cause: String,
        /// Free text beside a cause id (empty when none was given).
        notes: String,
    },
    /// Apply a fix.
    Remediate {
        /// Service index.
        service: usize,
        /// One of the remediation kinds.
        kind: String,
    },
    /// Page a team.
    Escalate {
        /// Team name.
        team: String,
    },
    /// Post a status update.
    Communicate {
        /// Channel.
        channel: String,
        /// The update.
        message: String,
    },
    /// Declare the incident resolved, which ends the episode.
    Resolve {
        /// The closing summary: what happened and what fixed it.
        summary: String,
    },
    /// Reveal the next authored hint.
    Hint,
}

impl Command {
    /// The action type.
    pub fn action_type(&self) -> ActionType {
        match self {
            Command::Investigate { .. } => ActionType::Investigate,
            Command::Classify { .. } => ActionType::Classify,
            Command::Diagnose { .. } => ActionType::Diagnose,
            Command::Remediate { .. } => ActionType::Remediate,
            Command::Escalate { .. } => ActionType::Escalate,
            Command::Communicate { .. } => ActionType::Communicate,
            Command::Resolve { .. } => ActionType::Resolve,
            Command::Hint => ActionType::Hint,
        }
    }
}

fn invalid(field: &str, reason: String) -> EnvError {
    EnvError::InvalidAction {
        field: field.to_string(),
        reason,
    }
}

fn service_target(action: &Action, scenario: &Scenario) -> Result<usize, EnvError> {
    let names: Vec<&str> = scenario.services.iter().map(|s| s.name.as_str()).collect();
    let target = action.target.as_deref().unwrap_or("");
    if target.is_empty() {
        return Err(invalid(
            "target",
            format!(
                "{} needs a service; expected one of {}",
                action.action_type,
                names.join(", ")
            ),
        ));
    }
    scenario.service_index(target).ok_or_else(|| {
        invalid(
            "target",
            format!(
                "unknown service {:?}; expected one of {}",
                clip(target),
                names.join(", ")
            ),
        )
    })
}

fn no_target(action: &Action) -> Result<(), EnvError> {
    match action.target.as_deref() {
        None | Some("") => Ok(()),
        Some(t) => Err(invalid(
            "target",
            format!(
                "{} takes no target, found {:?}",
                action.action_type,
                clip(t)
            ),
        )),
    }
}

fn parameter<'a>(action: &'a Action, name: &str, expected: &str) -> Result<&'a str, EnvError> {
    match action.parameters.get(name).map(|s| s.trim()) {
        Some(v) if !v.is_empty() => {
            if v.chars().count() > MAX_TEXT_CHARS {
                Err(invalid(
                    &format!("parameters.{name}"),
                    format!("expected at most {MAX_TEXT_CHARS} characters"),
                ))
            } else {
                Ok(v)
            }
        }
        _ => Err(invalid(
            &format!("parameters.{name}"),
            format!("{} needs parameters.{name}: {expected}", action.action_type),
        )),
    }
}

fn only_parameters(action: &Action, allowed: &[&str]) -> Result<(), EnvError> {
    for name in action.parameters.keys() {
        if !allowed.contains(&name.as_str()) {
            let expected = if allowed.is_empty() {
                "none".to_string()
            } else {
                allowed.join(", ")
            };
            return Err(invalid(
                &format!("parameters.{}", clip(name)),
                format!(
                    "{} does not take this parameter; expected {expected}",
                    action.action_type
                ),
            ));
        }
    }
    Ok(())
}

/// Shortens a caller's string for an error message.
pub(crate) fn clip(text: &str) -> String {
    if text.chars().count() > 60 {
        let head: String = text.chars().take(60).collect();
        format!("{head}…")
    } else {
        text.to_string()
    }
}

impl Action {
    /// Checks the action against the scenario and returns the command it asks for.
    pub fn validate(&self, scenario: &Scenario) -> Result<Command, EnvError> {
        if self.reasoning.chars().count() > MAX_TEXT_CHARS {
            return Err(invalid(
                "reasoning",
                format!("expected at most {MAX_TEXT_CHARS} characters"),
            ));
        }
        let Some(action_type) = ActionType::from_name(&self.action_type) else {
            return Err(invalid(
                "action_type",
                format!(
                    "unknown action type {:?}; expected one of {}",
                    clip(&self.action_type),
                    ACTION_TYPES.join(", ")
                ),
            ));
        };
        match action_type {
            ActionType::Investigate => {
                only_parameters(self, &[])?;
                Ok(Command::Investigate {
                    service: service_target(self, scenario)?,
                })
            }
            ActionType::Classify => {
                no_target(self)?;
                only_parameters(self, &["severity"])?;
                let value = parameter(self, "severity", "P1, P2, P3 or P4")?;
                let severity = Severity::from_name(value).ok_or_else(|| {
                    invalid(
                        "parameters.severity",
                        format!(
                            "unknown severity {:?}; expected P1, P2, P3 or P4",
                            clip(value)
                        ),
                    )
                })?;
                Ok(Command::Classify { severity })
            }
            ActionType::Diagnose => {
                only_parameters(self, &["root_cause", "notes"])?;
                let service = service_target(self, scenario)?;
                let root_cause = parameter(
                    self,
                    "root_cause",
                    "a cause id (see `firedrill causes`) or a description",
                )?;
                let notes = match self.parameters.get("notes").map(|n| n.trim()) {
                    None | Some("") => "",
                    Some(_) => parameter(self, "notes", "free text")?,
                };
                Ok(Command::Diagnose {
                    service,
                    root_cause: root_cause.to_string(),
                    notes: notes.to_string(),
                })
            }
            ActionType::Remediate => {
                only_parameters(self, &["kind"])?;
                let service = service_target(self, scenario)?;
                let kind = parameter(self, "kind", &REMEDIATION_KINDS.join(", "))?;
                if !REMEDIATION_KINDS.contains(&kind) {
                    return Err(invalid(
                        "parameters.kind",
                        format!(
                            "unknown remediation {:?}; expected one of {}",
                            clip(kind),
                            REMEDIATION_KINDS.join(", ")
                        ),
                    ));
                }
                Ok(Command::Remediate {
                    service,
                    kind: kind.to_string(),
                })
            }
            ActionType::Escalate => {
                only_parameters(self, &[])?;
                let teams = scenario.teams();
                let team = self.target.as_deref().unwrap_or("");
                if !teams.iter().any(|t| t == team) {
                    return Err(invalid(
                        "target",
                        format!(
                            "unknown team {:?}; expected one of {}",
                            clip(team),
                            teams.join(", ")
                        ),
                    ));
                }
                Ok(Command::Escalate {
                    team: team.to_string(),
                })
            }
            ActionType::Communicate => {
                no_target(self)?;
                only_parameters(self, &["channel", "message"])?;
                let channel = parameter(self, "channel", &CHANNELS.join(", "))?;
                if !CHANNELS.contains(&channel) {
                    return Err(invalid(
                        "parameters.channel",
                        format!(
                            "unknown channel {:?}; expected one of {}",
                            clip(channel),
                            CHANNELS.join(", ")
                        ),
                    ));
                }
                let message = parameter(self, "message", "the text of the status update")?;
                Ok(Command::Communicate {
                    channel: channel.to_string(),
                    message: message.to_string(),
                })
            }
            ActionType::Resolve => {
                no_target(self)?;
                only_parameters(self, &["summary"])?;
                let summary = parameter(
                    self,
                    "summary",
                    "a closing summary: what happened and what fixed it",
                )?;
                Ok(Command::Resolve {
                    summary: summary.to_string(),
                })
            }
            ActionType::Hint => {
                no_target(self)?;
                only_parameters(self, &[])?;
                if scenario.hints.is_empty() {
                    return Err(invalid("action_type", "this scenario has no hints".into()));
                }
                Ok(Command::Hint)
            }
        }
    }
}
