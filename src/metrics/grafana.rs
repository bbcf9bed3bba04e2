//! Grafana dashboards of a scenario's metrics (classic JSON model,
//! schemaVersion 42), three that link to one another:
//!
//! - the overview ([`overview_dashboard`], export kind `grafana`): golden
//!   signals per service, `up`, alerts firing, business signals, recent
//!   changes;
//! - the SLO dashboard ([`slo_dashboard`], `grafana-slo`): error budget
//!   remaining, burn rates over 5m / 1h / 6h / 3d against the multi-window
//!   thresholds 13.44 / 5.6 / 2.8 / 0.9333 (a 28-day window), SLI against objective, SLO alerts;
//! - the service dashboard ([`service_dashboard`], `grafana-service`): one
//!   service at a time (the `service` variable): RED signals, a latency
//!   heatmap and quantiles, saturation, CPU and memory, queue, restarts,
//!   pods, revisions, its alerts.
//!
//! Every panel and every query reads the Prometheus data source of the
//! `datasource` template variable. Uids and tags carry the scenario's
//! neutral handle ([`Scenario::handle`]), never its id or cause: a drill
//! is blind until its debrief. Titles carry the scenario's title (the
//! symptom) as before.
//!
//! ```
//! let catalog = firedrill::scenario::Catalog::builtin();
//! let scenario = &catalog.scenarios()[0];
//! let overview = firedrill::metrics::grafana::overview_dashboard(scenario);
//! assert_eq!(overview["schemaVersion"], 42);
//! assert!(overview["uid"].as_str().unwrap().ends_with("-overview"));
//! ```

use crate::scenario::{ChangeKind, Scenario};
use serde_json::{json, Value};

/// Which of the three dashboards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Board {
    /// Golden signals of every service (export kind `grafana`).
    Overview,
    /// Error budgets and burn rates (export kind `grafana-slo`).
    Slo,
    /// One service in detail (export kind `grafana-service`).
    Service,
}

impl Board {
    /// The three, in the order their links list them.
    pub const ALL: [Board; 3] = [Board::Overview, Board::Slo, Board::Service];

    fn slug(self) -> &'static str {
        match self {
            Board::Overview => "overview",
            Board::Slo => "slo",
            Board::Service => "service",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Board::Overview => "Overview",
            Board::Slo => "SLOs",
            Board::Service => "Service detail",
        }
    }

    /// The dashboard's uid: stable per scenario and board, at most 40
    /// characters of `[a-z0-9-]`, e.g. `firedrill-vesaxb-overview`.
    pub fn uid(self, scenario: &Scenario) -> String {
        format!(
            "firedrill-{}-{}",
            scenario.handle().to_lowercase(),
            self.slug()
        )
    }

    /// The dashboard of `scenario`.
    pub fn dashboard(self, scenario: &Scenario) -> Value {
        match self {
            Board::Overview => overview_dashboard(scenario),
            Board::Slo => slo_dashboard(scenario),
            Board::Service => service_dashboard(scenario),
        }
    }
}

/// The tag every dashboard of one drill carries (its links find the others by it).
fn drill_tag(scenario: &Scenario) -> String {
    format!("firedrill-{}", scenario.handle().to_lowercase())
}

fn ds() -> Value {
    json!({ "type": "prometheus", "uid": "${datasource}" })
}

/// A range query.
fn target(ref_id: &str, expr: &str, legend: &str) -> Value {
    json!({
        "refId": ref_id,
        "datasource": ds(),
        "editorMode": "code",
        "expr": expr,
        "legendFormat": legend,
        "range": true,
        "instant": false
    })
}

/// An instant query, as a table (for tables, stats and bar gauges of "now").
fn instant(ref_id: &str, expr: &str, legend: &str) -> Value {
    json!({
        "refId": ref_id,
        "datasource": ds(),
        "editorMode": "code",
        "expr": expr,
        "legendFormat": legend,
        "format": "table",
        "range": false,
        "instant": true
    })
}

/// Threshold steps: the base colour, then (value, colour) pairs ascending.
fn thresholds(base: &str, steps: &[(f64, &str)]) -> Value {
    let mut list = vec![json!({ "color": base, "value": null })];
    list.extend(
        steps
            .iter()
            .map(|(value, color)| json!({ "color": color, "value": value })),
    );
    json!({ "mode": "absolute", "steps": list })
}

fn green() -> Value {
    thresholds("green", &[])
}

/// Thresholds of a ratio that is bad when high (saturation, CPU, memory).
fn high_ratio() -> Value {
    thresholds("green", &[(0.8, "orange"), (0.9, "red")])
}

/// A panel of `kind` with its description, unit and thresholds; the layout
/// ([`Layout::place`]) gives it an id and a position.
struct PanelSpec {
    kind: &'static str,
    title: String,
    description: String,
    unit: &'static str,
    thresholds: Value,
    targets: Vec<Value>,
    /// Extra `fieldConfig.defaults` keys (min, max, mappings, links, custom).
    defaults: Vec<(&'static str, Value)>,
    options: Option<Value>,
    width: u32,
    height: u32,
}

impl PanelSpec {
    fn new(kind: &'static str, title: impl Into<String>, description: impl Into<String>) -> Self {
        PanelSpec {
            kind,
            title: title.into(),
            description: description.into(),
            unit: "short",
            thresholds: green(),
            targets: Vec::new(),
            defaults: Vec::new(),
            options: None,
            width: 12,
            height: 8,
        }
    }

    fn timeseries(title: impl Into<String>, description: impl Into<String>) -> Self {
        PanelSpec::new("timeseries", title, description)
    }

    fn unit(mut self, unit: &'static str) -> Self {
        self.unit = unit;
        self
    }

    fn thresholds(mut self, thresholds: Value) -> Self {
        self.thresholds = thresholds;
        self
    }

    fn target(mut self, target: Value) -> Self {
        self.targets.push(target);
        self
    }

    fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    fn default(mut self, key: &'static str, value: Value) -> Self {
        self.defaults.push((key, value));
        self
    }

    fn options(mut self, options: Value) -> Self {
        self.options = Some(options);
        self
    }

    /// Shows the thresholds as dashed lines (a timeseries).
    fn threshold_lines(self) -> Self {
        self.default("custom", timeseries_custom("dashed"))
    }

    /// Draws steps rather than slopes (revisions, counts).
    fn stepped(self) -> Self {
        let mut custom = timeseries_custom("off");
        custom["lineInterpolation"] = json!("stepAfter");
        self.default("custom", custom)
    }

    fn into_json(self, id: u32, x: u32, y: u32) -> Value {
        let mut defaults = json!({
            "unit": self.unit,
            "thresholds": self.thresholds,
            "color": { "mode": if self.kind == "timeseries" { "palette-classic" } else { "thresholds" } },
            "mappings": []
        });
        if self.kind == "timeseries" {
            defaults["custom"] = timeseries_custom("off");
        }
        for (key, value) in self.defaults {
            defaults[key] = value;
        }
        let options = self.options.unwrap_or_else(|| match self.kind {
            "timeseries" => json!({
                "legend": { "displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": [] },
                "tooltip": { "mode": "multi", "sort": "desc" }
            }),
            "stat" => json!({
                "reduceOptions": { "calcs": ["lastNotNull"], "fields": "", "values": false },
                "colorMode": "background",
                "graphMode": "none",
                "justifyMode": "auto",
                "orientation": "auto",
                "textMode": "auto",
                "wideLayout": true,
                "showPercentChange": false
            }),
            "bargauge" => json!({
                "reduceOptions": { "calcs": ["lastNotNull"], "fields": "", "values": false },
                "displayMode": "gradient",
                "orientation": "horizontal",
                "showUnfilled": true,
                "valueMode": "color",
                "namePlacement": "auto",
                "sizing": "auto",
                "minVizHeight": 16,
                "minVizWidth": 8,
                "maxVizHeight": 300
            }),
            "table" => json!({
                "showHeader": true,
                "cellHeight": "sm",
                "footer": { "show": false, "reducer": ["sum"], "countRows": false, "fields": "" }
            }),
            _ => json!({}),
        });
        json!({
            "id": id,
            "type": self.kind,
            "title": self.title,
            "description": self.description,
            "datasource": ds(),
            "gridPos": { "h": self.height, "w": self.width, "x": x, "y": y },
            "fieldConfig": { "defaults": defaults, "overrides": [] },
            "options": options,
            "targets": self.targets
        })
    }
}

fn timeseries_custom(thresholds_style: &str) -> Value {
    json!({
        "drawStyle": "line",
        "lineInterpolation": "linear",
        "lineWidth": 1,
        "fillOpacity": 10,
        "gradientMode": "none",
        "showPoints": "never",
        "pointSize": 4,
        "spanNulls": false,
        "axisPlacement": "auto",
        "axisLabel": "",
        "axisBorderShow": false,
        "axisCenteredZero": false,
        "axisColorMode": "text",
        "barAlignment": 0,
        "scaleDistribution": { "type": "linear" },
        "stacking": { "mode": "none", "group": "A" },
        "hideFrom": { "legend": false, "tooltip": false, "viz": false },
        "insertNulls": false,
        "thresholdsStyle": { "mode": thresholds_style }
    })
}

/// Panels laid out in rows, left to right, wrapping at 24 columns.
#[derive(Default)]
struct Layout {
    panels: Vec<Value>,
    next_id: u32,
    x: u32,
    y: u32,
    row_height: u32,
}

impl Layout {
    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    fn newline(&mut self) {
        if self.x > 0 {
            self.y += self.row_height;
            self.x = 0;
            self.row_height = 0;
        }
    }

    fn row(&mut self, title: &str) {
        self.newline();
        let id = self.id();
        self.panels.push(json!({
            "id": id,
            "type": "row",
            "title": title,
            "collapsed": false,
            "datasource": ds(),
            "gridPos": { "h": 1, "w": 24, "x": 0, "y": self.y },
            "panels": []
        }));
        self.y += 1;
    }

    fn place(&mut self, panel: PanelSpec) {
        if self.x + panel.width > 24 {
            self.newline();
        }
        let id = self.id();
        let (x, y, w, h) = (self.x, self.y, panel.width, panel.height);
        self.panels.push(panel.into_json(id, x, y));
        self.x += w;
        self.row_height = self.row_height.max(h);
        if self.x >= 24 {
            self.newline();
        }
    }
}

fn datasource_variable() -> Value {
    json!({
        "name": "datasource",
        "label": "Data source",
        "description": "The Prometheus that scrapes the drill's metrics.",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "refresh": 1,
        "regex": "",
        "skipUrlSync": false,
        "options": []
    })
}

/// The `service` variable: every service of `up`; several and All
/// (`multi`), or exactly one.
fn service_variable(scenario: &Scenario, multi: bool) -> Value {
    let services: Vec<&str> = scenario.services.iter().map(|s| s.name.as_str()).collect();
    let current = if multi {
        json!({ "text": "All", "value": "$__all" })
    } else {
        let first = services.first().copied().unwrap_or("");
        json!({ "text": first, "value": first })
    };
    let mut variable = json!({
        "name": "service",
        "label": "Service",
        "description": if multi { "The services shown (All: every service)." } else { "The service shown." },
        "type": "query",
        "datasource": ds(),
        "query": { "query": "label_values(up, service)", "refId": "PrometheusVariableQueryEditor-VariableQuery" },
        "definition": "label_values(up, service)",
        "current": current,
        "includeAll": multi,
        "multi": multi,
        "hide": 0,
        "refresh": 2,
        "regex": "",
        "sort": 1,
        "skipUrlSync": false,
        "options": []
    });
    if multi {
        variable["allValue"] = json!(services.join("|"));
    }
    variable
}

/// The `slo` variable: availability, latency or both.
fn slo_variable() -> Value {
    let options: Vec<Value> = std::iter::once(("All", "$__all"))
        .chain([("availability", "availability"), ("latency", "latency")])
        .map(|(text, value)| json!({ "text": text, "value": value, "selected": value == "$__all" }))
        .collect();
    json!({
        "name": "slo",
        "label": "SLO",
        "description": "Which objective: availability (requests that do not fail) or latency (requests faster than the threshold).",
        "type": "custom",
        "query": "availability,latency",
        "current": { "text": "All", "value": "$__all" },
        "includeAll": true,
        "allValue": "availability|latency",
        "multi": true,
        "hide": 0,
        "skipUrlSync": false,
        "options": options
    })
}

/// A link to the service dashboard for the series' service (a data link).
fn service_link(scenario: &Scenario) -> Value {
    json!([{
        "title": "Service detail: ${__field.labels.service}",
        "url": format!(
            "/d/{}?var-datasource=${{datasource}}&var-service=${{__field.labels.service}}&${{__url_time_range}}",
            Board::Service.uid(scenario)
        ),
        "targetBlank": false
    }])
}

fn dashboard(scenario: &Scenario, board: Board, variables: Vec<Value>, layout: Layout) -> Value {
    let start_ms = (scenario.start_time - 3600) * 1000;
    let end_ms = (scenario.start_time + 1800) * 1000;
    let links: Vec<Value> = std::iter::once(json!({
        "title": "This drill's dashboards",
        "type": "dashboards",
        "icon": "external link",
        "tooltip": "The overview, SLO and service dashboards of this drill",
        "tags": [drill_tag(scenario)],
        "asDropdown": true,
        "targetBlank": false,
        "includeVars": true,
        "keepTime": true
    }))
    .chain(
        Board::ALL
            .into_iter()
            .filter(|other| *other != board)
            .map(|other| {
                json!({
                    "title": other.heading(),
                    "type": "link",
                    "icon": "dashboard",
                    "tooltip": format!("The {} dashboard of this drill", other.heading().to_lowercase()),
                    "url": format!("/d/{}", other.uid(scenario)),
                    "tags": [],
                    "asDropdown": false,
                    "targetBlank": false,
                    "includeVars": true,
                    "keepTime": true
                })
            }),
    )
    .collect();
    json!({
        "uid": board.uid(scenario),
        "title": format!("Firedrill: {} — {}", scenario.title, board.heading()),
        "description": scenario.summary,
        "tags": ["firedrill", drill_tag(scenario), scenario.task.id(), board.slug()],
        "timezone": "utc",
        "editable": true,
        "graphTooltip": 1,
        "schemaVersion": 42,
        "version": 1,
        "refresh": "",
        "time": { "from": ms_to_iso(start_ms), "to": ms_to_iso(end_ms) },
        "timepicker": {},
        "fiscalYearStartMonth": 0,
        "links": links,
        "annotations": { "list": [{
            "builtIn": 1,
            "datasource": { "type": "grafana", "uid": "-- Grafana --" },
            "enable": true,
            "hide": true,
            "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts",
            "type": "dashboard"
        }]},
        "templating": { "list": variables },
        "panels": layout.panels
    })
}

/// Error ratio per service: 5xx over all requests.
const ERROR_RATIO_BY_SERVICE: &str = "sum by (service) (rate(http_requests_total{service=~\"$service\",code=~\"5..\"}[$__rate_interval])) / sum by (service) (rate(http_requests_total{service=~\"$service\"}[$__rate_interval]))";

/// The overview (export kind `grafana`): golden signals per service, `up`,
/// alerts firing, business signals, recent changes.
pub fn overview_dashboard(scenario: &Scenario) -> Value {
    let link = service_link(scenario);
    let mut l = Layout::default();
    l.row("Health");
    l.place(
        PanelSpec::new("stat", "Up", "1 while the service answers its health check (up), 0 while it does not. Click a service for its dashboard.")
            .unit("none")
            .thresholds(thresholds("red", &[(1.0, "green")]))
            .default("mappings", json!([{ "type": "value", "options": {
                "0": { "text": "DOWN", "color": "red", "index": 0 },
                "1": { "text": "UP", "color": "green", "index": 1 }
            }}]))
            .default("links", link.clone())
            .target(instant("A", "up{service=~\"$service\"}", "{{service}}"))
            .size(16, 5),
    );
    l.place(
        PanelSpec::new(
            "stat",
            "Alerts firing",
            "Alerts in state firing now (ALERTS{alertstate=\"firing\"}).",
        )
        .unit("none")
        .thresholds(thresholds("green", &[(1.0, "red")]))
        .target(instant(
            "A",
            "count(ALERTS{alertstate=\"firing\",service=~\"$service\"}) or vector(0)",
            "firing",
        ))
        .size(8, 5),
    );
    l.place(
        PanelSpec::new("table", "Firing alerts", "Every alert firing now, with its service and severity.")
            .target(instant("A", "sum by (alertname, service, severity) (ALERTS{alertstate=\"firing\",service=~\"$service\"})", ""))
            .options(json!({ "showHeader": true, "cellHeight": "sm", "sortBy": [{ "displayName": "severity", "desc": false }],
                "footer": { "show": false, "reducer": ["sum"], "countRows": false, "fields": "" } }))
            .size(24, 6),
    );
    l.row("Golden signals");
    l.place(
        PanelSpec::timeseries(
            "Request rate",
            "Requests served per second, by service (rate of http_requests_total).",
        )
        .unit("reqps")
        .default("links", link.clone())
        .target(target(
            "A",
            "sum by (service) (rate(http_requests_total{service=~\"$service\"}[$__rate_interval]))",
            "{{service}}",
        )),
    );
    l.place(
        PanelSpec::timeseries("Error ratio", "Fraction of requests answered with a 5xx status, by service. Dashed lines at 1% and 5%.")
            .unit("percentunit")
            .thresholds(thresholds("green", &[(0.01, "orange"), (0.05, "red")]))
            .threshold_lines()
            .default("links", link.clone())
            .target(target("A", ERROR_RATIO_BY_SERVICE, "{{service}}")),
    );
    l.place(
        PanelSpec::timeseries("p99 latency", "99th percentile request latency, by service (histogram_quantile over http_request_duration_seconds).")
            .unit("s")
            .default("links", link.clone())
            .target(target("A", "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~\"$service\"}[$__rate_interval])))", "{{service}}")),
    );
    l.place(
        PanelSpec::timeseries("Saturation", "Usage of each service's saturating resource (connection pool, thread pool, ...). Dashed lines at 80% and 90%.")
            .unit("percentunit")
            .thresholds(high_ratio())
            .threshold_lines()
            .default("min", json!(0))
            .default("links", link.clone())
            .target(target("A", "max by (service, resource) (saturation_ratio{service=~\"$service\"})", "{{service}} {{resource}}")),
    );
    l.place(
        PanelSpec::timeseries(
            "CPU usage",
            "CPU used as a fraction of the container limit, by service.",
        )
        .unit("percentunit")
        .thresholds(high_ratio())
        .default("min", json!(0))
        .target(target(
            "A",
            "cpu_usage_ratio{service=~\"$service\"}",
            "{{service}}",
        )),
    );
    l.place(
        PanelSpec::timeseries(
            "Memory usage",
            "Resident memory as a fraction of the container limit, by service.",
        )
        .unit("percentunit")
        .thresholds(high_ratio())
        .default("min", json!(0))
        .target(target(
            "A",
            "memory_usage_ratio{service=~\"$service\"}",
            "{{service}}",
        )),
    );
    if !scenario.business.is_empty() {
        l.row("Business");
        let width = if scenario.business.len() == 1 { 24 } else { 12 };
        for signal in &scenario.business {
            l.place(
                PanelSpec::timeseries(signal.name.clone(), signal.help.clone())
                    .target(target("A", &signal.name, &signal.name))
                    .size(width, 7),
            );
        }
    }
    l.row("Recent changes");
    l.place(
        PanelSpec::new("bargauge", "Changes in range", "Deploys, rollbacks and configuration pushes in the dashboard's time range, by service (changes of deployment_revision and config_revision).")
            .unit("none")
            .thresholds(thresholds("green", &[(1.0, "orange")]))
            .default("min", json!(0))
            .target(instant("A", "sum by (service) (changes(deployment_revision{service=~\"$service\"}[$__range]) + changes(config_revision{service=~\"$service\"}[$__range]))", "{{service}}"))
            .size(8, 8),
    );
    l.place(
        PanelSpec::timeseries(
            "Deployment revision",
            "Each service's deployment revision: a step up at every deploy and rollback.",
        )
        .unit("none")
        .stepped()
        .target(target(
            "A",
            "deployment_revision{service=~\"$service\"}",
            "{{service}}",
        ))
        .size(8, 8),
    );
    l.place(
        PanelSpec::timeseries(
            "Config revision",
            "Each service's configuration revision: a step up at every configuration push.",
        )
        .unit("none")
        .stepped()
        .target(target(
            "A",
            "config_revision{service=~\"$service\"}",
            "{{service}}",
        ))
        .size(8, 8),
    );
    if has_versions(scenario) {
        l.place(
            PanelSpec::new("table", "Running versions", "The version each service runs now, where the change log names one (deployment_info).")
                .target(instant("A", "max by (service, version) (deployment_info{service=~\"$service\"})", ""))
                .size(24, 6),
        );
    }
    dashboard(
        scenario,
        Board::Overview,
        vec![datasource_variable(), service_variable(scenario, true)],
        l,
    )
}

fn has_versions(scenario: &Scenario) -> bool {
    scenario.changes.iter().any(|c| !c.version.is_empty())
}

fn has_flags(scenario: &Scenario) -> bool {
    scenario
        .changes
        .iter()
        .any(|c| c.kind == ChangeKind::Flag && !c.flag.is_empty())
}

/// The burn rate over `window`: the bad fraction over the window divided
/// by the allowed bad fraction.
fn burn_rate(window: &str) -> String {
    format!(
        "slo:sli_error:ratio_rate{window}{{service=~\"$service\",slo=~\"$slo\"}} / on (service, slo) slo:error_budget:ratio{{service=~\"$service\",slo=~\"$slo\"}}"
    )
}

/// Burn-rate colours at the multi-window thresholds of a 28-day SLO
/// window: 0.9333 and 2.8 (tickets), 5.6 and 13.44 (pages).
fn burn_thresholds() -> Value {
    thresholds(
        "green",
        &[
            (0.9333, "yellow"),
            (2.8, "orange"),
            (5.6, "red"),
            (13.44, "dark-red"),
        ],
    )
}

/// The SLO dashboard (export kind `grafana-slo`): error budget remaining,
/// burn rates over 5m / 1h / 6h / 3d with the multi-window thresholds,
/// SLI against objective, SLO alerts. It reads the `slo:*` recording
/// series.
pub fn slo_dashboard(scenario: &Scenario) -> Value {
    let sel = "{service=~\"$service\",slo=~\"$slo\"}";
    let mut l = Layout::default();
    l.row("Error budget");
    l.place(
        PanelSpec::new("stat", "Error budget remaining", "Fraction of the 28-day error budget left (slo:error_budget:remaining); below 0 when overspent. Red at 10% or less, yellow at half spent.")
            .unit("percentunit")
            .thresholds(thresholds("red", &[(0.1, "yellow"), (0.5, "green")]))
            .target(instant("A", &format!("slo:error_budget:remaining{sel}"), "{{service}} {{slo}}"))
            .size(10, 8),
    );
    l.place(
        PanelSpec::timeseries(
            "Error budget remaining over time",
            "The 28-day budget left, by service and objective: a steep fall is a fast burn.",
        )
        .unit("percentunit")
        .thresholds(thresholds("red", &[(0.1, "yellow"), (0.5, "green")]))
        .threshold_lines()
        .target(target(
            "A",
            &format!("slo:error_budget:remaining{sel}"),
            "{{service}} {{slo}}",
        ))
        .size(14, 8),
    );
    l.row("Burn rate");
    l.place(
        PanelSpec::new("bargauge", "Burn rate now", "How fast each objective spends its budget over 5m, 1h, 6h and 3d (slo:sli_error:ratio_rate<window> / slo:error_budget:ratio). 1: the budget lasts the 28 days exactly; 13.44 (1h and 5m) and 5.6 (6h and 30m) page, 2.8 (1d and 2h) and 0.9333 (3d and 6h) open a ticket (the SRE workbook's 14.4, 6, 3 and 1, for 28 days instead of 30).")
            .unit("x")
            .thresholds(burn_thresholds())
            .default("min", json!(0))
            .target(instant("A", &burn_rate("5m"), "{{service}} {{slo}} 5m"))
            .target(instant("B", &burn_rate("1h"), "{{service}} {{slo}} 1h"))
            .target(instant("C", &burn_rate("6h"), "{{service}} {{slo}} 6h"))
            .target(instant("D", &burn_rate("3d"), "{{service}} {{slo}} 3d"))
            .size(24, 8),
    );
    l.place(
        PanelSpec::timeseries("Fast burn (5m, 1h)", "Burn rate over 5 minutes and 1 hour. Page when both exceed 13.44 (2% of a 28-day budget in an hour); dashed lines at the thresholds.")
            .unit("x")
            .thresholds(burn_thresholds())
            .threshold_lines()
            .target(target("A", &burn_rate("5m"), "{{service}} {{slo}} 5m"))
            .target(target("B", &burn_rate("1h"), "{{service}} {{slo}} 1h")),
    );
    l.place(
        PanelSpec::timeseries("Slow burn (6h, 3d)", "Burn rate over 6 hours and 3 days. Page above 5.6 (6h, with 30m), ticket above 0.9333 (3d, with 6h); dashed lines at the thresholds.")
            .unit("x")
            .thresholds(burn_thresholds())
            .threshold_lines()
            .target(target("A", &burn_rate("6h"), "{{service}} {{slo}} 6h"))
            .target(target("B", &burn_rate("3d"), "{{service}} {{slo}} 3d")),
    );
    l.row("SLI against objective");
    l.place(
        PanelSpec::timeseries("SLI against objective", "Good fraction of requests over 1 hour (1 - slo:sli_error:ratio_rate1h) and the objective (slo:objective:ratio).")
            .unit("percentunit")
            .target(target("A", &format!("1 - slo:sli_error:ratio_rate1h{sel}"), "{{service}} {{slo}} SLI (1h)"))
            .target(target("B", &format!("slo:objective:ratio{sel}"), "{{service}} {{slo}} objective"))
            .size(16, 8),
    );
    l.place(
        PanelSpec::new("table", "Objectives", "Each objective and the bad fraction it allows (slo:objective:ratio, slo:error_budget:ratio).")
            .unit("percentunit")
            .target(instant("A", &format!("slo:objective:ratio{sel}"), "objective"))
            .target(instant("B", &format!("slo:error_budget:ratio{sel}"), "budget"))
            .size(8, 8),
    );
    l.row("SLO alerts");
    l.place(
        PanelSpec::timeseries("SLO alerts", "Burn-rate alerts pending or firing (ALERTS with an slo label).")
            .unit("none")
            .stepped()
            .target(target("A", "sum by (alertname, service, slo, alertstate) (ALERTS{slo=~\"$slo\",service=~\"$service\"})", "{{alertname}} {{service}} {{slo}} {{alertstate}}"))
            .size(24, 7),
    );
    dashboard(
        scenario,
        Board::Slo,
        vec![
            datasource_variable(),
            service_variable(scenario, true),
            slo_variable(),
        ],
        l,
    )
}

/// The service dashboard (export kind `grafana-service`): one service at a
/// time, chosen by the `service` variable.
pub fn service_dashboard(scenario: &Scenario) -> Value {
    let s = "service=\"$service\"";
    let mut l = Layout::default();
    l.row("Requests");
    l.place(
        PanelSpec::new(
            "stat",
            "Up",
            "1 while the service answers its health check, 0 while it does not.",
        )
        .unit("none")
        .thresholds(thresholds("red", &[(1.0, "green")]))
        .default(
            "mappings",
            json!([{ "type": "value", "options": {
                "0": { "text": "DOWN", "color": "red", "index": 0 },
                "1": { "text": "UP", "color": "green", "index": 1 }
            }}]),
        )
        .target(instant("A", &format!("up{{{s}}}"), "up"))
        .size(4, 8),
    );
    l.place(
        PanelSpec::timeseries(
            "Request rate by status",
            "Requests served per second, by status code.",
        )
        .unit("reqps")
        .target(target(
            "A",
            &format!("sum by (code) (rate(http_requests_total{{{s}}}[$__rate_interval]))"),
            "{{code}}",
        ))
        .size(10, 8),
    );
    l.place(
        PanelSpec::timeseries("Error ratio", "Fraction of requests answered with a 5xx status. Dashed lines at 1% and 5%.")
            .unit("percentunit")
            .thresholds(thresholds("green", &[(0.01, "orange"), (0.05, "red")]))
            .threshold_lines()
            .target(target("A", &format!("sum(rate(http_requests_total{{{s},code=~\"5..\"}}[$__rate_interval])) / sum(rate(http_requests_total{{{s}}}[$__rate_interval]))"), "5xx ratio"))
            .size(10, 8),
    );
    l.row("Latency");
    l.place(
        PanelSpec::timeseries("Latency quantiles", "p50, p90 and p99 request latency (histogram_quantile over http_request_duration_seconds).")
            .unit("s")
            .target(target("A", &format!("histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{{{s}}}[$__rate_interval])))"), "p50"))
            .target(target("B", &format!("histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{{{s}}}[$__rate_interval])))"), "p90"))
            .target(target("C", &format!("histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{{s}}}[$__rate_interval])))"), "p99")),
    );
    let mut heatmap_target = target(
        "A",
        &format!(
            "sum by (le) (rate(http_request_duration_seconds_bucket{{{s}}}[$__rate_interval]))"
        ),
        "{{le}}",
    );
    heatmap_target["format"] = json!("heatmap");
    l.place(
        PanelSpec::new("heatmap", "Latency distribution", "Requests per second in each latency bucket (http_request_duration_seconds_bucket): a band moving up is the whole service slowing, a second band a slow share.")
            .unit("reqps")
            .target(heatmap_target)
            .options(json!({
                "calculate": false,
                "cellGap": 1,
                "color": { "mode": "scheme", "scheme": "Oranges", "steps": 64, "exponent": 0.5, "fill": "dark-orange", "reverse": false },
                "exemplars": { "color": "rgba(255,0,255,0.7)" },
                "filterValues": { "le": 1e-9 },
                "legend": { "show": true },
                "rowsFrame": { "layout": "auto" },
                "tooltip": { "mode": "single", "yHistogram": false, "showColorScale": false },
                "yAxis": { "axisPlacement": "left", "reverse": false, "unit": "s" }
            })),
    );
    l.row("Saturation");
    l.place(
        PanelSpec::timeseries("Saturation", "Usage of the service's saturating resource (connection pool, thread pool, ...). Dashed lines at 80% and 90%.")
            .unit("percentunit")
            .thresholds(high_ratio())
            .threshold_lines()
            .default("min", json!(0))
            .target(target("A", &format!("saturation_ratio{{{s}}}"), "{{resource}}"))
            .size(8, 8),
    );
    l.place(
        PanelSpec::timeseries("CPU and memory", "CPU and resident memory as fractions of the container limits. Dashed lines at 80% and 90%.")
            .unit("percentunit")
            .thresholds(high_ratio())
            .threshold_lines()
            .default("min", json!(0))
            .target(target("A", &format!("cpu_usage_ratio{{{s}}}"), "CPU"))
            .target(target("B", &format!("memory_usage_ratio{{{s}}}"), "memory"))
            .size(8, 8),
    );
    l.place(
        PanelSpec::timeseries(
            "Queue depth",
            "Messages or jobs waiting in the service's queue (0 for services without one).",
        )
        .unit("short")
        .default("min", json!(0))
        .target(target("A", &format!("queue_depth{{{s}}}"), "queue"))
        .size(8, 8),
    );
    l.place(
        PanelSpec::timeseries("Restarts", "Container restarts (OOM kills, crashes, restarts applied): increase of kube_pod_container_status_restarts_total.")
            .unit("none")
            .stepped()
            .default("min", json!(0))
            .target(target("A", &format!("sum(increase(kube_pod_container_status_restarts_total{{{s}}}[$__rate_interval]))"), "restarts"))
            .size(8, 8),
    );
    l.place(
        PanelSpec::timeseries("Process CPU", "CPU seconds the service's processes use per second (rate of process_cpu_seconds_total).")
            .unit("short")
            .target(target("A", &format!("rate(process_cpu_seconds_total{{{s}}}[$__rate_interval])"), "CPU seconds/s"))
            .size(8, 8),
    );
    l.place(
        PanelSpec::timeseries(
            "Resident memory",
            "Resident memory of the service's processes (process_resident_memory_bytes).",
        )
        .unit("bytes")
        .target(target(
            "A",
            &format!("process_resident_memory_bytes{{{s}}}"),
            "resident",
        ))
        .size(8, 8),
    );
    if scenario
        .services
        .iter()
        .any(|service| !service.instances.is_empty())
    {
        l.row("Pods");
        for (title, metric, unit, description) in [
            ("Pods up", "pod_up", "none", "1 while the pod answers its health check (services with instances only)."),
            ("Pod error ratio", "pod_error_ratio", "percentunit", "Fraction of the pod's requests answered with a 5xx status: one bad pod or all of them?"),
            ("Pod p99 latency", "pod_latency_p99_seconds", "s", "99th percentile latency of the pod's requests."),
            ("Pod CPU usage", "pod_cpu_usage_ratio", "percentunit", "CPU the pod uses as a fraction of its limit."),
        ] {
            l.place(
                PanelSpec::timeseries(title, description)
                    .unit(unit)
                    .target(target("A", &format!("{metric}{{{s}}}"), "{{pod}} ({{zone}})")),
            );
        }
    }
    l.row("Changes");
    l.place(
        PanelSpec::timeseries("Deployment and config revisions", "The deployment revision (up at every deploy and rollback) and the configuration revision (up at every push).")
            .unit("none")
            .stepped()
            .target(target("A", &format!("deployment_revision{{{s}}}"), "deployment"))
            .target(target("B", &format!("config_revision{{{s}}}"), "config")),
    );
    if has_flags(scenario) {
        l.place(
            PanelSpec::timeseries("Feature flags", "1 while a feature flag of the service is on, 0 while it is off (services with flags only).")
                .unit("none")
                .stepped()
                .target(target("A", &format!("feature_flag_enabled{{{s}}}"), "{{flag}}")),
        );
    }
    if has_versions(scenario) {
        l.place(
            PanelSpec::new("table", "Running version", "The version the service runs now, where the change log names one (deployment_info).")
                .target(instant("A", &format!("max by (version) (deployment_info{{{s}}})"), ""))
                .size(12, 8),
        );
    }
    l.row("Alerts");
    l.place(
        PanelSpec::new(
            "stat",
            "Alerts firing",
            "Alerts of the service in state firing now.",
        )
        .unit("none")
        .thresholds(thresholds("green", &[(1.0, "red")]))
        .target(instant(
            "A",
            &format!("count(ALERTS{{{s},alertstate=\"firing\"}}) or vector(0)"),
            "firing",
        ))
        .size(6, 7),
    );
    l.place(
        PanelSpec::timeseries(
            "Alerts",
            "The service's alerts over time, pending or firing (ALERTS).",
        )
        .unit("none")
        .stepped()
        .target(target(
            "A",
            &format!("sum by (alertname, alertstate) (ALERTS{{{s}}})"),
            "{{alertname}} {{alertstate}}",
        ))
        .size(18, 7),
    );
    dashboard(
        scenario,
        Board::Service,
        vec![datasource_variable(), service_variable(scenario, false)],
        l,
    )
}

/// RFC 3339 of a Unix time in milliseconds (UTC).
pub fn ms_to_iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}
