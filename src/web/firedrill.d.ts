// The shapes of the JS API's values and of embed mode's messages, appended
// by wasm-bindgen to firedrill_env.d.ts (src/web/js.rs). Field names are
// those of the native JSON (`firedrill run --json`); src/web/typescript.rs
// checks them against the Rust structs and enums.

/** A curriculum task, easy to hard. */
export type TaskId = "severity_classification" | "root_cause_analysis" | "full_incident_management";

/** The six action types, in their canonical order. */
export type ActionType = "investigate" | "classify" | "diagnose" | "remediate" | "escalate" | "communicate" | "resolve" | "hint";

/** Incident severity, P1 (worst) to P4. */
export type Severity = "P1" | "P2" | "P3" | "P4";

/** The fixes a `remediate` action may apply. */
export type RemediationKind = "restart" | "rollback" | "scale" | "config_change" | "failover" | "flush_cache" | "renew_certificate" | "free_disk" | "rate_limit" | "drain_node" | "disable_flag";

/** Where a status update may be posted. */
export type Channel = "status_page" | "slack" | "email";

/** Incident status: open → investigating → mitigated → resolved. */
export type IncidentStatus = "open" | "investigating" | "mitigated" | "resolved";

/** A service's health, from its signals. */
export type Health = "healthy" | "degraded" | "critical";

/** The kind of component a service is. */
export type ServiceKind = "service" | "database" | "cache" | "queue" | "gateway" | "external" | "infrastructure";

/** How much harm a wrong fix did. */
export type Harm = "low" | "medium" | "high";

/** What a right fix achieves. */
export type FixOutcome = "mitigate" | "resolve";

/** Alert state, as in Prometheus. */
export type AlertState = "pending" | "firing" | "resolved";

/** Log level of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "fatal";

/** A graded dimension's name. */
export type GradeDimensionName = "severity_accuracy" | "investigation_quality" | "investigated_root_cause" | "diagnosis_accuracy" | "remediation_quality" | "escalation_quality" | "communication" | "investigation_thoroughness" | "investigation_precision" | "efficiency" | "time_to_mitigate" | "closure";

/** What `env.export(kind)` can write. */
export type ExportKind = "openmetrics" | "exposition" | "rules" | "grafana" | "csv" | "otlp-logs" | "grafana-slo" | "grafana-service" | "telemetry" | "otlp-traces" | "postmortem";

/** The baseline agents of `new Agent(name, seed)`. */
export type AgentName = "random" | "heuristic" | "oracle";

/** The `kind` of every error the API throws and of embed mode's error replies. */
export type FiredrillErrorKind = "reset_needed" | "episode_over" | "unknown_task" | "unknown_scenario" | "invalid_action" | "invalid_argument" | "query" | "scenario" | "internal";

/**
 * What every call throws on a mistake or failure: a JS `Error` named
 * `FiredrillError` whose `kind` says what went wrong; `message` says what
 * was wrong and what was expected. The same `Env` keeps working after it.
 */
export interface FiredrillError extends Error {
    name: "FiredrillError";
    kind: FiredrillErrorKind;
}

/** `env.reset(options)`: a scenario id or a task (the seed picks one of its scenarios), and a seed from 0 to 2^53 − 1 (default 0). */
export interface ResetOptions {
    scenario?: string;
    task?: TaskId;
    seed?: number | bigint;
}

/** The parameters an action type takes: `severity` (classify), `root_cause` and optional `notes` (diagnose), `kind` (remediate), `channel` and `message` (communicate), `summary` (resolve). */
export interface ActionParameters {
    severity?: Severity;
    /** A cause id of `causes()`, or a description in free text. */
    root_cause?: string;
    /** Free text beside a cause id. */
    notes?: string;
    kind?: RemediationKind;
    channel?: Channel;
    message?: string;
    /** The closing summary of `resolve`: what happened and what fixed it. */
    summary?: string;
}

/** An action as the environment takes it; `target` is a service (investigate, diagnose, remediate) or a team (escalate). */
export interface Action {
    action_type: ActionType;
    target?: string;
    parameters?: ActionParameters;
    reasoning?: string;
}

/** A pending or firing (in the state, also resolved) alert. */
export interface Alert {
    name: string;
    service: string;
    /** `critical`, `warning` or `info`. */
    severity: string;
    state: AlertState;
    summary: string;
    metric: string;
    value: number;
    threshold: number;
    since_step: number;
    /** Simulated Unix seconds. */
    since_time: number;
}

/** A service as the responder sees it. */
export interface Service {
    name: string;
    team: string;
    kind: ServiceKind;
    depends_on: string[];
    health: Health;
    error_ratio: number;
    latency_p99_seconds: number;
    requests_per_second: number;
    investigated: boolean;
    /** Present (true) while its metrics have stopped arriving; the values are the last seen. */
    data_missing?: boolean;
}

/** One instance (pod) of an investigated service that runs several. */
export interface InstanceView {
    pod: string;
    /** Its zone, when the scenario declares zones. */
    zone?: string;
    up: number;
    error_ratio: number;
    latency_p99_seconds: number;
    requests_per_second: number;
    cpu_ratio: number;
    memory_ratio: number;
}

/** One change on the timeline: the scenario's, or the responder's own (author "incident response"). */
export interface ChangeEvent {
    /** Simulated Unix seconds. */
    time: number;
    service: string;
    kind: "deploy" | "config" | "flag" | "infra";
    author: string;
    description: string;
    /** The version a deploy or rollback brought, when known. */
    version?: string;
    /** A flag change's flag. */
    flag?: string;
    /** A flag change's new state. */
    enabled?: boolean;
}

/** One structured log line; `fields` are [key, value] pairs in template order. */
export interface LogLine {
    /** Simulated Unix seconds. */
    time: number;
    step: number;
    service: string;
    level: LogLevel;
    message: string;
    fields: [string, string][];
    /** For a line that stands for a request: the trace of that request (32 hex digits). */
    trace_id?: string;
    /** The span of the line's service in that trace (16 hex digits). */
    span_id?: string;
}

/** A span's kind: a service answering, or a call to a database, cache, queue, third party or infrastructure. */
export type SpanKind = "server" | "client";

/** One hop of a simulated trace. */
export interface Span {
    /** 16 lowercase hex digits. */
    span_id: string;
    /** The caller's span; null for the root. */
    parent_span_id: string | null;
    service: string;
    /** Like "GET /checkout" or "orders-db query". */
    name: string;
    kind: SpanKind;
    /** Seconds from the trace's start. */
    start: number;
    /** Seconds. */
    duration: number;
    error: boolean;
    /** The HTTP status answered; null for databases, caches and queues. */
    status_code: number | null;
    /** Hops from the root (0 for the root). */
    depth: number;
    /** 0 for a first call, 1 and 2 for retries of a failed one. */
    attempt: number;
}

/** One simulated request from an entry point down the dependency graph (`env.traces()`). */
export interface Trace {
    /** 32 lowercase hex digits. */
    trace_id: string;
    /** The incident step it was made in. */
    step: number;
    /** The entry point (the root span's service). */
    entry: string;
    /** Simulated Unix seconds of its start. */
    start_time: number;
    /** Seconds. */
    duration: number;
    /** Whether the request failed (the root span's status). */
    error: boolean;
    /** Root first, each caller before its calls. */
    spans: Span[];
}

/** What investigating a service revealed (kept up to date every step). */
export interface Investigation {
    service: string;
    /** Every signal's current value, by signal name. */
    metrics: Record<string, number>;
    logs: LogLine[];
    /** Each instance's signals, for a service that runs several. */
    instances?: InstanceView[];
}

/** What a responder sees. */
export interface Observation {
    /** The scenario id (it may name the cause: show `handle` to trainees). */
    scenario: string;
    /** The scenario's neutral public handle. */
    handle: string;
    /** The symptom, never the cause. */
    title: string;
    task: TaskId;
    objective: string;
    summary: string;
    step: number;
    step_budget: number;
    /** Simulated Unix seconds. */
    time: number;
    status: IncidentStatus;
    alerts: Alert[];
    services: Service[];
    /** Every service level objective as it stands: availability and latency per service. */
    slos: Slo[];
    investigations: Investigation[];
    /** The change timeline so far, oldest first (absent while empty). */
    changes?: ChangeEvent[];
    teams: string[];
    played: ActionType[];
    cumulative_reward: number;
    last_feedback: string;
    done: boolean;
    /** The scenario's scripted messages that have arrived, oldest first (absent while none has). */
    injects?: Inject[];
    /** The hints revealed so far, in order (absent while none is). */
    hints?: string[];
    /** Hints not yet revealed (absent when none is left). */
    hints_left?: number;
    /** What revealing the next hint (the `hint` action) takes off the score. */
    next_hint_cost?: number;
}

/** Who sent an inject. */
export type InjectSource = "executive" | "support" | "customer";

/** What a reply to an inject must say. */
export type ReplyPart = "impact" | "state" | "next_update";

/** A scripted message to the responders: a status update (`communicate`) by `reply_by` that says what `expects` lists answers it. */
export interface Inject {
    /** The step after which it arrived. */
    step: number;
    from: InjectSource;
    message: string;
    expects: ReplyPart[];
    /** The last step at which a status update counts as the reply. */
    reply_by: number;
    /** The step of the status update that answered it, or null. */
    answered_at: number | null;
}

/** Details of a step. */
export interface StepInfo {
    action_type: string;
    feedback: string;
    status: IncidentStatus;
}

/** What `env.step(action)` returns. */
export interface Step {
    observation: Observation;
    reward: number;
    terminated: boolean;
    truncated: boolean;
    info: StepInfo;
}

/** What `env.stepLean(action)` returns: a `Step` without its observation (`env.observation()` gives it on request). */
export interface LeanStep {
    reward: number;
    terminated: boolean;
    truncated: boolean;
    info: StepInfo;
}

/** One played action, in the state's history. */
export interface HistoryEntry {
    step: number;
    action: Action;
    reward: number;
    feedback: string;
}

/** The last diagnosis recorded. */
export interface Diagnosis {
    service: string;
    root_cause: string;
}

/** A remediation that was applied. */
export interface Remediation {
    step: number;
    service: string;
    kind: RemediationKind;
    correct: boolean;
    /** A right fix: whether it mitigates or resolves. */
    outcome?: FixOutcome;
    /** A wrong fix: how much harm it did. */
    harm?: Harm;
}

/** A status update that was posted; `quality` in [0, 1]. */
export interface Communication {
    step: number;
    channel: Channel;
    message: string;
    quality: number;
}

/** A service of a SLO and its error budget. */
export interface Slo {
    service: string;
    kind: "availability" | "latency";
    objective: number;
    threshold_seconds: number | null;
    budget_remaining_ratio: number;
    budget_at_start_ratio: number;
    /** Bad fraction now over the allowed bad fraction. */
    burn_rate: number;
    /** Burn rate over the last 5 minutes (`slo:sli_error:ratio_rate5m` over the budget); null without requests. */
    burn_rate_5m: number | null;
    /** Burn rate over the last hour; null without requests. */
    burn_rate_1h: number | null;
    /** The SLO window, days. */
    window_days: number;
    /** red: a fast-burn (page) condition holds or ≤ 10% budget left; yellow: a slow-burn (ticket) condition, the last hour over 1×, or ≤ 50% left. */
    status: "green" | "yellow" | "red";
    exhausted_in_seconds: number | null;
}

/** An unrelated service that looked bad, revealed after the episode. */
export interface RedHerring {
    service: string;
    reason: string;
}

/** The hidden truth of the scenario, in the state once the episode is over. */
export interface GroundTruth {
    severity: Severity;
    root_cause_service: string;
    /** Other services a diagnosis could name and be right. */
    also_accepted_services: string[];
    /** The cause id. */
    root_cause: string;
    /** The cause's name in the taxonomy. */
    root_cause_name: string;
    /** The cause headline. */
    debrief_title: string;
    description: string;
    affected_services: string[];
    red_herrings: RedHerring[];
    /** The right fixes, as `kind service`. */
    correct_remediations: string[];
    /** Those of the right fixes that only mitigate, as `kind service`. */
    mitigations: string[];
    escalate_to: string[];
    must_mention: string[];
    /** The other faults of a scenario with several (absent when there is one). */
    other_faults?: FaultTruth[];
}

/** One further fault of a scenario with several. */
export interface FaultTruth {
    root_cause_service: string;
    root_cause: string;
    root_cause_name: string;
    description: string;
}

/** Everything about the episode: `env.state()`. */
export interface State {
    scenario: string;
    task: TaskId;
    seed: number;
    step: number;
    step_budget: number;
    status: IncidentStatus;
    terminated: boolean;
    truncated: boolean;
    cumulative_reward: number;
    history: HistoryEntry[];
    investigated: string[];
    severity: Severity | null;
    diagnosis: Diagnosis | null;
    remediations: Remediation[];
    escalations: string[];
    communications: Communication[];
    wrong_fixes: number;
    miscommunications: number;
    mttr_steps: number | null;
    mttr_minutes: number | null;
    start_time: number;
    history_start_time: number;
    end_time: number;
    slos: Slo[];
    step_seconds: number;
    alerts: Alert[];
    observation: Observation;
    ground_truth: GroundTruth | null;
}

/** One graded dimension: its weight in the score, its score in [0, 1] and why. */
export interface GradeDimension {
    name: GradeDimensionName;
    weight: number;
    score: number;
    explanation: string;
}

/** What `env.grade()` returns; `final_grade` once the episode is over. */
export interface Grade {
    score: number;
    scenario: string;
    task: TaskId;
    final_grade: boolean;
    /** The score the task needs to pass: 0.75 severity, 0.65 root cause, 0.60 full. */
    pass_mark: number;
    /** Final and at least the pass mark. */
    passed: boolean;
    dimensions: GradeDimension[];
    /** Hints revealed (absent when none was). */
    hints_used?: number;
    /** What the hints took off the weighted sum of the dimensions (absent when none was revealed). */
    hint_penalty?: number;
}

/** A scenario's listing entry: `scenarios()`, `env.scenarios()`. */
export interface ScenarioSummary {
    id: string;
    /** The neutral public handle (`?drill=` links). */
    handle: string;
    /** The symptom, never the cause. */
    title: string;
    /** The cause headline: an answer, for the debrief or an instructor. */
    debrief_title: string;
    /** `null` for a built-in file whose task is not a task id (it cannot be played). */
    task: TaskId | null;
    /** The fault type (the cause id). */
    fault: string;
    services: string[];
}

/** A stage of the curriculum: `curriculum()`. */
export interface Stage {
    task: TaskId;
    title: string;
    objective: string;
    difficulty: "easy" | "medium" | "hard";
    step_budget: number;
    /** The reward of step n is reduced by this × n. */
    time_penalty_per_step: number;
    pass_mark: number;
    dimensions: { name: GradeDimensionName; weight: number }[];
    /** Scenarios of the stage in the built-in set. */
    scenarios: number;
    /** The fault types its scenarios cover, sorted. */
    faults: string[];
}

/** A drill of a workshop pack. */
export interface PackDrill {
    scenario: string;
    seed: number;
    mode: "practice" | "exam";
    /** Suggested minutes for the round. */
    minutes: number;
    /** The facilitator's note for the debrief (it may name the cause). */
    note: string;
}

/** A workshop pack: `packs()`. */
export interface Pack {
    id: string;
    title: string;
    summary: string;
    objectives: string[];
    drills: PackDrill[];
}

/** A result code replayed and graded: `gradeCode(code)`, as `firedrill grade-code` prints it. */
export interface CodeGrade {
    name: string;
    pack: string | null;
    /** The drill's number in the pack, from 1. */
    drill: number | null;
    mode: "practice" | "exam";
    scenario: string;
    task: TaskId;
    seed: number;
    steps: number;
    /** The score the replay computed. */
    score: number;
    final: boolean;
    terminated: boolean;
    truncated: boolean;
    status: IncidentStatus;
    cumulative_reward: number;
    mttr_steps: number | null;
    mttr_minutes: number | null;
    dimensions: GradeDimension[];
    actions: Action[];
    start_time: number;
    end_time: number;
    step_seconds: number;
    hints_used?: number;
    hint_penalty?: number;
    /** The score the code claimed (never trusted). */
    claimed_score: number | null;
    /** Whether the claimed score differs from the replayed one. */
    score_edited: boolean;
}

/** A category of the cause taxonomy: `causes()`. */
export interface Cause {
    id: string;
    name: string;
    description: string;
}

/** A sample of the Prometheus HTTP API: [Unix seconds, value as text ("NaN", "+Inf" included)]. */
export type PromSample = [number, string];

/** One series of an instant vector. */
export interface PromVectorSeries {
    metric: Record<string, string>;
    value: PromSample;
}

/** One series of a range vector. */
export interface PromMatrixSeries {
    metric: Record<string, string>;
    values: PromSample[];
}

/** The `data` of a successful query, by `resultType`. */
export type PromData =
    | { resultType: "vector"; result: PromVectorSeries[] }
    | { resultType: "matrix"; result: PromMatrixSeries[] }
    | { resultType: "scalar"; result: PromSample }
    | { resultType: "string"; result: [number, string] };

/** A query's answer, as the Prometheus HTTP API's `/api/v1/query` JSON. */
export interface PromSuccess<D = PromData> {
    status: "success";
    data: D;
    warnings?: string[];
    infos?: string[];
}

/** An expression that does not parse or evaluate: `error` starts with `LINE:COL:` for a parse error. */
export interface PromError {
    status: "error";
    errorType: "bad_data" | "execution";
    error: string;
}

/** What `env.query(expr, time?)` returns. */
export type QueryResult = PromSuccess | PromError;

/** What `env.queryRange(expr, start, end, step)` returns. */
export type RangeQueryResult = PromSuccess<{ resultType: "matrix"; result: PromMatrixSeries[] }> | PromError;

/** A message's `id`, echoed in its reply. */
export type MessageId = string | number;

/** What a host page posts to an embedded drill (docs/embedding.md). */
export type HostMessage =
    | { type: "reset"; id?: MessageId; scenario?: string; task?: TaskId; seed?: number }
    | { type: "step"; id?: MessageId; action: Action }
    | ({ type: "step"; id?: MessageId } & Action)
    | { type: "state"; id?: MessageId }
    | { type: "grade"; id?: MessageId }
    | { type: "query"; id?: MessageId; expr: string; time?: number }
    | { type: "query_range"; id?: MessageId; expr: string; start: number; end: number; step: number };

/** An embedded drill's error reply: `request` is the type asked for, `detail` the message. */
export interface ErrorReply {
    type: "error";
    id?: MessageId;
    request?: string;
    kind: FiredrillErrorKind;
    detail: string;
}

/** What an embedded drill posts to its host page: replies and announcements. */
export type DrillMessage =
    | { type: "reset"; id?: MessageId; observation: Observation }
    | ({ type: "step"; id?: MessageId } & Step)
    | { type: "state"; id?: MessageId; state: State }
    | { type: "grade"; id?: MessageId; grade: Grade }
    | ({ type: "query"; id?: MessageId } & QueryResult)
    | ({ type: "query_range"; id?: MessageId } & RangeQueryResult)
    | ErrorReply
    | { type: "ready"; scenario: string; handle: string; task: TaskId }
    /** After every step (no `observation`, unlike the reply to a step request); `reward` in practice mode only. */
    | { type: "step"; step: number; status: IncidentStatus; terminated: boolean; truncated: boolean; reward?: number }
    | { type: "episode_end"; grade: Grade }
    | { type: "resize"; height: number };
