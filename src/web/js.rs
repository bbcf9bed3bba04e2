//! The JavaScript API (wasm only): the one module with `#[wasm_bindgen]`
//! exports. The app exposes it as `window.firedrill`; the core-only module
//! `env/firedrill_env.js` exports the same names without the UI.
//!
//! - `scenarios()` → `[{ id, title, task, fault, services }]`, the built-in set;
//! - `curriculum()` → the stages easy to hard; `packs()` → the built-in
//!   workshop packs; `gradeCode(code)` → a result code replayed and graded;
//! - `new Env()`; `env.reset({ scenario?, task?, seed? })` → observation;
//!   `env.step({ action_type, target, parameters, reasoning })` →
//!   `{ observation, reward, terminated, truncated, info }`; `env.state()`;
//!   `env.grade()` → `{ score, dimensions }`; `env.observation()`;
//!   `env.query(expr, time?)` and `env.queryRange(expr, start, end, step)` →
//!   the Prometheus HTTP API JSON object; `env.exposition()` → text;
//!   `env.render()` → markdown; `env.export(kind)` → text;
//!   `env.traces(service?, limit?)` → the most recent simulated traces;
//!   `env.loadScenario(tomlText, fileName?)` → its id; `env.scenarios()`;
//! - `new Agent(name, seed)` (`random`, `heuristic`, `oracle`);
//!   `agent.act(env)` → the action it would play now.
//!
//! Plain JS objects in and out, with the field names of the native JSON;
//! their TypeScript shapes ([`crate::web::typescript`]) are appended to the
//! `.d.ts` wasm-bindgen writes. Every mistake by the caller (a wrong type, a
//! missing or unknown field, an unknown name, a step before reset or after
//! the end, a seed that is not a safe non-negative integer, an oversized
//! string, a range query with start after end) throws a JS `Error` named
//! `FiredrillError` with a `kind` ([`crate::web::error::ErrorKind`]:
//! `reset_needed`, `invalid_action`, `invalid_argument`, …) and a message
//! that says what was wrong and what was expected; the same `Env` keeps
//! working afterwards. A PromQL expression that does not parse or evaluate
//! is not a call mistake: the answer is Prometheus' own error object
//! (`status: "error"`, `errorType`, `error` with the position).
//!
//! The parsing of JS values lives in [`crate::web::jsvalue`], shared with the
//! embed mode's postMessage protocol (`app/embed.rs`).

use crate::agents::by_name;
use crate::env::{Env as CoreEnv, EnvError};
use crate::export::{episode_export, ExportKind};
use crate::promql::{json, Engine, QueryError};
use crate::web::error::{ErrorKind, WebError, JS_ERROR_NAME};
use crate::web::jsvalue::{input, json_to_js, to_js};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const DECLARATIONS: &str = crate::web::typescript::DECLARATIONS;

/// An error as the JS value thrown: an `Error` named `FiredrillError`, with
/// the message and a `kind` property.
fn thrown(error: WebError) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name(JS_ERROR_NAME);
    let _ = js_sys::Reflect::set(
        &js,
        &JsValue::from_str("kind"),
        &JsValue::from_str(error.kind.name()),
    );
    js.into()
}

/// A mistake of the caller in a JS value, in the call `what`.
fn argument(what: &'static str) -> impl Fn(String) -> JsValue {
    move |message| thrown(WebError::argument(message).context(what))
}

/// An error of the core, in the call `what`, with its kind.
fn failed<E: Into<WebError>>(what: &'static str) -> impl Fn(E) -> JsValue {
    move |error| thrown(error.into().context(what))
}

/// A result that could not be made a JS value.
fn unconverted(message: String) -> JsValue {
    thrown(WebError::internal(message))
}

/// The taxonomy of causes a diagnosis names: `[{ id, name, description }]`
/// (`firedrill causes --json`).
#[wasm_bindgen(unchecked_return_type = "Cause[]")]
pub fn causes() -> Result<JsValue, JsValue> {
    to_js(crate::scenario::causes::CAUSES).map_err(unconverted)
}

/// The built-in scenarios: `[{ id, handle, title, debrief_title, task, fault, services }]`.
#[wasm_bindgen(unchecked_return_type = "ScenarioSummary[]")]
pub fn scenarios() -> Result<JsValue, JsValue> {
    to_js(&crate::scenario::Catalog::builtin().summaries()).map_err(unconverted)
}

/// The curriculum, easy to hard: `[{ task, title, objective, difficulty,
/// step_budget, time_penalty_per_step, pass_mark, dimensions: [{ name,
/// weight }], scenarios, faults }]` (`firedrill curriculum --json`).
#[wasm_bindgen(unchecked_return_type = "Stage[]")]
pub fn curriculum() -> Result<JsValue, JsValue> {
    to_js(&crate::workshop::curriculum(
        &crate::scenario::Catalog::builtin(),
    ))
    .map_err(unconverted)
}

/// The built-in workshop packs: `[{ id, title, summary, objectives, drills:
/// [{ scenario, seed, mode, minutes, note }] }]` (`firedrill packs --json`).
#[wasm_bindgen(unchecked_return_type = "Pack[]")]
pub fn packs() -> Result<JsValue, JsValue> {
    to_js(&crate::workshop::pack::builtin_packs()).map_err(unconverted)
}

/// Replays a result code (`r1.…`) over the built-in scenarios and grades
/// the episode it plays, as `firedrill grade-code` does: the code's own
/// score is never trusted (`score_edited` says whether it differed).
#[wasm_bindgen(js_name = gradeCode, unchecked_return_type = "CodeGrade")]
pub fn grade_code(code: &str) -> Result<JsValue, JsValue> {
    let pack = crate::workshop::code::decode(code)
        .ok()
        .and_then(|c| c.pack)
        .and_then(|id| crate::workshop::pack::builtin_pack(&id));
    let graded = crate::workshop::grade_code(&mut CoreEnv::new(), code, pack.as_ref())
        .map_err(argument("gradeCode"))?;
    to_js(&graded.summary).map_err(unconverted)
}

/// The environment: `reset`, `step`, `state`, `grade`, queries and renders
/// of one episode at a time (see the module docs).
#[wasm_bindgen(js_name = Env)]
pub struct JsEnv {
    env: CoreEnv,
}

impl Default for JsEnv {
    fn default() -> Self {
        JsEnv::new()
    }
}

#[wasm_bindgen(js_class = Env)]
impl JsEnv {
    /// An environment over the built-in scenarios, with no episode yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsEnv {
        JsEnv {
            env: CoreEnv::new(),
        }
    }

    /// Starts an episode: `{ scenario }` or `{ task }`, and `seed` (a safe
    /// non-negative integer, default 0). Returns the first observation.
    #[wasm_bindgen(unchecked_return_type = "Observation")]
    pub fn reset(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ResetOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (selection, seed) = input::reset_options(&options).map_err(argument("reset"))?;
        let observation = self
            .env
            .reset(&selection, seed)
            .map_err(failed::<EnvError>("reset"))?;
        to_js(&observation).map_err(unconverted)
    }

    /// Plays one action; returns `{ observation, reward, terminated,
    /// truncated, info }`. An invalid action throws and uses no step.
    #[wasm_bindgen(unchecked_return_type = "Step")]
    pub fn step(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
    ) -> Result<JsValue, JsValue> {
        let action = input::action(&action, "action").map_err(argument("step"))?;
        let step = self.env.step(&action).map_err(failed::<EnvError>("step"))?;
        to_js(&step).map_err(unconverted)
    }

    /// Plays one action as `step` does and returns `{ reward, terminated,
    /// truncated, info }` without the observation, which `observation()`
    /// gives on request: for agents that do not read every observation,
    /// one boundary crossing with no copy of the fleet, alerts and logs.
    #[wasm_bindgen(js_name = stepLean, unchecked_return_type = "LeanStep")]
    pub fn step_lean(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Action")] action: JsValue,
    ) -> Result<JsValue, JsValue> {
        let action = input::action(&action, "action").map_err(argument("stepLean"))?;
        let step = self
            .env
            .step_lean(&action)
            .map_err(failed::<EnvError>("stepLean"))?;
        to_js(&step).map_err(unconverted)
    }

    /// Everything about the episode (the ground truth once it is over).
    #[wasm_bindgen(unchecked_return_type = "State")]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        let state = self.env.state().map_err(failed::<EnvError>("state"))?;
        to_js(&state).map_err(unconverted)
    }

    /// The current observation, without acting.
    #[wasm_bindgen(unchecked_return_type = "Observation")]
    pub fn observation(&self) -> Result<JsValue, JsValue> {
        let observation = self
            .env
            .observation()
            .map_err(failed::<EnvError>("observation"))?;
        to_js(&observation).map_err(unconverted)
    }

    /// The grade of the episode so far: `{ score, dimensions }`.
    #[wasm_bindgen(unchecked_return_type = "Grade")]
    pub fn grade(&mut self) -> Result<JsValue, JsValue> {
        let grade = self.env.grade().map_err(failed::<EnvError>("grade"))?;
        to_js(&grade).map_err(unconverted)
    }

    /// An instant PromQL query at `time` (simulated Unix seconds; default:
    /// the newest sample), answered as the Prometheus HTTP API's JSON.
    #[wasm_bindgen(unchecked_return_type = "QueryResult")]
    pub fn query(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] expr: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] time: JsValue,
    ) -> Result<JsValue, JsValue> {
        instant_answer(&self.env, &expr, &time).map_err(failed::<WebError>("query"))
    }

    /// A range PromQL query from `start` to `end` every `step` seconds,
    /// answered as the Prometheus HTTP API's JSON (`resultType: "matrix"`).
    #[wasm_bindgen(js_name = queryRange, unchecked_return_type = "RangeQueryResult")]
    pub fn query_range(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] expr: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] start: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] end: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] step: JsValue,
    ) -> Result<JsValue, JsValue> {
        range_answer(&self.env, &expr, &start, &end, &step)
            .map_err(failed::<WebError>("queryRange"))
    }

    /// The current state in the Prometheus text exposition format 0.0.4.
    pub fn exposition(&self) -> Result<String, JsValue> {
        self.env
            .monitor()
            .map(|m| m.exposition())
            .map_err(failed::<EnvError>("exposition"))
    }

    /// The sandbox's own counters (episodes, steps, resets by task, actions
    /// by type, errors, grades) in the Prometheus text exposition format
    /// 0.0.4; works before any reset.
    pub fn telemetry(&self) -> String {
        self.env.telemetry().exposition()
    }

    /// The markdown incident dashboard of the episode.
    pub fn render(&self) -> Result<String, JsValue> {
        self.env.render().map_err(failed::<EnvError>("render"))
    }

    /// One export of the episode: `openmetrics`, `exposition`, `rules`,
    /// `grafana`, `csv`, `otlp-logs`, `grafana-slo`, `grafana-service`,
    /// `telemetry` or `otlp-traces` (the bytes `firedrill export` prints).
    pub fn export(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportKind")] kind: JsValue,
    ) -> Result<String, JsValue> {
        let kind = input::text(&kind, "kind", 32)
            .and_then(|k| k.ok_or_else(|| String::from("kind is required")))
            .and_then(|k| ExportKind::from_id(&k).map_err(|e| e.to_string()))
            .map_err(argument("export"))?;
        episode_export(&self.env, kind).map_err(failed::<EnvError>("export"))
    }

    /// The most recent simulated request traces (newest step first), at most
    /// `limit` (default 5, at most 500); only those through `service` when
    /// it is given. Throws `invalid_argument` for a service the scenario
    /// does not have.
    #[wasm_bindgen(unchecked_return_type = "Trace[]")]
    pub fn traces(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] service: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] limit: JsValue,
    ) -> Result<JsValue, JsValue> {
        let service = input::text(&service, "service", 200).map_err(argument("traces"))?;
        let limit = input::count(&limit, "limit", 500)
            .map_err(argument("traces"))?
            .unwrap_or(5);
        let scenario = self
            .env
            .scenario()
            .ok_or_else(|| failed::<EnvError>("traces")(EnvError::ResetNeeded))?;
        if let Some(name) = &service {
            if scenario.service_index(name).is_none() {
                let names: Vec<&str> = scenario.services.iter().map(|s| s.name.as_str()).collect();
                return Err(argument("traces")(format!(
                    "service {:?} is not in the scenario; expected one of {}",
                    crate::web::format::clip(name),
                    names.join(", ")
                )));
            }
        }
        let traces = self
            .env
            .traces(service.as_deref(), limit)
            .map_err(failed::<EnvError>("traces"))?;
        to_js(&traces).map_err(unconverted)
    }

    /// Adds a scenario from the text of a scenario file (TOML), replacing
    /// one with the same id; returns its id. Errors name the line and
    /// column: `FILE:LINE:COL: field: message`, one per line.
    #[wasm_bindgen(js_name = loadScenario)]
    pub fn load_scenario(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(js_name = fileName, unchecked_optional_param_type = "string")]
        file_name: JsValue,
    ) -> Result<String, JsValue> {
        let text = input::text(
            &text,
            "the scenario text",
            crate::scenario::MAX_SCENARIO_BYTES,
        )
        .and_then(|t| t.ok_or_else(|| String::from("the scenario text (a string) is required")))
        .map_err(argument("loadScenario"))?;
        let file = input::text(&file_name, "fileName", 200)
            .map_err(argument("loadScenario"))?
            .unwrap_or_else(|| String::from("scenario.toml"));
        self.env
            .catalog_mut()
            .load_str(&file, &text)
            .map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                thrown(WebError::new(
                    ErrorKind::Scenario,
                    format!(
                        "loadScenario: the scenario is not valid:\n{}",
                        lines.join("\n")
                    ),
                ))
            })
    }

    /// The scenarios this environment can play (built-in and loaded).
    #[wasm_bindgen(unchecked_return_type = "ScenarioSummary[]")]
    pub fn scenarios(&self) -> Result<JsValue, JsValue> {
        to_js(&self.env.catalog().summaries()).map_err(unconverted)
    }
}

impl JsEnv {
    /// The core environment.
    pub fn core(&self) -> &CoreEnv {
        &self.env
    }
}

/// A baseline agent: `new Agent("random" | "heuristic" | "oracle", seed)`.
#[wasm_bindgen(js_name = Agent)]
pub struct JsAgent {
    agent: Box<dyn crate::agents::Agent>,
}

#[wasm_bindgen(js_class = Agent)]
impl JsAgent {
    /// The baseline agent `name`, seeded (only the random agent uses it).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AgentName")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | bigint")] seed: JsValue,
    ) -> Result<JsAgent, JsValue> {
        let name = input::text(&name, "name", 32)
            .and_then(|n| n.ok_or_else(|| String::from("name is required")))
            .map_err(argument("Agent"))?;
        let seed = input::seed(&seed, "seed").map_err(argument("Agent"))?;
        let agent = by_name(&name, seed).ok_or_else(|| {
            argument("Agent")(format!(
                "unknown agent {name:?}; expected random, heuristic or oracle"
            ))
        })?;
        Ok(JsAgent { agent })
    }

    /// The action this agent plays in `env`'s current episode.
    #[wasm_bindgen(unchecked_return_type = "Action")]
    pub fn act(&mut self, env: &JsEnv) -> Result<JsValue, JsValue> {
        let observation = env.env.observation().map_err(failed::<EnvError>("act"))?;
        if observation.done {
            return Err(failed("act")(EnvError::EpisodeOver));
        }
        to_js(&self.agent.act(&env.env, &observation)).map_err(unconverted)
    }
}

/// The answer to an instant query over `env`'s episode as a JS object; a
/// wrong argument is an error, a failing expression Prometheus' error object.
fn instant_answer(env: &CoreEnv, expr: &JsValue, time: &JsValue) -> Result<JsValue, WebError> {
    let expr = input::expression(expr).map_err(WebError::argument)?;
    let time_ms = input::time_ms(time, "time").map_err(WebError::argument)?;
    let monitor = env.monitor()?;
    let time_ms = time_ms.unwrap_or(monitor.last_time().saturating_mul(1000));
    let answer = match Engine::default().instant(monitor.store(), &expr, time_ms) {
        Ok(evaluated) => json::success(&evaluated.value, &evaluated.annotations),
        Err(e) => json::error(&e),
    };
    json_to_js(&answer).map_err(WebError::internal)
}

/// The answer to a range query; start after end, a step that is not
/// positive and more than 11,000 points per series are `query` errors.
fn range_answer(
    env: &CoreEnv,
    expr: &JsValue,
    start: &JsValue,
    end: &JsValue,
    step: &JsValue,
) -> Result<JsValue, WebError> {
    let expr = input::expression(expr).map_err(WebError::argument)?;
    let required = |value: &JsValue, name: &str| {
        input::time_ms(value, name)
            .and_then(|time| {
                time.ok_or_else(|| format!("{name} (simulated Unix seconds) is required"))
            })
            .map_err(WebError::argument)
    };
    let start_ms = required(start, "start")?;
    let end_ms = required(end, "end")?;
    let step_ms = required(step, "step")?;
    let monitor = env.monitor()?;
    let answer = match Engine::default().range(monitor.store(), &expr, start_ms, end_ms, step_ms) {
        Ok(evaluated) => json::success_matrix(&evaluated.value, &evaluated.annotations),
        Err(QueryError::BadParameter(message)) => {
            return Err(WebError::new(ErrorKind::Query, message))
        }
        Err(e) => json::error(&e),
    };
    json_to_js(&answer).map_err(WebError::internal)
}
