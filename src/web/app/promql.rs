//! The PromQL console: a query over the episode's metrics at the current
//! step, as an instant query (a table) or a range query over the last 30
//! simulated minutes (a chart, and a table of the latest values that is
//! the chart's colour key). Errors show the position they point at.
//!
//! Values read rounded, in the unit their metric's name gives them
//! (`web::format::readable_sample`: `5.2%` for a `_ratio`, `250 ms` for
//! `_seconds`, `0.0521` otherwise); the exact value is the cell's title.
//! A range chart's time axis is in minutes from the incident's start.

use leptos::html::Canvas;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsValue;

use super::chart::{canvas_size, draw_lines, swatch_class, TickLabels, TimeChart};
use super::lab::{self, Query};
use super::AppState;
use crate::web::format::{error_caret, readable_sample, Unit};
use crate::web::plot::minutes_label;

/// Minutes a range query covers, ending at the current step.
const RANGE_MINUTES: i64 = 30;

/// One series of a result: its labels as PromQL writes them, its metric
/// name (none for most functions' results), and its samples (simulated
/// seconds, value as Prometheus formats it).
#[derive(Clone)]
struct SeriesRow {
    labels: String,
    name: Option<String>,
    points: Vec<(f64, String)>,
}

impl SeriesRow {
    /// A sample's value rounded for reading, in the unit of the name.
    fn readable(&self, value: &str) -> String {
        readable_sample(self.name.as_deref(), value)
    }
}

/// What the last query gave.
#[derive(Clone)]
enum Outcome {
    /// Waiting for the answer (the first query also loads the engine).
    Running,
    /// An instant vector, or a matrix from an instant query of a range selector.
    Series {
        result_type: &'static str,
        rows: Vec<SeriesRow>,
    },
    /// A scalar or a string, formatted.
    Single {
        result_type: &'static str,
        text: String,
    },
    /// A range query's matrix.
    Range(Vec<SeriesRow>),
    /// The query failed; `message` may start with `LINE:COL:`.
    Failed { query: String, message: String },
}

/// The Prometheus HTTP API's answer.
#[derive(Deserialize)]
struct Answer {
    status: String,
    data: Option<AnswerData>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct AnswerData {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

/// `name{k="v", …}` from a result's `metric` object.
fn labels_text(metric: &serde_json::Value) -> String {
    let Some(labels) = metric.as_object() else {
        return String::from("{}");
    };
    let pairs: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}=\"{}\"", v.as_str().unwrap_or_default()))
        .collect();
    let name = labels
        .get("__name__")
        .and_then(|n| n.as_str())
        .unwrap_or("");
    format!("{name}{{{}}}", pairs.join(", "))
}

/// A `[time, "value"]` pair.
fn point(pair: &serde_json::Value) -> Option<(f64, String)> {
    let time = pair.get(0)?.as_f64()?;
    let value = pair.get(1)?.as_str()?.to_string();
    Some((time, value))
}

fn series_rows(result: &serde_json::Value, points_key: &str) -> Vec<SeriesRow> {
    result
        .as_array()
        .map(|series| {
            series
                .iter()
                .map(|s| SeriesRow {
                    labels: labels_text(&s["metric"]),
                    name: s["metric"]["__name__"].as_str().map(str::to_string),
                    points: match points_key {
                        "value" => point(&s["value"]).into_iter().collect(),
                        _ => s[points_key]
                            .as_array()
                            .map(|ps| ps.iter().filter_map(point).collect())
                            .unwrap_or_default(),
                    },
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The outcome of the lab's answer to `query`.
fn outcome_of(query: &str, answer: Result<JsValue, String>, is_range: bool) -> Outcome {
    let failed = |message: String| Outcome::Failed {
        query: query.to_string(),
        message,
    };
    let answer = match answer.and_then(|value| {
        js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|text| text.as_string())
            .and_then(|text| serde_json::from_str::<Answer>(&text).ok())
            .ok_or_else(|| String::from("the engine's answer could not be read"))
    }) {
        Ok(answer) => answer,
        Err(message) => return failed(message),
    };
    let Some(data) = answer.data.filter(|_| answer.status == "success") else {
        return failed(
            answer
                .error
                .unwrap_or_else(|| String::from("the query failed")),
        );
    };
    match data.result_type.as_str() {
        "matrix" if is_range => Outcome::Range(series_rows(&data.result, "values")),
        "matrix" => Outcome::Series {
            result_type: "matrix",
            rows: series_rows(&data.result, "values"),
        },
        "vector" => Outcome::Series {
            result_type: "vector",
            rows: series_rows(&data.result, "value"),
        },
        kind => Outcome::Single {
            result_type: if kind == "scalar" { "scalar" } else { "string" },
            text: point(&data.result).map(|p| p.1).unwrap_or_default(),
        },
    }
}

/// Queries worth trying on this episode, given its first services, each
/// with a caption saying what it shows.
fn examples(services: &[String]) -> Vec<(String, String)> {
    let first = services.first().cloned().unwrap_or_default();
    vec![
        (
            String::from("topk(3, error_ratio)"),
            String::from("The three services failing the largest share of their requests now."),
        ),
        (
            String::from("sum by (service) (rate(http_requests_total{code=\"500\"}[5m]))"),
            String::from("Server errors (HTTP 500) per second for each service, over the last 5 minutes."),
        ),
        (
            String::from(
                "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))",
            ),
            String::from("Each service's p99 latency in seconds, from its request-duration histogram."),
        ),
        (
            format!("rate(http_requests_total{{service=\"{first}\"}}[5m])"),
            format!("Requests per second to {first}, one series per status code."),
        ),
        (
            String::from("ALERTS{alertstate=\"firing\"}"),
            String::from("The alerts firing now, with the service and severity of each."),
        ),
        (
            String::from("max_over_time(saturation_ratio[10m]) > 0.8"),
            String::from("Resources that were more than 80% saturated in the last 10 minutes."),
        ),
    ]
}

/// The console.
#[component]
pub fn PromqlConsole() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::from("topk(3, error_ratio)"));
    let range = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let canvas_ref = NodeRef::<Canvas>::new();
    let size = canvas_size(canvas_ref);
    let ticks = RwSignal::new(TickLabels::default());
    // Simulated Unix seconds of the incident's start: time reads from it.
    let incident_start = move || {
        state
            .env
            .with_value(|env| env.monitor().ok().map(|m| m.incident_start()))
            .unwrap_or(0) as f64
    };

    // Answers of older queries that arrive late are dropped.
    let asked = StoredValue::new(0u64);
    let run = move || {
        let text = query.get_untracked();
        let is_range = range.get_untracked();
        let times = state.env.with_value(|env| {
            env.monitor()
                .ok()
                .map(|m| (m.last_time(), i64::from(m.step_seconds())))
        });
        let Some((end, step)) = times else {
            return;
        };
        let ask = if is_range {
            Query::Range {
                expr: JsValue::from_str(&text),
                start: JsValue::from_f64((end - RANGE_MINUTES * 60) as f64),
                end: JsValue::from_f64(end as f64),
                step: JsValue::from_f64(step as f64),
            }
        } else {
            Query::Instant {
                expr: JsValue::from_str(&text),
                time: JsValue::from_f64(end as f64),
            }
        };
        asked.update_value(|n| *n += 1);
        let number = asked.get_value();
        if outcome.with_untracked(Option::is_none) {
            outcome.set(Some(Outcome::Running));
        }
        wasm_bindgen_futures::spawn_local(async move {
            let answer = lab::ask(state, ask).await.map_err(|e| e.message);
            if asked.get_value() == number {
                outcome.set(Some(outcome_of(&text, answer, is_range)));
            }
        });
    };
    // Re-run the last query when the episode moves on.
    Effect::new(move |previous: Option<()>| {
        state.observation.track();
        if previous.is_some() && outcome.with_untracked(Option::is_some) {
            run();
        }
    });
    // Draw range results.
    Effect::new(move |_| {
        let size = size.get();
        let Some(Outcome::Range(rows)) = outcome.get() else {
            return;
        };
        if let Some(canvas) = canvas_ref.get() {
            if let Some(labels) = draw_matrix(canvas, size, &rows, incident_start()) {
                ticks.set(labels);
            }
        }
    });

    let services = move || {
        state
            .observation
            .with(|o| {
                o.as_ref().map(|o| {
                    o.services
                        .iter()
                        .map(|s| s.name.clone())
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
    };
    let example_buttons = move || {
        examples(&services())
            .into_iter()
            .map(|(example, caption)| {
                let text = example.clone();
                view! {
                    <li>
                        <button type="button" class="link-button" data-testid="promql-example" on:click=move |_| {
                            query.set(text.clone());
                            run();
                        }>
                            <code>{example}</code>
                        </button>
                        <span class="example-caption" data-testid="promql-example-caption">{caption}</span>
                    </li>
                }
            })
            .collect_view()
    };

    let result_view = move || {
        outcome.get().map(|outcome| match outcome {
            Outcome::Running => view! {
                <p class="muted" role="status" data-testid="promql-running">"Asking the PromQL engine…"</p>
            }
            .into_any(),
            Outcome::Failed { query, message } => {
                let caret = error_caret(&query, &message);
                view! {
                    <div class="error" role="alert" data-testid="promql-error">
                        <div>{message}</div>
                        {caret.map(|c| view! { <pre class="caret">{c}</pre> })}
                    </div>
                }
                .into_any()
            }
            Outcome::Single { result_type, text } => {
                let shown = if result_type == "scalar" { readable_sample(None, &text) } else { text.clone() };
                view! {
                    <div data-testid="promql-result" data-result-type=result_type>
                        <p>{result_type}" "<b class="promql-value" title=text.clone() data-value=text>{shown}</b></p>
                    </div>
                }
                .into_any()
            }
            Outcome::Series { result_type, rows } => view! {
                <div data-testid="promql-result" data-result-type=result_type>{series_table(&rows, result_type, incident_start())}</div>
            }
            .into_any(),
            Outcome::Range(rows) => {
                let count = rows.len();
                let table = rows
                    .iter()
                    .enumerate()
                    .map(|(i, series)| {
                        let last = series.points.last().map(|p| p.1.clone()).unwrap_or_default();
                        view! {
                            <tr>
                                <td><span class=swatch_class(i) aria-hidden="true"></span>" "<code>{series.labels.clone()}</code></td>
                                <td class="num promql-value" title=last.clone() data-value=last.clone()>{series.readable(&last)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div data-testid="promql-result" data-result-type="matrix">
                        <p class="muted small">{format!("{count} series over the last {RANGE_MINUTES} simulated minutes; time in minutes from the incident's start.")}</p>
                        <canvas
                            node_ref=canvas_ref
                            data-testid="promql-chart"
                            data-x-ticks=move || ticks.with(TickLabels::x_text)
                            data-y-ticks=move || ticks.with(TickLabels::y_text)
                            role="img"
                            aria-label="Chart of the range query's series; the table below is its colour key"
                        ></canvas>
                        <table class="services promql-key" data-testid="promql-legend">
                            <caption class="visually-hidden">"Colour key and latest value of each series"</caption>
                            <thead><tr><th scope="col">"Series (colour key)"</th><th scope="col" class="num">"Latest"</th></tr></thead>
                            <tbody>{table}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })
    };

    view! {
        <section class="panel promql" aria-labelledby="promql-heading">
            <h3 id="promql-heading" class="flush">"PromQL"</h3>
            <form class="promql-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                run();
            }>
                <label class="visually-hidden" for="promql-input">"Query"</label>
                <input
                    id="promql-input"
                    data-testid="promql-input"
                    type="text"
                    spellcheck="false"
                    autocomplete="off"
                    maxlength="4000"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <label class="range-toggle">
                    <input type="checkbox" data-testid="promql-range" prop:checked=move || range.get() on:change=move |ev| range.set(event_target_checked(&ev))/>
                    " range (30 min)"
                </label>
                <button class="primary" type="submit" data-testid="promql-run">"Run"</button>
            </form>
            <details class="examples">
                <summary class="muted small">"Example queries"</summary>
                <ul>{example_buttons}</ul>
            </details>
            {result_view}
        </section>
    }
}

/// An instant query's vector (a value per series) or matrix (the samples
/// of each series, at minutes from the incident's start, simulated Unix
/// second `incident_start`) as a table.
fn series_table(rows: &[SeriesRow], result_type: &str, incident_start: f64) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="muted">"Empty result: no series matches at this step."</p> }
            .into_any();
    }
    let matrix = result_type == "matrix";
    let body = rows
        .iter()
        .map(|series| {
            let (cell, exact) = if matrix {
                let samples = |text: &dyn Fn(f64, &str) -> String| {
                    series.points.iter().map(|(t, v)| text(*t, v)).collect::<Vec<_>>().join("  ")
                };
                (
                    samples(&|t, v| format!("{} @ {}", series.readable(v), minutes_label((t - incident_start) / 60.0))),
                    samples(&|t, v| format!("{v} @{t}")),
                )
            } else {
                let value = series.points.first().map(|p| p.1.clone()).unwrap_or_default();
                (series.readable(&value), value)
            };
            let class = if matrix { "small promql-value" } else { "num promql-value" };
            view! { <tr><td><code>{series.labels.clone()}</code></td><td class=class title=exact.clone() data-value=exact>{cell}</td></tr> }
        })
        .collect_view();
    let heading = if matrix { "Samples" } else { "Value" };
    view! {
        <table class="services"><thead><tr><th scope="col">"Series"</th><th scope="col" class="num">{heading}</th></tr></thead><tbody>{body}</tbody></table>
    }
    .into_any()
}

/// Draws a range query's series over minutes from the incident's start
/// (simulated Unix second `incident_start`), in their unit if they share
/// one; gives the axis labels drawn.
fn draw_matrix(
    canvas: web_sys::HtmlCanvasElement,
    size: (f64, f64),
    rows: &[SeriesRow],
    incident_start: f64,
) -> Option<TickLabels> {
    // Minutes and values as numbers ("NaN" and "±Inf" are not drawn).
    let series: Vec<Vec<(f64, f64)>> = rows
        .iter()
        .map(|s| {
            s.points
                .iter()
                .filter_map(|(t, v)| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .map(|v| ((*t - incident_start) / 60.0, v))
                })
                .collect()
        })
        .collect();
    let points = || series.iter().flatten();
    let (first, last) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
        (a.min(p.0), b.max(p.0))
    });
    let (low, high) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
        (a.min(p.1), b.max(p.1))
    });
    if first >= last || !low.is_finite() {
        super::chart::clear_canvas(&canvas);
        return None;
    }
    // Values that stay well above zero get an axis of their own range;
    // others start at zero, which reads truer.
    let low = if low >= 0.0 && low <= high * 0.5 {
        0.0
    } else {
        low
    };
    let chart = TimeChart {
        minutes: (first, last),
        values: (low, high),
        unit: Unit::common(rows.iter().map(|r| r.name.as_deref())),
        lines: series.iter().map(Vec::as_slice).collect(),
        markers: Vec::new(),
    };
    draw_lines(canvas, size, &chart)
}
