//! What the action form (`app/actions.rs`) offers for each action type:
//! its hint, what it targets and the parameters it takes. Plain Rust, so
//! `cargo test` runs it.

use crate::env::{Observation, Task};
use crate::scenario::{ActionType, Severity};

/// A short hint on what an action type does.
pub fn hint(action_type: ActionType) -> &'static str {
    match action_type {
        ActionType::Investigate => "Read a service's logs and detailed metrics.",
        ActionType::Classify => "Set the incident's severity, P1 (worst) to P4.",
        ActionType::Diagnose => {
            "Name the root-cause service (where the fault starts, not the services that fail because of it) and the cause, from the list; add what you saw in your own words if you like. The first diagnosis counts."
        }
        ActionType::Remediate => {
            "Apply a fix to a service. Wrong fixes are counted and may make things worse."
        }
        ActionType::Escalate => "Page a team.",
        ActionType::Communicate => {
            "Post a status update: say who is affected and how, what you are doing now, and when the next update comes."
        }
        ActionType::Resolve => {
            "Declare the incident resolved, with a closing summary: what happened and what fixed it. This ends the drill."
        }
        ActionType::Hint => {
            "Reveal the next hint. Each costs points off the score; exam mode has none."
        }
    }
}

/// What each severity means, for the rubric beside the severity field:
/// user impact, breadth, workaround.
pub const SEVERITY_RUBRIC: [(Severity, &str); 4] = [
    (
        Severity::P1,
        "a core journey (log in, pay, order) is down or badly degraded for most users; no workaround",
    ),
    (
        Severity::P2,
        "major degradation, or a core journey down for some users (a region, a platform, a third)",
    ),
    (
        Severity::P3,
        "limited impact: a secondary feature, few users, or delays; a workaround exists",
    ),
    (
        Severity::P4,
        "cosmetic or internal only; users do not notice",
    ),
];

/// The task's checklist: what it expects done, each with whether it was
/// (an action of that type was played), never whether it was right.
pub fn checklist(task: Task, played: &[ActionType]) -> Vec<(&'static str, bool)> {
    let items: &[(ActionType, &str)] = match task {
        Task::SeverityClassification => &[(ActionType::Classify, "Severity classified")],
        Task::RootCauseAnalysis => &[
            (ActionType::Investigate, "A service investigated"),
            (ActionType::Classify, "Severity classified"),
            (ActionType::Remediate, "A fix applied"),
            (ActionType::Diagnose, "Root cause diagnosed"),
        ],
        Task::FullIncidentManagement => &[
            (ActionType::Investigate, "A service investigated"),
            (ActionType::Classify, "Severity classified"),
            (ActionType::Remediate, "A fix applied"),
            (ActionType::Diagnose, "Root cause diagnosed"),
            (ActionType::Escalate, "A team paged"),
            (ActionType::Communicate, "Status update posted"),
            (
                ActionType::Resolve,
                "Incident declared resolved (ends the drill)",
            ),
        ],
    };
    items
        .iter()
        .map(|(action_type, label)| (*label, played.contains(action_type)))
        .collect()
}

/// The choices of target of an action type in the current episode: its
/// services, its teams, or none (the action takes no target).
pub fn targets(action_type: ActionType, observation: &Observation) -> Vec<String> {
    match action_type {
        ActionType::Investigate | ActionType::Diagnose | ActionType::Remediate => observation
            .services
            .iter()
            .map(|service| service.name.clone())
            .collect(),
        ActionType::Escalate => observation.teams.clone(),
        ActionType::Classify | ActionType::Communicate | ActionType::Resolve | ActionType::Hint => {
            Vec::new()
        }
    }
}

/// The text of a target's option: a service's name, or a team with the
/// services it owns ("payments (owns checkout, payment-gateway)"), so that
/// escalating is not a guess.
pub fn target_option(action_type: ActionType, observation: &Observation, target: &str) -> String {
    if action_type != ActionType::Escalate {
        return target.to_string();
    }
    let owned: Vec<&str> = observation
        .services
        .iter()
        .filter(|s| s.team == target)
        .map(|s| s.name.as_str())
        .collect();
    if owned.is_empty() {
        target.to_string()
    } else {
        format!("{target} (owns {})", owned.join(", "))
    }
}

/// What the target is called in the form: a team or a service.
pub fn target_label(action_type: ActionType) -> &'static str {
    if action_type == ActionType::Escalate {
        "Team"
    } else {
        "Service"
    }
}

/// The parameters an action type takes, in the form's order.
pub fn parameters(action_type: ActionType) -> &'static [&'static str] {
    match action_type {
        ActionType::Classify => &["severity"],
        ActionType::Diagnose => &["root_cause", "notes"],
        ActionType::Remediate => &["kind"],
        ActionType::Communicate => &["channel", "message"],
        ActionType::Resolve => &["summary"],
        ActionType::Investigate | ActionType::Escalate | ActionType::Hint => &[],
    }
}

/// Whether a parameter may be left out (then an empty value is not sent).
pub fn optional(name: &str) -> bool {
    name == "notes"
}

/// Whether an action type takes the parameter `name`.
pub fn takes(action_type: ActionType, name: &str) -> bool {
    parameters(action_type).contains(&name)
}

/// The app's keyboard shortcuts, in the order its help overlay (`?`)
/// lists them: (key, what it does).
pub const SHORTCUTS: [(&str, &str); 12] = [
    ("?", "Show or hide this help"),
    ("i", "Investigate: choose the action in the form"),
    ("c", "Classify the severity"),
    ("d", "Diagnose the root cause"),
    ("r", "Remediate: apply a fix"),
    ("e", "Escalate: page a team"),
    ("u", "Post a status update (communicate)"),
    ("x", "Declare the incident resolved"),
    ("h", "Reveal the next hint (practice mode)"),
    ("/", "Focus the PromQL console"),
    ("g", "Go to the action form"),
    ("Esc", "Close this help"),
];

/// The action type a keyboard shortcut chooses in the action form.
pub fn shortcut_action(key: &str) -> Option<ActionType> {
    Some(match key {
        "i" => ActionType::Investigate,
        "c" => ActionType::Classify,
        "d" => ActionType::Diagnose,
        "r" => ActionType::Remediate,
        "e" => ActionType::Escalate,
        "u" => ActionType::Communicate,
        "x" => ActionType::Resolve,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{Env, Selection};
    use ActionType::*;

    #[test]
    fn every_action_type_has_a_hint_and_its_parameters() {
        let cases: [(ActionType, &[&str]); 8] = [
            (Investigate, &[]),
            (Classify, &["severity"]),
            (Diagnose, &["root_cause", "notes"]),
            (Remediate, &["kind"]),
            (Escalate, &[]),
            (Communicate, &["channel", "message"]),
            (Resolve, &["summary"]),
            (Hint, &[]),
        ];
        for (action_type, expected) in cases {
            assert_eq!(parameters(action_type), expected, "{action_type:?}");
            for name in [
                "severity",
                "root_cause",
                "notes",
                "kind",
                "channel",
                "message",
            ] {
                assert_eq!(takes(action_type, name), expected.contains(&name));
            }
            assert!(!hint(action_type).is_empty(), "{action_type:?}");
        }
    }

    #[test]
    fn the_checklist_says_what_was_done_per_task() {
        assert_eq!(
            checklist(Task::SeverityClassification, &[]),
            [("Severity classified", false)]
        );
        let full = checklist(
            Task::FullIncidentManagement,
            &[Classify, Remediate, Classify],
        );
        assert_eq!(full.len(), 7);
        let done: Vec<&str> = full.iter().filter(|(_, d)| *d).map(|(l, _)| *l).collect();
        assert_eq!(done, ["Severity classified", "A fix applied"]);
        assert!(full
            .last()
            .is_some_and(|(label, _)| label.contains("resolved")));
        assert_eq!(SEVERITY_RUBRIC.map(|(s, _)| s), Severity::ALL);
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
        assert_eq!(
            target_option(Escalate, &observation, "dba"),
            "dba (owns orders-db)"
        );
        for (action_type, expected, label) in [
            (Investigate, services.clone(), "Service"),
            (Diagnose, services.clone(), "Service"),
            (Remediate, services.clone(), "Service"),
            (Escalate, observation.teams.clone(), "Team"),
            (Classify, Vec::new(), "Service"),
            (Communicate, Vec::new(), "Service"),
            (Resolve, Vec::new(), "Service"),
        ] {
            assert_eq!(
                targets(action_type, &observation),
                expected,
                "{action_type:?}"
            );
            assert_eq!(target_label(action_type), label, "{action_type:?}");
            for target in targets(action_type, &observation) {
                let text = target_option(action_type, &observation, &target);
                assert!(text.starts_with(&target), "{text}");
            }
        }
    }

    #[test]
    fn every_response_action_has_a_listed_shortcut() {
        for action_type in ActionType::RESPONSES {
            let key = SHORTCUTS
                .iter()
                .map(|(key, _)| *key)
                .find(|key| shortcut_action(key) == Some(action_type));
            assert!(key.is_some(), "{action_type:?}");
        }
        let keys: std::collections::HashSet<&str> = SHORTCUTS.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), SHORTCUTS.len(), "no key twice");
    }
}
