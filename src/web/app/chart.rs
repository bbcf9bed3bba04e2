//! The degradation chart: p99 latency or error ratio of every service over
//! the episode's whole history (the baseline before the incident, then one
//! sample per step), drawn with plotters on a canvas and redrawn every step.
//! A vertical line marks the incident's start.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;

use super::AppState;
use crate::env::Env;

/// Line colours, one per service (cycled).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0xd9, 0x4f, 0x00),
    RGBColor(0x09, 0x69, 0xda),
    RGBColor(0x1a, 0x7f, 0x37),
    RGBColor(0x82, 0x50, 0xdf),
    RGBColor(0xbf, 0x39, 0x89),
    RGBColor(0x9a, 0x67, 0x00),
    RGBColor(0x1b, 0x7c, 0x83),
    RGBColor(0x57, 0x60, 0x6a),
];

/// The swatch class of the PALETTE colour of the `i`th line (www/app.css).
fn swatch_class(i: usize) -> String {
    format!("swatch swatch-{}", i % PALETTE.len())
}

/// The error of plotters' canvas backend (its type is not exported).
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

/// plotters' canvas backend, measuring text with the canvas (`measureText`)
/// instead of plotters' default for the web: a `<span>` added to the page
/// and read back with `offsetWidth`/`offsetHeight`, which forces a layout
/// of the whole page in the middle of each step's redraw (3-4 ms a step,
/// BENCHMARKS.md).
pub(super) struct Canvas2d {
    inner: CanvasBackend,
    context: web_sys::CanvasRenderingContext2d,
}

impl Canvas2d {
    pub(super) fn new(canvas: web_sys::HtmlCanvasElement) -> Option<Canvas2d> {
        let context = canvas
            .get_context("2d")
            .ok()??
            .dyn_into::<web_sys::CanvasRenderingContext2d>()
            .ok()?;
        Some(Canvas2d {
            inner: CanvasBackend::with_canvas_object(canvas)?,
            context,
        })
    }
}

impl DrawingBackend for Canvas2d {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_text(text, style, pos)
    }

    /// The text's width from the canvas; its height is the font's line
    /// height (1.15 em, what the span plotters measures would be).
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        self.context.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
        let width = self
            .context
            .measure_text(text)
            .map(|metrics| metrics.width())
            .unwrap_or(style.size() * 0.6 * text.chars().count() as f64);
        // `as` saturates: NaN and negative sizes give 0.
        let lines = text.lines().count().max(1) as f64;
        Ok((
            width.ceil() as u32,
            (style.size() * 1.15 * lines).ceil() as u32,
        ))
    }
}

/// Minutes of baseline shown before the incident's start.
const WINDOW_BEFORE_MINUTES: f64 = 20.0;
/// Minutes after the start the x axis always reaches.
const MIN_AFTER_MINUTES: f64 = 10.0;

/// One service's samples: (minutes relative to the incident start, value).
struct Line {
    service: String,
    points: Vec<(f64, f64)>,
}

/// The chosen metric's series from the episode's store.
fn lines(env: &Env, metric: &str) -> Option<(Vec<Line>, f64, f64)> {
    let monitor = env.monitor().ok()?;
    let start_ms = monitor.incident_start() as f64 * 1000.0;
    let scale = if metric == "latency_p99_seconds" {
        1000.0
    } else {
        100.0
    };
    let mut lines: Vec<Line> = monitor
        .store()
        .series()
        .iter()
        .filter(|series| series.labels().metric_name() == Some(metric))
        .filter_map(|series| {
            let service = series.labels().get("service")?.to_string();
            let points = series
                .samples()
                .filter(|(_, v)| v.is_finite())
                .map(|(t, v)| ((t as f64 - start_ms) / 60_000.0, v * scale))
                .collect();
            Some(Line { service, points })
        })
        .collect();
    lines.sort_by(|a, b| a.service.cmp(&b.service));
    let first = lines
        .iter()
        .filter_map(|l| l.points.first())
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min);
    let last = lines
        .iter()
        .filter_map(|l| l.points.last())
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max);
    // The last 20 minutes before the incident, then the episode (at least
    // 10 minutes of room), so the onset stays in view.
    let first = first.max(-WINDOW_BEFORE_MINUTES);
    let last = last.max(MIN_AFTER_MINUTES);
    for line in &mut lines {
        line.points.retain(|p| p.0 >= first);
    }
    (first.is_finite() && last > first).then_some((lines, first, last))
}

fn draw(
    canvas: web_sys::HtmlCanvasElement,
    lines: &[Line],
    first: f64,
    last: f64,
    metric: &str,
) -> Option<()> {
    // Mid-grey text and grid read on both the light and the dark theme.
    let text = RGBColor(0x80, 0x88, 0x90);
    let grid = RGBColor(0x80, 0x88, 0x90).mix(0.35);
    // Each step draws a fresh chart: clear the previous one first.
    clear_canvas(&canvas);
    let root = Canvas2d::new(canvas)?.into_drawing_area();
    let top = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold(0.0_f64, f64::max)
        .max(if metric == "error_ratio" { 5.0 } else { 10.0 })
        * 1.1;
    let unit = if metric == "latency_p99_seconds" {
        "p99 latency (ms)"
    } else {
        "error ratio (%)"
    };
    let mut chart = ChartBuilder::on(&root)
        .margin(8)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(first..last, 0.0..top)
        .ok()?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(grid)
        .axis_style(grid)
        .label_style(("sans-serif", 12).into_font().color(&text))
        .x_desc("minutes from the incident start")
        .y_desc(unit)
        .axis_desc_style(("sans-serif", 12).into_font().color(&text))
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .ok()?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, top)],
            ShapeStyle::from(&RGBColor(0xcf, 0x22, 0x2e)).stroke_width(1),
        )))
        .ok()?;
    // The legend is HTML under the chart (it never covers a line).
    for (i, line) in lines.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                line.points.iter().copied(),
                ShapeStyle::from(&colour).stroke_width(2),
            ))
            .ok()?;
    }
    root.present().ok()
}

/// Erases a canvas (plotters draws over what is there).
pub(super) fn clear_canvas(canvas: &web_sys::HtmlCanvasElement) {
    if let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    {
        context.clear_rect(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        );
    }
}

/// The chart with its metric switch.
#[component]
pub fn DegradationChart() -> impl IntoView {
    let state = expect_context::<AppState>();
    let metric = RwSignal::new(String::from("latency_p99_seconds"));
    let canvas_ref = NodeRef::<Canvas>::new();
    let summary = RwSignal::new(String::new());
    let legend = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        state.observation.track();
        let metric = metric.get();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let Some((lines, first, last)) = state.env.with_value(|env| lines(env, &metric)) else {
            return;
        };
        // The service that moved most since the incident started.
        let worst = lines
            .iter()
            .filter_map(|l| {
                let before = l.points.iter().rev().find(|p| p.0 <= 0.0)?.1;
                let now = l.points.last()?.1;
                Some((
                    l.service.clone(),
                    now,
                    (now - before).abs() / before.abs().max(1e-9),
                ))
            })
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((service, value, _)) = worst {
            let unit = if metric == "latency_p99_seconds" {
                "ms p99"
            } else {
                "% errors"
            };
            summary.set(format!(
                "Most changed since the start: {service}, now {value:.1} {unit}."
            ));
        }
        let services: Vec<String> = lines.iter().map(|l| l.service.clone()).collect();
        if legend.with_untracked(|shown| *shown != services) {
            legend.set(services);
        }
        let _ = draw(canvas, &lines, first, last, &metric);
    });
    view! {
        <section class="panel chart-panel" aria-labelledby="chart-heading">
            <div class="chart-head">
                <h3 id="chart-heading" class="flush">"Degradation"</h3>
                <label class="visually-hidden" for="chart-metric">"Metric"</label>
                <select id="chart-metric" prop:value=move || metric.get() on:change=move |ev| metric.set(event_target_value(&ev))>
                    <option value="latency_p99_seconds">"p99 latency"</option>
                    <option value="error_ratio">"error ratio"</option>
                </select>
            </div>
            <canvas
                node_ref=canvas_ref
                data-testid="degradation-chart"
                width="880"
                height="300"
                role="img"
                aria-label=move || format!("Chart of {} per service over the episode. {}", if metric.get() == "error_ratio" { "error ratio" } else { "p99 latency" }, summary.get())
            ></canvas>
            <ul class="chart-legend" data-testid="chart-legend">
                {move || legend.get().into_iter().enumerate().map(|(i, service)| view! {
                    <li><span class=swatch_class(i) aria-hidden="true"></span>{service}</li>
                }).collect_view()}
            </ul>
            <p class="muted small">{move || summary.get()}</p>
        </section>
    }
}
