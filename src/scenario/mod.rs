//! Scenarios: the model of an incident, loading it from TOML with strict,
//! located validation, and the built-in set (listed at build time; the texts
//! embedded too, except in the web app, which fetches a file when it is played).
//!
//! ```
//! let catalog = firedrill::scenario::Catalog::builtin();
//! assert!(!catalog.scenarios().is_empty());
//! let first = &catalog.scenarios()[0];
//! assert!(catalog.get(&first.id).is_some());
//! ```

mod catalog;
pub mod causes;
pub(crate) mod error;
mod keyed;
mod lint;
mod load;
mod model;
pub mod status_update;
mod task;

pub use catalog::{BuiltinFile, Catalog};
pub use error::ScenarioError;
pub use keyed::{PerActionType, PerSignal};
pub use lint::lint;
pub use load::{parse, window_text, DEFAULT_START_TIME, DEFAULT_STEP_SECONDS, MAX_SCENARIO_BYTES};
pub use model::*;
pub use task::{Difficulty, GradeDimension, Task};
