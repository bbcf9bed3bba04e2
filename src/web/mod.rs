//! The browser boundary: everything that talks to JavaScript and the DOM.
//!
//! - [`js`]: the JS API (`window.firedrill`, the core-only module's
//!   exports), the only module with `#[wasm_bindgen]` exports;
//! - [`jsvalue`]: JS values in and out, shared by the JS API and embed mode;
//! - [`app`]: the Leptos app, one file per view, and embed mode's
//!   postMessage protocol.
//!
//! Those three are compiled for wasm only. The app's plain logic (the URL
//! parameters, the service map's layout, file names and types of
//! downloads) lives in modules here that compile natively too, so `cargo
//! test` runs their tests.

#[cfg(all(target_arch = "wasm32", feature = "app"))]
pub mod app;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;
#[cfg(target_arch = "wasm32")]
pub mod jsvalue;
