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
//! use firedrill::{Agent, Env, Oracle, Selection};
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
//!
//! ## The stack
//!
//! The crate is a stack of layers: a module uses only modules of lower
//! layers, never one of its own layer or above, so there is no circle
//! between top-level modules. `tests/architecture.rs` reads this table and
//! every `crate::` path in `src/`, and fails naming the import that breaks
//! it.
//!
//! | layer | module | what it owns |
//! | --- | --- | --- |
//! | 0 | `rng` | the seeded generator (splitmix64, xoshiro) |
//! | 1 | `scenario` | the scenario model (typed: `Task`, `Signal`, `Severity`), strict TOML loading with located errors, the built-in set |
//! | 2 | `sim` | the degradation along the dependency graph, remediation effects, log lines |
//! | 3 | `series` | label sets and the series store (ring buffers and columns), staleness markers |
//! | 4 | `promql` | the PromQL engine over the store (parsing by `promql-parser`), the Prometheus API JSON |
//! | 5 | `metrics` | metric families, alert rules, SLOs, the recorder, exposition and the files for real tools |
//! | 6 | `env` | the contract: `Env`, `Action`, `Observation`, `State`, `Step`, grading, the render |
//! | 7 | `export` | the exports of an episode by kind (`ExportKind`) |
//! | 8 | `agents`, `leaderboard`, `replay` | the baseline agents; leaderboard merging; replay codes |
//! | 9 | `runner` | whole episodes played by an agent or an action list; the trajectory digest |
//! | 10 | `workshop`, `evaluate` | workshop packs, result codes replayed and graded, the curriculum, QR codes; an agent evaluated over many episodes (in parallel natively), its scores per scenario and per dimension |
//! | 11 | `cli`, `web` | the boundaries: the terminal (and `bench`, and `serve-app`: the release build served over HTTP); the browser (JS API, JS values, the app) |
//!
//! The crate root re-exports what a user of the library needs most:
//! [`Env`], [`Selection`], [`Action`], [`Observation`], [`Step`],
//! [`State`], [`Grade`], [`EnvError`], [`Task`] and the agents.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod rng;

pub mod scenario;

pub mod sim;

pub mod series;

#[cfg(feature = "promql")]
pub mod promql;

pub mod metrics;

pub mod env;

pub mod export;

pub mod agents;
pub mod leaderboard;
pub mod replay;

pub mod runner;

pub mod workshop;

pub mod evaluate;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod web;

pub use agents::{Agent, Heuristic, Oracle, RandomAgent};
pub use env::{Action, Env, EnvError, Grade, LeanStep, Observation, Selection, State, Step};
pub use scenario::Task;
