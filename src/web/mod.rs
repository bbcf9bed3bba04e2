//! The browser boundary: everything that talks to JavaScript and the DOM.
//!
//! - `js`: the JS API (`window.firedrill`, the core-only module's
//!   exports), the only module with `#[wasm_bindgen]` exports;
//! - `jsvalue`: JS values in and out, shared by the JS API and embed mode;
//! - `app`: the Leptos app, one file per view, and embed mode's
//!   postMessage protocol.
//!
//! Those three are compiled for wasm only. The app's plain logic lives in
//! modules here that compile natively too, so `cargo test` runs their
//! tests:
//!
//! - [`url`]: the URL parameters, parsed once for the app and embed mode;
//! - [`error`]: the kinds of the errors the JS API throws and embed mode
//!   replies;
//! - [`layout`]: the service map's columns, rows and arrows;
//! - [`download`]: file names and MIME types of downloads;
//! - [`action_form`]: what the action form offers for each action type;
//! - [`format`](mod@format): computed texts (values in their unit, an action in one
//!   line, a PromQL error's caret, a stage's progress);
//! - [`plot`]: what the charts show (the signal the degradation chart opens
//!   on, the services furthest from their baseline, axis ticks and labels);
//! - [`typescript`]: the TypeScript declarations of the JS API's values and
//!   embed mode's messages, checked against the Rust types.

pub mod action_form;
pub mod download;
pub mod error;
pub mod format;
pub mod layout;
pub mod plot;
pub mod typescript;
pub mod url;

#[cfg(all(target_arch = "wasm32", feature = "app"))]
pub mod app;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;
#[cfg(target_arch = "wasm32")]
pub mod jsvalue;
