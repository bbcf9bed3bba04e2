//! The PromQL engine over a small store: behaviours pinned as tables of
//! cases (the Prometheus test scripts are run by `promql_conformance.rs`).

use firedrill::promql::{self, json, Engine, QueryError, Value};
use firedrill::series::{Labels, Store};

/// Label pairs of a test series.
type Pairs = &'static [(&'static str, &'static str)];

/// `requests_total{job, instance}` counters and a `up` gauge, one sample every 30 s for 10 minutes.
fn store() -> Store {
    let mut store = Store::new(1000);
    let series: [(&str, Pairs, f64); 5] = [
        ("requests_total", &[("job", "api"), ("instance", "a")], 1.0),
        ("requests_total", &[("job", "api"), ("instance", "b")], 2.0),
        ("requests_total", &[("job", "db"), ("instance", "a")], 4.0),
        ("up", &[("job", "api"), ("instance", "a")], 0.0),
        ("up", &[("job", "db"), ("instance", "a")], 0.0),
    ];
    for (name, labels, per_second) in series {
        let mut pairs = vec![("__name__".to_string(), name.to_string())];
        pairs.extend(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let id = store.series_id(Labels::new(pairs));
        for step in 0..=20 {
            let t = step * 30_000;
            let v = if per_second == 0.0 {
                1.0
            } else {
                per_second * (t / 1000) as f64
            };
            store.append(id, t, v);
        }
    }
    store
}

/// A value rounded to 9 decimals, as Prometheus prints it.
fn rounded(v: f64) -> String {
    let r = if v.is_finite() {
        (v * 1e9).round() / 1e9
    } else {
        v
    };
    promql::format_value(r)
}

/// `{a="1", b="2"} value` lines of a vector result, sorted.
fn lines(value: &Value) -> Vec<String> {
    let mut out: Vec<String> = match value {
        Value::Vector(samples) => samples
            .iter()
            .map(|s| {
                let labels: Vec<String> = s
                    .labels
                    .pairs()
                    .iter()
                    .map(|(k, v)| format!("{k}={v:?}"))
                    .collect();
                format!("{{{}}} {}", labels.join(","), rounded(s.value))
            })
            .collect(),
        Value::Scalar { value, .. } => vec![rounded(*value)],
        other => vec![format!("{other:?}")],
    };
    out.sort();
    out
}

struct Case {
    query: &'static str,
    expected: &'static [&'static str],
}

#[test]
fn instant_queries_follow_prometheus() {
    let store = store();
    let cases = [
        Case {
            query: "up",
            expected: &[
                r#"{__name__="up",instance="a",job="api"} 1"#,
                r#"{__name__="up",instance="a",job="db"} 1"#,
            ],
        },
        Case {
            query: r#"requests_total{job=~"a.*", instance!="b"}"#,
            expected: &[r#"{__name__="requests_total",instance="a",job="api"} 600"#],
        },
        Case {
            query: r#"requests_total{job=~"p"}"#,
            expected: &[],
        },
        Case {
            query: "sum by (job) (rate(requests_total[2m]))",
            expected: &[r#"{job="api"} 3"#, r#"{job="db"} 4"#],
        },
        Case {
            query: "requests_total offset 5m / 100",
            expected: &[
                r#"{instance="a",job="api"} 3"#,
                r#"{instance="a",job="db"} 12"#,
                r#"{instance="b",job="api"} 6"#,
            ],
        },
        Case {
            query: "requests_total @ 60 > 150",
            expected: &[r#"{__name__="requests_total",instance="a",job="db"} 240"#],
        },
        Case {
            query: "requests_total @ 60 > bool 150",
            expected: &[
                r#"{instance="a",job="api"} 0"#,
                r#"{instance="a",job="db"} 1"#,
                r#"{instance="b",job="api"} 0"#,
            ],
        },
        Case {
            query: "requests_total * on(job, instance) group_left up",
            expected: &[
                r#"{instance="a",job="api"} 600"#,
                r#"{instance="a",job="db"} 2400"#,
            ],
        },
        Case {
            query: "requests_total unless on(instance) up",
            expected: &[r#"{__name__="requests_total",instance="b",job="api"} 1200"#],
        },
        Case {
            query: "max_over_time(rate(requests_total[1m])[5m:1m])",
            expected: &[
                r#"{instance="a",job="api"} 1"#,
                r#"{instance="a",job="db"} 4"#,
                r#"{instance="b",job="api"} 2"#,
            ],
        },
        Case {
            query: r#"topk(1, requests_total)"#,
            expected: &[r#"{__name__="requests_total",instance="a",job="db"} 2400"#],
        },
        Case {
            query: r#"count_values("value", up)"#,
            expected: &[r#"{value="1"} 2"#],
        },
        Case {
            query: r#"label_replace(up, "service", "$1-svc", "job", "(.*)")"#,
            expected: &[
                r#"{__name__="up",instance="a",job="api",service="api-svc"} 1"#,
                r#"{__name__="up",instance="a",job="db",service="db-svc"} 1"#,
            ],
        },
        Case {
            query: r#"absent(nonexistent{job="x"})"#,
            expected: &[r#"{job="x"} 1"#],
        },
        Case {
            query: "scalar(sum(up)) * 2",
            expected: &["4"],
        },
        Case {
            query: "time()",
            expected: &["600"],
        },
    ];
    for case in cases {
        let value = promql::instant_query(&store, case.query, 600_000)
            .unwrap_or_else(|e| panic!("{}: {e}", case.query));
        let mut expected: Vec<String> = case.expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(lines(&value), expected, "{}", case.query);
    }
}

#[test]
fn samples_older_than_the_lookback_are_not_seen() {
    let store = store();
    for (time_ms, expected) in [(600_000 + 299_999, 2), (600_000 + 300_000, 0)] {
        let value = promql::instant_query(&store, "up", time_ms).unwrap();
        assert_eq!(lines(&value).len(), expected, "at {time_ms}");
    }
}

#[test]
fn range_queries_give_one_point_per_step() {
    let store = store();
    let matrix = promql::range_query(&store, "sum(up)", 0, 600_000, 60_000).unwrap();
    assert_eq!(matrix.len(), 1);
    assert_eq!(matrix[0].points.len(), 11);
    assert!(matrix[0].points.iter().all(|(_, v)| *v == 2.0));
    let times: Vec<i64> = matrix[0].points.iter().map(|p| p.0).collect();
    assert_eq!(times[1] - times[0], 60_000);
}

#[test]
fn range_query_parameters_are_checked() {
    let store = store();
    for (start, end, step, needle) in [
        (10, 0, 1, "end timestamp must not be before start time"),
        (0, 10, 0, "zero or negative query resolution step"),
        (0, 10, -5, "zero or negative query resolution step"),
        (0, 11_000, 1, "exceeded maximum resolution of 11,000 points"),
    ] {
        match promql::range_query(&store, "up", start, end, step) {
            Err(e @ QueryError::BadParameter(_)) => {
                assert!(e.to_string().contains(needle), "{e}")
            }
            other => panic!("{start} {end} {step}: {other:?}"),
        }
    }
    assert!(promql::range_query(&store, "up", 0, 10_999, 1).is_ok());
    assert!(matches!(
        promql::range_query(&store, "up[5m]", 0, 10, 1),
        Err(QueryError::BadParameter(_))
    ));
}

#[test]
fn errors_say_where_and_what() {
    let store = store();
    let cases = [
        ("sum(up", "1:4: parse error: unclosed left parenthesis"),
        ("up +", "1:5: parse error: unexpected end of input"),
        ("up{job=}", "1:8: parse error: unexpected \"}\""),
        (
            "requests_total + on(instance) up",
            "found duplicate series for the match group {instance=\"a\"} on the right hand-side of the operation",
        ),
        (
            "label_replace(up, \"job\", \"x\", \"job\", \".*\")",
            "vector cannot contain metrics with the same labelset",
        ),
    ];
    for (query, needle) in cases {
        let error = promql::instant_query(&store, query, 600_000).unwrap_err();
        assert!(error.to_string().starts_with(needle), "{query}: {error}");
    }
}

#[test]
fn no_input_makes_the_engine_panic() {
    let store = store();
    let queries = [
        "",
        "(",
        ")",
        "{}",
        "{job=~\".*\"}",
        "up[0s]",
        "up offset -1e400",
        "up offset 1e400",
        "up @ 1e400",
        "up @ -1e18",
        "up @ 9e15 offset 9e14",
        "up[5m:1ms] @ 9e12",
        "rate(up[1e15])",
        "predict_linear(up[5m] @ 1e15, 1e300)",
        "topk(1e300, up)",
        "topk(-1, up)",
        "quantile(NaN, up)",
        "histogram_quantile(0.5, up)",
        "round(up, 0)",
        "clamp(up, NaN, NaN)",
        "label_replace(up, \"\", \"\", \"\", \"(\")",
        "count_values(\"\", up)",
        "day_of_month(vector(1e300))",
        "year(vector(-1e300))",
        "up / on() group_left up",
        "sum(up) by (__name__) / ignoring() up",
        "double_exponential_smoothing(up[5m], 0.5, 2)",
        "absent_over_time(up[1ms])",
        "sort_by_label(up, \"job\", \"nope\")",
        "\u{0}\u{ffff}",
    ];
    for query in queries {
        let _ = promql::instant_query(&store, query, 600_000);
        let _ = promql::range_query(&store, query, 0, 600_000, 30_000);
        let _ = promql::instant_query(&store, query, i64::MAX);
        let _ = promql::instant_query(&store, query, i64::MIN);
    }
}

#[test]
fn too_much_work_is_an_error_not_a_hang() {
    let store = store();
    let engine = Engine {
        max_samples: 100_000,
        ..Engine::default()
    };
    let error = engine
        .instant(&store, "max_over_time(up[1d:1s])", 600_000)
        .unwrap_err();
    assert!(error.to_string().contains("too many samples"), "{error}");
}

#[test]
fn results_render_as_the_prometheus_api() {
    let store = store();
    let engine = Engine::default();
    let result = engine.instant(&store, "sum(up)", 600_000).unwrap();
    assert_eq!(
        json::success(&result.value, &result.annotations),
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[600,"2"]}]}}"#
    );
    let result = engine.instant(&store, "rate(up[1m])", 600_000).unwrap();
    assert!(json::success(&result.value, &result.annotations)
        .contains(r#""infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\" (1:6)"]"#));
    let error = engine.instant(&store, "sum(", 0).unwrap_err();
    assert_eq!(
        json::error(&error),
        r#"{"status":"error","errorType":"bad_data","error":"1:4: parse error: unclosed left parenthesis"}"#
    );
}

/// Random token soup: whatever parses must evaluate without panicking.
#[test]
fn random_queries_never_panic() {
    let iterations: usize = std::env::var("PROMQL_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let tokens = [
        "up",
        "requests_total",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "5m",
        "1s",
        "0",
        "1",
        "-1",
        "1e308",
        "NaN",
        "Inf",
        ":",
        ",",
        "job",
        "=",
        "!=",
        "=~",
        "!~",
        "\"api\"",
        "\".*\"",
        "\"(\"",
        "+",
        "-",
        "*",
        "/",
        "%",
        "^",
        "==",
        "!=",
        ">",
        "<",
        ">=",
        "<=",
        "bool",
        "and",
        "or",
        "unless",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "by",
        "without",
        "offset",
        "@",
        "start()",
        "end()",
        "sum",
        "avg",
        "min",
        "max",
        "count",
        "topk",
        "bottomk",
        "quantile",
        "count_values",
        "stddev",
        "group",
        "limitk",
        "limit_ratio",
        "rate",
        "irate",
        "increase",
        "delta",
        "deriv",
        "predict_linear",
        "histogram_quantile",
        "histogram_fraction",
        "label_replace",
        "label_join",
        "abs",
        "clamp",
        "round",
        "scalar",
        "vector",
        "time",
        "absent",
        "sort",
        "sort_by_label",
        "timestamp",
        "max_over_time",
        "quantile_over_time",
        "changes",
        "resets",
        "double_exponential_smoothing",
        "day_of_week",
        "__name__",
        "le",
        "fill",
        "fill_left",
        "0.5",
        "1e-300",
        "9e15",
        "-9e15",
        "1d",
        "1y",
    ];
    let store = store();
    let mut rng = firedrill::rng::Rng::new(7);
    let mut parsed = 0;
    for _ in 0..iterations {
        let len = 1 + rng.below(14);
        let query: Vec<&str> = (0..len)
            .map(|_| *rng.choose(&tokens).unwrap_or(&"up"))
            .collect();
        let query = query.join(" ");
        if let Ok(value) = promql::instant_query(&store, &query, 600_000) {
            parsed += 1;
            let _ = json::success(&value, &Default::default());
        }
        let _ = promql::range_query(&store, &query, 0, 600_000, 60_000);
    }
    assert!(parsed > 0);
}

/// A random expression of the grammar (mostly well-typed).
fn random_expr(rng: &mut firedrill::rng::Rng, depth: usize) -> String {
    let pick = |rng: &mut firedrill::rng::Rng, items: &[&str]| -> String {
        rng.choose(items).copied().unwrap_or("up").to_string()
    };
    let selector = |rng: &mut firedrill::rng::Rng| {
        let name = pick(rng, &["up", "requests_total", "nothing", ""]);
        let matcher = pick(
            rng,
            &[
                "",
                "job=\"api\"",
                "job!=\"db\"",
                "job=~\"a.*|db\"",
                "instance!~\"b\"",
                "__name__=~\".+\"",
            ],
        );
        let modifier = pick(
            rng,
            &[
                "",
                " offset 1m",
                " offset -2m",
                " @ 300",
                " @ end()",
                " @ start() offset 30s",
            ],
        );
        if name.is_empty() {
            let matcher = if matcher.is_empty() {
                "job=~\".+\"".to_string()
            } else {
                matcher
            };
            format!("{{{matcher}}}{modifier}")
        } else {
            format!("{name}{{{matcher}}}{modifier}")
        }
    };
    let range = |rng: &mut firedrill::rng::Rng| pick(rng, &["1m", "5m", "30s", "1h", "1ms", "10m"]);
    if depth == 0 {
        return if rng.below(4) == 0 {
            pick(rng, &["1", "0", "-2.5", "NaN", "Inf", "1e308"])
        } else {
            selector(rng)
        };
    }
    let inner = random_expr(rng, depth - 1);
    match rng.below(9) {
        0 => format!(
            "{}({inner})",
            pick(
                rng,
                &[
                    "abs",
                    "ceil",
                    "sqrt",
                    "ln",
                    "exp",
                    "sgn",
                    "timestamp",
                    "sort_desc",
                    "absent",
                    "year",
                    "deg"
                ]
            )
        ),
        1 => format!(
            "{}({}[{}])",
            pick(
                rng,
                &[
                    "rate",
                    "increase",
                    "delta",
                    "irate",
                    "deriv",
                    "resets",
                    "changes",
                    "avg_over_time",
                    "stddev_over_time",
                    "last_over_time",
                    "absent_over_time",
                    "mad_over_time",
                    "ts_of_max_over_time"
                ]
            ),
            selector(rng),
            range(rng)
        ),
        2 => format!(
            "{} {} ({inner})",
            pick(
                rng,
                &["sum", "avg", "min", "max", "count", "stddev", "group", "stdvar"]
            ),
            pick(
                rng,
                &[
                    "",
                    "by (job)",
                    "without (instance)",
                    "by (__name__)",
                    "by ()"
                ]
            )
        ),
        3 => format!(
            "{}({}, {inner})",
            pick(
                rng,
                &["topk", "bottomk", "limitk", "quantile", "limit_ratio"]
            ),
            pick(rng, &["1", "2", "0.5", "-1", "NaN", "1e300"])
        ),
        4 => format!(
            "({inner}) {} {} ({})",
            pick(
                rng,
                &[
                    "+", "-", "*", "/", "%", "^", "atan2", "==", "!= bool", "> bool", "<", "and",
                    "or", "unless"
                ]
            ),
            pick(
                rng,
                &[
                    "",
                    "on(job)",
                    "ignoring(instance)",
                    "on(job) group_left",
                    "ignoring(__name__) group_right(job)",
                    "on() group_left"
                ]
            ),
            random_expr(rng, depth - 1)
        ),
        5 => format!(
            "max_over_time(({inner})[{}:{}])",
            range(rng),
            pick(rng, &["", "1m", "30s", "7s"])
        ),
        6 => format!(
            "label_replace({inner}, \"{}\", \"$1\", \"job\", \"(.*)\")",
            pick(rng, &["job", "x", "__name__"])
        ),
        7 => format!(
            "histogram_quantile({}, {inner})",
            pick(rng, &["0.5", "0", "1", "2", "NaN"])
        ),
        _ => format!(
            "clamp({inner}, {}, {})",
            pick(rng, &["0", "-Inf", "NaN"]),
            pick(rng, &["1", "Inf", "-1"])
        ),
    }
}

#[test]
fn random_well_formed_queries_never_panic() {
    let iterations: usize = std::env::var("PROMQL_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let store = store();
    let mut rng = firedrill::rng::Rng::new(11);
    let mut answered = 0;
    for _ in 0..iterations {
        let depth = rng.below(4);
        let query = random_expr(&mut rng, depth);
        if promql::instant_query(&store, &query, 600_000).is_ok() {
            answered += 1;
        }
        let _ = promql::range_query(&store, &query, 0, 600_000, 60_000);
    }
    assert!(
        answered * 4 > iterations,
        "{answered} of {iterations} answered"
    );
}

/// `Engine::series` (Prometheus' `/api/v1/series`): the label sets any of
/// the selectors matches with a sample in the range, sorted, once each.
#[test]
fn series_selectors_list_the_matching_series_in_the_range() {
    struct SeriesCase {
        selectors: &'static [&'static str],
        start_ms: i64,
        end_ms: i64,
        expected: &'static [&'static str],
    }
    let cases = [
        SeriesCase {
            selectors: &["up"],
            start_ms: 0,
            end_ms: 600_000,
            expected: &["api/a/up", "db/a/up"],
        },
        SeriesCase {
            selectors: &[r#"{job="api"}"#],
            start_ms: 0,
            end_ms: 0,
            expected: &["api/a/requests_total", "api/b/requests_total", "api/a/up"],
        },
        SeriesCase {
            selectors: &[
                "up",
                r#"{__name__=~"up|requests_total", instance="b"}"#,
                "up",
            ],
            start_ms: 600_000,
            end_ms: 900_000,
            expected: &["api/b/requests_total", "api/a/up", "db/a/up"],
        },
        SeriesCase {
            selectors: &["(requests_total{job!~\"api\"})"],
            start_ms: 15_000,
            end_ms: 29_999,
            expected: &[],
        },
        SeriesCase {
            selectors: &["requests_total{job=\"db\"}"],
            start_ms: 600_000,
            end_ms: 600_000,
            expected: &["db/a/requests_total"],
        },
        SeriesCase {
            selectors: &["nothing_here"],
            start_ms: 0,
            end_ms: 600_000,
            expected: &[],
        },
    ];
    let store = store();
    for case in cases {
        let found = Engine::default()
            .series(&store, case.selectors, case.start_ms, case.end_ms)
            .unwrap_or_else(|e| panic!("{:?}: {e}", case.selectors));
        let got: Vec<String> = found
            .iter()
            .map(|l| {
                format!(
                    "{}/{}/{}",
                    l.get("job").unwrap_or(""),
                    l.get("instance").unwrap_or(""),
                    l.metric_name().unwrap_or("")
                )
            })
            .collect();
        let mut expected: Vec<String> = case.expected.iter().map(|s| s.to_string()).collect();
        // Sorted as label sets are: by name first.
        let order = |s: &String| {
            let parts: Vec<&str> = s.split('/').collect();
            (
                parts[2].to_string(),
                parts[1].to_string(),
                parts[0].to_string(),
            )
        };
        expected.sort_by_key(order);
        let mut sorted = got.clone();
        sorted.sort_by_key(order);
        assert_eq!(got, sorted, "{:?}: not sorted", case.selectors);
        assert_eq!(got, expected, "{:?}", case.selectors);
    }
}

/// What `Engine::series` refuses: selectors that do not parse or are not
/// series selectors, and an end before the start.
#[test]
fn series_refuses_what_is_not_a_series_selector() {
    let cases: [(&[&str], i64, &str); 4] = [
        (&["up{"], 0, "parse error"),
        (&["rate(up[5m])"], 0, "is not a series selector"),
        (&["up", "sum(up)"], 0, "is not a series selector"),
        (&["up"], -1, "end timestamp must not be before start time"),
    ];
    let store = store();
    for (selectors, end_ms, message) in cases {
        let error: QueryError = Engine::default()
            .series(&store, selectors, 0, end_ms)
            .expect_err("refused");
        assert!(
            error.to_string().contains(message),
            "{selectors:?}: {error}"
        );
        assert_eq!(error.error_type(), "bad_data");
    }
}
