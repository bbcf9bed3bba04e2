//! Embed mode: `index.html?embed=1&drill=<handle>&seed=<n>&parent=<origin>`
//! (or `scenario=<id>`)
//! renders the drill alone (no site chrome, nothing saved to this
//! browser's storage) to fit an iframe in someone else's page, and speaks a
//! postMessage protocol that mirrors the environment contract.
//!
//! The host page sends `{ type, id?, … }` with `type` one of `reset`
//! (`scenario?`, `task?`, `seed?`), `step` (`action`, or the action's
//! fields beside `type`), `state`, `grade`, `query` (`expr`, `time?`) and
//! `query_range` (`expr`, `start`, `end`, `step`); the drill replies to the
//! sender with `{ type, id, … }` — `observation` for reset; `observation`,
//! `reward`, `terminated`, `truncated`, `info` for step; `state`; `grade`;
//! the Prometheus API answer (`status`, `data` or `errorType`, `error`) for
//! the queries — or `{ type: "error", id, request, kind, detail }`, `kind`
//! one of the names of [`ErrorKind`] (`reset_needed`, `invalid_action`,
//! `invalid_argument`, …) and `detail` the message. It announces
//! `{ type: "ready" }` when loaded (once the drill of its URL has started,
//! or could not: its built-in scenario file is fetched first, as in the
//! full app; it carries the scenario id, its public `handle` and the
//! `task`), `{ type: "step", step, status, terminated, truncated }` after
//! every step however it was played (with the step's `reward` in practice
//! mode), `{ type: "episode_end", grade }` when an episode ends however it
//! was played, and `{ type: "resize", height }` when its content changes
//! height.
//!
//! The URL is read by [`UrlParams`], as in the full app: a bad seed is
//! reported and seed 1 played. Messages are accepted only from the exact
//! origin given in `parent` (others are ignored without a reply), replies
//! are posted to that origin only, and nothing from a message is inserted
//! as HTML.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::lab::{self, Query};
use super::{AppState, IncidentArea};
use crate::env::Selection;
use crate::leaderboard::Mode;
use crate::web::error::{ErrorKind, WebError};
use crate::web::jsvalue::{input, to_js};
use crate::web::url::{episode_query, UrlParams};

/// The message types a host page may send.
pub const MESSAGE_TYPES: [&str; 6] = ["reset", "step", "state", "grade", "query", "query_range"];
/// Largest message accepted, in characters of its JSON.
pub const MAX_MESSAGE_CHARS: usize = 64 * 1024;

/// The embedded drill: the incident area alone, started from the URL.
#[component]
pub fn EmbeddedDrill(params: UrlParams) -> impl IntoView {
    let state = expect_context::<AppState>();
    let mut problems: Vec<String> = params.problems.iter().map(|p| p.to_string()).collect();
    let parent = params
        .parent
        .as_deref()
        .and_then(|p| match exact_origin(p) {
            Ok(origin) => Some(origin),
            Err(problem) => {
                problems.push(problem);
                None
            }
        });
    let announce_ready = parent.clone().map(|origin| {
        move || {
            let scenario = state.scenario.get_untracked();
            let task = state
                .episode
                .get_untracked()
                .map(|e| e.task)
                .unwrap_or_else(|| state.task.get_untracked());
            announce(
                &origin,
                "ready",
                &[
                    ("scenario", JsValue::from_str(&scenario)),
                    (
                        "handle",
                        JsValue::from_str(&crate::scenario::handle_of(&scenario)),
                    ),
                    ("task", JsValue::from_str(task.id())),
                ],
            )
        }
    });
    if let Some(origin) = parent {
        listen(state, origin);
    }
    open_from_url(state, &params, problems, move || {
        if let Some(announce_ready) = announce_ready {
            announce_ready();
        }
    });
    let full_app = move || {
        let location = web_sys::window()?.location();
        let base = format!("{}{}", location.origin().ok()?, location.pathname().ok()?);
        Some(format!(
            "{base}{}",
            episode_query(
                &crate::scenario::handle_of(&state.scenario.get()),
                state.seed.get(),
                None
            )
        ))
    };
    view! {
        <main class="embed" data-testid="embed">
            <IncidentArea/>
            <footer class="embed-footer">
                <span class="logo" aria-hidden="true">"▲"</span>
                " Firedrill · incident-response drills in the browser · "
                <a href=full_app target="_blank" rel="noopener noreferrer" data-testid="embed-open-full">
                    "Open in the full app"
                </a>
            </footer>
        </main>
    }
}

/// `text` if it is exactly an origin (`scheme://host[:port]`, as
/// `location.origin` spells it), else why not.
fn exact_origin(text: &str) -> Result<String, String> {
    let parsed = web_sys::Url::new(text).ok().map(|url| url.origin());
    match parsed {
        Some(origin) if origin == text && origin != "null" => Ok(origin),
        _ => Err(format!(
            "parent {:?} in the URL is not an origin such as https://docs.example.com; messages are turned off",
            text.chars().take(80).collect::<String>()
        )),
    }
}

/// Chooses the scenario and seed the URL asks for (a scenario id, or a
/// task whose scenario the seed picks; the first scenario otherwise) and
/// starts it once its file is here; then shows `problems` and the start's
/// own, and calls `done`. An unknown task opens nothing (the URL's problems
/// say why).
fn open_from_url(
    state: AppState,
    params: &UrlParams,
    mut problems: Vec<String>,
    done: impl FnOnce() + 'static,
) {
    // A drill handle is resolved to its scenario; an unknown one is
    // reported as an unknown scenario by the reset.
    let drill = params.drill.as_ref().map(|handle| {
        state
            .env
            .with_value(|env| env.catalog().id_for_handle(handle).map(str::to_string))
            .unwrap_or_else(|| handle.clone())
    });
    let selection = match (drill.as_ref().or(params.scenario.as_ref()), params.task) {
        (Some(id), _) => Some(Selection::Scenario(id.clone())),
        (None, Some(task)) => Some(Selection::Task(task.id().to_string())),
        (None, None) if params.has_unknown_task() => {
            state.report(problems);
            done();
            return;
        }
        (None, None) => None,
    };
    let (id, seed) = match chosen_scenario(state, selection, Some(params.seed_or_default())) {
        Ok(chosen) => chosen,
        Err(problem) => {
            problems.push(problem.message);
            state.report(problems);
            done();
            return;
        }
    };
    show_chosen(state, &id, seed);
    state.report(problems.clone());
    let finish = move |result: Result<(), WebError>| {
        if let Err(problem) = result {
            problems.push(problem.message);
        }
        state.report(problems);
        done();
    };
    if !state.needs_fetch(&id) {
        finish(reset(state, &id, seed));
        return;
    }
    leptos::task::spawn_local(async move {
        match state.fetch_for_reset(&id, seed).await {
            Ok(()) => finish(reset(state, &id, seed)),
            // The drill shows why, with a Retry button.
            Err(_) => finish(Ok(())),
        }
    });
}

/// The scenario id and seed a reset asks for: of `selection` (a task's
/// scenario picked by the seed, from the listing), or the drill's current
/// scenario (the first one if none is chosen); with `seed`, or the
/// current seed.
fn chosen_scenario(
    state: AppState,
    selection: Option<Selection>,
    seed: Option<u64>,
) -> Result<(String, u64), WebError> {
    let seed = seed.unwrap_or_else(|| state.seed.get_untracked());
    let current = state.scenario.get_untracked();
    let id = state.env.with_value(|env| {
        let catalog = env.catalog();
        let listed = match &selection {
            Some(Selection::Task(task)) => crate::env::Task::from_id(task)
                .and_then(|task| catalog.id_for_task(task, seed))
                .map(str::to_string),
            Some(Selection::Scenario(id)) => catalog.summary(id).map(|s| s.id.clone()),
            None => catalog
                .summary(&current)
                .map(|s| s.id.clone())
                .or_else(|| catalog.summaries().first().map(|s| s.id.clone())),
        };
        match (listed, &selection) {
            (Some(id), _) => Ok(id),
            // The environment's own error (unknown task, unknown scenario).
            (None, Some(selection)) => env
                .select(selection, seed)
                .map(|s| s.id.clone())
                .map_err(WebError::from),
            (None, None) => Err(WebError::new(
                ErrorKind::UnknownScenario,
                "there is no scenario to play",
            )),
        }
    })?;
    Ok((id, seed))
}

/// Makes `id` and `seed` the drill's choice (its briefing shows while its
/// file is fetched).
fn show_chosen(state: AppState, id: &str, seed: u64) {
    let task = state
        .env
        .with_value(|env| env.catalog().summary(id).and_then(|s| s.task));
    if let Some(task) = task {
        state.task.set(task);
    }
    state.scenario.set(id.to_string());
    state.seed.set(seed);
}

/// Starts an episode of scenario `id` with `seed` in the app (so the page
/// shows it); its file must be here.
fn reset(state: AppState, id: &str, seed: u64) -> Result<(), WebError> {
    let scenario = state
        .env
        .with_value(|env| env.select(&Selection::Scenario(id.to_string()), seed))?;
    state.task.set(scenario.task);
    state.scenario.set(scenario.id.clone());
    state.seed.set(seed);
    state.try_start()
}

/// Listens to the host page's messages from `origin` and announces the
/// drill's events to it.
fn listen(state: AppState, origin: String) {
    let from = origin.clone();
    let handler = move |event: web_sys::MessageEvent| {
        if event.origin() != from {
            return;
        }
        // The sender's window is another realm's object: `instanceof Window`
        // is false for it, so it is cast without that check.
        let Some(source) = event
            .source()
            .map(|s| s.unchecked_into::<web_sys::Window>())
        else {
            return;
        };
        answer(state, &event.data(), source, from.clone());
    };
    let _ = window_event_listener(leptos::ev::message, handler);

    let to = origin.clone();
    Effect::new(move |was_over: Option<bool>| {
        let grade = state.grade.get();
        let over = grade.is_some();
        if over && was_over != Some(true) {
            if let Some(grade) = grade.and_then(|g| to_js(&g).ok()) {
                announce(&to, "episode_end", &[("grade", grade)]);
            }
        }
        over
    });
    announce_steps(state, origin.clone());
    watch_height(origin);
}

/// After every step however it was played, posts `{ type: "step", step,
/// status, terminated, truncated }` to the host, with the step's `reward`
/// in practice mode (exam mode shows no rewards).
fn announce_steps(state: AppState, origin: String) {
    Effect::new(move |last: Option<Option<(String, u64, u32)>>| {
        let episode = state.episode.get()?;
        let key = (episode.scenario.clone(), episode.seed, episode.step);
        let entry = episode.history.last().filter(|h| h.step == episode.step)?;
        if last.flatten().as_ref() != Some(&key) {
            let mut fields = vec![
                ("step", JsValue::from(episode.step)),
                ("status", JsValue::from_str(episode.status.name())),
                ("terminated", JsValue::from(episode.terminated)),
                ("truncated", JsValue::from(episode.truncated)),
            ];
            if state.episode_mode.get_untracked() == Mode::Practice {
                fields.push(("reward", JsValue::from(entry.reward)));
            }
            announce(&origin, "step", &fields);
        }
        Some(key)
    });
}

/// Posts `{ type, …fields }` to the parent window, to `origin` only.
fn announce(origin: &str, kind: &str, fields: &[(&str, JsValue)]) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &JsValue::from_str(kind));
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(name), value);
    }
    let _ = parent.post_message(&message, origin);
}

/// Tells the parent the page's height whenever it changes, so an
/// `embed.js` iframe with `data-height="auto"` can fit its content.
fn watch_height(origin: String) {
    let last = std::rc::Rc::new(std::cell::Cell::new(0i32));
    let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        let height = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .map(|e| e.scroll_height())
            .unwrap_or(0);
        if height != last.get() {
            last.set(height);
            announce(&origin, "resize", &[("height", JsValue::from(height))]);
        }
    });
    let body = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body());
    if let (Some(body), Ok(observer)) = (
        body,
        web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()),
    ) {
        observer.observe(&body);
    }
    callback.forget();
}

/// A message's id and type, read before anything else so that even a
/// malformed message's error reply carries them.
struct Request {
    id: JsValue,
    kind: Option<String>,
}

impl Request {
    fn read(data: &JsValue) -> Request {
        let get = |name: &str| {
            if input::is_object(data) {
                input::field(data, name).unwrap_or(JsValue::UNDEFINED)
            } else {
                JsValue::UNDEFINED
            }
        };
        Request {
            id: get("id"),
            kind: get("type").as_string().filter(|t| t.chars().count() <= 32),
        }
    }

    /// `{ type, id, …payload }`, or `{ type: "error", id, request, kind,
    /// detail }`.
    fn reply(&self, result: Result<JsValue, WebError>) -> JsValue {
        let set = |object: &JsValue, name: &str, value: &JsValue| {
            let _ = js_sys::Reflect::set(object, &JsValue::from_str(name), value);
        };
        let reply = match result {
            Ok(payload) => {
                let kind = self.kind.as_deref().unwrap_or_default();
                set(&payload, "type", &JsValue::from_str(kind));
                payload
            }
            Err(error) => {
                let payload: JsValue = js_sys::Object::new().into();
                set(&payload, "type", &"error".into());
                if let Some(kind) = &self.kind {
                    set(&payload, "request", &JsValue::from_str(kind));
                }
                set(&payload, "kind", &JsValue::from_str(error.kind.name()));
                set(&payload, "detail", &JsValue::from_str(&error.message));
                payload
            }
        };
        if self.id.is_string() || self.id.as_f64().is_some_and(f64::is_finite) {
            set(&reply, "id", &self.id);
        }
        reply
    }
}

/// What a message asks for: an answer now, or one to wait for (a query
/// the lab answers, a reset whose scenario file is fetched first).
enum Response {
    Now(JsValue),
    Later(Pin<Box<dyn Future<Output = Result<JsValue, WebError>>>>),
}

/// Answers one message from the host page, to `source` at `origin`: at
/// once, or when the lab has answered its query.
fn answer(state: AppState, data: &JsValue, source: web_sys::Window, origin: String) {
    let request = Request::read(data);
    match respond(state, data, &request) {
        Ok(Response::Now(payload)) => {
            let _ = source.post_message(&request.reply(Ok(payload)), &origin);
        }
        Ok(Response::Later(answer)) => wasm_bindgen_futures::spawn_local(async move {
            let result = answer.await;
            let _ = source.post_message(&request.reply(result), &origin);
        }),
        Err(error) => {
            let _ = source.post_message(&request.reply(Err(error)), &origin);
        }
    }
}

/// The running episode's observation, as a JS object.
fn observation_of(state: AppState) -> Result<JsValue, WebError> {
    let observation = state
        .observation
        .get_untracked()
        .ok_or_else(|| WebError::internal("the episode did not start"))?;
    to_js(&observation).map_err(WebError::internal)
}

/// Wraps `value` as `{ name: value }`.
fn wrap(name: &str, value: JsValue) -> Response {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &value);
    Response::Now(object.into())
}

/// The response to a well-formed message, or why it is not one.
fn respond(state: AppState, data: &JsValue, request: &Request) -> Result<Response, WebError> {
    // A message, or one of its fields, of the wrong shape.
    let argument = |message: String| WebError::argument(message);
    let js = |value: Result<JsValue, String>| value.map_err(WebError::internal);
    if !input::is_object(data) {
        return Err(argument(format!(
            "a message must be an object {{ type, id?, … }}, got {}",
            input::type_of(data)
        )));
    }
    let size = js_sys::JSON::stringify(data)
        .ok()
        .map(|s| s.length() as usize)
        .ok_or_else(|| WebError::argument("the message cannot be read as JSON"))?;
    if size > MAX_MESSAGE_CHARS {
        return Err(argument(format!(
            "the message is {size} characters of JSON; at most {MAX_MESSAGE_CHARS} are accepted"
        )));
    }
    let id = &request.id;
    if !(id.is_undefined()
        || id.is_string() && id.unchecked_ref::<js_sys::JsString>().length() <= 200
        || id.as_f64().is_some_and(f64::is_finite))
    {
        return Err(WebError::argument(
            "id must be a string (at most 200 characters) or a finite number",
        ));
    }
    let supported = MESSAGE_TYPES.join(", ");
    let kind = request
        .kind
        .as_deref()
        .ok_or_else(|| argument(format!("the message needs a type: one of {supported}")))?;
    // The message's own fields besides type and id.
    let fields = js_sys::Object::new();
    for key in input::keys(data) {
        if key != "type" && key != "id" {
            let value = input::field(data, &key).map_err(argument)?;
            let _ = js_sys::Reflect::set(&fields, &JsValue::from_str(&key), &value);
        }
    }
    let fields: JsValue = fields.into();
    let get = |name: &str| input::field(&fields, name).map_err(argument);
    match kind {
        "reset" => {
            let (selection, seed) =
                input::reset_parts(&fields, "a reset message").map_err(argument)?;
            let (id, seed) = chosen_scenario(state, selection, seed)?;
            if !state.needs_fetch(&id) {
                reset(state, &id, seed)?;
                return Ok(wrap("observation", observation_of(state)?));
            }
            Ok(Response::Later(Box::pin(async move {
                state.fetch_for_reset(&id, seed).await.map_err(|problem| {
                    WebError::internal(format!(
                        "drill {} could not be loaded: {problem}",
                        crate::scenario::handle_of(&id)
                    ))
                })?;
                reset(state, &id, seed)?;
                let observation = observation_of(state)?;
                let reply = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&reply, &"observation".into(), &observation);
                Ok(reply.into())
            })))
        }
        "step" => {
            let action = if input::keys(&fields).iter().any(|k| k == "action") {
                input::object(&fields, "a step message", &["action"]).map_err(argument)?;
                input::action(&get("action")?, "action").map_err(argument)?
            } else {
                input::action(&fields, "a step message").map_err(argument)?
            };
            Ok(Response::Now(js(to_js(&state.play(action)?))?))
        }
        "state" => {
            input::object(&fields, "a state message", &[]).map_err(argument)?;
            let episode = state.env.with_value(|env| env.state())?;
            Ok(wrap("state", js(to_js(&episode))?))
        }
        "grade" => {
            input::object(&fields, "a grade message", &[]).map_err(argument)?;
            let grade = state
                .env
                .try_update_value(|env| env.grade())
                .ok_or_else(|| WebError::internal("the environment is gone: reload the page"))??;
            Ok(wrap("grade", js(to_js(&grade))?))
        }
        "query" => {
            input::object(&fields, "a query message", &["expr", "time"]).map_err(argument)?;
            let query = Query::Instant {
                expr: get("expr")?,
                time: get("time")?,
            };
            Ok(Response::Later(Box::pin(lab::ask(state, query))))
        }
        "query_range" => {
            let allowed = ["expr", "start", "end", "step"];
            input::object(&fields, "a query_range message", &allowed).map_err(argument)?;
            let query = Query::Range {
                expr: get("expr")?,
                start: get("start")?,
                end: get("end")?,
                step: get("step")?,
            };
            Ok(Response::Later(Box::pin(lab::ask(state, query))))
        }
        other => Err(argument(format!(
            "unknown message type {:?}; supported: {supported}",
            other.chars().take(40).collect::<String>()
        ))),
    }
}
