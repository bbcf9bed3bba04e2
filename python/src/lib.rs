//! `firedrill._core`: the Python boundary, the one module with PyO3 code.
//! The pure-Python package `firedrill` above it is the API people use; this
//! module reads the caller's Python values into the core's types, plays
//! the environment with the GIL released, and hands back results as JSON
//! text (exactly the JSON the CLI prints and the JS API parses), which the
//! package turns into dicts with `json.loads`.
//!
//! - `scenarios()`, `causes()`, `curriculum()`, `packs()`, `grade_code(code)`
//!   → JSON text;
//! - `Env()`: `reset(task, scenario, seed)`, `step(action)`,
//!   `step_lean(action)`, `run_episode(agent, scenario, task, seed,
//!   actions)`, `state()`, `observation()`, `grade()`,
//!   `query(expr, time)`, `query_range(expr, start, end, step)`,
//!   `series(matches, start, end)`,
//!   `scenarios()`, `traces(service, limit)` → JSON text; `render()`,
//!   `exposition()`, `telemetry()`, `export(kind)`, `load_scenario(text,
//!   file_name)` → text;
//! - `Agent(name, seed)`: `act(env)` → the action as JSON text;
//! - evaluations (`firedrill evaluate`'s functions): `evaluate(agent,
//!   episodes)`, `summarize(agent, results)` and the `Env` methods
//!   `play_episode(agent, scenario, seed)` and `episode_result()` → JSON
//!   text (an episode's result, or the report).
//!
//! Every mistake by the caller and every refusal of the core raises the
//! exception of `firedrill.errors` whose `kind` is the error's kind
//! ([`ErrorKind`], the same kinds the JS API throws), with a message that
//! starts with the call's name and says what was expected. The same `Env`
//! keeps working afterwards. A PromQL expression that does not parse or
//! evaluate is answered, as in the JS API, with Prometheus' own error
//! object, not an exception.
//!
//! An `Env` or `Agent` may be shared between threads: each holds its state
//! behind a mutex taken with the GIL released, so calls on one object run
//! one at a time and calls on different objects run in parallel.

use firedrill::agents::{Agent as CoreAgent, Heuristic, Oracle, RandomAgent, AGENT_NAMES};
use firedrill::env::{Action, Env as CoreEnv, EnvError, Selection, ACTION_TYPES, MAX_TEXT_CHARS};
use firedrill::evaluate::{
    episode_result, evaluate as evaluate_core, play_episode as play_core_episode,
    summarize as summarize_core, EpisodeResult, EpisodeSpec, EvaluateError,
};
use firedrill::export::{episode_export, ExportKind};
use firedrill::promql::{json as prometheus_json, Engine, QueryError};
use firedrill::rng::MAX_SAFE_SEED;
use firedrill::runner::{episode_summary, run_episode as run_core_episode, Driver};
use firedrill::scenario::{causes::CAUSES, Catalog};
use firedrill::web::error::{ErrorKind, WebError};
use firedrill::web::format::clip;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// Longest PromQL expression accepted, in characters (as the JS API).
const MAX_EXPRESSION_CHARS: usize = 16 * 1024;
/// Most parameters an action may carry (as the JS API).
const MAX_PARAMETERS: usize = 16;
/// Largest absolute time accepted, in simulated seconds (year 5138).
const MAX_ABS_SECONDS: f64 = 1e11;
/// Most traces `traces` returns.
const MAX_TRACES: usize = 500;

/// The error as the Python exception of its kind: `firedrill.errors.BY_KIND`.
fn raise(py: Python<'_>, error: WebError) -> PyErr {
    let exception = py
        .import("firedrill.errors")
        .and_then(|errors| errors.getattr("BY_KIND"))
        .and_then(|by_kind| by_kind.get_item(error.kind.name()))
        .and_then(|class| class.call1((error.message.as_str(),)));
    match exception {
        Ok(exception) => PyErr::from_value(exception),
        Err(import_failed) => import_failed,
    }
}

/// A mistake of the caller in a Python value, in the call `what`.
fn argument(what: &str, message: impl Into<String>) -> WebError {
    WebError::argument(message).context(what)
}

/// An error of the core, in the call `what`, with its kind.
fn failed(what: &str) -> impl Fn(EnvError) -> WebError + '_ {
    move |error| WebError::from(error).context(what)
}

/// A result as JSON text.
fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, WebError> {
    serde_json::to_string(value)
        .map_err(|e| WebError::internal(format!("could not convert the result to JSON: {e}")))
}

/// The name of a Python value's type, for messages.
fn type_name(value: &Bound<'_, PyAny>) -> String {
    if value.is_none() {
        return "None".into();
    }
    value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}

/// An optional string of at most `max_chars` characters (`None` is `None`).
fn text(value: &Bound<'_, PyAny>, what: &str, max_chars: usize) -> Result<Option<String>, String> {
    if value.is_none() {
        return Ok(None);
    }
    let Ok(string) = value.cast::<PyString>() else {
        return Err(format!("{what} must be a str, got {}", type_name(value)));
    };
    let string = string
        .to_str()
        .map_err(|_| format!("{what} is not valid UTF-8 text"))?;
    let length = string.chars().count();
    if length > max_chars {
        return Err(format!(
            "{what} is {length} characters long; at most {max_chars} are accepted"
        ));
    }
    Ok(Some(string.to_string()))
}

/// A seed: an int from 0 to [`MAX_SAFE_SEED`] (the seeds the browser
/// takes, so every seed replays the same everywhere).
fn seed(value: &Bound<'_, PyAny>, what: &str) -> Result<u64, String> {
    let expected = format!("{what} must be an integer from 0 to {MAX_SAFE_SEED}");
    if value.is_instance_of::<PyBool>() || value.is_instance_of::<PyFloat>() {
        return Err(format!("{expected}, got {}", type_name(value)));
    }
    // Integers of other types (numpy's) convert through __index__.
    match value.extract::<u64>() {
        Ok(number) if number <= MAX_SAFE_SEED => Ok(number),
        Ok(_) => Err(format!("{expected}, got {}", clip(&repr(value)))),
        Err(_) if value.is_instance_of::<PyInt>() => {
            Err(format!("{expected}, got {}", clip(&repr(value))))
        }
        Err(_) => Err(format!("{expected}, got {}", type_name(value))),
    }
}

/// `repr(value)`, for messages.
fn repr(value: &Bound<'_, PyAny>) -> String {
    value
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| type_name(value))
}

/// An optional count from 1 to `max` (`None` is `None`).
fn count(value: &Bound<'_, PyAny>, what: &str, max: usize) -> Result<Option<usize>, String> {
    if value.is_none() {
        return Ok(None);
    }
    let expected = format!("{what} must be an integer from 1 to {max}");
    if value.is_instance_of::<PyBool>() || value.is_instance_of::<PyFloat>() {
        return Err(format!("{expected}, got {}", type_name(value)));
    }
    match value.extract::<i64>() {
        Ok(number) if (1..=max as i64).contains(&number) => Ok(Some(number as usize)),
        Ok(number) => Err(format!("{expected}, got {number}")),
        Err(_) => Err(format!("{expected}, got {}", type_name(value))),
    }
}

/// An optional time in simulated Unix seconds (an int or a float), as
/// milliseconds.
fn time_ms(value: &Bound<'_, PyAny>, what: &str) -> Result<Option<i64>, String> {
    if value.is_none() {
        return Ok(None);
    }
    if value.is_instance_of::<PyBool>()
        || !(value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>())
    {
        return Err(format!(
            "{what} must be a number of seconds (int or float), got {}",
            type_name(value)
        ));
    }
    match value.extract::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds.abs() <= MAX_ABS_SECONDS => {
            Ok(Some((seconds * 1000.0).round() as i64))
        }
        _ => Err(format!(
            "{what} must be a finite number of seconds within ±{MAX_ABS_SECONDS:e}, got {}",
            clip(&repr(value))
        )),
    }
}

/// A required time in simulated Unix seconds, as milliseconds.
fn required_time_ms(value: &Bound<'_, PyAny>, what: &str) -> Result<i64, String> {
    time_ms(value, what)?.ok_or_else(|| format!("{what} (simulated Unix seconds) is required"))
}

/// A PromQL expression (required).
fn expression(value: &Bound<'_, PyAny>) -> Result<String, String> {
    text(value, "the expression", MAX_EXPRESSION_CHARS)?
        .ok_or_else(|| String::from("the expression (a PromQL str) is required"))
}

/// What to play: `scenario` or `task`, one of them.
fn selection(
    scenario: Option<&Bound<'_, PyAny>>,
    task: Option<&Bound<'_, PyAny>>,
) -> Result<Selection, String> {
    let scenario = scenario
        .map(|s| text(s, "scenario", 200))
        .transpose()?
        .flatten();
    let task = task.map(|t| text(t, "task", 200)).transpose()?.flatten();
    match (scenario, task) {
        (Some(id), None) => Ok(Selection::Scenario(id)),
        (None, Some(id)) => Ok(Selection::Task(id)),
        (Some(_), Some(_)) => Err("give scenario or task, not both".into()),
        (None, None) => Err(
            "give scenario=ID or task=ID, and a seed: e.g. reset(task=\"severity_classification\", seed=1)"
                .into(),
        ),
    }
}

/// An action: a dict `{action_type, target?, parameters?, reasoning?}`
/// (`None` values count as absent) or its JSON text.
fn action(value: &Bound<'_, PyAny>, what: &str) -> Result<Action, String> {
    const ALLOWED: [&str; 4] = ["action_type", "target", "parameters", "reasoning"];
    let expected = ALLOWED.join(", ");
    if let Ok(json) = value.cast::<PyString>() {
        let json = json
            .to_str()
            .map_err(|_| format!("{what} is not valid UTF-8 text"))?;
        return serde_json::from_str::<Action>(json)
            .map_err(|e| format!("{what} is not the JSON text of an action {{{expected}}}: {e}"));
    }
    let Ok(dict) = value.cast::<PyDict>() else {
        return Err(format!(
            "{what} must be a dict {{{expected}}} or its JSON text, got {}",
            type_name(value)
        ));
    };
    for key in dict.keys() {
        let name = key.extract::<String>().unwrap_or_else(|_| repr(&key));
        if !ALLOWED.contains(&name.as_str()) {
            return Err(format!(
                "{what} has an unknown field {:?}; expected {expected}",
                clip(&name)
            ));
        }
    }
    let field = |name: &str| -> Result<Option<Bound<'_, PyAny>>, String> {
        dict.get_item(name)
            .map_err(|e| format!("reading {what}[{name:?}] failed: {e}"))
    };
    // Longer texts than the environment takes are still read (up to a
    // bound) so that it can say which field is too long.
    let long = 4 * MAX_TEXT_CHARS;
    let optional_text = |name: &str, max_chars: usize| -> Result<Option<String>, String> {
        match field(name)? {
            Some(value) => text(&value, &format!("{what}[{name:?}]"), max_chars),
            None => Ok(None),
        }
    };
    let action_type = optional_text("action_type", 64)?.ok_or_else(|| {
        format!(
            "{what}[\"action_type\"] is required: one of {}",
            ACTION_TYPES.join(", ")
        )
    })?;
    let target = optional_text("target", 200)?;
    let reasoning = optional_text("reasoning", long)?.unwrap_or_default();
    let mut parameters = BTreeMap::new();
    if let Some(raw) = field("parameters")?.filter(|raw| !raw.is_none()) {
        let Ok(raw) = raw.cast::<PyDict>() else {
            return Err(format!(
                "{what}[\"parameters\"] must be a dict of str, got {}",
                type_name(&raw)
            ));
        };
        if raw.len() > MAX_PARAMETERS {
            return Err(format!(
                "{what}[\"parameters\"] has {} entries; at most {MAX_PARAMETERS} are accepted",
                raw.len()
            ));
        }
        for (key, value) in raw.iter() {
            let Ok(name) = key.extract::<String>() else {
                return Err(format!(
                    "{what}[\"parameters\"] has a key of type {}; the names are str",
                    type_name(&key)
                ));
            };
            let path = format!("{what}[\"parameters\"][{:?}]", clip(&name));
            if name.chars().count() > 64 {
                return Err(format!("{path}: a parameter name is at most 64 characters"));
            }
            if let Some(text) = text(&value, &path, long)? {
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

/// A list of actions (dicts or JSON texts), or the JSON text of an array.
fn actions(value: &Bound<'_, PyAny>, what: &str) -> Result<Vec<Action>, String> {
    if let Ok(json) = value.cast::<PyString>() {
        let json = json
            .to_str()
            .map_err(|_| format!("{what} is not valid UTF-8 text"))?;
        return serde_json::from_str::<Vec<Action>>(json)
            .map_err(|e| format!("{what} is not the JSON text of an array of actions: {e}"));
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = value.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Err(format!(
            "{what} must be a list of actions or its JSON text, got {}",
            type_name(value)
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| action(item, &format!("{what}[{index}]")))
        .collect()
}

/// The environment's mutex, taken (an earlier panic in the core, a bug, is
/// an internal error rather than a second panic).
fn locked<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>, WebError> {
    mutex.lock().map_err(|_| {
        WebError::internal(
            "an earlier call failed inside the drill (a bug: please report it); create a new Env",
        )
    })
}

/// The taxonomy of causes a diagnosis names: `[{id, name, description}]`
/// (`firedrill causes --json`).
#[pyfunction]
fn causes(py: Python<'_>) -> PyResult<String> {
    to_json(CAUSES).map_err(|e| raise(py, e))
}

/// The built-in scenarios: `[{id, handle, title, debrief_title, task,
/// fault, services}]`.
#[pyfunction]
fn scenarios(py: Python<'_>) -> PyResult<String> {
    py.detach(|| to_json(&Catalog::builtin().summaries()))
        .map_err(|e| raise(py, e))
}

/// The curriculum, easy to hard (`firedrill curriculum --json`).
#[pyfunction]
fn curriculum(py: Python<'_>) -> PyResult<String> {
    py.detach(|| to_json(&firedrill::workshop::curriculum(&Catalog::builtin())))
        .map_err(|e| raise(py, e))
}

/// The built-in workshop packs (`firedrill packs --json`).
#[pyfunction]
fn packs(py: Python<'_>) -> PyResult<String> {
    py.detach(|| to_json(&firedrill::workshop::pack::builtin_packs()))
        .map_err(|e| raise(py, e))
}

/// Replays a result code (`r1.…`) over the built-in scenarios and grades
/// the episode it plays, as `firedrill grade-code` does.
#[pyfunction]
fn grade_code(py: Python<'_>, code: &Bound<'_, PyAny>) -> PyResult<String> {
    let code = text(code, "code", 64 * 1024)
        .and_then(|c| c.ok_or_else(|| String::from("code (a str) is required")))
        .map_err(|m| raise(py, argument("grade_code", m)))?;
    py.detach(|| {
        let pack = firedrill::workshop::code::decode(&code)
            .ok()
            .and_then(|c| c.pack)
            .and_then(|id| firedrill::workshop::pack::builtin_pack(&id));
        let graded = firedrill::workshop::grade_code(&mut CoreEnv::new(), &code, pack.as_ref())
            .map_err(|m| argument("grade_code", m))?;
        to_json(&graded.summary)
    })
    .map_err(|e| raise(py, e))
}

/// An evaluation's error as the exception of its kind, in the call `what`.
fn evaluation_failed(what: &str) -> impl Fn(EvaluateError) -> WebError + '_ {
    move |error| {
        let kind = match &error {
            EvaluateError::UnknownAgent(_) | EvaluateError::NoEpisodes => {
                ErrorKind::InvalidArgument
            }
            EvaluateError::UnknownScenario(_) => ErrorKind::UnknownScenario,
            EvaluateError::Episode { error, .. } => ErrorKind::of(&error.error),
            EvaluateError::ThreadPool(_) => ErrorKind::Internal,
        };
        WebError::new(kind, format!("{what}: {error}"))
    }
}

/// JSON text of type `T` handed over by the package (not by users).
fn parse_json<T: serde::de::DeserializeOwned>(
    value: &Bound<'_, PyAny>,
    what: &str,
) -> Result<T, String> {
    let Ok(json) = value.cast::<PyString>() else {
        return Err(format!(
            "{what} must be JSON text (a str), got {}",
            type_name(value)
        ));
    };
    let json = json
        .to_str()
        .map_err(|_| format!("{what} is not valid UTF-8 text"))?;
    serde_json::from_str(json).map_err(|e| format!("{what} is not valid: {e}"))
}

/// Plays the episodes (the JSON text of `[{scenario, seed}]`) of the
/// baseline agent `agent` in sequence over the built-in scenarios, as
/// `firedrill evaluate --jobs 1` does, and returns its report (`firedrill
/// evaluate --json`).
#[pyfunction]
fn evaluate(
    py: Python<'_>,
    agent: &Bound<'_, PyAny>,
    episodes: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let read = || -> Result<_, String> {
        let agent = text(agent, "agent", 32)?.ok_or_else(|| String::from("agent is required"))?;
        let episodes: Vec<EpisodeSpec> = parse_json(episodes, "episodes")?;
        Ok((agent, episodes))
    };
    let (agent, episodes) = read().map_err(|m| raise(py, argument("evaluate", m)))?;
    py.detach(|| {
        let report = evaluate_core(&Catalog::builtin(), &agent, &episodes)
            .map_err(evaluation_failed("evaluate"))?;
        to_json(&report)
    })
    .map_err(|e| raise(py, e))
}

/// The report (`firedrill evaluate --json`) of episode results (the JSON
/// text of a list of `play_episode`'s or `episode_result`'s results, in any
/// order) of the agent named `agent`: sorted, then summed up as the CLI
/// does, so that the same episodes give the same numbers to the last bit.
#[pyfunction]
fn summarize(
    py: Python<'_>,
    agent: &Bound<'_, PyAny>,
    results: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let read = || -> Result<_, String> {
        let agent = text(agent, "agent", 200)?.ok_or_else(|| String::from("agent is required"))?;
        let results: Vec<EpisodeResult> = parse_json(results, "results")?;
        Ok((agent, results))
    };
    let (agent, results) = read().map_err(|m| raise(py, argument("summarize", m)))?;
    py.detach(|| {
        let report = summarize_core(&agent, results).map_err(evaluation_failed("summarize"))?;
        to_json(&report)
    })
    .map_err(|e| raise(py, e))
}

/// A baseline agent by name: its own type, so that it can move between
/// threads (`firedrill::agents::by_name` returns a plain `dyn Agent`).
fn baseline_agent(name: &str, seed: u64) -> Option<Box<dyn CoreAgent + Send>> {
    match name {
        "random" => Some(Box::new(RandomAgent::new(seed))),
        "heuristic" => Some(Box::new(Heuristic)),
        "oracle" => Some(Box::new(Oracle)),
        _ => None,
    }
}

/// The agent named `name`, or the error that lists the names.
fn agent_named(what: &str, name: &str, seed: u64) -> Result<Box<dyn CoreAgent + Send>, WebError> {
    baseline_agent(name, seed).ok_or_else(|| {
        argument(
            what,
            format!(
                "unknown agent {:?}; expected {}",
                clip(name),
                AGENT_NAMES.join(", ")
            ),
        )
    })
}

/// What `run_episode` plays: a scenario or task, a seed, and a baseline
/// agent or a list of actions.
struct EpisodeRequest {
    selection: Selection,
    seed: u64,
    agent: Option<String>,
    actions: Option<Vec<Action>>,
}

impl EpisodeRequest {
    /// The request from `run_episode`'s arguments.
    fn read(
        agent: Option<&Bound<'_, PyAny>>,
        scenario: Option<&Bound<'_, PyAny>>,
        task: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
        actions: Option<&Bound<'_, PyAny>>,
    ) -> Result<EpisodeRequest, String> {
        let selection = selection(scenario, task)?;
        let seed = seed
            .map(|s| self::seed(s, "seed"))
            .transpose()?
            .unwrap_or(0);
        let agent = agent.map(|a| text(a, "agent", 32)).transpose()?.flatten();
        let actions = match actions.filter(|a| !a.is_none()) {
            Some(list) => Some(self::actions(list, "actions")?),
            None => None,
        };
        if agent.is_some() && actions.is_some() {
            return Err("give agent or actions, not both".into());
        }
        Ok(EpisodeRequest {
            selection,
            seed,
            agent,
            actions,
        })
    }

    /// Plays the episode in `env` and returns its summary as JSON.
    fn play(&self, env: &mut CoreEnv) -> Result<String, WebError> {
        const WHAT: &str = "run_episode";
        let (selection, seed) = (&self.selection, self.seed);
        let played = match &self.actions {
            Some(list) => run_core_episode(env, selection, seed, Driver::Actions(list)),
            None => {
                let name = self.agent.as_deref().unwrap_or("heuristic");
                let mut player = agent_named(WHAT, name, seed)?;
                run_core_episode(env, selection, seed, Driver::Agent(player.as_mut()))
            }
        };
        let played =
            played.map_err(|e| WebError::new(ErrorKind::of(&e.error), format!("{WHAT}: {e}")))?;
        to_json(&episode_summary(env, seed, &played).map_err(failed(WHAT))?)
    }
}

/// The environment: one episode at a time (see the module docs).
#[pyclass(frozen, module = "firedrill._core")]
struct Env {
    env: Mutex<CoreEnv>,
}

impl Env {
    /// Runs `f` on the environment with the GIL released; its error
    /// becomes the exception of its kind.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut CoreEnv) -> Result<T, WebError> + Send,
    ) -> PyResult<T> {
        py.detach(|| f(&mut *locked(&self.env)?))
            .map_err(|e| raise(py, e))
    }
}

#[pymethods]
impl Env {
    /// An environment over the built-in scenarios, with no episode yet.
    #[new]
    fn new() -> Env {
        Env {
            env: Mutex::new(CoreEnv::new()),
        }
    }

    /// Starts an episode of `scenario` or of `task` (the seed picks one of
    /// its scenarios); returns the first observation.
    #[pyo3(signature = (task=None, scenario=None, seed=None))]
    fn reset(
        &self,
        py: Python<'_>,
        task: Option<&Bound<'_, PyAny>>,
        scenario: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let selection = selection(scenario, task).map_err(|m| raise(py, argument("reset", m)))?;
        let seed = seed
            .map(|s| self::seed(s, "seed"))
            .transpose()
            .map_err(|m| raise(py, argument("reset", m)))?
            .unwrap_or(0);
        self.with(py, |env| {
            let observation = env.reset(&selection, seed).map_err(failed("reset"))?;
            to_json(&observation)
        })
    }

    /// Plays one action; returns `{observation, reward, terminated,
    /// truncated, info}`. An invalid action raises and uses no step.
    fn step(&self, py: Python<'_>, action: &Bound<'_, PyAny>) -> PyResult<String> {
        let action = self::action(action, "action").map_err(|m| raise(py, argument("step", m)))?;
        self.with(py, |env| {
            to_json(&env.step(&action).map_err(failed("step"))?)
        })
    }

    /// Plays one action as `step` does; returns `{reward, terminated,
    /// truncated, info}` without the observation.
    fn step_lean(&self, py: Python<'_>, action: &Bound<'_, PyAny>) -> PyResult<String> {
        let action =
            self::action(action, "action").map_err(|m| raise(py, argument("step_lean", m)))?;
        self.with(py, |env| {
            to_json(&env.step_lean(&action).map_err(failed("step_lean"))?)
        })
    }

    /// Plays a whole episode in this environment in one call, as
    /// `firedrill run --json` does, with a baseline agent (`agent`, default
    /// `heuristic`) or a list of actions, and returns its summary. The
    /// episode stays in the environment (its state, grade, render).
    #[pyo3(signature = (agent=None, *, scenario=None, task=None, seed=None, actions=None))]
    fn run_episode(
        &self,
        py: Python<'_>,
        agent: Option<&Bound<'_, PyAny>>,
        scenario: Option<&Bound<'_, PyAny>>,
        task: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
        actions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let request = EpisodeRequest::read(agent, scenario, task, seed, actions)
            .map_err(|m| raise(py, argument("run_episode", m)))?;
        self.with(py, |env| request.play(env))
    }

    /// Plays one episode of an evaluation in this environment: the
    /// baseline agent `agent`, seeded with `seed`, on `scenario` reset
    /// with `seed`, as `firedrill evaluate` plays it; returns its result
    /// (`{scenario, task, seed, score, passed, steps, status, ...,
    /// dimensions}`).
    fn play_episode(
        &self,
        py: Python<'_>,
        agent: &Bound<'_, PyAny>,
        scenario: &Bound<'_, PyAny>,
        seed: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let read = || -> Result<_, String> {
            let agent =
                text(agent, "agent", 32)?.ok_or_else(|| String::from("agent is required"))?;
            let scenario = text(scenario, "scenario", 200)?
                .ok_or_else(|| String::from("scenario is required"))?;
            Ok((
                agent,
                EpisodeSpec {
                    scenario,
                    seed: self::seed(seed, "seed")?,
                },
            ))
        };
        let (agent, episode) = read().map_err(|m| raise(py, argument("play_episode", m)))?;
        self.with(py, |env| {
            let result = play_core_episode(env, &agent, &episode)
                .map_err(evaluation_failed("play_episode"))?;
            to_json(&result)
        })
    }

    /// The result of the current episode, as an evaluation reports it
    /// (the score and dimensions of `grade()`, the steps and status of
    /// `state()`).
    fn episode_result(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |env| {
            let seed = env.state().map_err(failed("episode_result"))?.seed;
            to_json(&episode_result(env, seed).map_err(failed("episode_result"))?)
        })
    }

    /// Everything about the episode (the ground truth once it is over).
    fn state(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |env| to_json(&env.state().map_err(failed("state"))?))
    }

    /// The current observation, without acting.
    fn observation(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |env| {
            to_json(&env.observation().map_err(failed("observation"))?)
        })
    }

    /// The grade of the episode so far: `{score, dimensions, …}`.
    fn grade(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |env| to_json(&env.grade().map_err(failed("grade"))?))
    }

    /// An instant PromQL query at `time` (simulated Unix seconds; default:
    /// the newest sample), answered as the Prometheus HTTP API's JSON.
    #[pyo3(signature = (expr, time=None))]
    fn query(
        &self,
        py: Python<'_>,
        expr: &Bound<'_, PyAny>,
        time: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let read = || -> Result<_, String> {
            let time_ms = match time {
                Some(time) => time_ms(time, "time")?,
                None => None,
            };
            Ok((expression(expr)?, time_ms))
        };
        let (expr, time_ms) = read().map_err(|m| raise(py, argument("query", m)))?;
        self.with(py, |env| {
            let monitor = env.monitor().map_err(failed("query"))?;
            let time_ms = time_ms.unwrap_or(monitor.last_time().saturating_mul(1000));
            Ok(
                match Engine::default().instant(monitor.store(), &expr, time_ms) {
                    Ok(evaluated) => {
                        prometheus_json::success(&evaluated.value, &evaluated.annotations)
                    }
                    Err(e) => prometheus_json::error(&e),
                },
            )
        })
    }

    /// A range PromQL query from `start` to `end` every `step` seconds,
    /// answered as the Prometheus HTTP API's JSON (`resultType: "matrix"`).
    /// Start after end, a step that is not positive and more than 11,000
    /// points per series raise `QueryError`.
    fn query_range(
        &self,
        py: Python<'_>,
        expr: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        step: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let read = || -> Result<_, String> {
            Ok((
                expression(expr)?,
                required_time_ms(start, "start")?,
                required_time_ms(end, "end")?,
                required_time_ms(step, "step")?,
            ))
        };
        let (expr, start_ms, end_ms, step_ms) =
            read().map_err(|m| raise(py, argument("query_range", m)))?;
        self.with(py, |env| {
            let monitor = env.monitor().map_err(failed("query_range"))?;
            match Engine::default().range(monitor.store(), &expr, start_ms, end_ms, step_ms) {
                Ok(evaluated) => Ok(prometheus_json::success_matrix(
                    &evaluated.value,
                    &evaluated.annotations,
                )),
                Err(QueryError::BadParameter(message)) => {
                    Err(WebError::new(ErrorKind::Query, message).context("query_range"))
                }
                Err(e) => Ok(prometheus_json::error(&e)),
            }
        })
    }

    /// The series that any of the selectors `matches` (a list of str)
    /// selects with a sample from `start` to `end` (simulated Unix seconds;
    /// default: the whole episode), as the Prometheus HTTP API's
    /// `/api/v1/series` JSON: `{status: "success", data: [{label: value}]}`,
    /// or its error object for a selector that does not parse.
    #[pyo3(signature = (matches, start=None, end=None))]
    fn series(
        &self,
        py: Python<'_>,
        matches: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let read = || -> Result<_, String> {
            let expected = "matches must be a non-empty list of PromQL series selectors (str)";
            let list = matches
                .cast::<PyList>()
                .map_err(|_| format!("{expected}, got {}", type_name(matches)))?;
            if list.is_empty() || list.len() > MAX_PARAMETERS {
                return Err(format!(
                    "{expected}; got {} (at most {MAX_PARAMETERS})",
                    list.len()
                ));
            }
            let selectors = list
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    text(&item, &format!("matches[{i}]"), MAX_EXPRESSION_CHARS)?
                        .ok_or_else(|| format!("matches[{i}] must be a str, got None"))
                })
                .collect::<Result<Vec<String>, String>>()?;
            let start_ms = match start {
                Some(t) => time_ms(t, "start")?,
                None => None,
            };
            let end_ms = match end {
                Some(t) => time_ms(t, "end")?,
                None => None,
            };
            Ok((selectors, start_ms, end_ms))
        };
        let (selectors, start_ms, end_ms) = read().map_err(|m| raise(py, argument("series", m)))?;
        self.with(py, |env| {
            let monitor = env.monitor().map_err(failed("series"))?;
            let selectors: Vec<&str> = selectors.iter().map(String::as_str).collect();
            let start_ms = start_ms.unwrap_or(i64::MIN / 2);
            let end_ms = end_ms.unwrap_or(i64::MAX / 2);
            Ok(
                match Engine::default().series(monitor.store(), &selectors, start_ms, end_ms) {
                    Ok(found) => {
                        let data: Vec<BTreeMap<&str, &str>> = found
                            .iter()
                            .map(|labels| {
                                labels
                                    .pairs()
                                    .iter()
                                    .map(|(k, v)| (k.as_str(), v.as_str()))
                                    .collect()
                            })
                            .collect();
                        format!("{{\"status\":\"success\",\"data\":{}}}", to_json(&data)?)
                    }
                    Err(e) => prometheus_json::error(&e),
                },
            )
        })
    }

    /// The current state in the Prometheus text exposition format 0.0.4.
    fn exposition(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |env| {
            env.monitor()
                .map(|m| m.exposition())
                .map_err(failed("exposition"))
        })
    }

    /// The environment's own counters (episodes, steps, resets by task,
    /// actions by type, errors, grades) in the exposition format; works
    /// before any reset.
    fn telemetry(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |env| Ok(env.telemetry().exposition()))
    }

    /// The markdown incident dashboard of the episode.
    fn render(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |env| env.render().map_err(failed("render")))
    }

    /// One export of the episode by kind (`openmetrics`, `exposition`,
    /// `rules`, `grafana`, `csv`, `otlp-logs`, …): the bytes `firedrill
    /// export` prints.
    fn export(&self, py: Python<'_>, kind: &Bound<'_, PyAny>) -> PyResult<String> {
        let kind = text(kind, "kind", 32)
            .and_then(|k| k.ok_or_else(|| String::from("kind is required")))
            .and_then(|k| ExportKind::from_id(&k).map_err(|e| e.to_string()))
            .map_err(|m| raise(py, argument("export", m)))?;
        self.with(py, |env| {
            episode_export(env, kind).map_err(failed("export"))
        })
    }

    /// The most recent simulated request traces (newest step first), at
    /// most `limit` (default 5, at most 500); only those through `service`
    /// when it is given.
    #[pyo3(signature = (service=None, limit=None))]
    fn traces(
        &self,
        py: Python<'_>,
        service: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let read = || -> Result<_, String> {
            let service = match service {
                Some(s) => text(s, "service", 200)?,
                None => None,
            };
            let limit = match limit {
                Some(l) => count(l, "limit", MAX_TRACES)?,
                None => None,
            };
            Ok((service, limit.unwrap_or(5)))
        };
        let (service, limit) = read().map_err(|m| raise(py, argument("traces", m)))?;
        self.with(py, |env| {
            let scenario = env
                .scenario()
                .ok_or_else(|| failed("traces")(EnvError::ResetNeeded))?;
            if let Some(name) = &service {
                if scenario.service_index(name).is_none() {
                    let names: Vec<&str> =
                        scenario.services.iter().map(|s| s.name.as_str()).collect();
                    return Err(argument(
                        "traces",
                        format!(
                            "service {:?} is not in the scenario; expected one of {}",
                            clip(name),
                            names.join(", ")
                        ),
                    ));
                }
            }
            to_json(
                &env.traces(service.as_deref(), limit)
                    .map_err(failed("traces"))?,
            )
        })
    }

    /// Adds a scenario from the text of a scenario file (TOML), replacing
    /// one with the same id; returns its id. A file that does not load
    /// raises `ScenarioError` naming each problem's line and column.
    #[pyo3(signature = (text, file_name=None))]
    fn load_scenario(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        file_name: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let read = || -> Result<_, String> {
            let body = self::text(
                text,
                "the scenario text",
                firedrill::scenario::MAX_SCENARIO_BYTES,
            )?
            .ok_or_else(|| String::from("the scenario text (a str) is required"))?;
            let file = match file_name {
                Some(f) => self::text(f, "file_name", 200)?,
                None => None,
            };
            Ok((body, file.unwrap_or_else(|| String::from("scenario.toml"))))
        };
        let (body, file) = read().map_err(|m| raise(py, argument("load_scenario", m)))?;
        self.with(py, |env| {
            env.catalog_mut().load_str(&file, &body).map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                WebError::new(
                    ErrorKind::Scenario,
                    format!(
                        "load_scenario: the scenario is not valid:\n{}",
                        lines.join("\n")
                    ),
                )
            })
        })
    }

    /// The scenarios this environment can play (built-in and loaded).
    fn scenarios(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |env| to_json(&env.catalog().summaries()))
    }
}

/// A baseline agent: `Agent("random" | "heuristic" | "oracle", seed)`.
#[pyclass(frozen, module = "firedrill._core")]
struct Agent {
    agent: Mutex<Box<dyn CoreAgent + Send>>,
}

#[pymethods]
impl Agent {
    /// The baseline agent `name`, seeded (only the random agent uses it).
    #[new]
    #[pyo3(signature = (name, seed=None))]
    fn new(
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Agent> {
        let read = || -> Result<_, String> {
            let name = text(name, "name", 32)?
                .ok_or_else(|| format!("name is required: one of {}", AGENT_NAMES.join(", ")))?;
            let seed = seed.map(|s| self::seed(s, "seed")).transpose()?;
            Ok((name, seed.unwrap_or(0)))
        };
        let (name, seed) = read().map_err(|m| raise(py, argument("Agent", m)))?;
        let agent = agent_named("Agent", &name, seed).map_err(|e| raise(py, e))?;
        Ok(Agent {
            agent: Mutex::new(agent),
        })
    }

    /// The action this agent plays now in `env`'s episode.
    fn act(&self, py: Python<'_>, env: &Bound<'_, Env>) -> PyResult<String> {
        let env = env.get();
        py.detach(|| {
            let mut agent = locked(&self.agent)?;
            let env = locked(&env.env)?;
            let observation = env.observation().map_err(failed("act"))?;
            if observation.done {
                return Err(failed("act")(EnvError::EpisodeOver));
            }
            to_json(&agent.act(&env, &observation))
        })
        .map_err(|e| raise(py, e))
    }
}

/// The module `firedrill._core`.
#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Env>()?;
    module.add_class::<Agent>()?;
    module.add_function(wrap_pyfunction!(causes, module)?)?;
    module.add_function(wrap_pyfunction!(scenarios, module)?)?;
    module.add_function(wrap_pyfunction!(curriculum, module)?)?;
    module.add_function(wrap_pyfunction!(packs, module)?)?;
    module.add_function(wrap_pyfunction!(grade_code, module)?)?;
    module.add_function(wrap_pyfunction!(evaluate, module)?)?;
    module.add_function(wrap_pyfunction!(summarize, module)?)?;
    module.add("AGENT_NAMES", AGENT_NAMES.to_vec())?;
    module.add("ACTION_TYPES", ACTION_TYPES.to_vec())?;
    module.add(
        "ERROR_KINDS",
        ErrorKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>(),
    )?;
    module.add("MAX_SEED", MAX_SAFE_SEED)?;
    module.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
