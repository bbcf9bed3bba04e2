//! The observability layer: the metric families of the simulated fleet, a
//! series store, alert rules evaluated through PromQL, exposition and
//! exports for real tools, SLOs and the per-step recorder.

pub mod alerts;
pub mod export;
pub mod families;
pub mod grafana;
pub mod monitor;
pub mod portable_math;
pub mod recorder;
pub mod slo;
pub mod traces;
