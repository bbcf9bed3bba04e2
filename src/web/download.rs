//! The files the app offers as downloads: their names and MIME types. The
//! exports' names come from [`ExportKind::file_name`]; the leaderboard's is
//! [`LEADERBOARD_FILE`]. The app (`app/mod.rs`) makes the file.
//!
//! ```
//! use firedrill::export::ExportKind;
//! use firedrill::web::download::Download;
//! let rules = Download::export(ExportKind::Rules, "disk-full-v1", 7);
//! assert_eq!(rules.file_name, "disk-full-v1-7.rules.yml");
//! assert_eq!(rules.mime_type, "application/yaml");
//! ```

use crate::export::ExportKind;

/// The file name of the leaderboard's export.
pub const LEADERBOARD_FILE: &str = "firedrill-leaderboard.json";

/// A file to offer: its name and the MIME type it is offered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// The name the browser saves it under.
    pub file_name: String,
    /// Its MIME type (from the name's extension).
    pub mime_type: &'static str,
}

impl Download {
    /// A file named `file_name`, typed by its extension.
    pub fn named(file_name: &str) -> Download {
        Download {
            file_name: file_name.to_string(),
            mime_type: mime_type(file_name),
        }
    }

    /// An export of the episode of `scenario` and `seed`.
    pub fn export(kind: ExportKind, scenario: &str, seed: u64) -> Download {
        Download::named(&kind.file_name(scenario, seed))
    }

    /// The leaderboard's export.
    pub fn leaderboard() -> Download {
        Download::named(LEADERBOARD_FILE)
    }
}

/// The MIME type a file is offered with, by its extension: JSON, CSV and
/// YAML by name, any other text as `text/plain`.
pub fn mime_type(file_name: &str) -> &'static str {
    if file_name.ends_with(".json") {
        "application/json"
    } else if file_name.ends_with(".csv") {
        "text/csv"
    } else if file_name.ends_with(".yml") || file_name.ends_with(".yaml") {
        "application/yaml"
    } else if file_name.ends_with(".md") {
        "text/markdown"
    } else {
        "text/plain"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_has_its_file_name_and_type() {
        let cases = [
            (
                ExportKind::OpenMetrics,
                "disk-full-v1-7.openmetrics.txt",
                "text/plain",
            ),
            (ExportKind::Exposition, "disk-full-v1-7.prom", "text/plain"),
            (
                ExportKind::Rules,
                "disk-full-v1-7.rules.yml",
                "application/yaml",
            ),
            (
                ExportKind::Grafana,
                "disk-full-v1-7.grafana.json",
                "application/json",
            ),
            (ExportKind::Csv, "disk-full-v1-7.csv", "text/csv"),
            (
                ExportKind::OtlpLogs,
                "disk-full-v1-7.otlp-logs.json",
                "application/json",
            ),
            (
                ExportKind::GrafanaSlo,
                "disk-full-v1-7.grafana-slo.json",
                "application/json",
            ),
            (
                ExportKind::GrafanaService,
                "disk-full-v1-7.grafana-service.json",
                "application/json",
            ),
            (
                ExportKind::Telemetry,
                "disk-full-v1-7.telemetry.prom",
                "text/plain",
            ),
            (
                ExportKind::OtlpTraces,
                "disk-full-v1-7.otlp-traces.json",
                "application/json",
            ),
            (
                ExportKind::Postmortem,
                "disk-full-v1-7.postmortem.md",
                "text/markdown",
            ),
        ];
        assert_eq!(cases.len(), ExportKind::ALL.len(), "every kind has a case");
        for (kind, file_name, mime_type) in cases {
            assert_eq!(
                Download::export(kind, "disk-full-v1", 7),
                Download {
                    file_name: file_name.to_string(),
                    mime_type,
                },
                "{kind:?}"
            );
        }
    }

    #[test]
    fn the_leaderboard_is_json() {
        assert_eq!(
            Download::leaderboard(),
            Download {
                file_name: String::from("firedrill-leaderboard.json"),
                mime_type: "application/json",
            }
        );
    }

    #[test]
    fn types_follow_the_extension() {
        for (name, mime_type) in [
            ("a.json", "application/json"),
            ("a.csv", "text/csv"),
            ("a.yml", "application/yaml"),
            ("a.yaml", "application/yaml"),
            ("a.txt", "text/plain"),
            ("a.prom", "text/plain"),
            ("json", "text/plain"),
            ("", "text/plain"),
        ] {
            assert_eq!(super::mime_type(name), mime_type, "{name}");
        }
    }
}
