//! The exports of an episode, by kind: the files `firedrill export`
//! prints, the JS API's `export()` returns and the debrief offers as
//! downloads. The kind is parsed from its id once, at the boundary
//! ([`ExportKind::from_id`]); inside, it is an enum.
//!
//! ```
//! use firedrill::env::{Env, Selection};
//! use firedrill::export::{episode_export, ExportKind};
//! let mut env = Env::new();
//! env.reset(&Selection::Scenario("connection-pool-exhaustion-v1".into()), 1).unwrap();
//! let rules = episode_export(&env, ExportKind::Rules).unwrap();
//! assert!(rules.starts_with("# Alert rules of Firedrill scenario connection-pool-exhaustion-v1"));
//! assert_eq!(ExportKind::from_id("otlp-logs"), Ok(ExportKind::OtlpLogs));
//! assert!(ExportKind::from_id("pdf").unwrap_err().to_string().starts_with("unknown export \"pdf\""));
//! ```

use crate::env::{Env, EnvError};
use crate::metrics::export::{otlp_logs, otlp_traces, rules_yaml};
use crate::metrics::grafana::{overview_dashboard, service_dashboard, slo_dashboard};
use std::fmt;

/// One kind of export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportKind {
    /// Every series of the episode with timestamps (OpenMetrics text).
    OpenMetrics,
    /// The current values (Prometheus text format 0.0.4).
    Exposition,
    /// The scenario's alert rules (a Prometheus rules file).
    Rules,
    /// The Grafana overview dashboard of the scenario's metrics (JSON):
    /// golden signals per service, alerts, business signals, changes.
    Grafana,
    /// The per-step recorder (CSV).
    Csv,
    /// The episode's logs (OTLP/JSON `ExportLogsServiceRequest`).
    OtlpLogs,
    /// The Grafana SLO dashboard (JSON): error budgets and burn rates.
    GrafanaSlo,
    /// The Grafana service dashboard (JSON): one service in detail.
    GrafanaService,
    /// The environment's own counters (Prometheus text format 0.0.4).
    Telemetry,
    /// The episode's simulated traces (OTLP/JSON `ExportTraceServiceRequest`).
    OtlpTraces,
    /// The postmortem draft (Markdown): timeline, impact, cause, the
    /// response as graded, sections to fill in.
    Postmortem,
}

/// An export id that names no [`ExportKind`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownExport(pub String);

impl fmt::Display for UnknownExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown export {:?}; expected one of {}",
            self.0,
            ExportKind::ids().join(", ")
        )
    }
}

impl std::error::Error for UnknownExport {}

impl ExportKind {
    /// Every kind, in the order the CLI's help and the debrief list them.
    pub const ALL: [ExportKind; 11] = [
        ExportKind::OpenMetrics,
        ExportKind::Exposition,
        ExportKind::Rules,
        ExportKind::Grafana,
        ExportKind::Csv,
        ExportKind::OtlpLogs,
        ExportKind::GrafanaSlo,
        ExportKind::GrafanaService,
        ExportKind::Telemetry,
        ExportKind::OtlpTraces,
        ExportKind::Postmortem,
    ];

    /// The id used by the CLI, the JS API and the debrief's buttons.
    pub fn id(self) -> &'static str {
        match self {
            ExportKind::OpenMetrics => "openmetrics",
            ExportKind::Exposition => "exposition",
            ExportKind::Rules => "rules",
            ExportKind::Grafana => "grafana",
            ExportKind::Csv => "csv",
            ExportKind::OtlpLogs => "otlp-logs",
            ExportKind::GrafanaSlo => "grafana-slo",
            ExportKind::GrafanaService => "grafana-service",
            ExportKind::Telemetry => "telemetry",
            ExportKind::OtlpTraces => "otlp-traces",
            ExportKind::Postmortem => "postmortem",
        }
    }

    /// Every id, in [`ExportKind::ALL`] order.
    pub fn ids() -> Vec<&'static str> {
        ExportKind::ALL.iter().map(|k| k.id()).collect()
    }

    /// The kind with this id.
    pub fn from_id(id: &str) -> Result<ExportKind, UnknownExport> {
        ExportKind::ALL
            .into_iter()
            .find(|k| k.id() == id)
            .ok_or_else(|| UnknownExport(id.to_string()))
    }

    /// What the export is, in a few words (the debrief's button).
    pub fn title(self) -> &'static str {
        match self {
            ExportKind::OpenMetrics => "Metrics (OpenMetrics)",
            ExportKind::Exposition => "Metrics now (Prometheus text)",
            ExportKind::Rules => "Alert rules (YAML)",
            ExportKind::Grafana => "Grafana dashboard (JSON)",
            ExportKind::Csv => "Step recorder (CSV)",
            ExportKind::OtlpLogs => "Logs (OTLP/JSON)",
            ExportKind::GrafanaSlo => "Grafana SLO dashboard (JSON)",
            ExportKind::GrafanaService => "Grafana service dashboard (JSON)",
            ExportKind::Telemetry => "Sandbox telemetry (Prometheus text)",
            ExportKind::OtlpTraces => "Traces (OTLP/JSON)",
            ExportKind::Postmortem => "Postmortem draft (Markdown)",
        }
    }

    /// The file name's ending after the scenario and seed.
    pub fn extension(self) -> &'static str {
        match self {
            ExportKind::OpenMetrics => "openmetrics.txt",
            ExportKind::Exposition => "prom",
            ExportKind::Rules => "rules.yml",
            ExportKind::Grafana => "grafana.json",
            ExportKind::Csv => "csv",
            ExportKind::OtlpLogs => "otlp-logs.json",
            ExportKind::GrafanaSlo => "grafana-slo.json",
            ExportKind::GrafanaService => "grafana-service.json",
            ExportKind::Telemetry => "telemetry.prom",
            ExportKind::OtlpTraces => "otlp-traces.json",
            ExportKind::Postmortem => "postmortem.md",
        }
    }

    /// The file name the export is saved under: `<scenario>-<seed>.<extension>`.
    ///
    /// ```
    /// use firedrill::export::ExportKind;
    /// assert_eq!(ExportKind::Rules.file_name("disk-full-v1", 7), "disk-full-v1-7.rules.yml");
    /// ```
    pub fn file_name(self, scenario: &str, seed: u64) -> String {
        format!("{scenario}-{seed}.{}", self.extension())
    }
}

/// One export of the episode in `env`: the exact bytes `firedrill export`
/// prints. Fails only before the first reset, but for
/// [`ExportKind::Telemetry`], the environment's own counters, there from
/// the start.
pub fn episode_export(env: &Env, kind: ExportKind) -> Result<String, EnvError> {
    if kind == ExportKind::Telemetry {
        return Ok(env.telemetry().exposition());
    }
    let monitor = env.monitor()?;
    let scenario = env.scenario().ok_or(EnvError::ResetNeeded)?;
    Ok(match kind {
        ExportKind::OpenMetrics => env.openmetrics()?,
        ExportKind::Exposition => monitor.exposition(),
        ExportKind::Rules => rules_yaml(scenario),
        // A `serde_json::Value` always serializes: `{:#}` is
        // `to_string_pretty`, `{}` is `to_string`.
        ExportKind::Grafana => format!("{:#}\n", overview_dashboard(scenario)),
        ExportKind::Csv => monitor.recorder().csv(),
        ExportKind::OtlpLogs => format!("{}\n", otlp_logs(scenario, &env.logs()?)),
        ExportKind::GrafanaSlo => format!("{:#}\n", slo_dashboard(scenario)),
        ExportKind::GrafanaService => format!("{:#}\n", service_dashboard(scenario)),
        ExportKind::Telemetry => env.telemetry().exposition(),
        ExportKind::OtlpTraces => format!("{}\n", otlp_traces(scenario, &env.all_traces()?)),
        ExportKind::Postmortem => env.postmortem()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_id_and_has_its_own_file_name() {
        let mut names = std::collections::HashSet::new();
        for kind in ExportKind::ALL {
            assert_eq!(ExportKind::from_id(kind.id()), Ok(kind));
            assert!(names.insert(kind.file_name("s", 1)));
        }
        assert_eq!(
            ExportKind::from_id("OTLP-logs").unwrap_err().to_string(),
            "unknown export \"OTLP-logs\"; expected one of openmetrics, exposition, rules, grafana, csv, otlp-logs, grafana-slo, grafana-service, telemetry, otlp-traces, postmortem"
        );
    }

    #[test]
    fn an_export_before_any_reset_is_reset_needed() {
        assert_eq!(
            episode_export(&Env::new(), ExportKind::Csv),
            Err(EnvError::ResetNeeded)
        );
    }
}
