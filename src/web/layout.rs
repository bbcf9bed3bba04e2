//! The service map's layout (`app/map.rs` draws it): the arithmetic over
//! the dependency graph, apart from the view so `cargo test` runs it.
//!
//! Each service goes in the column of the longest chain of callers above
//! it (callers on the left, what they call to the right), and in the next
//! free row of its column, in the observation's order. Dependencies that
//! name no service of the map are not drawn.
//!
//! Where the drawing would shrink its text below a readable size (a phone,
//! a narrow embed), the map is a list instead: the services column by
//! column, callers first ([`MapLayout::flow_order`]); the stylesheet picks
//! one or the other by the map's width and [`MapLayout::column_count`].
//!
//! ```
//! use firedrill::web::layout::{MapLayout, NODE_HEIGHT, NODE_WIDTH, GAP_X};
//! let layout = MapLayout::new(&[("web", &["api"][..]), ("api", &[][..])]);
//! assert_eq!(layout.columns, vec![0, 1]);
//! assert_eq!(layout.positions[1], (NODE_WIDTH + GAP_X, 0.0));
//! assert_eq!(layout.width, 2.0 * NODE_WIDTH + GAP_X);
//! assert_eq!(layout.height, NODE_HEIGHT);
//! ```

use std::collections::HashMap;

/// Width of a service's box.
pub const NODE_WIDTH: f64 = 150.0;
/// Height of a service's box.
pub const NODE_HEIGHT: f64 = 40.0;
/// Space between columns.
pub const GAP_X: f64 = 40.0;
/// Space between rows.
pub const GAP_Y: f64 = 18.0;
/// Longest name shown whole in a box, in characters.
pub const MAX_LABEL_CHARS: usize = 18;

/// An arrow from a caller to a service it calls.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Index of the caller.
    pub from: usize,
    /// Index of the service called.
    pub to: usize,
    /// The SVG path: from the caller's right side to the callee's left,
    /// a cubic curve bent at the middle.
    pub path: String,
}

/// Where everything goes, in the map's coordinates (the top-left box at 0, 0).
#[derive(Clone, Debug, PartialEq)]
pub struct MapLayout {
    /// Column of each service, in the order given.
    pub columns: Vec<usize>,
    /// Top-left corner of each service's box, in the order given.
    pub positions: Vec<(f64, f64)>,
    /// Every dependency between services of the map, callers in order.
    pub edges: Vec<Edge>,
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
}

impl MapLayout {
    /// The layout of services given as (name, names of the services it calls).
    pub fn new<S: AsRef<str>>(services: &[(&str, &[S])]) -> MapLayout {
        let index: HashMap<&str, usize> = services
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (*name, i))
            .collect();
        let calls: Vec<Vec<usize>> = services
            .iter()
            .map(|(_, depends_on)| {
                depends_on
                    .iter()
                    .filter_map(|d| index.get(d.as_ref()).copied())
                    .collect()
            })
            .collect();
        let columns = columns(&calls);
        let mut rows_used: HashMap<usize, usize> = HashMap::new();
        let positions: Vec<(f64, f64)> = columns
            .iter()
            .map(|&column| {
                let row = rows_used.entry(column).or_insert(0);
                let position = (
                    column as f64 * (NODE_WIDTH + GAP_X),
                    *row as f64 * (NODE_HEIGHT + GAP_Y),
                );
                *row += 1;
                position
            })
            .collect();
        let width =
            (columns.iter().max().copied().unwrap_or(0) + 1) as f64 * (NODE_WIDTH + GAP_X) - GAP_X;
        let height =
            rows_used.values().max().copied().unwrap_or(1) as f64 * (NODE_HEIGHT + GAP_Y) - GAP_Y;
        let edges = calls
            .iter()
            .enumerate()
            .flat_map(|(from, called)| called.iter().map(move |&to| (from, to)))
            .map(|(from, to)| {
                let (x1, y1) = (
                    positions[from].0 + NODE_WIDTH,
                    positions[from].1 + NODE_HEIGHT / 2.0,
                );
                let (x2, y2) = (positions[to].0, positions[to].1 + NODE_HEIGHT / 2.0);
                let mid = (x1 + x2) / 2.0;
                Edge {
                    from,
                    to,
                    path: format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"),
                }
            })
            .collect();
        MapLayout {
            columns,
            positions,
            edges,
            width,
            height,
        }
    }

    /// Number of columns (1 for an empty map).
    pub fn column_count(&self) -> usize {
        self.columns.iter().max().map_or(1, |c| c + 1)
    }

    /// The services in the order a list shows the flow: column by column
    /// (callers before what they call), in the order given within a column.
    pub fn flow_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.columns.len()).collect();
        order.sort_by_key(|&i| (self.columns[i], i));
        order
    }

    /// The SVG `viewBox`: the drawing with a 2-unit margin for the strokes.
    pub fn view_box(&self) -> String {
        format!("-2 -2 {} {}", self.width + 4.0, self.height + 4.0)
    }
}

/// Column of each service: the longest chain of callers above it. `calls`
/// holds, for each service, the indices of the services it calls.
fn columns(calls: &[Vec<usize>]) -> Vec<usize> {
    let mut column = vec![0usize; calls.len()];
    // Relax along the edges; the graph is acyclic (the loader checks), so
    // `calls.len()` rounds are enough, and a cycle cannot loop forever.
    for _ in 0..calls.len() {
        let mut changed = false;
        for (i, called) in calls.iter().enumerate() {
            for &j in called {
                if column[j] < column[i] + 1 {
                    column[j] = column[i] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    column
}

/// A service's name as its box shows it: cut to [`MAX_LABEL_CHARS`] with
/// an ellipsis.
pub fn label(name: &str) -> String {
    if name.chars().count() > MAX_LABEL_CHARS {
        let kept: String = name.chars().take(MAX_LABEL_CHARS - 1).collect();
        format!("{kept}…")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMN: f64 = NODE_WIDTH + GAP_X;
    const ROW: f64 = NODE_HEIGHT + GAP_Y;

    /// Services as (name, the names of the services it calls).
    type Graph<'a> = &'a [(&'a str, &'a [&'a str])];

    fn layout(services: Graph) -> MapLayout {
        MapLayout::new(services)
    }

    #[test]
    fn columns_follow_the_longest_chain_of_callers() {
        let cases: [(&str, Graph, &[usize]); 7] = [
            ("no service", &[], &[]),
            ("one service", &[("api", &[])], &[0]),
            (
                "a chain",
                &[("web", &["api"]), ("api", &["db"]), ("db", &[])],
                &[0, 1, 2],
            ),
            (
                "a chain listed backwards",
                &[("db", &[]), ("api", &["db"]), ("web", &["api"])],
                &[2, 1, 0],
            ),
            (
                "a diamond",
                &[
                    ("web", &["cart", "search"]),
                    ("cart", &["db"]),
                    ("search", &["db"]),
                    ("db", &[]),
                ],
                &[0, 1, 1, 2],
            ),
            (
                "a shortcut does not pull the callee left",
                &[("web", &["api", "db"]), ("api", &["db"]), ("db", &[])],
                &[0, 1, 2],
            ),
            (
                "an unknown dependency is ignored",
                &[("web", &["nowhere"]), ("api", &[])],
                &[0, 0],
            ),
        ];
        for (name, services, expected) in cases {
            assert_eq!(layout(services).columns, expected, "{name}");
        }
    }

    #[test]
    fn rows_fill_each_column_in_order() {
        let map = layout(&[
            ("web", &["cart", "search"]),
            ("cart", &["db"]),
            ("search", &["db"]),
            ("db", &[]),
            ("admin", &[]),
        ]);
        assert_eq!(
            map.positions,
            vec![
                (0.0, 0.0),
                (COLUMN, 0.0),
                (COLUMN, ROW),
                (2.0 * COLUMN, 0.0),
                (0.0, ROW),
            ]
        );
        assert_eq!(map.width, 3.0 * COLUMN - GAP_X);
        assert_eq!(map.height, 2.0 * ROW - GAP_Y);
        assert_eq!(map.view_box(), "-2 -2 534 102");
    }

    #[test]
    fn an_empty_map_is_one_box_large() {
        let map = layout(&[]);
        assert_eq!((map.width, map.height), (NODE_WIDTH, NODE_HEIGHT));
        assert!(map.positions.is_empty() && map.edges.is_empty());
    }

    #[test]
    fn edges_run_from_the_callers_right_side_to_the_callees_left_side() {
        let map = layout(&[("web", &["api", "nowhere"]), ("api", &[])]);
        assert_eq!(
            map.edges,
            vec![Edge {
                from: 0,
                to: 1,
                path: String::from("M150,20 C170,20 170,20 190,20"),
            }]
        );
        let fan = layout(&[("web", &["a", "b"]), ("a", &[]), ("b", &[])]);
        assert_eq!(fan.edges[1].path, "M150,20 C170,20 170,78 190,78");
    }

    #[test]
    fn the_flow_lists_callers_first() {
        let cases: [(&str, Graph, &[usize], usize); 4] = [
            ("no service", &[], &[], 1),
            (
                "a chain listed backwards",
                &[("db", &[]), ("api", &["db"]), ("web", &["api"])],
                &[2, 1, 0],
                3,
            ),
            (
                "a diamond, ties in the given order",
                &[
                    ("db", &[]),
                    ("search", &["db"]),
                    ("web", &["cart", "search"]),
                    ("cart", &["db"]),
                    ("admin", &[]),
                ],
                &[2, 4, 1, 3, 0],
                3,
            ),
            ("lone services", &[("a", &[]), ("b", &[])], &[0, 1], 1),
        ];
        for (name, services, order, count) in cases {
            let map = layout(services);
            assert_eq!(map.flow_order(), order, "{name}");
            assert_eq!(map.column_count(), count, "{name}");
        }
    }

    #[test]
    fn a_cycle_ends() {
        let map = layout(&[("a", &["b"]), ("b", &["a"])]);
        assert_eq!(map.columns.len(), 2);
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        for (name, shown) in [
            ("api", "api"),
            ("eighteen-chars-abc", "eighteen-chars-abc"),
            ("nineteen-chars-abcd", "nineteen-chars-ab…"),
        ] {
            assert_eq!(label(name), shown, "{name}");
        }
        assert_eq!(label(&"é".repeat(19)), "é".repeat(17) + "…");
    }
}
