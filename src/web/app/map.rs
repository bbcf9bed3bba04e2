//! The service map: the dependency graph drawn as SVG, callers on the left
//! and what they call to the right, each service coloured by its health.
//! The drawing is never enlarged much past its natural size; where it would
//! have to shrink its text below 11 px (a phone, a narrow embed), the
//! stylesheet shows the same services as a list instead, column by column
//! (callers first), each with its health, its signals and what it calls.

use leptos::prelude::*;

use super::AppState;
use crate::env::ServiceView;
use crate::web::format::{readable_value, Unit};
use crate::web::layout::{label, MapLayout, NODE_HEIGHT, NODE_WIDTH};

/// Largest scale the drawing is shown at.
const MAX_SCALE: f64 = 1.35;

/// Deepest level the list indents (www/app.css, `.flow-level-N`).
const MAX_FLOW_LEVEL: usize = 4;

/// A service's signals in a few words: `critical · 19.2% errors · 850 ms p99`.
fn signals_text(service: &ServiceView) -> String {
    format!(
        "{} · {} errors · {} p99",
        health_text(service),
        readable_value(Unit::Ratio, service.error_ratio),
        readable_value(Unit::Seconds, service.latency_p99_seconds)
    )
}

/// The health a service shows: `no data` while its metrics are missing.
fn health_text(service: &ServiceView) -> &'static str {
    if service.data_missing {
        "no data"
    } else {
        service.health.name()
    }
}

/// The map of the current observation.
#[component]
pub fn ServiceMap() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let services = state
            .observation
            .with(|o| o.as_ref().map(|o| o.services.clone()))?;
        let graph: Vec<(&str, &[String])> = services
            .iter()
            .map(|s| (s.name.as_str(), s.depends_on.as_slice()))
            .collect();
        let layout = MapLayout::new(&graph);
        let edges = layout
            .edges
            .iter()
            .map(|edge| {
                view! {
                    <path class="map-edge" d=edge.path.clone() marker-end="url(#map-arrow)"/>
                }
            })
            .collect_view();
        let nodes = services
            .iter()
            .zip(&layout.positions)
            .map(|(service, (x, y))| {
                let health = health_text(service);
                let class = if service.data_missing { "nodata" } else { health };
                let label = label(&service.name);
                view! {
                    <g class=format!("map-node health-{class}") transform=format!("translate({x},{y})") data-service=service.name.clone()>
                        <title>{format!("{}: {}", service.name, signals_text(service))}</title>
                        <rect width=NODE_WIDTH height=NODE_HEIGHT rx="6"/>
                        <text x="10" y="17" class="map-name">{label}</text>
                        <text x="10" y="32" class="map-meta">{format!("{health} · {} err", readable_value(Unit::Ratio, service.error_ratio))}</text>
                    </g>
                }
            })
            .collect_view();
        let known: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        let flow = layout
            .flow_order()
            .into_iter()
            .map(|i| {
                let service = &services[i];
                let level = layout.columns[i].min(MAX_FLOW_LEVEL);
                let calls: Vec<&str> = service
                    .depends_on
                    .iter()
                    .map(String::as_str)
                    .filter(|d| known.contains(d))
                    .collect();
                let calls = (!calls.is_empty()).then(|| {
                    view! { <span class="flow-calls">{format!("→ calls {}", calls.join(", "))}</span> }
                });
                view! {
                    <li class=format!("flow-node health-{} flow-level-{level}", service.health.name()) data-service=service.name.clone()>
                        <span class="flow-name">{service.name.clone()}</span>
                        <span class="flow-meta">{signals_text(service)}</span>
                        {calls}
                    </li>
                }
            })
            .collect_view();
        // Up to a third larger than its natural size on a wide screen.
        let widest = (layout.width + 4.0) * MAX_SCALE;
        Some(view! {
            <div class=format!("map-box map-cols-{}", layout.column_count().min(6))>
                <svg
                    class="service-map"
                    data-testid="service-map"
                    viewBox=layout.view_box()
                    style:max-width=format!("{widest}px")
                    role="img"
                    aria-label="Service map: each service and the services it calls, coloured by health"
                >
                    <defs>
                        <marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                            <path d="M0,0 L10,5 L0,10 z" class="map-arrow"/>
                        </marker>
                    </defs>
                    {edges}
                    {nodes}
                </svg>
                <ol class="service-flow" data-testid="service-flow" aria-label="Services, callers before the services they call">
                    {flow}
                </ol>
            </div>
        })
    }
}
