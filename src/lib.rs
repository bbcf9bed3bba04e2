//! Firedrill core.
#![forbid(unsafe_code)]
pub mod env;
pub mod scenario;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod app;
