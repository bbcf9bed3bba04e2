//! The service map: the dependency graph drawn as SVG, callers on the left
//! and what they call to the right, each service coloured by its health.

use leptos::prelude::*;

use super::AppState;
use crate::web::layout::{label, MapLayout, NODE_HEIGHT, NODE_WIDTH};

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
                let health = service.health.name();
                let label = label(&service.name);
                view! {
                    <g class=format!("map-node health-{health}") transform=format!("translate({x},{y})") data-service=service.name.clone()>
                        <title>{format!("{}: {health}, {:.1}% errors, {:.0} ms p99", service.name, service.error_ratio * 100.0, service.latency_p99_seconds * 1000.0)}</title>
                        <rect width=NODE_WIDTH height=NODE_HEIGHT rx="6"/>
                        <text x="10" y="17" class="map-name">{label}</text>
                        <text x="10" y="32" class="map-meta">{format!("{health} · {:.1}% err", service.error_ratio * 100.0)}</text>
                    </g>
                }
            })
            .collect_view();
        Some(view! {
            <svg
                class="service-map"
                data-testid="service-map"
                viewBox=layout.view_box()
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
        })
    }
}
