//! What the action form (`app/actions.rs`) offers for each action type:
//! its hint, what it targets and the parameters it takes. Plain Rust, so
//! `cargo test` runs it.

use crate::env::Observation;
use crate::scenario::ActionType;

/// A short hint on what an action type does (empty for an unknown type).
pub fn hint(action_type: &str) -> &'static str {
    match ActionType::from_name(action_type) {
        Some(ActionType::Investigate) => "Read a service's logs and detailed metrics.",
        Some(ActionType::Classify) => "Set the incident's severity, P1 (worst) to P4.",
        Some(ActionType::Diagnose) => "Name the root-cause service and say what is wrong with it.",
        Some(ActionType::Remediate) => {
            "Apply a fix to a service. Wrong fixes are counted and may make things worse."
        }
        Some(ActionType::Escalate) => "Page a team.",
        Some(ActionType::Communicate) => "Post a status update on a channel.",
        None => "",
    }
}

/// The choices of target of an action type in the current episode: its
/// services, its teams, or none (the action takes no target).
pub fn targets(action_type: &str, observation: &Observation) -> Vec<String> {
    match ActionType::from_name(action_type) {
        Some(ActionType::Investigate | ActionType::Diagnose | ActionType::Remediate) => observation
            .services
            .iter()
            .map(|service| service.name.clone())
            .collect(),
        Some(ActionType::Escalate) => observation.teams.clone(),
        _ => Vec::new(),
    }
}

/// What the target is called in the form: a team or a service.
pub fn target_label(action_type: &str) -> &'static str {
    if ActionType::from_name(action_type) == Some(ActionType::Escalate) {
        "Team"
    } else {
        "Service"
    }
}

/// The parameters an action type takes, in the form's order.
pub fn parameters(action_type: &str) -> &'static [&'static str] {
    match ActionType::from_name(action_type) {
        Some(ActionType::Classify) => &["severity"],
        Some(ActionType::Diagnose) => &["root_cause"],
        Some(ActionType::Remediate) => &["kind"],
        Some(ActionType::Communicate) => &["channel", "message"],
        _ => &[],
    }
}

/// Whether an action type takes the parameter `name`.
pub fn takes(action_type: &str, name: &str) -> bool {
    parameters(action_type).contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{Env, Selection, ACTION_TYPES};

    #[test]
    fn every_action_type_has_a_hint_and_its_parameters() {
        let cases: [(&str, &[&str]); 7] = [
            ("investigate", &[]),
            ("classify", &["severity"]),
            ("diagnose", &["root_cause"]),
            ("remediate", &["kind"]),
            ("escalate", &[]),
            ("communicate", &["channel", "message"]),
            ("dance", &[]),
        ];
        for (action_type, expected) in cases {
            assert_eq!(parameters(action_type), expected, "{action_type}");
            for name in ["severity", "root_cause", "kind", "channel", "message"] {
                assert_eq!(takes(action_type, name), expected.contains(&name));
            }
        }
        for action_type in ACTION_TYPES {
            assert!(!hint(action_type).is_empty(), "{action_type}");
        }
        assert_eq!(hint("dance"), "");
    }

    #[test]
    fn targets_are_services_teams_or_nothing() {
        let mut env = Env::new();
        let observation = env
            .reset(
                &Selection::Scenario("connection-pool-exhaustion-v1".into()),
                1,
            )
            .expect("the built-in scenario starts");
        let services: Vec<String> = observation
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect();
        assert!(!services.is_empty() && !observation.teams.is_empty());
        for (action_type, expected, label) in [
            ("investigate", services.clone(), "Service"),
            ("diagnose", services.clone(), "Service"),
            ("remediate", services.clone(), "Service"),
            ("escalate", observation.teams.clone(), "Team"),
            ("classify", Vec::new(), "Service"),
            ("communicate", Vec::new(), "Service"),
            ("dance", Vec::new(), "Service"),
        ] {
            assert_eq!(
                targets(action_type, &observation),
                expected,
                "{action_type}"
            );
            assert_eq!(target_label(action_type), label, "{action_type}");
        }
    }
}
