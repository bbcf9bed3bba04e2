//! # Firedrill
//!
//! Incident-response drills: a seeded simulation of microservices in the
//! middle of an incident, an environment contract (reset / step / state /
//! grade) to respond to it, a grader, baseline agents, and an
//! observability layer (metrics, PromQL, alerts, SLOs, logs).
//!
//! The core is plain Rust with no browser, clock or global state: it builds
//! and tests natively and compiles unchanged to WebAssembly.
//!
//! ```
//! use firedrill::agents::{Agent, Oracle};
//! use firedrill::env::{Env, Selection};
//! let mut env = Env::new();
//! let mut obs = env.reset(&Selection::Scenario("connection-pool-exhaustion-v1".into()), 1).unwrap();
//! let mut agent = Oracle::default();
//! loop {
//!     let action = agent.act(&env, &obs);
//!     let step = env.step(&action).unwrap();
//!     obs = step.observation;
//!     if step.terminated || step.truncated { break; }
//! }
//! assert!(env.grade().unwrap().score >= 0.9);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agents;
pub mod env;
pub mod leaderboard;
pub mod metrics;
#[cfg(feature = "promql")]
pub mod promql;
pub mod replay;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod sim;

#[cfg(not(target_arch = "wasm32"))]
pub mod bench;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(all(target_arch = "wasm32", feature = "app"))]
pub mod app;

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;

#[cfg(target_arch = "wasm32")]
pub mod jsvalue;
