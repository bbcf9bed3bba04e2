//! The service map: the dependency graph drawn as SVG, callers on the left
//! and what they call to the right, each service coloured by its health.

use std::collections::HashMap;

use leptos::prelude::*;

use super::AppState;
use crate::env::ServiceView;

const NODE_W: f64 = 150.0;
const NODE_H: f64 = 40.0;
const GAP_X: f64 = 60.0;
const GAP_Y: f64 = 18.0;

/// Column of each service: the longest chain of callers above it.
fn columns(services: &[ServiceView]) -> Vec<usize> {
    let index: HashMap<&str, usize> = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut column = vec![0usize; services.len()];
    // Relax along the edges; the graph is acyclic (the loader checks), so
    // `services.len()` rounds are enough.
    for _ in 0..services.len() {
        let mut changed = false;
        for (i, service) in services.iter().enumerate() {
            for dependency in &service.depends_on {
                if let Some(&j) = index.get(dependency.as_str()) {
                    if column[j] < column[i] + 1 {
                        column[j] = column[i] + 1;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    column
}

/// The map of the current observation.
#[component]
pub fn ServiceMap() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let services = state
            .observation
            .with(|o| o.as_ref().map(|o| o.services.clone()))?;
        let column = columns(&services);
        let mut rows_used: HashMap<usize, usize> = HashMap::new();
        let positions: Vec<(f64, f64)> = column
            .iter()
            .map(|&c| {
                let row = rows_used.entry(c).or_insert(0);
                let position = (c as f64 * (NODE_W + GAP_X), *row as f64 * (NODE_H + GAP_Y));
                *row += 1;
                position
            })
            .collect();
        let width =
            (column.iter().max().copied().unwrap_or(0) + 1) as f64 * (NODE_W + GAP_X) - GAP_X;
        let height =
            rows_used.values().max().copied().unwrap_or(1) as f64 * (NODE_H + GAP_Y) - GAP_Y;
        let index: HashMap<&str, usize> = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), i))
            .collect();
        let edges = services
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                s.depends_on
                    .iter()
                    .filter_map(|d| index.get(d.as_str()).map(|&j| (i, j)))
                    .collect::<Vec<_>>()
            })
            .map(|(i, j)| {
                let (x1, y1) = (positions[i].0 + NODE_W, positions[i].1 + NODE_H / 2.0);
                let (x2, y2) = (positions[j].0, positions[j].1 + NODE_H / 2.0);
                let mid = (x1 + x2) / 2.0;
                view! {
                    <path class="map-edge" d=format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}") marker-end="url(#map-arrow)"/>
                }
            })
            .collect_view();
        let nodes = services
            .iter()
            .zip(&positions)
            .map(|(service, (x, y))| {
                let health = service.health.name();
                let label = if service.name.chars().count() > 18 {
                    format!("{}…", service.name.chars().take(17).collect::<String>())
                } else {
                    service.name.clone()
                };
                view! {
                    <g class=format!("map-node health-{health}") transform=format!("translate({x},{y})") data-service=service.name.clone()>
                        <title>{format!("{}: {health}, {:.1}% errors, {:.0} ms p99", service.name, service.error_ratio * 100.0, service.latency_p99_seconds * 1000.0)}</title>
                        <rect width=NODE_W height=NODE_H rx="6"/>
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
                viewBox=format!("-2 -2 {} {}", width + 4.0, height + 4.0)
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
