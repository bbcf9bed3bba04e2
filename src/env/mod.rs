//! The environment contract: reset, step, state, grade.
pub mod task;
