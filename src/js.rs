//! The JavaScript API (wasm only): the one module with `#[wasm_bindgen]`
//! exports. The app exposes it as `window.firedrill`; the core-only module
//! `env/firedrill_env.js` exports the same names without the UI.
//!
//! - `scenarios()` → `[{ id, title, task, fault, services }]`, the built-in set;
//! - `new Env()`; `env.reset({ scenario?, task?, seed? })` → observation;
//!   `env.step({ action_type, target, parameters, reasoning })` →
//!   `{ observation, reward, terminated, truncated, info }`; `env.state()`;
//!   `env.grade()` → `{ score, dimensions }`; `env.observation()`;
//!   `env.query(expr, time?)` and `env.queryRange(expr, start, end, step)` →
//!   the Prometheus HTTP API JSON object; `env.exposition()` → text;
//!   `env.render()` → markdown; `env.export(kind)` → text;
//!   `env.loadScenario(tomlText, fileName?)` → its id; `env.scenarios()`;
//! - `new Agent(name, seed)` (`random`, `heuristic`, `oracle`);
//!   `agent.act(env)` → the action it would play now.
//!
//! Plain JS objects in and out, with the field names of the native JSON.
//! Every mistake by the caller (a wrong type, a missing or unknown field, an
//! unknown name, a step before reset or after the end, a seed that is not a
//! safe non-negative integer, an oversized string, a range query with start
//! after end) throws a JS `Error` with a message that says what was wrong
//! and what was expected; the same `Env` keeps working afterwards. A PromQL
//! expression that does not parse or evaluate is not a call mistake: the
//! answer is Prometheus' own error object (`status: "error"`, `errorType`,
//! `error` with the position).
//!
//! The parsing of JS values lives in [`input`], shared with the embed mode's
//! postMessage protocol (`app/embed.rs`).

use crate::agents::by_name;
use crate::env::{Env as CoreEnv, EnvError};
use crate::promql::{json, Engine, QueryError};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Converts a Rust value to a plain JS object: serialised to JSON and
/// parsed by the browser's `JSON.parse`, one crossing of the boundary
/// instead of one per field (several times faster than building the object
/// field by field), and exactly the JSON the native CLI prints.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    let text = serde_json::to_string(value)
        .map_err(|e| format!("could not convert the result to JavaScript: {e}"))?;
    json_to_js(&text)
}

/// Parses JSON text (a Prometheus API answer) into a JS object.
pub(crate) fn json_to_js(text: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text).map_err(|_| String::from("could not parse the engine's JSON answer"))
}

fn error(message: impl std::fmt::Display) -> JsError {
    JsError::new(&message.to_string())
}

/// The built-in scenarios: `[{ id, title, task, fault, services }]`.
#[wasm_bindgen]
pub fn scenarios() -> Result<JsValue, JsError> {
    to_js(&crate::scenario::Catalog::builtin().summaries()).map_err(error)
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
    pub fn reset(&mut self, options: JsValue) -> Result<JsValue, JsError> {
        let (selection, seed) =
            input::reset_options(&options).map_err(|e| error(format!("reset: {e}")))?;
        let observation = self
            .env
            .reset(&selection, seed)
            .map_err(|e| error(format!("reset: {e}")))?;
        to_js(&observation).map_err(error)
    }

    /// Plays one action; returns `{ observation, reward, terminated,
    /// truncated, info }`. An invalid action throws and uses no step.
    pub fn step(&mut self, action: JsValue) -> Result<JsValue, JsError> {
        let action = input::action(&action, "action").map_err(|e| error(format!("step: {e}")))?;
        let step = self
            .env
            .step(&action)
            .map_err(|e| error(format!("step: {e}")))?;
        to_js(&step).map_err(error)
    }

    /// Everything about the episode (the ground truth once it is over).
    pub fn state(&self) -> Result<JsValue, JsError> {
        let state = self.env.state().map_err(|e| error(format!("state: {e}")))?;
        to_js(&state).map_err(error)
    }

    /// The current observation, without acting.
    pub fn observation(&self) -> Result<JsValue, JsError> {
        let observation = self
            .env
            .observation()
            .map_err(|e| error(format!("observation: {e}")))?;
        to_js(&observation).map_err(error)
    }

    /// The grade of the episode so far: `{ score, dimensions }`.
    pub fn grade(&mut self) -> Result<JsValue, JsError> {
        let grade = self.env.grade().map_err(|e| error(format!("grade: {e}")))?;
        to_js(&grade).map_err(error)
    }

    /// An instant PromQL query at `time` (simulated Unix seconds; default:
    /// the newest sample), answered as the Prometheus HTTP API's JSON.
    pub fn query(&self, expr: JsValue, time: JsValue) -> Result<JsValue, JsError> {
        instant_answer(&self.env, &expr, &time).map_err(|e| error(format!("query: {e}")))
    }

    /// A range PromQL query from `start` to `end` every `step` seconds,
    /// answered as the Prometheus HTTP API's JSON (`resultType: "matrix"`).
    #[wasm_bindgen(js_name = queryRange)]
    pub fn query_range(
        &self,
        expr: JsValue,
        start: JsValue,
        end: JsValue,
        step: JsValue,
    ) -> Result<JsValue, JsError> {
        range_answer(&self.env, &expr, &start, &end, &step)
            .map_err(|e| error(format!("queryRange: {e}")))
    }

    /// The current state in the Prometheus text exposition format 0.0.4.
    pub fn exposition(&self) -> Result<String, JsError> {
        self.env
            .monitor()
            .map(|m| m.exposition())
            .map_err(|e| error(format!("exposition: {e}")))
    }

    /// The markdown incident dashboard of the episode.
    pub fn render(&self) -> Result<String, JsError> {
        self.env.render().map_err(|e| error(format!("render: {e}")))
    }

    /// One export of the episode: `openmetrics`, `exposition`, `rules`,
    /// `grafana`, `csv` or `otlp-logs` (the bytes `firedrill export` prints).
    pub fn export(&self, kind: JsValue) -> Result<String, JsError> {
        let kind = input::text(&kind, "kind", 32)
            .and_then(|k| k.ok_or_else(|| String::from("kind is required")))
            .map_err(|e| error(format!("export: {e}")))?;
        crate::metrics::export::episode_export(&self.env, &kind)
            .map_err(|e| error(format!("export: {e}")))
    }

    /// Adds a scenario from the text of a scenario file (TOML), replacing
    /// one with the same id; returns its id. Errors name the line and
    /// column: `FILE:LINE:COL: field: message`, one per line.
    #[wasm_bindgen(js_name = loadScenario)]
    pub fn load_scenario(&mut self, text: JsValue, file_name: JsValue) -> Result<String, JsError> {
        let prefix = "loadScenario";
        let text = input::text(
            &text,
            "the scenario text",
            crate::scenario::MAX_SCENARIO_BYTES,
        )
        .and_then(|t| t.ok_or_else(|| String::from("the scenario text (a string) is required")))
        .map_err(|e| error(format!("{prefix}: {e}")))?;
        let file = input::text(&file_name, "fileName", 200)
            .map_err(|e| error(format!("{prefix}: {e}")))?
            .unwrap_or_else(|| String::from("scenario.toml"));
        self.env
            .catalog_mut()
            .load_str(&file, &text)
            .map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                error(format!(
                    "{prefix}: the scenario is not valid:\n{}",
                    lines.join("\n")
                ))
            })
    }

    /// The scenarios this environment can play (built-in and loaded).
    pub fn scenarios(&self) -> Result<JsValue, JsError> {
        to_js(&self.env.catalog().summaries()).map_err(error)
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
    pub fn new(name: JsValue, seed: JsValue) -> Result<JsAgent, JsError> {
        let name = input::text(&name, "name", 32)
            .and_then(|n| n.ok_or_else(|| String::from("name is required")))
            .map_err(|e| error(format!("Agent: {e}")))?;
        let seed = input::seed(&seed, "seed").map_err(|e| error(format!("Agent: {e}")))?;
        let agent = by_name(&name, seed).ok_or_else(|| {
            error(format!(
                "Agent: unknown agent {name:?}; expected random, heuristic or oracle"
            ))
        })?;
        Ok(JsAgent { agent })
    }

    /// The action this agent plays in `env`'s current episode.
    pub fn act(&mut self, env: &JsEnv) -> Result<JsValue, JsError> {
        let observation = env
            .env
            .observation()
            .map_err(|e| error(format!("act: {e}")))?;
        if observation.done {
            return Err(error(format!("act: {}", EnvError::EpisodeOver)));
        }
        to_js(&self.agent.act(&env.env, &observation)).map_err(error)
    }
}

/// The answer to an instant query over `env`'s episode as a JS object; a
/// wrong argument is an error, a failing expression Prometheus' error object.
pub(crate) fn instant_answer(
    env: &CoreEnv,
    expr: &JsValue,
    time: &JsValue,
) -> Result<JsValue, String> {
    let expr = input::expression(expr)?;
    let time_ms = input::time_ms(time, "time")?;
    let monitor = env.monitor().map_err(|e| e.to_string())?;
    let time_ms = time_ms.unwrap_or(monitor.last_time().saturating_mul(1000));
    let answer = match Engine::default().instant(monitor.store(), &expr, time_ms) {
        Ok(evaluated) => json::success(&evaluated.value, &evaluated.annotations),
        Err(e) => json::error(&e),
    };
    json_to_js(&answer)
}

/// The answer to a range query; start after end, a step that is not
/// positive and more than 11,000 points per series are argument errors.
pub(crate) fn range_answer(
    env: &CoreEnv,
    expr: &JsValue,
    start: &JsValue,
    end: &JsValue,
    step: &JsValue,
) -> Result<JsValue, String> {
    let expr = input::expression(expr)?;
    let required = |value: &JsValue, name: &str| {
        input::time_ms(value, name)?
            .ok_or_else(|| format!("{name} (simulated Unix seconds) is required"))
    };
    let start_ms = required(start, "start")?;
    let end_ms = required(end, "end")?;
    let step_ms = required(step, "step")?;
    let monitor = env.monitor().map_err(|e| e.to_string())?;
    let answer = match Engine::default().range(monitor.store(), &expr, start_ms, end_ms, step_ms) {
        Ok(evaluated) => json::success_matrix(&evaluated.value, &evaluated.annotations),
        Err(QueryError::BadParameter(message)) => return Err(message),
        Err(e) => json::error(&e),
    };
    json_to_js(&answer)
}

/// Reading the caller's JS values into the core's types, with errors that
/// say which field was wrong and what was expected. Nothing here panics,
/// and no string longer than its limit is copied into wasm memory.
pub(crate) mod input {
    use crate::env::{Action, Selection, MAX_TEXT_CHARS};
    use std::collections::BTreeMap;
    use wasm_bindgen::{JsCast, JsValue};

    /// Longest PromQL expression accepted, in UTF-16 code units.
    pub const MAX_EXPRESSION_CHARS: usize = 16 * 1024;
    /// Most parameters an action may carry.
    pub const MAX_PARAMETERS: usize = 16;
    /// Largest seed: `Number.MAX_SAFE_INTEGER`, so seeds survive a round
    /// trip through JS numbers and JSON.
    pub const MAX_SEED: u64 = (1 << 53) - 1;
    /// Largest absolute time accepted, in simulated seconds (year 5138).
    const MAX_ABS_SECONDS: f64 = 1e11;

    /// `typeof`, with `null` and arrays told apart.
    pub fn type_of(value: &JsValue) -> String {
        if value.is_null() {
            "null".into()
        } else if js_sys::Array::is_array(value) {
            "an array".into()
        } else {
            value
                .js_typeof()
                .as_string()
                .unwrap_or_else(|| "unknown".into())
        }
    }

    /// Whether `value` is a plain object (not null, not an array).
    pub fn is_object(value: &JsValue) -> bool {
        value.is_object() && !js_sys::Array::is_array(value) && !value.is_function()
    }

    /// The own enumerable keys of an object.
    pub fn keys(value: &JsValue) -> Vec<String> {
        match value.dyn_ref::<js_sys::Object>() {
            Some(object) => js_sys::Object::keys(object)
                .iter()
                .filter_map(|k| k.as_string())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Field `name` of an object; a getter that throws is an error.
    pub fn field(object: &JsValue, name: &str) -> Result<JsValue, String> {
        js_sys::Reflect::get(object, &JsValue::from_str(name))
            .map_err(|_| format!("reading {name} failed"))
    }

    /// Requires `value` to be an object whose keys are all in `allowed`.
    pub fn object(value: &JsValue, what: &str, allowed: &[&str]) -> Result<(), String> {
        let expected = if allowed.is_empty() {
            String::from("no fields")
        } else {
            allowed.join(", ")
        };
        if !is_object(value) {
            return Err(format!(
                "{what} must be an object {{ {} }}, got {}",
                allowed.join(", "),
                type_of(value)
            ));
        }
        let keys = keys(value);
        if keys.len() > 64 {
            return Err(format!(
                "{what} has {} fields; expected {expected}",
                keys.len()
            ));
        }
        if let Some(unknown) = keys.iter().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!(
                "{what} has an unknown field {:?}; expected {expected}",
                clip(unknown)
            ));
        }
        Ok(())
    }

    fn clip(text: &str) -> String {
        let clipped: String = text.chars().take(40).collect();
        if clipped.len() < text.len() {
            clipped + "…"
        } else {
            clipped
        }
    }

    /// An optional string of at most `max_chars` UTF-16 code units
    /// (`undefined` and `null` are `None`).
    pub fn text(value: &JsValue, what: &str, max_chars: usize) -> Result<Option<String>, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let Some(string) = value.dyn_ref::<js_sys::JsString>() else {
            return Err(format!("{what} must be a string, got {}", type_of(value)));
        };
        let length = string.length() as usize;
        if length > max_chars {
            return Err(format!(
                "{what} is {length} characters long; at most {max_chars} are accepted"
            ));
        }
        Ok(value.as_string())
    }

    /// A seed: a non-negative safe integer (a number, or a BigInt up to
    /// `Number.MAX_SAFE_INTEGER`); `undefined` is 0.
    pub fn seed(value: &JsValue, what: &str) -> Result<u64, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(0);
        }
        let expected = format!("an integer from 0 to {MAX_SEED}");
        if value.is_bigint() {
            let text = js_sys::BigInt::unchecked_from_js_ref(value)
                .to_string(10)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            return match text.parse::<u64>() {
                Ok(seed) if seed <= MAX_SEED => Ok(seed),
                _ => Err(format!(
                    "{what} must be {expected}, got the BigInt {}",
                    clip(&text)
                )),
            };
        }
        match value.as_f64() {
            Some(number)
                if number.is_finite()
                    && number.fract() == 0.0
                    && (0.0..=MAX_SEED as f64).contains(&number) =>
            {
                Ok(number as u64)
            }
            Some(number) => Err(format!("{what} must be {expected}, got {number}")),
            None => Err(format!("{what} must be {expected}, got {}", type_of(value))),
        }
    }

    /// The options of `reset`: `{ scenario }` or `{ task }`, and `seed`
    /// (default 0).
    pub fn reset_options(options: &JsValue) -> Result<(Selection, u64), String> {
        if options.is_undefined() || options.is_null() {
            return Err("give { scenario } or { task }, and a seed: e.g. reset({ task: \"severity_classification\", seed: 1 })".into());
        }
        match reset_parts(options, "the options")? {
            (Some(selection), seed) => Ok((selection, seed.unwrap_or(0))),
            (None, _) => Err("give { scenario } or { task }".into()),
        }
    }

    /// The fields of a reset request (`what` is an object with at most
    /// `scenario`, `task` and `seed`), each optional; scenario and task
    /// together are an error.
    pub fn reset_parts(
        value: &JsValue,
        what: &str,
    ) -> Result<(Option<Selection>, Option<u64>), String> {
        object(value, what, &["scenario", "task", "seed"])?;
        let scenario = text(&field(value, "scenario")?, "scenario", 200)?;
        let task = text(&field(value, "task")?, "task", 200)?;
        let raw_seed = field(value, "seed")?;
        let seed = if raw_seed.is_undefined() || raw_seed.is_null() {
            None
        } else {
            Some(seed(&raw_seed, "seed")?)
        };
        let selection = match (scenario, task) {
            (Some(_), Some(_)) => return Err("give scenario or task, not both".into()),
            (Some(id), None) => Some(Selection::Scenario(id)),
            (None, Some(id)) => Some(Selection::Task(id)),
            (None, None) => None,
        };
        Ok((selection, seed))
    }

    /// An action `{ action_type, target?, parameters?, reasoning? }`.
    pub fn action(value: &JsValue, what: &str) -> Result<Action, String> {
        const ALLOWED: [&str; 4] = ["action_type", "target", "parameters", "reasoning"];
        object(value, what, &ALLOWED)?;
        // Longer texts than the environment takes are still read (up to a
        // bound) so that it can say which field is too long.
        let long = 4 * MAX_TEXT_CHARS;
        let action_type = text(
            &field(value, "action_type")?,
            &format!("{what}.action_type"),
            64,
        )?
        .ok_or_else(|| {
            format!(
                "{what}.action_type is required: one of {}",
                crate::env::ACTION_TYPES.join(", ")
            )
        })?;
        let target = text(&field(value, "target")?, &format!("{what}.target"), 200)?;
        let reasoning = text(
            &field(value, "reasoning")?,
            &format!("{what}.reasoning"),
            long,
        )?
        .unwrap_or_default();
        let mut parameters = BTreeMap::new();
        let raw = field(value, "parameters")?;
        if !(raw.is_undefined() || raw.is_null()) {
            if !is_object(&raw) {
                return Err(format!(
                    "{what}.parameters must be an object of strings, got {}",
                    type_of(&raw)
                ));
            }
            let names = keys(&raw);
            if names.len() > MAX_PARAMETERS {
                return Err(format!(
                    "{what}.parameters has {} entries; at most {MAX_PARAMETERS} are accepted",
                    names.len()
                ));
            }
            for name in names {
                let path = format!("{what}.parameters.{}", clip(&name));
                if name.chars().count() > 64 {
                    return Err(format!("{path}: a parameter name is at most 64 characters"));
                }
                if let Some(text) = text(&field(&raw, &name)?, &path, long)? {
                    parameters.insert(name, text);
                }
            }
        }
        Ok(Action {
            action_type,
            target,
            parameters,
            reasoning,
        })
    }

    /// A PromQL expression (required).
    pub fn expression(value: &JsValue) -> Result<String, String> {
        text(value, "the expression", MAX_EXPRESSION_CHARS)?
            .ok_or_else(|| String::from("the expression (a PromQL string) is required"))
    }

    /// An optional time in simulated Unix seconds (decimals allowed), as
    /// milliseconds.
    pub fn time_ms(value: &JsValue, what: &str) -> Result<Option<i64>, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        match value.as_f64() {
            Some(seconds) if seconds.is_finite() && seconds.abs() <= MAX_ABS_SECONDS => {
                Ok(Some((seconds * 1000.0).round() as i64))
            }
            Some(seconds) => Err(format!(
                "{what} must be a finite number of seconds within ±{MAX_ABS_SECONDS:e}, got {seconds}"
            )),
            None => Err(format!(
                "{what} must be a number of seconds, got {}",
                type_of(value)
            )),
        }
    }
}
