//! The TypeScript declarations of the JS API's values and of embed mode's
//! messages (`firedrill.d.ts` beside this file): `Observation`, `Step`,
//! `State`, `Grade`, `Action`, `ScenarioSummary`, the Prometheus query
//! answers, `FiredrillError` with its `kind`, and the postMessage messages
//! both ways. The JS API (`js.rs`) appends them to the `.d.ts`
//! wasm-bindgen writes for the core-only module (`firedrill_env.d.ts`) and
//! names them in its signatures.
//!
//! The tests here keep the declarations true: each union lists exactly
//! the names the Rust enums serialize to, and each interface exactly the
//! fields the Rust structs serialize, read from real episodes.

/// The declarations, as TypeScript.
pub const DECLARATIONS: &str = include_str!("firedrill.d.ts");

#[cfg(test)]
mod tests {
    use super::DECLARATIONS;
    use crate::agents::{by_name, AGENT_NAMES};
    use crate::env::{Env, Selection};
    use crate::export::ExportKind;
    use crate::runner::{run_episode, Driver};
    use crate::scenario::{
        ActionType, Catalog, GradeDimension, LogLevel, ServiceKind, Severity, Task, CHANNELS,
        REMEDIATION_KINDS,
    };
    use crate::web::error::ErrorKind;
    use serde_json::Value;
    use std::collections::BTreeSet;

    /// The string literals of `export type <name> = "a" | "b";`.
    fn union(name: &str) -> Vec<String> {
        let start = format!("export type {name} = ");
        let line = DECLARATIONS
            .lines()
            .find(|line| line.starts_with(&start))
            .unwrap_or_else(|| panic!("no type {name}"));
        line[start.len()..]
            .trim_end_matches(';')
            .split(" | ")
            .map(|literal| literal.trim_matches('"').to_string())
            .collect()
    }

    /// The fields of `export interface <name> { … }`: (name, optional).
    fn interface(name: &str) -> Vec<(String, bool)> {
        let lines: Vec<&str> = DECLARATIONS.lines().collect();
        let start = lines
            .iter()
            .position(|line| {
                line.starts_with(&format!("export interface {name} {{"))
                    || line.starts_with(&format!("export interface {name}<"))
                    || line.starts_with(&format!("export interface {name} extends"))
            })
            .unwrap_or_else(|| panic!("no interface {name}"));
        lines[start + 1..]
            .iter()
            .take_while(|line| !line.starts_with('}'))
            .map(|line| line.trim())
            .filter(|line| !line.starts_with('/') && !line.starts_with('*'))
            .filter_map(|line| line.split_once(':'))
            .map(|(field, _)| {
                let optional = field.ends_with('?');
                (field.trim_end_matches('?').to_string(), optional)
            })
            .collect()
    }

    /// Checks the keys of a serialized object against an interface: every
    /// required field present, nothing undeclared.
    fn check(name: &str, value: &Value) {
        let object = value
            .as_object()
            .unwrap_or_else(|| panic!("{name}: not an object: {value}"));
        let fields = interface(name);
        let declared: BTreeSet<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
        let present: BTreeSet<&str> = object.keys().map(String::as_str).collect();
        let undeclared: Vec<&&str> = present.difference(&declared).collect();
        assert!(
            undeclared.is_empty(),
            "{name}: fields not declared: {undeclared:?}"
        );
        for (field, optional) in &fields {
            assert!(
                *optional || present.contains(field.as_str()),
                "{name}: {field} is declared required but missing"
            );
        }
    }

    /// The first element of an array field, which must not be empty.
    fn first<'a>(value: &'a Value, field: &str) -> &'a Value {
        value[field]
            .as_array()
            .and_then(|items| items.first())
            .unwrap_or_else(|| panic!("{field} is empty"))
    }

    fn names(names: impl IntoIterator<Item = impl ToString>) -> Vec<String> {
        names.into_iter().map(|n| n.to_string()).collect()
    }

    fn serialized<T: serde::Serialize>(values: impl IntoIterator<Item = T>) -> Vec<String> {
        values
            .into_iter()
            .map(|v| serde_json::to_value(v).expect("serializes"))
            .map(|v| v.as_str().expect("a string").to_string())
            .collect()
    }

    #[test]
    fn unions_list_what_the_rust_enums_serialize_to() {
        use crate::env::{AlertState, Status};
        use crate::scenario::{FixOutcome, Harm};
        use crate::sim::Health;
        let cases: [(&str, Vec<String>); 20] = [
            ("TaskId", serialized(Task::ALL)),
            ("ActionType", serialized(ActionType::ALL)),
            ("Severity", serialized(Severity::ALL)),
            ("RemediationKind", names(REMEDIATION_KINDS)),
            ("Channel", names(CHANNELS)),
            (
                "IncidentStatus",
                serialized([
                    Status::Open,
                    Status::Investigating,
                    Status::Mitigated,
                    Status::Resolved,
                ]),
            ),
            (
                "Health",
                serialized([Health::Healthy, Health::Degraded, Health::Critical]),
            ),
            ("ServiceKind", names(ServiceKind::NAMES)),
            (
                "AlertState",
                serialized([
                    AlertState::Pending,
                    AlertState::Firing,
                    AlertState::Resolved,
                ]),
            ),
            ("LogLevel", names(LogLevel::NAMES)),
            (
                "SpanKind",
                serialized([
                    crate::metrics::traces::SpanKind::Server,
                    crate::metrics::traces::SpanKind::Client,
                ]),
            ),
            ("Harm", names(Harm::NAMES)),
            ("FixOutcome", names(FixOutcome::NAMES)),
            ("GradeDimensionName", serialized(GradeDimension::ALL)),
            ("ExportKind", names(ExportKind::ids())),
            ("AgentName", names(AGENT_NAMES)),
            (
                "FiredrillErrorKind",
                names(ErrorKind::ALL.map(ErrorKind::name)),
            ),
            ("MessageId", names(["string", "number"])),
            ("InjectSource", names(crate::scenario::InjectSource::NAMES)),
            ("ReplyPart", names(crate::scenario::ReplyPart::NAMES)),
        ];
        for (name, expected) in cases {
            assert_eq!(union(name), expected, "{name}");
        }
    }

    #[test]
    fn interfaces_declare_exactly_what_an_episode_serializes() {
        let catalog = Catalog::builtin();
        let mut env = Env::new();
        let mut checked_red_herrings = false;
        for task in Task::ALL {
            let scenario = catalog
                .for_task(task)
                .next()
                .expect("a scenario")
                .id
                .clone();
            let selection = Selection::Scenario(scenario);
            let mut oracle = by_name("oracle", 3).expect("the oracle");
            let actions = run_episode(&mut env, &selection, 3, Driver::Agent(oracle.as_mut()))
                .expect("the oracle plays");
            let state = serde_json::to_value(env.state().expect("a state")).unwrap();
            let grade = serde_json::to_value(env.grade().expect("a grade")).unwrap();
            check("State", &state);
            check("Observation", &state["observation"]);
            check("Alert", first(&state, "alerts"));
            check("Service", first(&state["observation"], "services"));
            check("Slo", first(&state, "slos"));
            check("GroundTruth", &state["ground_truth"]);
            let history = first(&state, "history");
            check("HistoryEntry", history);
            check("Action", &history["action"]);
            check("Grade", &grade);
            check("GradeDimension", first(&grade, "dimensions"));
            if let Some(herring) = state["ground_truth"]["red_herrings"]
                .as_array()
                .and_then(|h| h.first())
            {
                check("RedHerring", herring);
                checked_red_herrings = true;
            }
            if task == Task::FullIncidentManagement {
                check("Diagnosis", &state["diagnosis"]);
                check("Remediation", first(&state, "remediations"));
                check("Communication", first(&state, "communications"));
            }
            // A step of the same episode, replayed, and what investigating shows.
            let observation = env.reset(&selection, 3).expect("a reset");
            assert!(!observation.done);
            let step = serde_json::to_value(env.step(&actions[0]).expect("a step")).unwrap();
            check("Step", &step);
            check("StepInfo", &step["info"]);
            for action in &actions {
                let value = serde_json::to_value(action).unwrap();
                check("Action", &value);
                if let Some(parameters) = value.get("parameters") {
                    check("ActionParameters", parameters);
                }
            }
        }
        assert!(
            checked_red_herrings,
            "a scenario with red herrings was checked"
        );
        let investigated = env
            .reset(
                &Selection::Scenario("connection-pool-exhaustion-v1".into()),
                1,
            )
            .and_then(|o| {
                let target = o.services[0].name.clone();
                env.step(&crate::env::Action::new("investigate", Some(&target)))
            })
            .expect("an investigation");
        let observation = serde_json::to_value(&investigated.observation).unwrap();
        let investigation = first(&observation, "investigations");
        check("Investigation", investigation);
        check("LogLine", first(investigation, "logs"));
        let traced = env.logs().expect("logs");
        let traced = traced
            .iter()
            .find(|l| l.trace_id.is_some())
            .expect("a line of a request");
        check("LogLine", &serde_json::to_value(traced).unwrap());
        let traces = serde_json::to_value(env.traces(None, 5).expect("traces")).unwrap();
        let trace = &traces[0];
        check("Trace", trace);
        check("Span", &trace["spans"][0]);
        check("Span", &trace["spans"][1]);
        for summary in catalog.summaries() {
            check("ScenarioSummary", &serde_json::to_value(summary).unwrap());
        }
        for cause in crate::scenario::causes::CAUSES {
            check("Cause", &serde_json::to_value(cause).unwrap());
        }
    }

    #[cfg(feature = "promql")]
    #[test]
    fn query_answers_have_the_declared_fields() {
        use crate::promql::{json, Engine};
        let mut env = Env::new();
        env.reset(
            &Selection::Scenario("connection-pool-exhaustion-v1".into()),
            2,
        )
        .expect("a reset");
        let monitor = env.monitor().expect("a monitor");
        let end = monitor.last_time() * 1000;
        let engine = Engine::default();
        let answer = |text: String| serde_json::from_str::<Value>(&text).expect("JSON");
        let instant = engine
            .instant(monitor.store(), "error_ratio", end)
            .expect("evaluates");
        let vector = answer(json::success(&instant.value, &instant.annotations));
        check("PromSuccess", &vector);
        check("PromVectorSeries", first(&vector["data"], "result"));
        let range = engine
            .range(monitor.store(), "error_ratio", end - 600_000, end, 60_000)
            .expect("evaluates");
        let matrix = answer(json::success_matrix(&range.value, &range.annotations));
        check("PromSuccess", &matrix);
        check("PromMatrixSeries", first(&matrix["data"], "result"));
        let failed = engine
            .instant(monitor.store(), "sum(", end)
            .expect_err("does not parse");
        check("PromError", &answer(json::error(&failed)));
    }

    #[test]
    fn every_error_kind_and_message_type_is_declared() {
        assert!(DECLARATIONS.contains("name: \"FiredrillError\";"));
        assert!(DECLARATIONS.contains(&format!("name: \"{}\";", crate::web::error::JS_ERROR_NAME)));
        for message in ["reset", "step", "state", "grade", "query", "query_range"] {
            assert!(
                DECLARATIONS.contains(&format!("{{ type: \"{message}\"; id?: MessageId")),
                "HostMessage {message}"
            );
        }
        for announcement in ["ready", "episode_end", "resize", "error"] {
            assert!(
                DECLARATIONS.contains(&format!("type: \"{announcement}\";")),
                "DrillMessage {announcement}"
            );
        }
        check(
            "ErrorReply",
            &serde_json::json!({
                "type": "error", "id": 1, "request": "step", "kind": "invalid_action", "detail": "…"
            }),
        );
    }
}
