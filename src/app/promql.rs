//! The PromQL console: a query over the episode's metrics at the current
//! step, as an instant query (a table) or a range query over the last 30
//! simulated minutes (a chart and a table of the latest values). Errors show
//! the position they point at.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::AppState;
use crate::promql::{self, format_value, Matrix, QueryError, Value};

/// Minutes a range query covers, ending at the current step.
const RANGE_MINUTES: i64 = 30;

/// What the last query gave.
#[derive(Clone)]
enum Outcome {
    Instant(Value),
    Range(Matrix),
    Failed { query: String, error: QueryError },
}

/// Queries worth trying on this episode, given its first services.
fn examples(services: &[String]) -> Vec<String> {
    let first = services.first().cloned().unwrap_or_default();
    vec![
        String::from("topk(3, error_ratio)"),
        String::from("sum by (service) (rate(http_requests_total{code=\"500\"}[5m]))"),
        String::from(
            "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))",
        ),
        format!("rate(http_requests_total{{service=\"{first}\"}}[5m])"),
        String::from("ALERTS{alertstate=\"firing\"}"),
        String::from("max_over_time(saturation_ratio[10m]) > 0.8"),
    ]
}

fn labels_text(labels: &crate::metrics::store::Labels) -> String {
    let pairs: Vec<String> = labels
        .pairs()
        .iter()
        .filter(|(k, _)| k != "__name__")
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    format!(
        "{}{{{}}}",
        labels.metric_name().unwrap_or(""),
        pairs.join(", ")
    )
}

/// The console.
#[component]
pub fn PromqlConsole() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::from("topk(3, error_ratio)"));
    let range = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let canvas_ref = NodeRef::<Canvas>::new();

    let run = move || {
        let text = query.get_untracked();
        let is_range = range.get_untracked();
        let result = state.env.with_value(|env| {
            let monitor = env.monitor().ok()?;
            let end = monitor.last_time() * 1000;
            let step = i64::from(monitor.step_seconds()) * 1000;
            Some(if is_range {
                promql::range_query(
                    monitor.store(),
                    &text,
                    end - RANGE_MINUTES * 60_000,
                    end,
                    step,
                )
                .map(Outcome::Range)
            } else {
                promql::instant_query(monitor.store(), &text, end).map(Outcome::Instant)
            })
        });
        outcome.set(result.map(|r| {
            r.unwrap_or_else(|error| Outcome::Failed {
                query: text.clone(),
                error,
            })
        }));
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
        let Some(Outcome::Range(matrix)) = outcome.get() else {
            return;
        };
        if let Some(canvas) = canvas_ref.get() {
            let _ = draw_matrix(canvas, &matrix);
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
            .map(|example| {
                let text = example.clone();
                view! {
                    <li>
                        <button type="button" class="link-button" data-testid="promql-example" on:click=move |_| {
                            query.set(text.clone());
                            run();
                        }>
                            <code>{example}</code>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    let result_view = move || {
        outcome.get().map(|outcome| match outcome {
            Outcome::Failed { query, error } => {
                let caret = match &error {
                    QueryError::Parse { line, column, .. } => {
                        let line_text = query.lines().nth(line - 1).unwrap_or_default().to_string();
                        Some(format!("{line_text}\n{}^", " ".repeat(column.saturating_sub(1))))
                    }
                    _ => None,
                };
                view! {
                    <div class="error" role="alert" data-testid="promql-error">
                        <div>{error.to_string()}</div>
                        {caret.map(|c| view! { <pre class="caret">{c}</pre> })}
                    </div>
                }
                .into_any()
            }
            Outcome::Instant(value) => view! {
                <div data-testid="promql-result" data-result-type=value.result_type()>{instant_table(&value)}</div>
            }
            .into_any(),
            Outcome::Range(matrix) => {
                let rows = matrix
                    .iter()
                    .map(|series| {
                        let last = series.points.last().map(|p| format_value(p.1)).unwrap_or_default();
                        view! { <tr><td><code>{labels_text(&series.labels)}</code></td><td class="num">{last}</td></tr> }
                    })
                    .collect_view();
                view! {
                    <div data-testid="promql-result" data-result-type="matrix">
                        <p class="muted small">{format!("{} series over the last {RANGE_MINUTES} simulated minutes", matrix.len())}</p>
                        <canvas node_ref=canvas_ref width="860" height="240" role="img" aria-label="Chart of the range query's series"></canvas>
                        <table class="services"><thead><tr><th scope="col">"Series"</th><th scope="col" class="num">"Latest"</th></tr></thead><tbody>{rows}</tbody></table>
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

/// An instant result as a table (or one value).
fn instant_table(value: &Value) -> AnyView {
    match value {
        Value::Scalar { value, .. } => {
            view! { <p>"scalar "<b>{format_value(*value)}</b></p> }.into_any()
        }
        Value::String { value, .. } => {
            view! { <p>"string "<code>{value.clone()}</code></p> }.into_any()
        }
        Value::Vector(samples) if samples.is_empty() => {
            view! { <p class="muted">"Empty result: no series matches at this step."</p> }
                .into_any()
        }
        Value::Vector(samples) => {
            let rows = samples
                .iter()
                .map(|s| view! { <tr><td><code>{labels_text(&s.labels)}</code></td><td class="num">{format_value(s.value)}</td></tr> })
                .collect_view();
            view! {
                <table class="services"><thead><tr><th scope="col">"Series"</th><th scope="col" class="num">"Value"</th></tr></thead><tbody>{rows}</tbody></table>
            }
            .into_any()
        }
        Value::Matrix(matrix) => {
            let rows = matrix
                .iter()
                .map(|series| {
                    let points: Vec<String> = series.points.iter().map(|(t, v)| format!("{} @{}", format_value(*v), t / 1000)).collect();
                    view! { <tr><td><code>{labels_text(&series.labels)}</code></td><td class="small">{points.join("  ")}</td></tr> }
                })
                .collect_view();
            view! {
                <table class="services"><thead><tr><th scope="col">"Series"</th><th scope="col">"Samples"</th></tr></thead><tbody>{rows}</tbody></table>
            }
            .into_any()
        }
    }
}

fn draw_matrix(canvas: web_sys::HtmlCanvasElement, matrix: &Matrix) -> Option<()> {
    super::chart::clear_canvas(&canvas);
    let points = || {
        matrix
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| p.1.is_finite())
    };
    let (t0, t1) = points().fold((i64::MAX, i64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (v0, v1) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
        (a.min(p.1), b.max(p.1))
    });
    if t0 >= t1 || !v0.is_finite() {
        return None;
    }
    let pad = ((v1 - v0).abs() * 0.1).max(1e-9);
    let end_minutes = (t1 - t0) as f64 / 60_000.0;
    let text = RGBColor(0x80, 0x88, 0x90);
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    let mut chart = ChartBuilder::on(&root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(64)
        .build_cartesian_2d(
            -end_minutes..0.0,
            (v0 - pad).min(0.0_f64.max(v0 - pad))..v1 + pad,
        )
        .ok()?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(text.mix(0.3))
        .axis_style(text.mix(0.5))
        .label_style(("sans-serif", 12).into_font().color(&text))
        .x_label_formatter(&|x| format!("{x:.0} min"))
        .y_label_formatter(&|y| format_value(*y))
        .draw()
        .ok()?;
    for (i, series) in matrix.iter().enumerate() {
        let colour = Palette99::pick(i);
        chart
            .draw_series(LineSeries::new(
                series
                    .points
                    .iter()
                    .filter(|p| p.1.is_finite())
                    .map(|(t, v)| ((*t - t1) as f64 / 60_000.0, *v)),
                ShapeStyle::from(&colour).stroke_width(2),
            ))
            .ok()?;
    }
    root.present().ok()
}
