//! The incident area: the chosen scenario's briefing before an episode
//! starts, then the episode's status bar, services, alerts, what
//! investigating revealed, the action panel and the history; the debrief
//! once it is over.

use leptos::prelude::*;

use super::{
    ActionHistory, ActionPanel, AppState, Autoplay, Debrief, DegradationChart, DrillLoadStatus,
    HintPanel, InjectList, PackPanel, PackSummaryPanel, PromqlConsole, ServiceMap, TaskChecklist,
};
use crate::env::{AlertState, Investigation, Observation, Status};
use crate::leaderboard::Mode;
use crate::metrics::traces::Trace;
use crate::web::format::metric_value;

/// The briefing or the running episode, whichever applies.
#[component]
pub fn IncidentArea() -> impl IntoView {
    let state = expect_context::<AppState>();
    let error = state.error;
    let body = move || match state.observation.get() {
        Some(observation) => episode_view(&observation, state.exam_running()).into_any(),
        None => briefing_view(state).into_any(),
    };
    let playing = move || state.observation.with(Option::is_some);
    let investigations = move || {
        state.observation.with(|o| {
            let investigations = &o.as_ref()?.investigations;
            if investigations.is_empty() {
                return None;
            }
            // Newest first; only the newest open.
            let views = investigations
                .iter()
                .rev()
                .enumerate()
                .map(|(i, investigation)| {
                    let traces = state
                        .env
                        .with_value(|env| env.traces(Some(&investigation.service), TRACES_SHOWN))
                        .unwrap_or_default();
                    investigation_view(investigation, &traces, i == 0)
                })
                .collect_view();
            Some(view! {
                <section class="panel" aria-labelledby="investigations-heading">
                    <h3 id="investigations-heading" class="flush">"Investigations"</h3>
                    <div class="investigations" data-testid="investigations">{views}</div>
                </section>
            })
        })
    };
    let banner = move || {
        state.replay_banner.get().map(|text| {
            let playing = state.observation.with(Option::is_some);
            view! {
                <p class="replay-banner" role="status" data-testid="replay-banner">
                    {text}
                    {playing.then(|| view! {
                        " "<button class="secondary" data-testid="replay-play-yourself" on:click=move |_| state.start()>
                            "Play this drill yourself"
                        </button>
                    })}
                </p>
            }
        })
    };
    view! {
        <div class="incident-column">
            {banner}
            <PackPanel/>
            <PackSummaryPanel/>
            <DrillLoadStatus/>
            <Debrief/>
            <section class="incident panel" data-testid="incident-area">
                {body}
            </section>
            <InjectList/>
            {move || error.get().map(|message| view! {
                <p class="error" role="alert" data-testid="app-error">{message}</p>
            })}
            <Show when=playing>
                <HintPanel/>
                <section class="panel" aria-labelledby="map-heading">
                    <h3 id="map-heading" class="flush">"Service map"</h3>
                    <ServiceMap/>
                </section>
                <DegradationChart/>
                <SloPanel/>
                <RecentChanges/>
                <div class="play grid-2">
                    <section class="panel">
                        <ActionPanel/>
                        <Show
                            when=move || state.episode_mode.get() != Mode::Exam
                            fallback=|| view! { <p class="muted small" data-testid="autoplay-off">"Exam mode: autoplay is off."</p> }
                        >
                            <Autoplay/>
                        </Show>
                    </section>
                    <section class="panel"><TaskChecklist/><ActionHistory/></section>
                </div>
                <PromqlConsole/>
            </Show>
            {investigations}
        </div>
    }
}

/// What the chosen scenario is about, before it starts: the whole
/// briefing once its file is here, else what the listing says (a built-in
/// scenario's file is fetched when it is first played).
fn briefing_view(state: AppState) -> impl IntoView {
    let id = state.scenario.get();
    let task = state.task.get();
    state.catalog_version.track();
    let (scenario, listed) = state.env.with_value(|env| {
        let catalog = env.catalog();
        (catalog.get(&id).cloned(), catalog.summary(&id).cloned())
    });
    let Some(scenario) = scenario else {
        return match listed {
            Some(listed) => listed_briefing_view(state, listed).into_any(),
            None => view! {
                <h2>"No scenario"</h2>
                <p class="muted">"This stage has no scenario yet."</p>
            }
            .into_any(),
        };
    };
    let services = scenario
        .services
        .iter()
        .map(|service| {
            let depends = if service.depends_on.is_empty() {
                String::from("no dependencies")
            } else {
                format!("calls {}", service.depends_on.join(", "))
            };
            view! {
                <li>
                    <span class="service-name">{service.name.clone()}</span>
                    <span class="muted">{format!(" {} · team {} · {}", service.kind.name(), service.team, depends)}</span>
                </li>
            }
        })
        .collect_view();
    let handle = scenario.handle();
    view! {
        <p class="eyebrow">{format!("Briefing · drill {handle}")}</p>
        <h2 data-testid="briefing-title">{scenario.title.clone()}</h2>
        <p class="summary">{scenario.summary.clone()}</p>
        <dl class="facts">
            <dt>"Task"</dt>
            <dd>{task.title()}</dd>
            <dt>"Step budget"</dt>
            <dd>{task.step_budget()}</dd>
            <dt>"Simulated time per step"</dt>
            <dd>{format!("{} s", scenario.step_seconds)}</dd>
        </dl>
        <h3>"Services"</h3>
        <ul class="service-briefing">{services}</ul>
        <p class="muted">"The incident grows every step you take. Pick a seed and a mode in the picker, or start now:"</p>
        <button class="primary" data-testid="briefing-start" on:click=move |_| state.start()>"Start drill"</button>
    }
    .into_any()
}

/// The briefing of a scenario whose file is not here yet: its title, task
/// and services, from the listing.
fn listed_briefing_view(
    state: AppState,
    listed: crate::scenario::ScenarioSummary,
) -> impl IntoView {
    let task = state.task.get_untracked();
    let services = listed
        .services
        .iter()
        .map(|name| view! { <li><span class="service-name">{name.clone()}</span></li> })
        .collect_view();
    view! {
        <p class="eyebrow">{format!("Briefing · drill {}", listed.handle)}</p>
        <h2 data-testid="briefing-title">{listed.title.clone()}</h2>
        <dl class="facts">
            <dt>"Task"</dt>
            <dd>{task.title()}</dd>
            <dt>"Step budget"</dt>
            <dd>{task.step_budget()}</dd>
        </dl>
        <h3>"Services"</h3>
        <ul class="service-briefing">{services}</ul>
        <p class="muted">"What users and the pager report, and how the services depend on each other, open with the drill. The incident grows every step you take. Pick a seed and a mode in the picker, or start now:"</p>
        <button class="primary" data-testid="briefing-start" on:click=move |_| state.start()>"Start drill"</button>
    }
}

/// The running episode: status bar, services coloured by health, alerts.
/// In an exam, nothing says whether an action was right: no reward, and a
/// fix that is taking effect shows as "investigating" (the metrics show
/// the recovery, as in real life).
fn episode_view(observation: &Observation, exam: bool) -> impl IntoView {
    let status = match observation.status {
        Status::Mitigated if exam => Status::Investigating,
        status => status,
    };
    let services = observation
        .services
        .iter()
        .map(|service| {
            // A dashboard that lost its data shows the last values, greyed.
            let health = if service.data_missing {
                "no data"
            } else {
                service.health.name()
            };
            let pill = if service.data_missing { "nodata" } else { health };
            view! {
                <tr class=format!("health-{pill}") data-testid="service-row" data-service=service.name.clone()>
                    <th scope="row">
                        {service.name.clone()}
                        <div class="muted small" data-testid="service-team">{format!("team {}", service.team)}</div>
                    </th>
                    <td><span class=format!("pill pill-{pill}") title=service.data_missing.then_some("Its metrics stopped arriving: the numbers are the last ones seen.")>{health}</span></td>
                    <td class="num">{format!("{:.1}%", service.error_ratio * 100.0)}</td>
                    <td class="num">{format!("{:.0} ms", service.latency_p99_seconds * 1000.0)}</td>
                    <td class="num">{format!("{:.0}", service.requests_per_second)}</td>
                </tr>
            }
        })
        .collect_view();
    let alerts = observation
        .alerts
        .iter()
        .filter(|alert| alert.state != AlertState::Resolved)
        .map(|alert| {
            let state = match alert.state {
                AlertState::Pending => "pending",
                AlertState::Firing => "firing",
                AlertState::Resolved => "resolved",
            };
            view! {
                <li class=format!("alert alert-{state}")>
                    <span class=format!("pill pill-{state}")>{state}</span>
                    <strong>{alert.name.clone()}</strong>
                    <span class="muted">{format!(" {} · {}", alert.service, alert.severity)}</span>
                    <div class="alert-summary">{alert.summary.clone()}</div>
                </li>
            }
        })
        .collect_view();
    let no_alerts = observation
        .alerts
        .iter()
        .all(|alert| alert.state == AlertState::Resolved);
    view! {
        <div class="status-bar">
            <span class="status-title">{observation.title.clone()}</span>
            <span>"Task "<b>{observation.task.title()}</b></span>
            <span>"Step "<b data-testid="step-counter">{format!("{}/{}", observation.step, observation.step_budget)}</b></span>
            <span>"Drill "<b data-testid="drill-handle">{observation.handle.clone()}</b></span>
            <span>"Status "<b data-testid="episode-status">{status.name()}</b></span>
            {observation.done.then(|| view! {
                <span class="over" data-testid="episode-over">"Drill over: the debrief is above"</span>
            })}
            {if exam {
                view! { <span data-testid="exam-badge">"Exam"</span> }.into_any()
            } else {
                view! { <span>"Reward "<b data-testid="cumulative-reward">{format!("{:.3}", observation.cumulative_reward)}</b></span> }.into_any()
            }}
        </div>
        <p class="summary">{observation.summary.clone()}</p>
        <p class="objective">{observation.objective}</p>
        <div class="grid-2">
            <div>
                <h3>"Services"</h3>
                <table class="services" data-testid="service-table">
                    <thead>
                        <tr>
                            <th scope="col">"Service"</th>
                            <th scope="col">"Health"</th>
                            <th scope="col" class="num">"Errors"</th>
                            <th scope="col" class="num">"p99"</th>
                            <th scope="col" class="num">"req/s"</th>
                        </tr>
                    </thead>
                    <tbody>{services}</tbody>
                </table>
            </div>
            <div>
                <h3>"Alerts"</h3>
                <ul class="alerts" data-testid="alert-list">{alerts}</ul>
                {no_alerts.then(|| view! { <p class="muted">"No alert is pending or firing."</p> })}
            </div>
        </div>
    }
}

/// The detailed metrics and latest logs of one investigated service.
/// The newest log lines of an investigation, newest first, as a list.
pub(super) fn log_lines(investigation: &Investigation, count: usize) -> impl IntoView {
    investigation
        .logs
        .iter()
        .rev()
        .take(count)
        .map(|line| {
            let fields = line
                .fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ");
            let level = line.level.label();
            view! {
                <li class=format!("log log-{}", level.to_ascii_lowercase())>
                    <span class="log-level">{level}</span>
                    " "<span>{line.message.clone()}</span>
                    " "<span class="muted">{fields}</span>
                </li>
            }
        })
        .collect_view()
}

/// Recent traces an investigation shows.
const TRACES_SHOWN: usize = 3;

/// Milliseconds, to the millisecond (a tenth below 10 ms), with a unit.
fn milliseconds(seconds: f64) -> String {
    let ms = seconds * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// Recent traces through `service` as waterfalls: one table per trace, a
/// row per span indented by its depth, its status in words (a failed span
/// is marked with text and an icon, not only colour), its duration, and a
/// bar placed by its start and length within the trace.
fn trace_view(service: &str, traces: &[Trace]) -> impl IntoView {
    let tables = traces
        .iter()
        .map(|trace| {
            let total = trace.duration.max(1e-9);
            let rows = trace
                .spans
                .iter()
                .map(|span| {
                    let x = (100.0 * span.start / total).clamp(0.0, 100.0);
                    let width = (100.0 * span.duration / total).clamp(0.4, 100.0 - x.min(99.6));
                    let code = span.status_code.map(|c| format!(" {c}")).unwrap_or_default();
                    let status = if span.error {
                        format!("\u{2715} error{code}")
                    } else {
                        format!("ok{code}")
                    };
                    let retry = (span.attempt > 0).then(|| format!(" (retry {})", span.attempt));
                    let row_class = match (span.error, span.service == service) {
                        (true, true) => "span-error span-focus",
                        (true, false) => "span-error",
                        (false, true) => "span-focus",
                        (false, false) => "",
                    };
                    view! {
                        <tr class=row_class data-testid="span">
                            <th scope="row" class=format!("span-name indent-{}", span.depth.min(8))>
                                {span.name.clone()}{retry}
                            </th>
                            <td>{span.service.clone()}</td>
                            <td class="span-status">{status}</td>
                            <td class="num">{milliseconds(span.duration)}</td>
                            <td class="span-bar">
                                <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                                    <rect x=format!("{x:.2}") y="1" width=format!("{width:.2}") height="8" rx="0.5"></rect>
                                </svg>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            let outcome = if trace.error { "\u{2715} failed" } else { "succeeded" };
            let label = format!("Trace {}", trace.trace_id);
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label=label>
                    <table class="trace" data-testid="trace" data-trace-id=trace.trace_id.clone()>
                        <caption>
                            <span class=if trace.error { "trace-failed" } else { "" }>{outcome}</span>
                            {format!(
                                " \u{b7} step {} \u{b7} {} from {} \u{b7} trace {}",
                                trace.step,
                                milliseconds(trace.duration),
                                trace.entry,
                                &trace.trace_id[..trace.trace_id.len().min(8)],
                            )}
                        </caption>
                        <thead><tr>
                            <th scope="col">"span"</th>
                            <th scope="col">"service"</th>
                            <th scope="col">"status"</th>
                            <th scope="col" class="num">"duration"</th>
                            <th scope="col" class="span-bar">"waterfall"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
        .collect_view();
    let heading = format!("Recent traces through {service}");
    let label = heading.clone();
    view! {
        <section class="traces" data-testid="trace-view" aria-label=label>
            <h4 class="flush">{heading}</h4>
            {if traces.is_empty() {
                view! { <p class="muted small">"No trace yet."</p> }.into_any()
            } else {
                tables.into_any()
            }}
        </section>
    }
}

fn investigation_view(
    investigation: &Investigation,
    traces: &[Trace],
    open: bool,
) -> impl IntoView {
    let metrics = investigation
        .metrics
        .iter()
        .map(|(name, value)| {
            view! { <span class="metric"><span class="muted">{name.replace('_', " ")}</span>" "<b>{metric_value(name, *value)}</b></span> }
        })
        .collect_view();
    let logs = log_lines(investigation, 8);
    let pods = (!investigation.instances.is_empty()).then(|| {
        let zones = investigation.instances.iter().any(|p| !p.zone.is_empty());
        let rows = investigation
            .instances
            .iter()
            .map(|p| {
                let down = p.up < 0.5;
                view! {
                    <tr data-testid="pod" data-pod=p.pod.clone() class:pod-down=down>
                        <th scope="row">{p.pod.clone()}</th>
                        {zones.then(|| view! { <td>{p.zone.clone()}</td> })}
                        <td>{if down { "down" } else { "up" }}</td>
                        <td>{metric_value("error_ratio", p.error_ratio)}</td>
                        <td>{metric_value("latency_p99_seconds", p.latency_p99_seconds)}</td>
                        <td>{metric_value("requests_per_second", p.requests_per_second)}</td>
                        <td>{metric_value("cpu_ratio", p.cpu_ratio)}</td>
                        <td>{metric_value("memory_ratio", p.memory_ratio)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="pods" data-testid="pods">
                    <caption class="muted small">"Pods: the service's numbers are their mean"</caption>
                    <thead><tr>
                        <th scope="col">"pod"</th>
                        {zones.then(|| view! { <th scope="col">"zone"</th> })}
                        <th scope="col">"health check"</th>
                        <th scope="col">"errors"</th>
                        <th scope="col">"p99"</th>
                        <th scope="col">"req/s"</th>
                        <th scope="col">"cpu"</th>
                        <th scope="col">"memory"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
    view! {
        <details class="investigation" open=open data-service=investigation.service.clone()>
            <summary><strong>{investigation.service.clone()}</strong></summary>
            <div class="metrics">{metrics}</div>
            {pods}
            <ul class="logs">{logs}</ul>
            {trace_view(&investigation.service, traces)}
        </details>
    }
}

/// The change timeline so far: what changed, where, when and by whom,
/// newest first (the first question on a real incident call).
#[component]
fn RecentChanges() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.observation.with(|o| {
            let o = o.as_ref()?;
            if o.changes.is_empty() {
                return None;
            }
            let start = state
                .env
                .with_value(|env| env.scenario().map(|s| s.start_time))
                .unwrap_or(o.time);
            let rows = o
                .changes
                .iter()
                .rev()
                .map(|c| {
                    let minutes = (c.time - start) as f64 / 60.0;
                    let when = if minutes < -0.5 {
                        format!("{:.0} min before", -minutes)
                    } else if minutes < 0.5 {
                        "at the start".to_string()
                    } else {
                        format!("+{minutes:.0} min")
                    };
                    let ours = c.author == crate::sim::RESPONDER;
                    view! {
                        <li data-testid="change" data-kind=c.kind.name() data-service=c.service.clone() class:ours=ours>
                            <span class="change-when">{when}</span>" "
                            <span class=format!("change-kind kind-{}", c.kind.name())>{c.kind.name()}</span>" "
                            <strong>{c.service.clone()}</strong>": "
                            <span>{c.description.clone()}</span>" "
                            <span class="muted">{format!("by {}", c.author)}</span>
                        </li>
                    }
                })
                .collect_view();
            Some(view! {
                <section class="panel" aria-labelledby="changes-heading" data-testid="recent-changes">
                    <h3 id="changes-heading" class="flush">"Recent changes"</h3>
                    <ul class="changes">{rows}</ul>
                </section>
            })
        })
    }
}

/// A burn rate as the SLO panel writes it: `12×`, `0.4×`, `—` without requests.
fn burn_text(burn: Option<f64>) -> String {
    match burn {
        None => "—".to_string(),
        Some(b) if b >= 10.0 => format!("{b:.0}×"),
        Some(b) => format!("{b:.1}×"),
    }
}

/// One SLO's cell of the SLO panel: what it promises, the budget left (a
/// meter and a figure), the burn over the short and long windows, and its
/// status in words (colour is never the only cue).
fn slo_cell(slo: &crate::metrics::slo::Slo) -> impl IntoView {
    use crate::metrics::slo::{SloKind, SloStatus};
    let (status, word) = match slo.status {
        SloStatus::Green => ("green", "ok"),
        SloStatus::Yellow => ("yellow", "at risk"),
        SloStatus::Red => ("red", "burning"),
    };
    let target = format!("{:.2}", slo.objective * 100.0);
    let target = target.trim_end_matches('0').trim_end_matches('.');
    let promise = match (slo.kind, slo.threshold_seconds) {
        (SloKind::Latency, Some(t)) => format!("{target}% under {:.0} ms", t * 1000.0),
        _ => format!("{target}% succeed"),
    };
    let left = slo.budget_remaining_ratio;
    let label = format!(
        "{} {} error budget left: {:.1}%",
        slo.service,
        slo.kind_name(),
        left * 100.0
    );
    view! {
        <td data-slo=slo.kind_name() data-status=status>
            <div class="slo-head">
                <span class=format!("pill pill-slo-{status}")>{word}</span>
                " "<span class="muted small">{promise}</span>
            </div>
            <div class="slo-budget">
                <meter min="0" max="1" low="0.25" high="0.5" optimum="1" value=left.clamp(0.0, 1.0) aria-label=label></meter>
                " "<span class="num">{format!("{:.1}% left", left * 100.0)}</span>
            </div>
            <div class="muted small slo-burn">
                {format!("burn 5m {} · 1h {}", burn_text(slo.burn_rate_5m), burn_text(slo.burn_rate_1h))}
            </div>
        </td>
    }
}

/// The service level objectives as they stand, a row per service: each
/// SLO's budget left, its burn over five minutes and an hour, and its
/// status (red: a page's burn rate; yellow: a ticket's).
#[component]
fn SloPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.observation.with(|o| {
            let o = o.as_ref()?;
            if o.slos.is_empty() {
                return None;
            }
            let rows = o
                .services
                .iter()
                .map(|service| {
                    let cells = o
                        .slos
                        .iter()
                        .filter(|slo| slo.service == service.name)
                        .map(slo_cell)
                        .collect_view();
                    view! {
                        <tr data-testid="slo-row" data-service=service.name.clone()>
                            <th scope="row">{service.name.clone()}</th>
                            {cells}
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <section class="panel" aria-labelledby="slo-heading" data-testid="slo-panel">
                    <h3 id="slo-heading" class="flush">"Service level objectives"</h3>
                    <p class="muted small">"Error budget left in each SLO's window and how fast it burns (1× spends it exactly over the window). Red: burning at a page's rate; yellow: a ticket's."</p>
                    <table class="slos">
                        <thead>
                            <tr>
                                <th scope="col">"Service"</th>
                                <th scope="col">"Availability"</th>
                                <th scope="col">"Latency"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            })
        })
    }
}
