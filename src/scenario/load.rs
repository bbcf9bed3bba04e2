//! Reading scenario TOML: the raw file shape, then validation into the
//! model. Every error names the file, line, column and field and says what
//! was expected.

use super::error::{ScenarioError, SourceMap};
use super::keyed::PerSignal;
use super::model::*;
use super::task::Task;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

/// Default simulated seconds per step.
pub const DEFAULT_STEP_SECONDS: u32 = 30;
/// Default incident start: 2026-01-15T09:00:00Z, simulated.
pub const DEFAULT_START_TIME: i64 = 1_768_467_600;
/// Largest scenario text accepted, in bytes.
pub const MAX_SCENARIO_BYTES: usize = 256 * 1024;

type S<T> = Spanned<T>;

/// The parts of a drift entry (a symptom or a red herring).
struct DriftParts<'r> {
    service: &'r S<String>,
    metric: &'r S<String>,
    delta: &'r S<f64>,
    cap: &'r S<f64>,
    onset: &'r Option<S<i64>>,
    shape: &'r Option<S<String>>,
    period: &'r Option<S<i64>>,
    instances: &'r [S<String>],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: S<String>,
    title: S<String>,
    #[serde(default)]
    debrief_title: Option<S<String>>,
    task: S<String>,
    summary: S<String>,
    severity: S<String>,
    #[serde(default)]
    step_seconds: Option<S<i64>>,
    #[serde(default)]
    start_time: Option<S<i64>>,
    #[serde(default)]
    extra_teams: Vec<S<String>>,
    #[serde(default)]
    escalate_to: Vec<S<String>>,
    services: S<Vec<RawService>>,
    fault: S<RawFault>,
    #[serde(default)]
    symptoms: Vec<RawDrift>,
    #[serde(default)]
    red_herrings: Vec<RawRedHerring>,
    #[serde(default)]
    logs: Vec<RawLog>,
    #[serde(default)]
    alerts: Vec<RawAlert>,
    remediations: S<Vec<RawRemediation>>,
    communication: S<RawCommunication>,
    #[serde(default)]
    variation: Option<RawVariation>,
    #[serde(default)]
    began_minutes_ago: Option<S<i64>>,
    #[serde(default)]
    zones: Vec<S<String>>,
    #[serde(default)]
    other_faults: Vec<S<RawFault>>,
    #[serde(default)]
    changes: Vec<RawChange>,
    #[serde(default)]
    business: Vec<RawBusiness>,
    #[serde(default)]
    missing: Vec<RawMissing>,
    #[serde(default)]
    slos: Vec<RawSlo>,
    #[serde(default)]
    injects: Vec<RawInject>,
    #[serde(default)]
    hints: Vec<RawHint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInject {
    step: S<i64>,
    from: S<String>,
    message: S<String>,
    expects: S<Vec<S<String>>>,
    #[serde(default)]
    respond_within: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHint {
    text: S<String>,
    #[serde(default)]
    cost: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    at_minute: S<i64>,
    service: S<String>,
    kind: S<String>,
    author: S<String>,
    description: S<String>,
    #[serde(default)]
    version: Option<S<String>>,
    #[serde(default)]
    previous_version: Option<S<String>>,
    #[serde(default)]
    flag: Option<S<String>>,
    #[serde(default)]
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBusiness {
    name: S<String>,
    help: S<String>,
    baseline: S<f64>,
    follows: S<String>,
    #[serde(default)]
    sensitivity: Option<S<f64>>,
    #[serde(default)]
    delta: Option<S<f64>>,
    #[serde(default)]
    cap: Option<S<f64>>,
    #[serde(default)]
    onset: Option<S<i64>>,
    #[serde(default)]
    fault: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMissing {
    service: S<String>,
    #[serde(default)]
    metrics: Vec<S<String>>,
    #[serde(default)]
    from_step: Option<S<i64>>,
    #[serde(default)]
    until_fixed: Option<bool>,
    #[serde(default)]
    fault: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    name: S<String>,
    team: S<String>,
    #[serde(default)]
    kind: Option<S<String>>,
    #[serde(default)]
    depends_on: Vec<S<String>>,
    #[serde(default)]
    baseline: Option<S<BTreeMap<String, S<f64>>>>,
    #[serde(default)]
    instances: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    service: S<String>,
    cause: S<String>,
    description: S<String>,
    keywords: S<Vec<S<String>>>,
    #[serde(default)]
    also_accept: Vec<S<String>>,
    #[serde(default)]
    relevant: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDrift {
    service: S<String>,
    metric: S<String>,
    delta: S<f64>,
    cap: S<f64>,
    #[serde(default)]
    onset: Option<S<i64>>,
    #[serde(default)]
    shape: Option<S<String>>,
    #[serde(default)]
    period: Option<S<i64>>,
    #[serde(default)]
    instances: Vec<S<String>>,
    #[serde(default)]
    fault: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedHerring {
    service: S<String>,
    metric: S<String>,
    delta: S<f64>,
    cap: S<f64>,
    #[serde(default)]
    onset: Option<S<i64>>,
    #[serde(default)]
    shape: Option<S<String>>,
    #[serde(default)]
    period: Option<S<i64>>,
    #[serde(default)]
    instances: Vec<S<String>>,
    reason: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    service: S<String>,
    level: S<String>,
    message: S<String>,
    #[serde(default)]
    fields: BTreeMap<String, S<String>>,
    #[serde(default)]
    from_step: Option<S<i64>>,
    #[serde(default)]
    every: Option<S<i64>>,
    #[serde(default)]
    when: Option<S<String>>,
    #[serde(default)]
    fault: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    name: S<String>,
    service: S<String>,
    metric: S<String>,
    #[serde(default)]
    op: Option<S<String>>,
    threshold: S<f64>,
    #[serde(default)]
    for_steps: Option<S<i64>>,
    #[serde(default)]
    function: Option<S<String>>,
    #[serde(default)]
    window: Option<S<String>>,
    severity: S<String>,
    summary: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlo {
    service: S<String>,
    kind: S<String>,
    #[serde(default)]
    objective: Option<S<f64>>,
    #[serde(default)]
    threshold_seconds: Option<S<f64>>,
    #[serde(default)]
    window_days: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRemediation {
    service: S<String>,
    kind: S<String>,
    correct: bool,
    #[serde(default)]
    recovery_steps: Option<S<i64>>,
    #[serde(default)]
    effect: Option<S<String>>,
    #[serde(default)]
    worsens: Option<S<String>>,
    #[serde(default)]
    amount: Option<S<f64>>,
    #[serde(default)]
    harm: Option<S<String>>,
    #[serde(default)]
    outcome: Option<S<String>>,
    #[serde(default)]
    fault: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommunication {
    channels: S<Vec<S<String>>>,
    #[serde(default)]
    impact: Option<S<Vec<S<String>>>>,
    #[serde(default)]
    must_mention: Option<S<Vec<S<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariation {
    #[serde(default)]
    delta_jitter: Option<S<f64>>,
    #[serde(default)]
    baseline_jitter: Option<S<f64>>,
}

/// Validation state: the source map and the errors found so far.
struct Checker<'a> {
    source: SourceMap<'a>,
    errors: Vec<ScenarioError>,
}

impl<'a> Checker<'a> {
    fn error(&mut self, span: std::ops::Range<usize>, field: &str, message: String) {
        self.errors.push(self.source.error(span, field, message));
    }

    fn text(&mut self, value: &S<String>, field: &str, max_len: usize) -> String {
        let text = value.get_ref().trim();
        if text.is_empty() {
            self.error(value.span(), field, "expected a non-empty string".into());
        } else if text.chars().count() > max_len {
            self.error(
                value.span(),
                field,
                format!("expected at most {max_len} characters"),
            );
        }
        text.to_string()
    }

    fn name(&mut self, value: &S<String>, field: &str) -> String {
        let name = value.get_ref();
        if !is_name(name) {
            self.error(
                value.span(),
                field,
                format!(
                    "expected a name of 1 to 64 characters: lower-case letters, digits, '-' or '_', starting with a letter; found {name:?}"
                ),
            );
        }
        name.clone()
    }

    fn number(&mut self, value: &S<f64>, field: &str, min: f64, max: f64) -> f64 {
        let v = *value.get_ref();
        if !v.is_finite() || v < min || v > max {
            self.error(
                value.span(),
                field,
                format!("expected a number from {min} to {max}, found {v}"),
            );
        }
        v
    }

    fn integer(
        &mut self,
        value: &Option<S<i64>>,
        field: &str,
        min: i64,
        max: i64,
        default: i64,
    ) -> i64 {
        match value {
            None => default,
            Some(v) => {
                let n = *v.get_ref();
                if n < min || n > max {
                    self.error(
                        v.span(),
                        field,
                        format!("expected an integer from {min} to {max}, found {n}"),
                    );
                    default
                } else {
                    n
                }
            }
        }
    }

    fn service_ref(
        &mut self,
        value: &S<String>,
        field: &str,
        services: &HashSet<String>,
    ) -> String {
        let name = value.get_ref();
        if !services.contains(name) {
            self.error(
                value.span(),
                field,
                format!(
                    "unknown service {name:?}; expected one of the services declared in [[services]]: {}",
                    declared(services)
                ),
            );
        }
        name.clone()
    }

    fn signal(&mut self, value: &S<String>, field: &str) -> Signal {
        match Signal::from_name(value.get_ref()) {
            Some(signal) => signal,
            None => {
                let names: Vec<&str> = Signal::ALL.iter().map(|s| s.name()).collect();
                self.error(
                    value.span(),
                    field,
                    format!(
                        "unknown metric {:?}; expected one of {}",
                        value.get_ref(),
                        names.join(", ")
                    ),
                );
                Signal::ErrorRatio
            }
        }
    }

    fn one_of(&mut self, value: &S<String>, field: &str, choices: &[&str]) -> String {
        if !choices.contains(&value.get_ref().as_str()) {
            self.error(
                value.span(),
                field,
                format!(
                    "unknown value {:?}; expected one of {}",
                    value.get_ref(),
                    choices.join(", ")
                ),
            );
        }
        value.get_ref().clone()
    }

    fn drift(
        &mut self,
        field: &str,
        parts: DriftParts<'_>,
        services: &HashSet<String>,
        declared: &[Service],
        fault: usize,
    ) -> Drift {
        let DriftParts {
            service,
            metric,
            delta,
            cap,
            onset,
            shape,
            period,
            instances,
        } = parts;
        let service_span = service.span();
        let service = self.service_ref(service, &format!("{field}.service"), services);
        let signal = self.signal(metric, &format!("{field}.metric"));
        let max = signal.max_value();
        let delta_value = self.number(delta, &format!("{field}.delta"), -max, max);
        if delta_value == 0.0 {
            self.error(
                delta.span(),
                &format!("{field}.delta"),
                "expected a non-zero change per step".into(),
            );
        }
        let cap_value = self.number(cap, &format!("{field}.cap"), 0.0, max);
        let onset = self.integer(onset, &format!("{field}.onset"), 0, 1000, 0) as u32;
        let shape_name = match shape {
            Some(name) => self.one_of(name, &format!("{field}.shape"), &Shape::NAMES),
            None => "ramp".to_string(),
        };
        let shape = match shape_name.as_str() {
            "step" => Shape::Step,
            "sawtooth" => Shape::Sawtooth,
            "flap" => Shape::Flap {
                period: self.integer(period, &format!("{field}.period"), 1, 100, 2) as u32,
            },
            _ => Shape::Ramp,
        };
        if let (Some(p), false) = (period, matches!(shape, Shape::Flap { .. })) {
            self.error(
                p.span(),
                &format!("{field}.period"),
                "`period` is for shape = \"flap\"".into(),
            );
        }
        let pods: &[Instance] = declared
            .iter()
            .find(|s| s.name == service)
            .map_or(&[], |s| s.instances.as_slice());
        let mut hit = Vec::new();
        for (i, name) in instances.iter().enumerate() {
            let f = format!("{field}.instances[{i}]");
            match pods.iter().position(|p| p.name == *name.get_ref()) {
                Some(k) if hit.contains(&k) => {
                    self.error(name.span(), &f, format!("duplicate instance {:?}", name.get_ref()))
                }
                Some(k) => hit.push(k),
                None if pods.is_empty() => self.error(
                    service_span.clone(),
                    &f,
                    format!("service {service:?} declares no `instances`; expected `instances = N` on the service to name its pods"),
                ),
                None => {
                    let names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
                    self.error(
                        name.span(),
                        &f,
                        format!("unknown instance {:?}; expected one of {}", name.get_ref(), names.join(", ")),
                    )
                }
            }
        }
        Drift {
            service,
            metric: signal,
            delta: delta_value,
            cap: cap_value,
            onset,
            shape,
            instances: hit,
            fault,
        }
    }

    /// A 1-based `fault = N` reference, as a 0-based index below `faults`.
    fn fault_ref(&mut self, value: &Option<S<i64>>, field: &str, faults: usize) -> usize {
        (self.integer(value, field, 1, faults as i64, 1) - 1) as usize
    }
}

/// Parses and validates one scenario file.
///
/// `file` is the name used in error messages. All problems found are
/// returned, each located at `file:line:col`.
pub fn parse(file: &str, text: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let source = SourceMap::new(file, text);
    if text.len() > MAX_SCENARIO_BYTES {
        return Err(vec![source.error(
            0..0,
            "",
            format!(
                "file is {} bytes; expected at most {MAX_SCENARIO_BYTES} bytes",
                text.len()
            ),
        )]);
    }
    let raw: RawScenario = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
            let message = syntax_message(err.message(), text, span.start);
            return Err(vec![source.error(span, "", message)]);
        }
    };
    let mut check = Checker {
        source,
        errors: Vec::new(),
    };
    let scenario = validate(&mut check, raw);
    if check.errors.is_empty() {
        Ok(scenario)
    } else {
        check.errors.sort_by_key(|e| (e.line, e.column));
        Err(check.errors)
    }
}

/// The message of a TOML syntax error, on one line (the parser's own
/// messages can span several, and are empty for a control character in a
/// comment: then it says which character is at `offset`).
fn syntax_message(message: &str, text: &str, offset: usize) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if !lines.is_empty() {
        return lines.join("; ");
    }
    match text.get(offset..).and_then(|rest| rest.chars().next()) {
        Some(c) if c.is_control() => format!(
            "invalid character U+{:04X} (a control character); TOML allows no control character but tab outside multi-line strings",
            u32::from(c)
        ),
        Some(c) => format!("invalid TOML at {c:?}"),
        None => "invalid TOML: unexpected end of file".to_string(),
    }
}

fn validate(check: &mut Checker, raw: RawScenario) -> Scenario {
    let id = check.name(&raw.id, "id");
    let title = check.text(&raw.title, "title", 200);
    let debrief_title = match &raw.debrief_title {
        Some(t) => check.text(t, "debrief_title", 200),
        None => title.clone(),
    };
    let summary = check.text(&raw.summary, "summary", 2000);
    let task = Task::from_id(raw.task.get_ref()).unwrap_or_else(|| {
        let ids: Vec<&str> = Task::ALL.iter().map(|t| t.id()).collect();
        check.error(
            raw.task.span(),
            "task",
            format!(
                "unknown task {:?}; expected one of {}",
                raw.task.get_ref(),
                ids.join(", ")
            ),
        );
        // Never played: the checker holds an error, so `parse` fails.
        Task::FullIncidentManagement
    });
    let severity = match Severity::from_name(raw.severity.get_ref()) {
        Some(s) => s,
        None => {
            check.error(
                raw.severity.span(),
                "severity",
                format!(
                    "expected P1, P2, P3 or P4, found {:?}",
                    raw.severity.get_ref()
                ),
            );
            Severity::P1
        }
    };
    let step_seconds = check.integer(
        &raw.step_seconds,
        "step_seconds",
        5,
        600,
        DEFAULT_STEP_SECONDS as i64,
    ) as u32;
    let start_time = check.integer(
        &raw.start_time,
        "start_time",
        946_684_800,
        4_102_444_800,
        DEFAULT_START_TIME,
    );

    // Services.
    let raw_services = raw.services.into_inner();
    if raw_services.is_empty() || raw_services.len() > 40 {
        check.error(
            0..0,
            "services",
            format!(
                "expected 1 to 40 [[services]], found {}",
                raw_services.len()
            ),
        );
    }
    let mut names = HashSet::new();
    for (i, s) in raw_services.iter().enumerate() {
        let name = check.name(&s.name, &format!("services[{i}].name"));
        if !names.insert(name.clone()) {
            check.error(
                s.name.span(),
                &format!("services[{i}].name"),
                format!("duplicate service {name:?}; expected every service name once"),
            );
        }
    }
    let zones: Vec<String> = raw
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| check.name(z, &format!("zones[{i}]")))
        .collect();
    let mut services = Vec::new();
    for (i, s) in raw_services.iter().enumerate() {
        let field = format!("services[{i}]");
        let instance_count =
            check.integer(&s.instances, &format!("{field}.instances"), 1, 12, 1) as usize;
        let instances: Vec<Instance> = if s.instances.is_none() {
            Vec::new()
        } else {
            (0..instance_count)
                .map(|n| Instance {
                    name: format!("{}-{n}", s.name.get_ref()),
                    zone: if zones.is_empty() {
                        String::new()
                    } else {
                        zones[n % zones.len()].clone()
                    },
                })
                .collect()
        };
        let team = check.name(&s.team, &format!("{field}.team"));
        let kind = match &s.kind {
            None => ServiceKind::Service,
            Some(k) => {
                let name = check.one_of(k, &format!("{field}.kind"), &ServiceKind::NAMES);
                ServiceKind::from_name(&name).unwrap_or(ServiceKind::Service)
            }
        };
        let mut depends_on = Vec::new();
        for (j, dep) in s.depends_on.iter().enumerate() {
            let dep_field = format!("{field}.depends_on[{j}]");
            let dep_name = check.service_ref(dep, &dep_field, &names);
            if dep_name == *s.name.get_ref() {
                check.error(
                    dep.span(),
                    &dep_field,
                    "a service cannot depend on itself".into(),
                );
            } else if depends_on.contains(&dep_name) {
                check.error(
                    dep.span(),
                    &dep_field,
                    format!("duplicate dependency {dep_name:?}"),
                );
            }
            depends_on.push(dep_name);
        }
        let mut baseline = PerSignal::from_fn(Signal::default_baseline);
        if let Some(table) = &s.baseline {
            for (key, value) in table.get_ref() {
                let key_field = format!("{field}.baseline.{key}");
                match Signal::from_name(key) {
                    Some(signal) => {
                        baseline[signal] = check.number(value, &key_field, 0.0, signal.max_value());
                    }
                    None => {
                        let names: Vec<&str> = Signal::ALL.iter().map(|s| s.name()).collect();
                        check.error(
                            value.span(),
                            &key_field,
                            format!(
                                "unknown metric {key:?}; expected one of {}",
                                names.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        services.push(Service {
            name: s.name.get_ref().clone(),
            team,
            kind,
            depends_on,
            baseline,
            instances,
        });
    }
    if let Some(cycle) = find_cycle(&services) {
        let first = &cycle[0];
        let span = raw_services
            .iter()
            .find(|s| s.name.get_ref() == first)
            .map(|s| s.name.span())
            .unwrap_or(0..0);
        check.error(
            span,
            "services.depends_on",
            format!(
                "dependency cycle {}; expected the dependencies to form a graph without cycles",
                cycle.join(" -> ")
            ),
        );
    }

    let extra_teams: Vec<String> = raw
        .extra_teams
        .iter()
        .enumerate()
        .map(|(i, t)| check.name(t, &format!("extra_teams[{i}]")))
        .collect();
    let mut all_teams: HashSet<String> = services.iter().map(|s| s.team.clone()).collect();
    all_teams.extend(extra_teams.iter().cloned());

    // Faults.
    let fault = read_fault(check, &raw.fault.into_inner(), "fault", &names);
    let other_faults: Vec<Fault> = raw
        .other_faults
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let field = format!("other_faults[{i}]");
            let other = read_fault(check, f.get_ref(), &field, &names);
            if other.is_false_alarm() {
                check.error(
                    f.span(),
                    &format!("{field}.cause"),
                    "a false alarm is the only fault of its scenario; expected a real fault next to [fault]".into(),
                );
            }
            if other.service == fault.service {
                check.error(
                    f.span(),
                    &format!("{field}.service"),
                    "the same root service as [fault]; expected another fault on another service".into(),
                );
            }
            other
        })
        .collect();
    if fault.is_false_alarm() && !other_faults.is_empty() {
        check.error(
            0..0,
            "other_faults",
            "a false alarm is the only fault of its scenario; expected no [[other_faults]]".into(),
        );
    }
    let fault_count = 1 + other_faults.len();
    let fault_service = fault.service.clone();

    // Symptoms and red herrings.
    let symptoms: Vec<Drift> = raw
        .symptoms
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let field = format!("symptoms[{i}]");
            let fault = check.fault_ref(&d.fault, &format!("{field}.fault"), fault_count);
            check.drift(
                &field,
                DriftParts {
                    service: &d.service,
                    metric: &d.metric,
                    delta: &d.delta,
                    cap: &d.cap,
                    onset: &d.onset,
                    shape: &d.shape,
                    period: &d.period,
                    instances: &d.instances,
                },
                &names,
                &services,
                fault,
            )
        })
        .collect();
    for f in 1..fault_count {
        if !symptoms.iter().any(|d| d.fault == f) {
            check.error(
                0..0,
                &format!("other_faults[{}]", f - 1),
                format!(
                    "expected at least one [[symptoms]] entry with fault = {}",
                    f + 1
                ),
            );
        }
    }
    if symptoms.is_empty() {
        check.error(
            0..0,
            "symptoms",
            "expected at least one [[symptoms]] entry".into(),
        );
    }
    let red_herrings: Vec<RedHerring> = raw
        .red_herrings
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let field = format!("red_herrings[{i}]");
            let drift = check.drift(
                &field,
                DriftParts {
                    service: &r.service,
                    metric: &r.metric,
                    delta: &r.delta,
                    cap: &r.cap,
                    onset: &r.onset,
                    shape: &r.shape,
                    period: &r.period,
                    instances: &r.instances,
                },
                &names,
                &services,
                0,
            );
            if drift.service == fault_service {
                check.error(
                    r.service.span(),
                    &format!("{field}.service"),
                    "a red herring must be a service other than the root cause".into(),
                );
            }
            let reason = check.text(&r.reason, &format!("{field}.reason"), 500);
            RedHerring { drift, reason }
        })
        .collect();

    // Logs.
    let logs: Vec<LogTemplate> = raw
        .logs
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let field = format!("logs[{i}]");
            let service = check.service_ref(&l.service, &format!("{field}.service"), &names);
            let level_name = check.one_of(&l.level, &format!("{field}.level"), &LogLevel::NAMES);
            let message = check.text(&l.message, &format!("{field}.message"), 500);
            let fields = l
                .fields
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        check.text(v, &format!("{field}.fields.{k}"), 200),
                    )
                })
                .collect();
            let level = LogLevel::from_name(&level_name).unwrap_or(LogLevel::Info);
            let fault = check.fault_ref(&l.fault, &format!("{field}.fault"), fault_count);
            // A warning on a service the fault reaches stops with the
            // fault; one elsewhere (a red herring's batch job) goes on.
            let reached = std::iter::once(&fault_service)
                .chain(other_faults.iter().map(|f| &f.service))
                .nth(fault)
                .is_some_and(|root| *root == service)
                || symptoms
                    .iter()
                    .any(|d| d.fault == fault && d.service == service);
            let when = match &l.when {
                Some(w) => {
                    LogWhen::from_name(&check.one_of(w, &format!("{field}.when"), &LogWhen::NAMES))
                        .unwrap_or(LogWhen::Always)
                }
                None if level >= LogLevel::Warn && (reached || l.fault.is_some()) => {
                    LogWhen::Incident
                }
                None => LogWhen::Always,
            };
            LogTemplate {
                service,
                level,
                when,
                fault,
                message,
                fields,
                from_step: check.integer(&l.from_step, &format!("{field}.from_step"), 0, 1000, 0)
                    as u32,
                every: check.integer(&l.every, &format!("{field}.every"), 1, 1000, 1) as u32,
            }
        })
        .collect();

    // Alerts.
    let mut alert_names = HashSet::new();
    let alerts: Vec<AlertRule> = raw
        .alerts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let field = format!("alerts[{i}]");
            let name = a.name.get_ref().clone();
            let valid_name = !name.is_empty()
                && name.len() <= 100
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_name {
                check.error(
                    a.name.span(),
                    &format!("{field}.name"),
                    format!("expected an alert name of letters, digits and '_' starting with a letter (e.g. CheckoutHighLatency), found {name:?}"),
                );
            } else if !alert_names.insert(name.clone()) {
                check.error(a.name.span(), &format!("{field}.name"), format!("duplicate alert {name:?}"));
            }
            let service = check.service_ref(&a.service, &format!("{field}.service"), &names);
            let metric = check.signal(&a.metric, &format!("{field}.metric"));
            let comparison = match &a.op {
                None => Comparison::Above,
                Some(op) => match op.get_ref().as_str() {
                    ">" => Comparison::Above,
                    "<" => Comparison::Below,
                    other => {
                        check.error(op.span(), &format!("{field}.op"), format!("expected \">\" or \"<\", found {other:?}"));
                        Comparison::Above
                    }
                },
            };
            let query = read_rule_query(check, a, &field, metric, step_seconds);
            let max = match query {
                RuleQuery::Increase { .. } => 1e12,
                _ => metric.max_value(),
            };
            let threshold = check.number(&a.threshold, &format!("{field}.threshold"), 0.0, max);
            let severity = check.one_of(&a.severity, &format!("{field}.severity"), &["critical", "warning", "info"]);
            AlertRule {
                name,
                service,
                metric,
                query,
                comparison,
                threshold,
                for_steps: check.integer(&a.for_steps, &format!("{field}.for_steps"), 0, 100, 0) as u32,
                severity,
                summary: check.text(&a.summary, &format!("{field}.summary"), 300),
            }
        })
        .collect();

    let alerts = with_default_alerts(alerts, &services);
    let slos = read_slos(check, &raw.slos, &services, &names);
    let injects = read_injects(check, &raw.injects, task);
    let hints = read_hints(check, &raw.hints);
    let alerts = with_slo_alerts(alerts, &slos);

    // Remediations.
    let remediations_span = raw.remediations.span();
    let remediations: Vec<Remediation> = raw
        .remediations
        .get_ref()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let field = format!("remediations[{i}]");
            let service = check.service_ref(&r.service, &format!("{field}.service"), &names);
            let kind = check.one_of(&r.kind, &format!("{field}.kind"), &REMEDIATION_KINDS);
            let recovery_steps = check.integer(&r.recovery_steps, &format!("{field}.recovery_steps"), 1, 20, 3) as u32;
            let effect = match &r.effect {
                Some(e) => check.text(e, &format!("{field}.effect"), 500),
                None => String::new(),
            };
            let worsens = match (&r.worsens, &r.amount) {
                (Some(metric), Some(amount)) => {
                    let signal = check.signal(metric, &format!("{field}.worsens"));
                    let max = signal.max_value();
                    Some((signal, check.number(amount, &format!("{field}.amount"), -max, max)))
                }
                (None, None) => None,
                (Some(metric), None) => {
                    check.error(metric.span(), &format!("{field}.amount"), "expected `amount` next to `worsens`".into());
                    None
                }
                (None, Some(amount)) => {
                    check.error(amount.span(), &format!("{field}.worsens"), "expected `worsens` (a metric) next to `amount`".into());
                    None
                }
            };
            if r.correct && (worsens.is_some() || r.effect.is_some()) {
                check.error(
                    r.kind.span(),
                    &field,
                    "a correct remediation takes `recovery_steps`, not `effect`, `worsens` or `amount`".into(),
                );
            }
            let harm = match &r.harm {
                Some(h) if r.correct => {
                    check.error(h.span(), &format!("{field}.harm"), "a correct remediation does no harm; `harm` is for wrong fixes".into());
                    Harm::default()
                }
                Some(h) => Harm::from_name(&check.one_of(h, &format!("{field}.harm"), &Harm::NAMES)).unwrap_or_default(),
                None => Harm::default(),
            };
            let outcome = match &r.outcome {
                Some(o) if !r.correct => {
                    check.error(o.span(), &format!("{field}.outcome"), "a wrong fix has no outcome; `outcome` (mitigate or resolve) is for correct remediations".into());
                    FixOutcome::default()
                }
                Some(o) => FixOutcome::from_name(&check.one_of(o, &format!("{field}.outcome"), &FixOutcome::NAMES)).unwrap_or_default(),
                None => FixOutcome::default(),
            };
            if !r.correct && r.effect.is_none() {
                check.error(
                    r.kind.span(),
                    &format!("{field}.effect"),
                    "expected `effect` describing what the wrong fix does".into(),
                );
            }
            let fault = check.fault_ref(&r.fault, &format!("{field}.fault"), fault_count);
            if r.fault.is_some() && !r.correct {
                check.error(
                    r.kind.span(),
                    &format!("{field}.fault"),
                    "`fault` is for a correct remediation (the fault it fixes); a wrong one harms whatever it touches".into(),
                );
            }
            Remediation {
                fault,
                service,
                kind,
                correct: r.correct,
                recovery_steps,
                effect,
                worsens,
                harm,
                outcome,
            }
        })
        .collect();
    if fault.is_false_alarm() {
        if remediations.iter().any(|r| r.correct) {
            check.error(
                remediations_span,
                "remediations",
                "a false alarm has nothing to fix; expected every remediation to be correct = false (the tempting ones)".into(),
            );
        }
    } else {
        for f in 0..fault_count {
            let of_fault = |r: &&Remediation| r.correct && r.fault == f;
            let which = if fault_count > 1 {
                format!(" for fault {}", f + 1)
            } else {
                String::new()
            };
            if !remediations.iter().filter(of_fault).any(|_| true) {
                check.error(
                    remediations_span.clone(),
                    "remediations",
                    format!("expected at least one remediation with correct = true{which}"),
                );
            } else if !remediations
                .iter()
                .filter(of_fault)
                .any(|r| r.outcome == FixOutcome::Resolve)
            {
                check.error(
                    remediations_span.clone(),
                    "remediations",
                    format!("expected at least one correct remediation that resolves (outcome = \"resolve\", the default){which}; every correct one only mitigates"),
                );
            }
        }
    }
    let mut seen = HashSet::new();
    for (i, r) in remediations.iter().enumerate() {
        if !seen.insert((r.service.clone(), r.kind.clone())) {
            let span = raw.remediations.get_ref()[i].kind.span();
            check.error(
                span,
                &format!("remediations[{i}]"),
                format!("duplicate remediation {} on {}", r.kind, r.service),
            );
        }
    }

    // Escalation and communication.
    let escalate_to: Vec<String> = raw
        .escalate_to
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let team = t.get_ref().clone();
            if !all_teams.contains(&team) {
                check.error(
                    t.span(),
                    &format!("escalate_to[{i}]"),
                    format!(
                        "unknown team {team:?}; expected a service's team or one of extra_teams: {}",
                        declared(&all_teams)
                    ),
                );
            }
            team
        })
        .collect();
    if escalate_to.is_empty() {
        check.error(
            0..0,
            "escalate_to",
            "expected at least one team to escalate to".into(),
        );
    }
    let raw_comm = raw.communication.into_inner();
    let channels: Vec<String> = raw_comm
        .channels
        .get_ref()
        .iter()
        .enumerate()
        .map(|(i, c)| check.one_of(c, &format!("communication.channels[{i}]"), &CHANNELS))
        .collect();
    if channels.is_empty() {
        check.error(
            raw_comm.channels.span(),
            "communication.channels",
            "expected at least one channel".into(),
        );
    }
    let phrases = |check: &mut Checker, list: &Option<S<Vec<S<String>>>>, field: &str| {
        list.as_ref().map(|list| {
            let items: Vec<String> = list
                .get_ref()
                .iter()
                .enumerate()
                .map(|(i, m)| check.text(m, &format!("{field}[{i}]"), 100).to_lowercase())
                .collect();
            if items.is_empty() {
                check.error(list.span(), field, "expected at least one phrase".into());
            }
            items
        })
    };
    let impact = phrases(check, &raw_comm.impact, "communication.impact");
    let must_mention =
        phrases(check, &raw_comm.must_mention, "communication.must_mention").unwrap_or_default();
    let impact = match impact {
        Some(impact) => impact,
        None => {
            let legacy: Vec<String> = must_mention
                .iter()
                .filter(|w| !super::status_update::is_status_word(w))
                .cloned()
                .collect();
            // An empty `must_mention` was reported above.
            let given_empty = raw_comm.must_mention.is_some() && must_mention.is_empty();
            if legacy.is_empty() && !given_empty {
                let span = raw_comm
                    .must_mention
                    .as_ref()
                    .map_or(raw_comm.channels.span(), |m| m.span());
                check.error(
                    span,
                    "communication.impact",
                    "expected `impact`: phrases naming what users experience (a journey or a feature); an update that says any one of them names the impact".into(),
                );
            }
            legacy
        }
    };

    let variation = match &raw.variation {
        None => Variation {
            delta_jitter: 0.15,
            baseline_jitter: 0.05,
        },
        Some(v) => Variation {
            delta_jitter: v
                .delta_jitter
                .as_ref()
                .map(|j| check.number(j, "variation.delta_jitter", 0.0, 0.5))
                .unwrap_or(0.15),
            baseline_jitter: v
                .baseline_jitter
                .as_ref()
                .map(|j| check.number(j, "variation.baseline_jitter", 0.0, 0.5))
                .unwrap_or(0.05),
        },
    };

    let began_steps_ago = match &raw.began_minutes_ago {
        None => 0,
        Some(m) => {
            let minutes = check.integer(&Some(m.clone()), "began_minutes_ago", 0, 1440, 0);
            (minutes * 60 / i64::from(step_seconds)) as u32
        }
    };
    let changes = read_changes(check, &raw.changes, &names);
    let business = read_business(check, &raw.business, &names, fault_count);
    let missing = read_missing(check, &raw.missing, &names, fault_count);

    Scenario {
        id,
        title,
        debrief_title,
        task,
        summary,
        services,
        extra_teams,
        fault,
        other_faults,
        symptoms,
        red_herrings,
        logs,
        alerts,
        severity,
        remediations,
        escalate_to,
        communication: Communication {
            channels,
            impact,
            must_mention,
        },
        variation,
        step_seconds,
        start_time,
        began_steps_ago,
        changes,
        business,
        missing,
        slos,
        injects,
        hints,
    }
}

/// The longest step budget: an inject after it could never arrive.
const LAST_INJECT_STEP: i64 = 19;

fn read_injects(check: &mut Checker, raw: &[RawInject], task: Task) -> Vec<Inject> {
    let budget = i64::from(task.step_budget());
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let field = format!("injects[{i}]");
            let step = check.integer(
                &Some(r.step.clone()),
                &format!("{field}.step"),
                1,
                (budget - 1).min(LAST_INJECT_STEP),
                1,
            );
            let from = check.one_of(&r.from, &format!("{field}.from"), &InjectSource::NAMES);
            let mut expects = Vec::new();
            for (j, part) in r.expects.get_ref().iter().enumerate() {
                let name = check.one_of(part, &format!("{field}.expects[{j}]"), &ReplyPart::NAMES);
                if let Some(part) = ReplyPart::from_name(&name) {
                    if !expects.contains(&part) {
                        expects.push(part);
                    }
                }
            }
            if r.expects.get_ref().is_empty() {
                check.error(
                    r.expects.span(),
                    &format!("{field}.expects"),
                    format!(
                        "expected at least one of {}: what a reply must say",
                        ReplyPart::NAMES.join(", ")
                    ),
                );
            }
            Inject {
                step: step as u32,
                from: InjectSource::from_name(&from).unwrap_or(InjectSource::Executive),
                message: check.text(&r.message, &format!("{field}.message"), 400),
                expects,
                respond_within: check.integer(
                    &r.respond_within,
                    &format!("{field}.respond_within"),
                    1,
                    10,
                    4,
                ) as u32,
            }
        })
        .collect()
}

fn read_hints(check: &mut Checker, raw: &[RawHint]) -> Vec<Hint> {
    if raw.len() > 5 {
        check.error(
            raw[5].text.span(),
            "hints[5]",
            format!("expected at most 5 hints, found {}", raw.len()),
        );
    }
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let field = format!("hints[{i}]");
            Hint {
                text: check.text(&r.text, &format!("{field}.text"), 400),
                cost: r
                    .cost
                    .as_ref()
                    .map(|c| check.number(c, &format!("{field}.cost"), 0.01, 0.25))
                    .unwrap_or(0.05),
            }
        })
        .collect()
}

/// Reads a `[fault]` or an `[[other_faults]]` entry.
fn read_fault(check: &mut Checker, raw: &RawFault, field: &str, names: &HashSet<String>) -> Fault {
    let service = check.service_ref(&raw.service, &format!("{field}.service"), names);
    let cause = check.name(&raw.cause, &format!("{field}.cause"));
    let description = check.text(&raw.description, &format!("{field}.description"), 2000);
    let mut keywords = Vec::new();
    for (i, k) in raw.keywords.get_ref().iter().enumerate() {
        keywords.push(
            check
                .text(k, &format!("{field}.keywords[{i}]"), 100)
                .to_lowercase(),
        );
    }
    if keywords.is_empty() {
        check.error(
            raw.keywords.span(),
            &format!("{field}.keywords"),
            "expected at least one diagnosis keyword".into(),
        );
    }
    let also_accept: Vec<String> = raw
        .also_accept
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let f = format!("{field}.also_accept[{i}]");
            let other = check.service_ref(name, &f, names);
            if other == service {
                check.error(
                    name.span(),
                    &f,
                    "names the fault's own service; expected another service a diagnosis may name"
                        .into(),
                );
            }
            other
        })
        .collect();
    let relevant: Vec<String> = raw
        .relevant
        .iter()
        .enumerate()
        .map(|(i, name)| check.service_ref(name, &format!("{field}.relevant[{i}]"), names))
        .collect();
    Fault {
        service,
        cause,
        description,
        keywords,
        also_accept,
        relevant,
    }
}

/// Whether `name` is a metric name a business signal may take.
fn is_metric_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The change timeline, sorted by time (file order among equal times).
fn read_changes(check: &mut Checker, raw: &[RawChange], names: &HashSet<String>) -> Vec<Change> {
    let mut changes: Vec<Change> = raw
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let field = format!("changes[{i}]");
            let kind_name = check.one_of(&c.kind, &format!("{field}.kind"), &ChangeKind::NAMES);
            let kind = ChangeKind::from_name(&kind_name).unwrap_or(ChangeKind::Infra);
            let optional = |check: &mut Checker, v: &Option<S<String>>, key: &str| {
                v.as_ref()
                    .map(|v| check.text(v, &format!("{field}.{key}"), 100))
                    .unwrap_or_default()
            };
            let version = optional(check, &c.version, "version");
            let previous_version = optional(check, &c.previous_version, "previous_version");
            let flag = match &c.flag {
                Some(f) => check.name(f, &format!("{field}.flag")),
                None => String::new(),
            };
            if kind == ChangeKind::Flag && flag.is_empty() {
                check.error(
                    c.kind.span(),
                    &format!("{field}.flag"),
                    "expected `flag` (the flag's name) on a change of kind \"flag\"".into(),
                );
            }
            if kind != ChangeKind::Flag && (c.flag.is_some() || c.enabled.is_some()) {
                check.error(
                    c.kind.span(),
                    &field,
                    "`flag` and `enabled` are for kind = \"flag\"".into(),
                );
            }
            if kind != ChangeKind::Deploy && (c.version.is_some() || c.previous_version.is_some()) {
                check.error(
                    c.kind.span(),
                    &field,
                    "`version` and `previous_version` are for kind = \"deploy\"".into(),
                );
            }
            Change {
                at_minute: check.integer(
                    &Some(c.at_minute.clone()),
                    &format!("{field}.at_minute"),
                    -10_080,
                    1_000,
                    0,
                ),
                service: check.service_ref(&c.service, &format!("{field}.service"), names),
                kind,
                author: check.text(&c.author, &format!("{field}.author"), 100),
                description: check.text(&c.description, &format!("{field}.description"), 300),
                version,
                previous_version,
                flag,
                enabled: c.enabled.unwrap_or(true),
            }
        })
        .collect();
    changes.sort_by_key(|c| c.at_minute);
    changes
}

fn read_business(
    check: &mut Checker,
    raw: &[RawBusiness],
    names: &HashSet<String>,
    faults: usize,
) -> Vec<BusinessSignal> {
    let mut seen = HashSet::new();
    raw.iter()
        .enumerate()
        .map(|(i, b)| {
            let field = format!("business[{i}]");
            let name = b.name.get_ref().clone();
            if !is_metric_name(&name) || METRIC_FAMILIES.contains(&name.as_str()) {
                check.error(
                    b.name.span(),
                    &format!("{field}.name"),
                    format!("expected a metric name of lower-case letters, digits and '_' (e.g. orders_per_minute), not one of the fleet's metrics; found {name:?}"),
                );
            } else if !seen.insert(name.clone()) {
                check.error(b.name.span(), &format!("{field}.name"), format!("duplicate business signal {name:?}"));
            }
            let delta = b
                .delta
                .as_ref()
                .map(|d| check.number(d, &format!("{field}.delta"), -1.0, 1.0))
                .unwrap_or(0.0);
            BusinessSignal {
                name,
                help: check.text(&b.help, &format!("{field}.help"), 200),
                baseline: check.number(&b.baseline, &format!("{field}.baseline"), 0.001, 1e9),
                follows: check.service_ref(&b.follows, &format!("{field}.follows"), names),
                sensitivity: b
                    .sensitivity
                    .as_ref()
                    .map(|v| check.number(v, &format!("{field}.sensitivity"), 0.0, 10.0))
                    .unwrap_or(1.0),
                delta,
                cap: b
                    .cap
                    .as_ref()
                    .map(|v| check.number(v, &format!("{field}.cap"), 0.0, 10.0))
                    .unwrap_or(if delta < 0.0 { 0.0 } else { 10.0 }),
                onset: check.integer(&b.onset, &format!("{field}.onset"), 0, 1000, 0) as u32,
                fault: check.fault_ref(&b.fault, &format!("{field}.fault"), faults),
            }
        })
        .collect()
}

fn read_missing(
    check: &mut Checker,
    raw: &[RawMissing],
    names: &HashSet<String>,
    faults: usize,
) -> Vec<MissingData> {
    raw.iter()
        .enumerate()
        .map(|(i, m)| {
            let field = format!("missing[{i}]");
            let metrics = m
                .metrics
                .iter()
                .enumerate()
                .map(|(j, name)| {
                    let f = format!("{field}.metrics[{j}]");
                    if name.get_ref() == "up" {
                        check.error(name.span(), &f, "`up` never goes absent: Prometheus writes it for every target (0 when the scrape fails); leave `metrics` out to lose the whole target".into());
                    }
                    check.one_of(name, &f, &METRIC_FAMILIES)
                })
                .collect();
            let until_fixed = m.until_fixed.unwrap_or(true);
            if !until_fixed && m.fault.is_some() {
                check.error(
                    m.service.span(),
                    &format!("{field}.fault"),
                    "`fault` says whose fix brings the data back; with until_fixed = false nothing does".into(),
                );
            }
            let fault = check.fault_ref(&m.fault, &format!("{field}.fault"), faults);
            MissingData {
                service: check.service_ref(&m.service, &format!("{field}.service"), names),
                metrics,
                from_step: check.integer(&m.from_step, &format!("{field}.from_step"), 0, 1000, 0) as u32,
                until_fixed: until_fixed.then_some(fault),
            }
        })
        .collect()
}

/// `orders-db` → `OrdersDb`.
/// Whether a service or team name is well formed: 1 to 64
/// characters, lower-case letters, digits, '-' or '_', starting with a letter.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
}

/// The declared names an unknown reference could have meant, sorted: the
/// well-formed ones only (a malformed one has its own error, and may hold a
/// line break that would split this message, found by fuzzing).
fn declared(names: &HashSet<String>) -> String {
    let mut known: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| is_name(n))
        .collect();
    known.sort_unstable();
    known.join(", ")
}

/// A window written as a number and a unit (`30s`, `5m`, `1h`, `1d`), seconds.
fn parse_window(text: &str) -> Option<u32> {
    let unit = text.chars().last()?;
    let number: u32 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let scale = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        _ => return None,
    };
    number.checked_mul(scale)
}

/// A window as PromQL writes it: `30s`, `5m`, `1h`, `1d`.
pub fn window_text(seconds: u32) -> String {
    for (scale, unit) in [(86400, 'd'), (3600, 'h'), (60, 'm')] {
        if seconds >= scale && seconds.is_multiple_of(scale) {
            return format!("{}{unit}", seconds / scale);
        }
    }
    format!("{seconds}s")
}

/// The signals `function = "rate"` computes from the raw series.
const RATE_SIGNALS: [Signal; 4] = [
    Signal::ErrorRatio,
    Signal::RequestsPerSecond,
    Signal::LatencyP50Seconds,
    Signal::LatencyP99Seconds,
];

/// An alert's `function` and `window`: what it computes before comparing.
fn read_rule_query(
    check: &mut Checker,
    a: &RawAlert,
    field: &str,
    metric: Signal,
    step_seconds: u32,
) -> RuleQuery {
    let Some(function) = &a.function else {
        if let Some(window) = &a.window {
            check.error(
                window.span(),
                &format!("{field}.window"),
                "a window needs a function: avg_over_time, max_over_time, min_over_time, rate or increase".into(),
            );
        }
        return RuleQuery::Gauge;
    };
    let name = function.get_ref().as_str();
    let window_seconds = match &a.window {
        None => {
            check.error(
                function.span(),
                &format!("{field}.window"),
                format!("function {name:?} needs a window, e.g. window = \"5m\""),
            );
            300
        }
        Some(window) => match parse_window(window.get_ref()) {
            Some(seconds) if seconds >= 2 * step_seconds && seconds <= 3 * 86400 => seconds,
            _ => {
                check.error(
                    window.span(),
                    &format!("{field}.window"),
                    format!(
                        "expected a window such as \"5m\" (a number and s, m, h or d) from {} to 3d, found {:?}",
                        window_text(2 * step_seconds),
                        window.get_ref()
                    ),
                );
                300
            }
        },
    };
    let query = match name {
        "avg_over_time" => RuleQuery::OverTime {
            over: OverTime::Avg,
            window_seconds,
        },
        "max_over_time" => RuleQuery::OverTime {
            over: OverTime::Max,
            window_seconds,
        },
        "min_over_time" => RuleQuery::OverTime {
            over: OverTime::Min,
            window_seconds,
        },
        "rate" => RuleQuery::Rate { window_seconds },
        "increase" => RuleQuery::Increase { window_seconds },
        other => {
            check.error(
                function.span(),
                &format!("{field}.function"),
                format!("unknown function {other:?}; expected avg_over_time, max_over_time, min_over_time, rate or increase"),
            );
            return RuleQuery::Gauge;
        }
    };
    let allowed: &[Signal] = match query {
        RuleQuery::Rate { .. } => &RATE_SIGNALS,
        RuleQuery::Increase { .. } => &[Signal::ErrorRatio, Signal::RequestsPerSecond],
        _ => &Signal::ALL,
    };
    if !allowed.contains(&metric) {
        let names: Vec<&str> = allowed.iter().map(|s| s.name()).collect();
        check.error(
            a.metric.span(),
            &format!("{field}.metric"),
            format!(
                "function {name:?} works on {}; found {:?}",
                names.join(", "),
                metric.name()
            ),
        );
    }
    query
}

/// The availability objectives a default SLO picks from, tightest first.
const AVAILABILITY_OBJECTIVES: [f64; 8] = [0.9999, 0.9995, 0.999, 0.995, 0.99, 0.98, 0.95, 0.9];

/// The default SLOs of a service, both over 28 days: the tightest of
/// [`AVAILABILITY_OBJECTIVES`] whose error budget is at least 2.5 times
/// its healthy error ratio (a healthy service burns at most 0.4× its
/// budget, so that no burn-rate alert fires on a quiet day); 99% of
/// requests faster than the first histogram bound at least 2.5 times its
/// healthy p99 latency.
fn default_slos(service: &Service) -> [SloSpec; 2] {
    let healthy_errors = service.baseline[Signal::ErrorRatio];
    let availability = AVAILABILITY_OBJECTIVES
        .iter()
        .copied()
        .find(|o| 1.0 - o >= 2.5 * healthy_errors)
        .unwrap_or(AVAILABILITY_OBJECTIVES[AVAILABILITY_OBJECTIVES.len() - 1]);
    let threshold = LATENCY_BUCKETS
        .iter()
        .copied()
        .find(|le| *le >= 2.5 * service.baseline[Signal::LatencyP99Seconds])
        .unwrap_or(LATENCY_BUCKETS[LATENCY_BUCKETS.len() - 1]);
    [
        SloSpec {
            service: service.name.clone(),
            kind: SloKind::Availability,
            objective: availability,
            threshold_seconds: None,
            window_days: 28,
        },
        SloSpec {
            service: service.name.clone(),
            kind: SloKind::Latency,
            objective: 0.99,
            threshold_seconds: Some(threshold),
            window_days: 28,
        },
    ]
}

/// The SLOs of every service, in service order (availability, then
/// latency): the defaults, with what `[[slos]]` sets.
fn read_slos(
    check: &mut Checker,
    raw: &[RawSlo],
    services: &[Service],
    names: &HashSet<String>,
) -> Vec<SloSpec> {
    let mut slos: Vec<SloSpec> = services.iter().flat_map(default_slos).collect();
    let mut seen = HashSet::new();
    for (i, r) in raw.iter().enumerate() {
        let field = format!("slos[{i}]");
        let service = check.service_ref(&r.service, &format!("{field}.service"), names);
        let kind = match r.kind.get_ref().as_str() {
            "availability" => SloKind::Availability,
            "latency" => SloKind::Latency,
            other => {
                check.error(
                    r.kind.span(),
                    &format!("{field}.kind"),
                    format!("unknown kind {other:?}; expected availability or latency"),
                );
                continue;
            }
        };
        if !seen.insert((service.clone(), kind)) {
            check.error(
                r.service.span(),
                &format!("{field}.service"),
                format!("a second {} SLO of {service:?}", kind.name()),
            );
            continue;
        }
        let Some(slo) = slos
            .iter_mut()
            .find(|s| s.service == service && s.kind == kind)
        else {
            continue;
        };
        if let Some(objective) = &r.objective {
            slo.objective = check.number(objective, &format!("{field}.objective"), 0.5, 0.99999);
        }
        if let Some(days) = &r.window_days {
            slo.window_days = check.integer(
                &Some(days.clone()),
                &format!("{field}.window_days"),
                1,
                90,
                28,
            ) as u32;
        }
        match (&r.threshold_seconds, kind) {
            (Some(t), SloKind::Latency) => {
                let value = *t.get_ref();
                if LATENCY_BUCKETS.contains(&value) {
                    slo.threshold_seconds = Some(value);
                } else {
                    let bounds: Vec<String> =
                        LATENCY_BUCKETS.iter().map(|b| b.to_string()).collect();
                    check.error(
                        t.span(),
                        &format!("{field}.threshold_seconds"),
                        format!(
                            "expected a bound of the latency histogram ({}), found {value}",
                            bounds.join(", ")
                        ),
                    );
                }
            }
            (Some(t), SloKind::Availability) => check.error(
                t.span(),
                &format!("{field}.threshold_seconds"),
                "an availability SLO has no latency threshold; set it on kind = \"latency\"".into(),
            ),
            (None, _) => {}
        }
    }
    slos
}

/// Adds each SLO's multi-window, multi-burn-rate alerts:
/// `<Service><Kind>FastBurn` (a page: critical) and
/// `<Service><Kind>SlowBurn` (a ticket: warning), unless the scenario
/// already has a rule of that name.
fn with_slo_alerts(mut alerts: Vec<AlertRule>, slos: &[SloSpec]) -> Vec<AlertRule> {
    for (index, slo) in slos.iter().enumerate() {
        let kind = match slo.kind {
            SloKind::Availability => "Availability",
            SloKind::Latency => "Latency",
        };
        let metric = match slo.kind {
            SloKind::Availability => Signal::ErrorRatio,
            SloKind::Latency => Signal::LatencyP99Seconds,
        };
        let objective = (slo.objective * 100.0 * 1e6).round() / 1e6;
        let what = match slo.threshold_seconds {
            None => format!("{objective}% availability"),
            Some(t) => format!("{objective}% of requests under {t} s"),
        };
        for (page, suffix, severity, pace) in [
            (true, "FastBurn", "critical", "2% of its"),
            (false, "SlowBurn", "warning", "10% of its"),
        ] {
            let name = format!("{}{kind}{suffix}", camel(&slo.service));
            if alerts.iter().any(|a| a.name == name) {
                continue;
            }
            let window = if page { "an hour" } else { "a day" };
            // The bad fraction the first condition's windows must pass.
            let threshold = slo.burn_conditions(page)[0].factor * slo.error_budget();
            alerts.push(AlertRule {
                name,
                service: slo.service.clone(),
                metric,
                query: RuleQuery::BurnRate { slo: index, page },
                comparison: Comparison::Above,
                threshold,
                for_steps: 0,
                severity: severity.to_string(),
                summary: format!(
                    "{} is burning the error budget of its {what} SLO fast enough to spend {pace} {}-day budget in {window}",
                    slo.service, slo.window_days
                ),
            });
        }
    }
    alerts
}

fn camel(name: &str) -> String {
    name.split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Latency thresholds a default alert rule picks from: the first at least
/// [`LATENCY_ALERT_FACTOR`] times the service's healthy p99.
const LATENCY_ALERT_THRESHOLDS_SECONDS: [f64; 21] = [
    0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0, 15.0,
    20.0, 30.0, 60.0,
];
/// How far above its healthy p99 a service's p99 latency must be for the
/// default latency alert.
const LATENCY_ALERT_FACTOR: f64 = 3.0;

/// The default latency alert threshold of a service whose healthy p99
/// latency is `baseline_p99_seconds`: a round number of seconds.
fn latency_alert_threshold(baseline_p99_seconds: f64) -> f64 {
    let wanted = LATENCY_ALERT_FACTOR * baseline_p99_seconds;
    LATENCY_ALERT_THRESHOLDS_SECONDS
        .iter()
        .copied()
        .find(|t| *t >= wanted)
        .unwrap_or(LATENCY_ALERT_THRESHOLDS_SECONDS[LATENCY_ALERT_THRESHOLDS_SECONDS.len() - 1])
}

/// Adds the default rules every service gets unless the scenario already
/// watches that signal of it: `<Service>Down` (up < 0.5, critical),
/// `<Service>HighErrorRatio` (error ratio > 5% for one step, warning) and
/// `<Service>HighLatency` (p99 latency above a round threshold at least
/// three times its healthy p99, for two steps, warning).
fn with_default_alerts(mut alerts: Vec<AlertRule>, services: &[Service]) -> Vec<AlertRule> {
    for service in services {
        let latency_threshold =
            latency_alert_threshold(service.baseline[Signal::LatencyP99Seconds]);
        let defaults = [
            (
                Signal::Up,
                Comparison::Below,
                0.5,
                0,
                "critical",
                "Down",
                format!("{} is not answering its health check", service.name),
            ),
            (
                Signal::ErrorRatio,
                Comparison::Above,
                0.05,
                1,
                "warning",
                "HighErrorRatio",
                format!(
                    "{} answers more than 5% of requests with errors",
                    service.name
                ),
            ),
            (
                Signal::LatencyP99Seconds,
                Comparison::Above,
                latency_threshold,
                2,
                "warning",
                "HighLatency",
                format!(
                    "{} answers 1% of requests slower than {latency_threshold} s",
                    service.name
                ),
            ),
        ];
        for (metric, comparison, threshold, for_steps, severity, suffix, summary) in defaults {
            let name = format!("{}{suffix}", camel(&service.name));
            let watched = alerts
                .iter()
                .any(|a| a.service == service.name && a.metric == metric);
            if watched || alerts.iter().any(|a| a.name == name) {
                continue;
            }
            alerts.push(AlertRule {
                name,
                service: service.name.clone(),
                metric,
                query: RuleQuery::Gauge,
                comparison,
                threshold,
                for_steps,
                severity: severity.to_string(),
                summary,
            });
        }
    }
    alerts
}

/// Finds a dependency cycle, returned as the service names along it
/// (first name repeated at the end), or `None`.
fn find_cycle(services: &[Service]) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let index = |name: &str| services.iter().position(|s| s.name == name);
    let mut marks = vec![Mark::New; services.len()];
    for start in 0..services.len() {
        if marks[start] != Mark::New {
            continue;
        }
        // Iterative depth-first search: (node, next edge to follow).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        marks[start] = Mark::Active;
        while let Some(&mut (node, ref mut edge)) = stack.last_mut() {
            let deps = &services[node].depends_on;
            if *edge < deps.len() {
                let next = index(&deps[*edge]);
                *edge += 1;
                if let Some(next) = next {
                    match marks[next] {
                        Mark::New => {
                            marks[next] = Mark::Active;
                            stack.push((next, 0));
                        }
                        Mark::Active => {
                            let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                            let mut cycle: Vec<String> = stack[from..]
                                .iter()
                                .map(|(n, _)| services[*n].name.clone())
                                .collect();
                            cycle.push(services[next].name.clone());
                            return Some(cycle);
                        }
                        Mark::Done => {}
                    }
                }
            } else {
                marks[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    None
}
