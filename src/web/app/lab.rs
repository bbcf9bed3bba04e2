//! The lab: the core-only module (`env/firedrill_env.js`: the environment
//! with the PromQL engine and the JS API) loaded after the app is
//! interactive, so that the first load carries neither the PromQL parser
//! nor its regex engine, nor the exports. It answers the PromQL console,
//! the embed protocol's queries and the debrief's downloads over a shadow
//! of the app's episode — the same
//! scenario, seed and actions replayed, which the environment's
//! determinism makes the same series, bit for bit — and it is what the app
//! exposes as `window.firedrill` (see `www/lab.js`).

use std::cell::RefCell;

use leptos::prelude::*;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::AppState;
use crate::web::error::{ErrorKind, WebError};

#[wasm_bindgen(module = "/www/lab.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadEnvModule)]
    fn load_env_module() -> js_sys::Promise;
}

/// The shadow environment and what it has replayed.
struct Shadow {
    env: JsValue,
    scenario: String,
    seed: u64,
    played: usize,
    catalog_version: u32,
}

thread_local! {
    static SHADOW: RefCell<Option<Shadow>> = const { RefCell::new(None) };
}

/// A PromQL query over the app's episode (times in simulated seconds).
pub enum Query {
    /// An instant query at `time` (the newest sample when `None`).
    Instant {
        /// The expression.
        expr: JsValue,
        /// The evaluation time.
        time: JsValue,
    },
    /// A range query.
    Range {
        /// The expression.
        expr: JsValue,
        /// First evaluation time.
        start: JsValue,
        /// Last evaluation time.
        end: JsValue,
        /// Seconds between evaluations.
        step: JsValue,
    },
}

/// Starts loading the module in the background (it sets `window.firedrill`).
pub fn preload() {
    wasm_bindgen_futures::spawn_local(async {
        let _ = module().await;
    });
}

/// The module, loading it on first use.
async fn module() -> Result<JsValue, WebError> {
    JsFuture::from(load_env_module()).await.map_err(|e| {
        WebError::internal(format!(
            "the core-only module (env/firedrill_env.js: queries, exports) could not be loaded: {}",
            message_of(&e)
        ))
    })
}

/// The text of a thrown JS value.
fn message_of(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| String::from("unknown error"))
}

/// A thrown JS value as an error: the JS API's errors keep their `kind`;
/// anything else is the drill's own failure.
fn error_of(error: &JsValue) -> WebError {
    let kind = js_sys::Reflect::get(error, &JsValue::from_str("kind"))
        .ok()
        .and_then(|kind| kind.as_string())
        .and_then(|kind| ErrorKind::from_name(&kind))
        .unwrap_or(ErrorKind::Internal);
    WebError::new(kind, message_of(error))
}

/// `object[method](...args)`, a thrown error with its kind.
fn call(object: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, WebError> {
    let function = js_sys::Reflect::get(object, &JsValue::from_str(method))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| WebError::internal(format!("the PromQL engine has no {method}")))?;
    let args: js_sys::Array = args.iter().collect();
    function.apply(object, &args).map_err(|e| error_of(&e))
}

/// Answers `query` over the app's current episode: the Prometheus HTTP
/// API's answer as a JS object, or why the query could not be asked (a
/// parameter error, no episode, the module not loading).
pub async fn ask(state: AppState, query: Query) -> Result<JsValue, WebError> {
    let module = module().await?;
    let env = synced(state, &module)?;
    match query {
        Query::Instant { expr, time } => call(&env, "query", &[expr, time]),
        Query::Range {
            expr,
            start,
            end,
            step,
        } => call(&env, "queryRange", &[expr, start, end, step]),
    }
}

/// One export of the app's episode (`ExportKind::id`), made by the
/// core-only module over the shadow: the app's own wasm carries no export
/// code (openmetrics, rules, dashboards, OTLP, the postmortem).
pub async fn export(state: AppState, kind: &str) -> Result<String, WebError> {
    let module = module().await?;
    let env = synced(state, &module)?;
    call(&env, "export", &[JsValue::from_str(kind)])?
        .as_string()
        .ok_or_else(|| WebError::internal("the export is not text"))
}

/// The shadow environment, brought to the app's episode: replaying only
/// the new actions when it is the same episode further on, else from a
/// reset (after loading the custom scenarios when the catalog changed).
fn synced(state: AppState, module: &JsValue) -> Result<JsValue, WebError> {
    let episode = state
        .episode
        .get_untracked()
        .ok_or_else(|| WebError::new(ErrorKind::ResetNeeded, "start an episode first"))?;
    let catalog_version = state.catalog_version.get_untracked();
    SHADOW.with(|shadow| {
        let mut shadow = shadow.borrow_mut();
        let reusable = shadow.as_ref().is_some_and(|s| {
            s.scenario == episode.scenario
                && s.seed == episode.seed
                && s.played <= episode.history.len()
                && s.catalog_version == catalog_version
        });
        if !reusable {
            let class = js_sys::Reflect::get(module, &JsValue::from_str("Env"))
                .ok()
                .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
                .ok_or_else(|| WebError::internal("the PromQL engine has no Env"))?;
            let env = js_sys::Reflect::construct(&class, &js_sys::Array::new())
                .map_err(|e| error_of(&e))?;
            for (file, text) in state.custom_files.get_value() {
                call(
                    &env,
                    "loadScenario",
                    &[JsValue::from_str(&text), JsValue::from_str(&file)],
                )?;
            }
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(
                &options,
                &"scenario".into(),
                &JsValue::from_str(&episode.scenario),
            );
            let _ = js_sys::Reflect::set(
                &options,
                &"seed".into(),
                &JsValue::from_f64(episode.seed as f64),
            );
            call(&env, "reset", &[options.into()])?;
            *shadow = Some(Shadow {
                env,
                scenario: episode.scenario.clone(),
                seed: episode.seed,
                played: 0,
                catalog_version,
            });
        }
        let shadow = shadow
            .as_mut()
            .ok_or_else(|| WebError::internal("the PromQL engine has no episode"))?;
        for entry in &episode.history[shadow.played..] {
            let action = crate::web::jsvalue::to_js(&entry.action).map_err(WebError::internal)?;
            call(&shadow.env, "stepLean", &[action])?;
            shadow.played += 1;
        }
        Ok(shadow.env.clone())
    })
}
