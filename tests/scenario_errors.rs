//! Scenario validation errors: behaviours pinned as a table of cases (the
//! model is the PromQL error table of `promql.rs`).
//!
//! Every case is the small valid scenario [`BASE`] with one part replaced,
//! removed or added, and the exact list of errors the loader renders for
//! it, `file:line:col: field: message`, as `firedrill check` prints them.
//! Line numbers are those of `BASE` (an edit inside one line keeps them).

use firedrill::scenario::{parse, MAX_SCENARIO_BYTES};

/// The file name the cases are parsed under.
const FILE: &str = "case.toml";

/// A small valid scenario with every section once: each case edits one part.
const BASE: &str = r#"id = "checkout-pool-v1"
title = "Checkout failing: orders database pool exhausted"
task = "root_cause_analysis"
summary = "Since 09:00 checkout spins and fails for about a third of customers."
severity = "P2"
step_seconds = 30
start_time = 1768467600
extra_teams = ["incident-command"]
escalate_to = ["data"]

[[services]]
name = "web"
team = "storefront"
kind = "gateway"
depends_on = ["checkout"]

[[services]]
name = "checkout"
team = "payments"
depends_on = ["orders-db"]
baseline = { requests_per_second = 50, latency_p99_seconds = 0.4 }

[[services]]
name = "orders-db"
team = "data"
kind = "database"

[fault]
service = "orders-db"
cause = "connection_pool_exhaustion"
description = "A batch job holds every pooled connection; checkout waits for one."
keywords = ["connection pool", "pool exhausted"]

[[symptoms]]
service = "orders-db"
metric = "saturation_ratio"
delta = 0.1
cap = 1.0
onset = 0

[[red_herrings]]
service = "web"
metric = "cpu_ratio"
delta = 0.05
cap = 0.9
onset = 1
reason = "The storefront warms its template cache after a deploy."

[[logs]]
service = "orders-db"
level = "error"
message = "FATAL: sorry, too many clients already"
fields = { pool = "orders" }
from_step = 1
every = 2

[[alerts]]
name = "OrdersDbPoolSaturated"
service = "orders-db"
metric = "saturation_ratio"
op = ">"
threshold = 0.9
for_steps = 1
severity = "critical"
summary = "orders-db connection pool more than 90% in use"

[[remediations]]
service = "orders-db"
kind = "config_change"
correct = true
recovery_steps = 3

[[remediations]]
service = "checkout"
kind = "scale"
correct = false
effect = "More checkout replicas wait for the same connections."
worsens = "cpu_ratio"
amount = 0.1

[communication]
channels = ["status_page", "slack"]
must_mention = ["checkout", "investigating"]

[variation]
delta_jitter = 0.1
baseline_jitter = 0.05
"#;

/// `BASE` with the one occurrence of `from` replaced by `to`.
fn replaced(from: &str, to: &str) -> String {
    assert_eq!(
        BASE.matches(from).count(),
        1,
        "{from:?} must occur exactly once in BASE"
    );
    BASE.replacen(from, to, 1)
}

/// `BASE` without the one occurrence of `part`.
fn removed(part: &str) -> String {
    replaced(part, "")
}

/// `BASE` with `text` added at the end.
fn appended(text: &str) -> String {
    format!("{BASE}{text}")
}

/// `BASE` padded with a comment line to `bytes` bytes.
fn padded_to(bytes: usize) -> String {
    let padding = bytes - BASE.len() - "#\n".len();
    let text = format!("{BASE}#{}\n", "x".repeat(padding));
    assert_eq!(text.len(), bytes);
    text
}

/// The text of `BASE` from `start` (included) to `end` (excluded).
fn section(start: &str, end: &str) -> &'static str {
    let from = BASE.find(start).expect("start in BASE");
    let to = from + BASE[from..].find(end).expect("end in BASE");
    &BASE[from..to]
}

/// `BASE` with `services = []` instead of its `[[services]]`.
fn no_services() -> String {
    removed(section("[[services]]", "[fault]")).replacen(
        "escalate_to",
        "services = []\nescalate_to",
        1,
    )
}

/// `BASE` with 38 more services: 41 in all.
fn forty_one_services() -> String {
    let more: String = (1..=38)
        .map(|i| format!("\n[[services]]\nname = \"replica-{i}\"\nteam = \"data\"\n"))
        .collect();
    appended(&more)
}

struct Case {
    /// The behaviour the case pins, named so that a failure says what broke.
    name: &'static str,
    input: String,
    /// Every error, rendered and in order.
    expected: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    vec![
        // ---- Pass 1: TOML syntax, shape, size (one error, no field path) ----
        Case {
            name: "syntax: an unterminated string",
            input: replaced(r#"severity = "P2""#, r#"severity = "P2"#),
            expected: &[
                r#"case.toml:5:15: invalid basic string, expected `"`"#,
            ],
        },
        Case {
            name: "syntax: a key given twice",
            input: replaced("step_seconds = 30\n", "step_seconds = 30\nstep_seconds = 60\n"),
            expected: &[
                "case.toml:7:1: duplicate key",
            ],
        },
        Case {
            name: "syntax: a control character in a comment",
            input: replaced("[fault]\n", "[fault] # bell \u{7}\n"),
            expected: &[
                "case.toml:28:16: invalid comment character, expected printable characters",
            ],
        },
        Case {
            name: "shape: an unknown top-level key",
            input: replaced("severity = \"P2\"\n", "severity = \"P2\"\nowner = \"sre\"\n"),
            expected: &[
                "case.toml:6:1: unknown field `owner`, expected one of `id`, `title`, `debrief_title`, `task`, `summary`, `severity`, `step_seconds`, `start_time`, `extra_teams`, `escalate_to`, `services`, `fault`, `symptoms`, `red_herrings`, `logs`, `alerts`, `remediations`, `communication`, `variation`, `began_minutes_ago`, `zones`, `other_faults`, `changes`, `business`, `missing`, `slos`, `injects`, `hints`",
            ],
        },
        Case {
            name: "shape: a top-level key written after a table belongs to that table",
            input: appended("step_seconds = 15\n"),
            expected: &[
                "case.toml:88:1: unknown field `step_seconds`, expected `delta_jitter` or `baseline_jitter`",
            ],
        },
        Case {
            name: "shape: an unknown key in a service",
            input: replaced("kind = \"database\"\n", "kind = \"database\"\nowner = \"dba\"\n"),
            expected: &[
                "case.toml:27:1: unknown field `owner`, expected one of `name`, `team`, `kind`, `depends_on`, `baseline`, `instances`",
            ],
        },
        Case {
            name: "shape: a misspelt key in an alert",
            input: replaced("threshold = 0.9", "treshold = 0.9"),
            expected: &[
                "case.toml:62:1: unknown field `treshold`, expected one of `name`, `service`, `metric`, `op`, `threshold`, `for_steps`, `function`, `window`, `severity`, `summary`",
            ],
        },
        Case {
            name: "shape: a required top-level key missing (title)",
            input: removed("title = \"Checkout failing: orders database pool exhausted\"\n"),
            expected: &[
                "case.toml:1:1: missing field `title`",
            ],
        },
        Case {
            name: "shape: a required table missing (communication)",
            input: removed(section("[communication]", "[variation]")),
            expected: &[
                "case.toml:1:1: missing field `communication`",
            ],
        },
        Case {
            name: "shape: a remediation without `correct`",
            input: removed("correct = true\n"),
            expected: &[
                "case.toml:67:1: missing field `correct`",
            ],
        },
        Case {
            name: "type: severity as a number",
            input: replaced(r#"severity = "P2""#, "severity = 2"),
            expected: &[
                "case.toml:5:12: invalid type: integer `2`, expected a string",
            ],
        },
        Case {
            name: "type: a fractional step_seconds",
            input: replaced("step_seconds = 30", "step_seconds = 30.5"),
            expected: &[
                "case.toml:6:16: invalid type: floating point `30.5`, expected i64",
            ],
        },
        Case {
            name: "type: depends_on as a string instead of a list",
            input: replaced(r#"depends_on = ["orders-db"]"#, r#"depends_on = "orders-db""#),
            expected: &[
                r#"case.toml:20:14: invalid type: string "orders-db", expected a sequence"#,
            ],
        },
        Case {
            name: "type: a log field value as a number",
            input: replaced(r#"fields = { pool = "orders" }"#, "fields = { pool = 5 }"),
            expected: &[
                "case.toml:53:19: invalid type: integer `5`, expected a string",
            ],
        },
        Case {
            name: "type: services as one table instead of an array of tables",
            input: replaced(
                section("[[services]]", "[fault]"),
                "[services]\nname = \"orders-db\"\nteam = \"data\"\n\n",
            ),
            expected: &[
                "case.toml:11:1: invalid type: map, expected a sequence",
            ],
        },
        Case {
            name: "size: one byte over the limit",
            input: padded_to(MAX_SCENARIO_BYTES + 1),
            expected: &[
                "case.toml:1:1: file is 262145 bytes; expected at most 262144 bytes",
            ],
        },
        // ---- Pass 2, top-level keys -------------------------------------------
        Case {
            name: "id: upper-case letters are not a name",
            input: replaced(r#"id = "checkout-pool-v1""#, r#"id = "Checkout-Pool-V1""#),
            expected: &[
                r#"case.toml:1:6: id: expected a name of 1 to 64 characters: lower-case letters, digits, '-' or '_', starting with a letter; found "Checkout-Pool-V1""#,
            ],
        },
        Case {
            name: "title: blank is empty",
            input: replaced(r#"title = "Checkout failing: orders database pool exhausted""#, r#"title = "   ""#),
            expected: &[
                "case.toml:2:9: title: expected a non-empty string",
            ],
        },
        Case {
            name: "title: more than 200 characters",
            input: replaced(r#"title = "Checkout failing: orders database pool exhausted""#, &format!(r#"title = "{}""#, "x".repeat(201))),
            expected: &[
                "case.toml:2:9: title: expected at most 200 characters",
            ],
        },
        Case {
            name: "task: an unknown task",
            input: replaced(r#"task = "root_cause_analysis""#, r#"task = "root_cause""#),
            expected: &[
                r#"case.toml:3:8: task: unknown task "root_cause"; expected one of severity_classification, root_cause_analysis, full_incident_management"#,
            ],
        },
        Case {
            name: "severity: not P1 to P4",
            input: replaced(r#"severity = "P2""#, r#"severity = "SEV2""#),
            expected: &[
                r#"case.toml:5:12: severity: expected P1, P2, P3 or P4, found "SEV2""#,
            ],
        },
        Case {
            name: "start_time: in milliseconds is out of range",
            input: replaced("start_time = 1768467600", "start_time = 1768467600000"),
            expected: &[
                "case.toml:7:14: start_time: expected an integer from 946684800 to 4102444800, found 1768467600000",
            ],
        },
        Case {
            name: "extra_teams: a malformed team name",
            input: replaced(r#"extra_teams = ["incident-command"]"#, r#"extra_teams = ["incident-command", "Incident Command"]"#),
            expected: &[
                r#"case.toml:8:36: extra_teams[1]: expected a name of 1 to 64 characters: lower-case letters, digits, '-' or '_', starting with a letter; found "Incident Command""#,
            ],
        },
        // ---- Services and the dependency graph --------------------------------
        Case {
            name: "services: none at all",
            input: no_services(),
            expected: &[
                "case.toml:1:1: services: expected 1 to 40 [[services]], found 0",
                r#"case.toml:10:16: escalate_to[0]: unknown team "data"; expected a service's team or one of extra_teams: incident-command"#,
                r#"case.toml:13:11: fault.service: unknown service "orders-db"; expected one of the services declared in [[services]]: "#,
                r#"case.toml:19:11: symptoms[0].service: unknown service "orders-db"; expected one of the services declared in [[services]]: "#,
                r#"case.toml:26:11: red_herrings[0].service: unknown service "web"; expected one of the services declared in [[services]]: "#,
                r#"case.toml:34:11: logs[0].service: unknown service "orders-db"; expected one of the services declared in [[services]]: "#,
                r#"case.toml:43:11: alerts[0].service: unknown service "orders-db"; expected one of the services declared in [[services]]: "#,
                r#"case.toml:52:11: remediations[0].service: unknown service "orders-db"; expected one of the services declared in [[services]]: "#,
                r#"case.toml:58:11: remediations[1].service: unknown service "checkout"; expected one of the services declared in [[services]]: "#,
            ],
        },
        Case {
            name: "services: more than 40",
            input: forty_one_services(),
            expected: &[
                "case.toml:1:1: services: expected 1 to 40 [[services]], found 41",
            ],
        },
        Case {
            name: "services: a malformed name",
            input: appended("\n[[services]]\nname = \"Replica 1\"\nteam = \"data\"\n"),
            expected: &[
                r#"case.toml:90:8: services[3].name: expected a name of 1 to 64 characters: lower-case letters, digits, '-' or '_', starting with a letter; found "Replica 1""#,
            ],
        },
        Case {
            name: "services: a name declared twice",
            input: appended("\n[[services]]\nname = \"checkout\"\nteam = \"data\"\n"),
            expected: &[
                r#"case.toml:90:8: services[3].name: duplicate service "checkout"; expected every service name once"#,
            ],
        },
        Case {
            name: "services: a malformed team",
            input: replaced(r#"team = "payments""#, r#"team = "Payments""#),
            expected: &[
                r#"case.toml:19:8: services[1].team: expected a name of 1 to 64 characters: lower-case letters, digits, '-' or '_', starting with a letter; found "Payments""#,
            ],
        },
        Case {
            name: "services: an unknown kind",
            input: replaced(r#"kind = "database""#, r#"kind = "db""#),
            expected: &[
                r#"case.toml:26:8: services[2].kind: unknown value "db"; expected one of service, database, cache, queue, gateway, external, infrastructure"#,
            ],
        },
        Case {
            name: "depends_on: an undeclared service",
            input: replaced(r#"depends_on = ["orders-db"]"#, r#"depends_on = ["orders-db", "payments-api"]"#),
            expected: &[
                r#"case.toml:20:28: services[1].depends_on[1]: unknown service "payments-api"; expected one of the services declared in [[services]]: checkout, orders-db, web"#,
            ],
        },
        Case {
            name: "depends_on: a service on itself",
            input: replaced(r#"depends_on = ["orders-db"]"#, r#"depends_on = ["orders-db", "checkout"]"#),
            expected: &[
                "case.toml:18:8: services.depends_on: dependency cycle checkout -> checkout; expected the dependencies to form a graph without cycles",
                "case.toml:20:28: services[1].depends_on[1]: a service cannot depend on itself",
            ],
        },
        Case {
            name: "depends_on: the same service twice",
            input: replaced(r#"depends_on = ["orders-db"]"#, r#"depends_on = ["orders-db", "orders-db"]"#),
            expected: &[
                r#"case.toml:20:28: services[1].depends_on[1]: duplicate dependency "orders-db""#,
            ],
        },
        Case {
            name: "depends_on: a cycle through three services",
            input: replaced("kind = \"database\"\n", "kind = \"database\"\ndepends_on = [\"web\"]\n"),
            expected: &[
                "case.toml:12:8: services.depends_on: dependency cycle web -> checkout -> orders-db -> web; expected the dependencies to form a graph without cycles",
            ],
        },
        Case {
            name: "baseline: an unknown signal",
            input: replaced("requests_per_second = 50", "rps = 50"),
            expected: &[
                r#"case.toml:21:20: services[1].baseline.rps: unknown metric "rps"; expected one of latency_p50_seconds, latency_p99_seconds, error_ratio, requests_per_second, cpu_ratio, memory_ratio, saturation_ratio, queue_depth, up"#,
            ],
        },
        Case {
            name: "baseline: a ratio above 1",
            input: replaced("requests_per_second = 50", "requests_per_second = 50, error_ratio = 1.5"),
            expected: &[
                "case.toml:21:54: services[1].baseline.error_ratio: expected a number from 0 to 1, found 1.5",
            ],
        },
        // ---- Fault ---------------------------------------------------------------
        Case {
            name: "fault.service: an undeclared service",
            input: replaced("[fault]\nservice = \"orders-db\"", "[fault]\nservice = \"orders-database\""),
            expected: &[
                r#"case.toml:29:11: fault.service: unknown service "orders-database"; expected one of the services declared in [[services]]: checkout, orders-db, web"#,
            ],
        },
        Case {
            name: "fault.cause: not a name",
            input: replaced(r#"cause = "connection_pool_exhaustion""#, r#"cause = "Connection pool exhaustion""#),
            expected: &[
                r#"case.toml:30:9: fault.cause: expected a name of 1 to 64 characters: lower-case letters, digits, '-' or '_', starting with a letter; found "Connection pool exhaustion""#,
            ],
        },
        Case {
            name: "fault.keywords: none",
            input: replaced(r#"keywords = ["connection pool", "pool exhausted"]"#, "keywords = []"),
            expected: &[
                "case.toml:32:12: fault.keywords: expected at least one diagnosis keyword",
            ],
        },
        // ---- Symptoms and red herrings -----------------------------------------
        Case {
            name: "symptoms: none",
            input: removed(section("[[symptoms]]", "[[red_herrings]]")),
            expected: &[
                "case.toml:1:1: symptoms: expected at least one [[symptoms]] entry",
            ],
        },
        Case {
            name: "symptoms: an unknown metric",
            input: replaced("metric = \"saturation_ratio\"\ndelta", "metric = \"pool_usage\"\ndelta"),
            expected: &[
                r#"case.toml:36:10: symptoms[0].metric: unknown metric "pool_usage"; expected one of latency_p50_seconds, latency_p99_seconds, error_ratio, requests_per_second, cpu_ratio, memory_ratio, saturation_ratio, queue_depth, up"#,
            ],
        },
        Case {
            name: "symptoms: a zero delta",
            input: replaced("delta = 0.1\n", "delta = 0.0\n"),
            expected: &[
                "case.toml:37:9: symptoms[0].delta: expected a non-zero change per step",
            ],
        },
        Case {
            name: "symptoms: a delta beyond the signal's range",
            input: replaced("delta = 0.1\n", "delta = 1.5\n"),
            expected: &[
                "case.toml:37:9: symptoms[0].delta: expected a number from -1 to 1, found 1.5",
            ],
        },
        Case {
            name: "symptoms: a negative cap",
            input: replaced("cap = 1.0", "cap = -0.5"),
            expected: &[
                "case.toml:38:7: symptoms[0].cap: expected a number from 0 to 1, found -0.5",
            ],
        },
        Case {
            name: "symptoms: an onset past 1000 steps",
            input: replaced("onset = 0", "onset = 1001"),
            expected: &[
                "case.toml:39:9: symptoms[0].onset: expected an integer from 0 to 1000, found 1001",
            ],
        },
        Case {
            name: "red_herrings: on the root-cause service",
            input: replaced("[[red_herrings]]\nservice = \"web\"", "[[red_herrings]]\nservice = \"orders-db\""),
            expected: &[
                "case.toml:42:11: red_herrings[0].service: a red herring must be a service other than the root cause",
            ],
        },
        Case {
            name: "red_herrings: an empty reason",
            input: replaced(r#"reason = "The storefront warms its template cache after a deploy.""#, r#"reason = """#),
            expected: &[
                "case.toml:47:10: red_herrings[0].reason: expected a non-empty string",
            ],
        },
        // ---- Logs ----------------------------------------------------------------
        Case {
            name: "logs: an unknown level",
            input: replaced(r#"level = "error""#, r#"level = "warning""#),
            expected: &[
                r#"case.toml:51:9: logs[0].level: unknown value "warning"; expected one of debug, info, warn, error, fatal"#,
            ],
        },
        Case {
            name: "logs: a field value of more than 200 characters",
            input: replaced(r#"pool = "orders""#, &format!(r#"pool = "{}""#, "x".repeat(201))),
            expected: &[
                "case.toml:53:19: logs[0].fields.pool: expected at most 200 characters",
            ],
        },
        Case {
            name: "logs: every = 0",
            input: replaced("every = 2", "every = 0"),
            expected: &[
                "case.toml:55:9: logs[0].every: expected an integer from 1 to 1000, found 0",
            ],
        },
        // ---- Alerts --------------------------------------------------------------
        Case {
            name: "alerts: a name with a dash",
            input: replaced(r#"name = "OrdersDbPoolSaturated""#, r#"name = "orders-db-pool""#),
            expected: &[
                r#"case.toml:58:8: alerts[0].name: expected an alert name of letters, digits and '_' starting with a letter (e.g. CheckoutHighLatency), found "orders-db-pool""#,
            ],
        },
        Case {
            name: "alerts: a name declared twice",
            input: appended("\n[[alerts]]\nname = \"OrdersDbPoolSaturated\"\nservice = \"checkout\"\nmetric = \"error_ratio\"\nthreshold = 0.1\nseverity = \"warning\"\nsummary = \"checkout errors\"\n"),
            expected: &[
                r#"case.toml:90:8: alerts[1].name: duplicate alert "OrdersDbPoolSaturated""#,
            ],
        },
        Case {
            name: "alerts: a window without a function",
            input: replaced("for_steps = 1\n", "for_steps = 1\nwindow = \"5m\"\n"),
            expected: &[
                "case.toml:64:10: alerts[0].window: a window needs a function: avg_over_time, max_over_time, min_over_time, rate or increase",
            ],
        },
        Case {
            name: "alerts: an unknown function",
            input: replaced("for_steps = 1\n", "for_steps = 1\nfunction = \"deriv\"\nwindow = \"5m\"\n"),
            expected: &[
                r#"case.toml:64:12: alerts[0].function: unknown function "deriv"; expected avg_over_time, max_over_time, min_over_time, rate or increase"#,
            ],
        },
        Case {
            name: "alerts: a window too short or unreadable",
            input: replaced("for_steps = 1\n", "for_steps = 1\nfunction = \"max_over_time\"\nwindow = \"45\"\n"),
            expected: &[
                r#"case.toml:65:10: alerts[0].window: expected a window such as "5m" (a number and s, m, h or d) from 1m to 3d, found "45""#,
            ],
        },
        Case {
            name: "alerts: rate of a signal with no counter behind it",
            input: replaced("for_steps = 1\n", "for_steps = 1\nfunction = \"rate\"\nwindow = \"5m\"\n"),
            expected: &[
                r#"case.toml:60:10: alerts[0].metric: function "rate" works on error_ratio, requests_per_second, latency_p50_seconds, latency_p99_seconds; found "saturation_ratio""#,
            ],
        },
        Case {
            name: "slos: an unknown kind, a bad objective, a threshold off the histogram",
            input: appended("\n[[slos]]\nservice = \"checkout\"\nkind = \"durability\"\n\n[[slos]]\nservice = \"checkout\"\nkind = \"availability\"\nobjective = 1.2\n\n[[slos]]\nservice = \"checkout\"\nkind = \"latency\"\nthreshold_seconds = 0.3\n"),
            expected: &[
                r#"case.toml:91:8: slos[0].kind: unknown kind "durability"; expected availability or latency"#,
                "case.toml:96:13: slos[1].objective: expected a number from 0.5 to 0.99999, found 1.2",
                "case.toml:101:21: slos[2].threshold_seconds: expected a bound of the latency histogram (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), found 0.3",
            ],
        },
        Case {
            name: "slos: a second SLO of the same kind, an unknown service",
            input: appended("\n[[slos]]\nservice = \"checkout\"\nkind = \"latency\"\n\n[[slos]]\nservice = \"checkout\"\nkind = \"latency\"\n\n[[slos]]\nservice = \"billing\"\nkind = \"latency\"\n"),
            expected: &[
                r#"case.toml:94:11: slos[1].service: a second latency SLO of "checkout""#,
                r#"case.toml:98:11: slos[2].service: unknown service "billing"; expected one of the services declared in [[services]]: checkout, orders-db, web"#,
            ],
        },
        Case {
            name: "alerts: an op other than > or <",
            input: replaced(r#"op = ">""#, r#"op = ">=""#),
            expected: &[
                r#"case.toml:61:6: alerts[0].op: expected ">" or "<", found ">=""#,
            ],
        },
        Case {
            name: "alerts: a threshold beyond the signal's range",
            input: replaced("threshold = 0.9", "threshold = 90"),
            expected: &[
                "case.toml:62:13: alerts[0].threshold: expected a number from 0 to 1, found 90",
            ],
        },
        Case {
            name: "alerts: an unknown severity",
            input: replaced(r#"severity = "critical""#, r#"severity = "page""#),
            expected: &[
                r#"case.toml:64:12: alerts[0].severity: unknown value "page"; expected one of critical, warning, info"#,
            ],
        },
        // ---- Remediations ----------------------------------------------------------
        Case {
            name: "remediations: an unknown kind",
            input: replaced(r#"kind = "config_change""#, r#"kind = "kill_batch_job""#),
            expected: &[
                r#"case.toml:69:8: remediations[0].kind: unknown value "kill_batch_job"; expected one of restart, rollback, scale, config_change, failover, flush_cache, renew_certificate, free_disk, rate_limit, drain_node, disable_flag"#,
            ],
        },
        Case {
            name: "remediations: recovery_steps of 0",
            input: replaced("recovery_steps = 3", "recovery_steps = 0"),
            expected: &[
                "case.toml:71:18: remediations[0].recovery_steps: expected an integer from 1 to 20, found 0",
            ],
        },
        Case {
            name: "remediations: a wrong fix without an effect",
            input: removed("effect = \"More checkout replicas wait for the same connections.\"\n"),
            expected: &[
                "case.toml:75:8: remediations[1].effect: expected `effect` describing what the wrong fix does",
            ],
        },
        Case {
            name: "remediations: worsens without amount",
            input: removed("amount = 0.1\n"),
            expected: &[
                "case.toml:78:11: remediations[1].amount: expected `amount` next to `worsens`",
            ],
        },
        Case {
            name: "remediations: amount without worsens",
            input: removed("worsens = \"cpu_ratio\"\n"),
            expected: &[
                "case.toml:78:10: remediations[1].worsens: expected `worsens` (a metric) next to `amount`",
            ],
        },
        Case {
            name: "remediations: an amount beyond the signal's range",
            input: replaced("amount = 0.1", "amount = 5"),
            expected: &[
                "case.toml:79:10: remediations[1].amount: expected a number from -4 to 4, found 5",
            ],
        },
        Case {
            name: "remediations: a right fix with an effect",
            input: replaced("recovery_steps = 3\n", "recovery_steps = 3\neffect = \"Frees the pool.\"\n"),
            expected: &[
                "case.toml:69:8: remediations[0]: a correct remediation takes `recovery_steps`, not `effect`, `worsens` or `amount`",
            ],
        },
        Case {
            name: "remediations: no right fix",
            input: replaced("correct = true", "correct = false\neffect = \"Nothing changes.\""),
            expected: &[
                "case.toml:67:1: remediations: expected at least one remediation with correct = true",
            ],
        },
        Case {
            name: "remediations: harm on a right fix",
            input: replaced("recovery_steps = 3\n", "recovery_steps = 3\nharm = \"low\"\n"),
            expected: &[
                "case.toml:72:8: remediations[0].harm: a correct remediation does no harm; `harm` is for wrong fixes",
            ],
        },
        Case {
            name: "remediations: an unknown harm",
            input: replaced("amount = 0.1\n", "amount = 0.1\nharm = \"severe\"\n"),
            expected: &[
                "case.toml:80:8: remediations[1].harm: unknown value \"severe\"; expected one of low, medium, high",
            ],
        },
        Case {
            name: "remediations: an outcome on a wrong fix",
            input: replaced("amount = 0.1\n", "amount = 0.1\noutcome = \"mitigate\"\n"),
            expected: &[
                "case.toml:80:11: remediations[1].outcome: a wrong fix has no outcome; `outcome` (mitigate or resolve) is for correct remediations",
            ],
        },
        Case {
            name: "remediations: every right fix only mitigates",
            input: replaced("recovery_steps = 3\n", "recovery_steps = 3\noutcome = \"mitigate\"\n"),
            expected: &[
                "case.toml:67:1: remediations: expected at least one correct remediation that resolves (outcome = \"resolve\", the default); every correct one only mitigates",
            ],
        },
        Case {
            name: "fault: also_accept names the fault's own service",
            input: replaced("keywords = [\"connection pool\", \"pool exhausted\"]\n", "keywords = [\"connection pool\", \"pool exhausted\"]\nalso_accept = [\"orders-db\", \"billing\"]\n"),
            expected: &[
                "case.toml:33:16: fault.also_accept[0]: names the fault's own service; expected another service a diagnosis may name",
                "case.toml:33:29: fault.also_accept[1]: unknown service \"billing\"; expected one of the services declared in [[services]]: checkout, orders-db, web",
            ],
        },
        Case {
            name: "remediations: the same kind on the same service twice",
            input: replaced(
                "service = \"checkout\"\nkind = \"scale\"",
                "service = \"orders-db\"\nkind = \"config_change\"",
            ),
            expected: &[
                "case.toml:75:8: remediations[1]: duplicate remediation config_change on orders-db",
            ],
        },
        // ---- Escalation ------------------------------------------------------------
        Case {
            name: "escalate_to: a team no service has and not in extra_teams",
            input: replaced(r#"escalate_to = ["data"]"#, r#"escalate_to = ["data", "dba"]"#),
            expected: &[
                r#"case.toml:9:24: escalate_to[1]: unknown team "dba"; expected a service's team or one of extra_teams: data, incident-command, payments, storefront"#,
            ],
        },
        Case {
            name: "escalate_to: missing",
            input: removed("escalate_to = [\"data\"]\n"),
            expected: &[
                "case.toml:1:1: escalate_to: expected at least one team to escalate to",
            ],
        },
        // ---- Communication ----------------------------------------------------------
        Case {
            name: "communication: an unknown channel",
            input: replaced(r#"channels = ["status_page", "slack"]"#, r#"channels = ["status_page", "pager"]"#),
            expected: &[
                r#"case.toml:82:28: communication.channels[1]: unknown value "pager"; expected one of status_page, slack, email"#,
            ],
        },
        Case {
            name: "communication: no channel",
            input: replaced(r#"channels = ["status_page", "slack"]"#, "channels = []"),
            expected: &[
                "case.toml:82:12: communication.channels: expected at least one channel",
            ],
        },
        Case {
            name: "communication: no word to mention",
            input: replaced(r#"must_mention = ["checkout", "investigating"]"#, "must_mention = []"),
            expected: &[
                "case.toml:83:16: communication.must_mention: expected at least one phrase",
            ],
        },
        Case {
            name: "communication: neither impact nor must_mention",
            input: removed("must_mention = [\"checkout\", \"investigating\"]\n"),
            expected: &[
                "case.toml:82:12: communication.impact: expected `impact`: phrases naming what users experience (a journey or a feature); an update that says any one of them names the impact",
            ],
        },
        Case {
            name: "communication: must_mention with states only",
            input: replaced(r#"must_mention = ["checkout", "investigating"]"#, r#"must_mention = ["investigating", "degraded"]"#),
            expected: &[
                "case.toml:83:16: communication.impact: expected `impact`: phrases naming what users experience (a journey or a feature); an update that says any one of them names the impact",
            ],
        },
        Case {
            name: "communication: an empty impact",
            input: replaced(r#"must_mention = ["checkout", "investigating"]"#, "impact = []"),
            expected: &[
                "case.toml:83:10: communication.impact: expected at least one phrase",
            ],
        },
        // ---- Variation ----------------------------------------------------------------
        Case {
            name: "variation: delta_jitter above 0.5",
            input: replaced("delta_jitter = 0.1", "delta_jitter = 0.6"),
            expected: &[
                "case.toml:86:16: variation.delta_jitter: expected a number from 0 to 0.5, found 0.6",
            ],
        },
        // ---- Several problems -----------------------------------------------------------
        Case {
            name: "several problems: all reported, sorted by position",
            input: replaced("every = 2", "every = 0").replace(r#"severity = "P2""#, r#"severity = "P9""#),
            expected: &[
                r#"case.toml:5:12: severity: expected P1, P2, P3 or P4, found "P9""#,
                "case.toml:55:9: logs[0].every: expected an integer from 1 to 1000, found 0",
            ],
        },
    ]
}

#[test]
fn the_base_scenario_is_valid() {
    let scenario = parse(FILE, BASE).unwrap_or_else(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        panic!("BASE is invalid:\n{}", lines.join("\n"))
    });
    assert_eq!(scenario.id, "checkout-pool-v1");
    assert_eq!(scenario.services.len(), 3);
    assert_eq!(scenario.symptoms.len(), 1);
    assert_eq!(scenario.red_herrings.len(), 1);
    assert_eq!(scenario.logs.len(), 1);
    assert_eq!(scenario.remediations.len(), 2);
}

#[test]
fn a_scenario_of_the_largest_size_is_accepted() {
    let text = padded_to(MAX_SCENARIO_BYTES);
    assert!(parse(FILE, &text).is_ok(), "{MAX_SCENARIO_BYTES} bytes");
}

#[test]
fn scenario_errors_are_located_and_say_what_was_expected() {
    let mut failures = Vec::new();
    let cases = cases();
    for case in &cases {
        let actual: Vec<String> = match parse(FILE, &case.input) {
            Ok(_) => vec!["(parsed without errors)".to_string()],
            Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
        };
        if actual != case.expected {
            failures.push(format!(
                "{}:\n  expected {:#?}\n  actual   {:#?}",
                case.name, case.expected, actual
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
