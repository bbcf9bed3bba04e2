//! The degradation chart: the error ratio or p99 latency of every service
//! over the last minutes before the incident and the episode since (one
//! sample per step), drawn with plotters on a canvas and redrawn every
//! step. A vertical line marks the incident's start.
//!
//! It opens on the signal the firing alerts watch (until the person picks
//! one) and names the services that moved furthest from their healthy
//! baseline (`web::plot`). It is drawn at the canvas's size on the page (a
//! `ResizeObserver` redraws it), with 12 px labels in minutes from the
//! incident's start and in the signal's unit, and the room the widest
//! label needs; the labels drawn are in the canvas's `data-x-ticks` and
//! `data-y-ticks` (`|`-separated). The PromQL console's range charts are
//! drawn by the same [`draw_lines`].

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::AppState;
use crate::env::{AlertState, Env};
use crate::web::format::Unit;
use crate::web::plot::{
    changes, default_signal, minute_ticks, minutes_label, summary, tick_room, value_axis,
    value_label, ChartSignal,
};

/// Line colours, one per service (cycled past 12; the built-in scenarios have at most 10 services).
pub(super) const PALETTE: [RGBColor; 12] = [
    RGBColor(0xd9, 0x4f, 0x00),
    RGBColor(0x09, 0x69, 0xda),
    RGBColor(0x1a, 0x7f, 0x37),
    RGBColor(0x82, 0x50, 0xdf),
    RGBColor(0xbf, 0x39, 0x89),
    RGBColor(0x9a, 0x67, 0x00),
    RGBColor(0x1b, 0x7c, 0x83),
    RGBColor(0x57, 0x60, 0x6a),
    RGBColor(0xa0, 0x52, 0x2d),
    RGBColor(0x05, 0x98, 0xbc),
    RGBColor(0x7a, 0x80, 0x00),
    RGBColor(0x5a, 0x5f, 0xd6),
];

/// The swatch class of the PALETTE colour of the `i`th line (www/app.css).
pub(super) fn swatch_class(i: usize) -> String {
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
/// Size of the axis labels, CSS pixels.
const LABEL_PX: f64 = 12.0;

/// One service's samples: (minutes relative to the incident start, value).
struct Line {
    service: String,
    points: Vec<(f64, f64)>,
}

/// The signal's series from the episode's store, and the minutes the x
/// axis spans.
fn lines(env: &Env, signal: ChartSignal) -> Option<(Vec<Line>, f64, f64)> {
    let monitor = env.monitor().ok()?;
    let start_ms = monitor.incident_start() as f64 * 1000.0;
    let mut lines: Vec<Line> = monitor
        .store()
        .series()
        .iter()
        .filter(|series| series.labels().metric_name() == Some(signal.metric()))
        .filter_map(|series| {
            let service = series.labels().get("service")?.to_string();
            let points = series
                .samples()
                .filter(|(_, v)| v.is_finite())
                .map(|(t, v)| ((t as f64 - start_ms) / 60_000.0, v))
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

/// The changes from baseline of the signal's lines, furthest first.
fn ranked(signal: ChartSignal, lines: &[Line]) -> Vec<crate::web::plot::Change> {
    changes(
        signal,
        lines
            .iter()
            .map(|l| (l.service.as_str(), l.points.as_slice())),
    )
}

/// The labels a chart drew on its axes.
#[derive(Clone, Default, PartialEq)]
pub(super) struct TickLabels {
    pub x: Vec<String>,
    pub y: Vec<String>,
}

impl TickLabels {
    /// The x labels, `|`-separated (a data attribute for tests).
    pub fn x_text(&self) -> String {
        self.x.join("|")
    }

    /// The y labels, `|`-separated.
    pub fn y_text(&self) -> String {
        self.y.join("|")
    }
}

/// What a time chart shows: lines over minutes from the incident's start.
pub(super) struct TimeChart<'a> {
    /// Minutes the x axis spans.
    pub minutes: (f64, f64),
    /// The values the y axis must cover (its ends go to ticks).
    pub values: (f64, f64),
    /// The values' unit, for the y labels.
    pub unit: Unit,
    /// Each line's samples (minutes, value), in PALETTE order.
    pub lines: Vec<&'a [(f64, f64)]>,
    /// Minutes of the changes on the timeline, drawn as markers.
    pub markers: Vec<f64>,
}

/// The colour of change markers (purple: apart from the service lines and
/// the incident's red line).
const MARKER: RGBColor = RGBColor(0x82, 0x50, 0xdf);

/// An axis whose ticks are given (plotters' own `WithKeyPoints` cannot
/// take label formatters over `f64`).
struct Ticked {
    range: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Ticked {
        Ticked {
            range: range.into(),
            ticks,
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.range()
    }
}

/// Whether the page is dark (the stylesheet follows the system).
fn dark_theme() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|query| query.matches())
}

/// Draws `chart` on `canvas` at `size` (CSS pixels, the canvas's size on
/// the page), sharp on high-density screens: the labels' room is measured
/// first, so none is cut at an edge. Gives the labels drawn.
pub(super) fn draw_lines(
    canvas: web_sys::HtmlCanvasElement,
    size: (f64, f64),
    chart: &TimeChart,
) -> Option<TickLabels> {
    let (width, height) = size;
    if width < 40.0 || height < 40.0 {
        return None;
    }
    let ratio = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r >= 1.0)
        .unwrap_or(1.0);
    let px = |css: f64| (css * ratio).round();
    canvas.set_width(px(width) as u32);
    canvas.set_height(px(height) as u32);
    // The stylesheet's --muted: 4.5:1 on either theme's panel.
    let text = if dark_theme() {
        RGBColor(0x91, 0x98, 0xa1)
    } else {
        RGBColor(0x57, 0x60, 0x6a)
    };
    let grid = RGBColor(0x80, 0x88, 0x90).mix(0.3);
    let font_px = px(LABEL_PX);
    let font = ("sans-serif", font_px).into_font().color(&text);
    let backend = Canvas2d::new(canvas)?;
    let measure = |label: &str| -> f64 {
        backend
            .estimate_text_size(label, &font)
            .map(|(w, _)| f64::from(w))
            .unwrap_or(font_px * 0.6 * label.chars().count() as f64)
    };
    let tick = px(4.0);
    let gap = 2.0 * tick; // plotters puts labels twice the tick length away
    let line_height = (font_px * 1.2).ceil();
    let top = (line_height / 2.0 + px(4.0)).ceil();
    let bottom_area = (gap + line_height + px(4.0)).ceil();

    // The y axis: as many ticks as fit the height, a line apart.
    let plot_height = px(height) - top - bottom_area;
    let y_room = tick_room(plot_height, line_height, line_height).min(8);
    let y_axis = value_axis(chart.values.0, chart.values.1, y_room);
    let y_labels: Vec<String> = y_axis
        .ticks
        .iter()
        .map(|v| value_label(chart.unit, *v))
        .collect();
    let y_widest = y_labels.iter().map(|l| measure(l)).fold(0.0, f64::max);

    // The x axis: as many minute ticks as fit the width.
    let (first, last) = chart.minutes;
    let sample = measure(&minutes_label(-(first.abs().max(last.abs()).round())));
    let left_guess = (y_widest + gap + px(4.0)).ceil();
    // At most 10: a wide chart reads better with round steps far apart.
    let x_room = tick_room(px(width) - left_guess - sample / 2.0, sample, px(16.0)).min(10);
    let x_ticks = minute_ticks(first, last, x_room);
    let x_labels: Vec<String> = x_ticks.iter().map(|m| minutes_label(*m)).collect();
    let x_widest = x_labels.iter().map(|l| measure(l)).fold(0.0, f64::max);
    // Room at the sides for half of an x label centred on the edge.
    let left = left_guess.max((x_widest / 2.0 + px(2.0)).ceil());
    let right = (x_widest / 2.0 + px(4.0)).ceil();

    let root = backend.into_drawing_area();
    let mut plot = ChartBuilder::on(&root)
        .margin_top(top as u32)
        .margin_right(right as u32)
        .margin_left(0)
        .margin_bottom(0)
        .x_label_area_size(bottom_area as u32)
        .y_label_area_size(left as u32)
        .build_cartesian_2d(
            Ticked::new(first..last, x_ticks),
            Ticked::new(y_axis.low..y_axis.high, y_axis.ticks.clone()),
        )
        .ok()?;
    let unit = chart.unit;
    plot.configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(grid)
        .axis_style(grid)
        .set_all_tick_mark_size(tick as u32)
        .label_style(font.clone())
        .x_label_formatter(&|m| minutes_label(*m))
        .y_label_formatter(&|v| value_label(unit, *v))
        .draw()
        .ok()?;
    if first <= 0.0 && 0.0 <= last {
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, y_axis.low), (0.0, y_axis.high)],
            ShapeStyle::from(&RGBColor(0xcf, 0x22, 0x2e)).stroke_width(px(1.0) as u32),
        )))
        .ok()?;
    }
    // Changes on the timeline: a thin purple line each, with a diamond on top.
    for &m in chart.markers.iter().filter(|m| (first..=last).contains(*m)) {
        let style = ShapeStyle::from(&MARKER.mix(0.8)).stroke_width(px(1.0) as u32);
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(m, y_axis.low), (m, y_axis.high)],
            style,
        )))
        .ok()?;
        plot.draw_series(std::iter::once(TriangleMarker::new(
            (m, y_axis.high),
            px(4.0) as i32,
            ShapeStyle::from(&MARKER).filled(),
        )))
        .ok()?;
    }
    // The legend is HTML beside the chart (it never covers a line).
    for (i, points) in chart.lines.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        plot.draw_series(LineSeries::new(
            points.iter().copied(),
            ShapeStyle::from(&colour).stroke_width(px(2.0) as u32),
        ))
        .ok()?;
    }
    root.present().ok()?;
    Some(TickLabels {
        x: x_labels,
        y: y_labels,
    })
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

/// The size on the page (CSS pixels) of the canvas `canvas_ref` holds,
/// kept up to date by a `ResizeObserver`; (0, 0) until it is laid out.
pub(super) fn canvas_size(canvas_ref: NodeRef<Canvas>) -> ReadSignal<(f64, f64)> {
    let (size, set_size) = signal((0.0, 0.0));
    type Watch = (web_sys::ResizeObserver, Closure<dyn FnMut()>);
    let watch = StoredValue::new_local(None::<Watch>);
    let stop = move || {
        watch.try_update_value(|w| {
            if let Some((observer, _)) = w.take() {
                observer.disconnect();
            }
        });
    };
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        stop();
        let element = canvas.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            let now = (
                f64::from(element.client_width()),
                f64::from(element.client_height()),
            );
            if size.try_get_untracked().is_some_and(|shown| shown != now) {
                set_size.set(now);
            }
        });
        if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            observer.observe(&canvas);
            watch.try_set_value(Some((observer, callback)));
        }
    });
    on_cleanup(stop);
    size
}

/// The chart with its signal switch, its colour key and what moved most.
#[component]
pub fn DegradationChart() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The person's pick; until then, the signal the alerts point at.
    let picked = RwSignal::new(None::<ChartSignal>);
    let shown = RwSignal::new(ChartSignal::ErrorRatio);
    let canvas_ref = NodeRef::<Canvas>::new();
    let size = canvas_size(canvas_ref);
    let summary_text = RwSignal::new(String::new());
    let legend = RwSignal::new(Vec::<String>::new());
    let ticks = RwSignal::new(TickLabels::default());
    let markers = RwSignal::new(String::new());
    Effect::new(move |_| {
        let alerts: Vec<(&'static str, AlertState)> = state
            .observation
            .with(|o| {
                o.as_ref()
                    .map(|o| o.alerts.iter().map(|a| (a.metric, a.state)).collect())
            })
            .unwrap_or_default();
        let change_times: Vec<i64> = state
            .observation
            .with(|o| {
                o.as_ref()
                    .map(|o| o.changes.iter().map(|c| c.time).collect())
            })
            .unwrap_or_default();
        let picked = picked.get();
        let size = size.get();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let drawn = state.env.with_value(|env| {
            let signal = picked.unwrap_or_else(|| {
                default_signal(alerts.iter().copied(), |signal| {
                    let (lines, _, _) = lines(env, signal)?;
                    ranked(signal, &lines).first().map(|c| c.deviation)
                })
            });
            let (lines, first, last) = lines(env, signal)?;
            let top = lines
                .iter()
                .flat_map(|l| l.points.iter().map(|p| p.1))
                .fold(signal.least_top(), f64::max);
            let start = env.scenario().map_or(0, |s| s.start_time);
            let markers: Vec<f64> = change_times
                .iter()
                .map(|t| (t - start) as f64 / 60.0)
                .collect();
            let chart = TimeChart {
                minutes: (first, last),
                values: (0.0, top),
                unit: signal.unit(),
                lines: lines.iter().map(|l| l.points.as_slice()).collect(),
                markers,
            };
            let labels = draw_lines(canvas, size, &chart);
            let markers_drawn: Vec<String> = chart
                .markers
                .iter()
                .filter(|m| (first..=last).contains(*m))
                .map(|m| format!("{m:.1}"))
                .collect();
            let services: Vec<String> = lines.iter().map(|l| l.service.clone()).collect();
            Some((
                signal,
                summary(signal, &ranked(signal, &lines)),
                services,
                labels,
                markers_drawn.join(","),
            ))
        });
        let Some((signal, text, services, labels, drawn_markers)) = drawn else {
            return;
        };
        markers.set(drawn_markers);
        shown.set(signal);
        summary_text.set(text);
        if legend.with_untracked(|current| *current != services) {
            legend.set(services);
        }
        if let Some(labels) = labels {
            ticks.set(labels);
        }
    });
    let options = ChartSignal::ALL
        .into_iter()
        .map(|signal| view! { <option value=signal.metric()>{signal.label()}</option> })
        .collect_view();
    view! {
        <section class="panel chart-panel" aria-labelledby="chart-heading">
            <div class="chart-head">
                <h3 id="chart-heading" class="flush">"Degradation"</h3>
                <label class="visually-hidden" for="chart-metric">"Signal"</label>
                <select
                    id="chart-metric"
                    data-testid="chart-signal"
                    prop:value=move || shown.get().metric()
                    on:change=move |ev| picked.set(ChartSignal::from_metric(&event_target_value(&ev)))
                >
                    {options}
                </select>
            </div>
            <canvas
                node_ref=canvas_ref
                data-testid="degradation-chart"
                data-signal=move || shown.get().metric()
                data-x-ticks=move || ticks.with(TickLabels::x_text)
                data-y-ticks=move || ticks.with(TickLabels::y_text)
                data-change-markers=move || markers.get()
                role="img"
                aria-label=move || format!("Chart of each service's {} over time. {}", shown.get().label(), summary_text.get())
            ></canvas>
            <p class="muted small chart-axis-note">
                "Minutes from the incident's start (red line)."
                {move || (!markers.with(String::is_empty)).then_some(" Purple lines: changes (see Recent changes).")}
            </p>
            <ul class="chart-legend" data-testid="chart-legend" aria-label="Colour key">
                {move || legend.get().into_iter().enumerate().map(|(i, service)| view! {
                    <li><span class=swatch_class(i) aria-hidden="true"></span>{service}</li>
                }).collect_view()}
            </ul>
            <p class="small chart-summary" data-testid="chart-summary">{move || summary_text.get()}</p>
        </section>
    }
}
