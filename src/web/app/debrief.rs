//! The debrief at the end of an episode: the score and each dimension with
//! its explanation, what really happened, the ideal path, MTTR and the SLO
//! budget burned.

use leptos::prelude::*;

use super::AppState;
use crate::env::{Action, Grade, State, Task};
use crate::export::ExportKind;
use crate::web::format::action_line;

/// Shown once the episode is over.
#[component]
pub fn Debrief() -> impl IntoView {
    let state = expect_context::<AppState>();
    let heading = NodeRef::<leptos::html::H2>::new();
    // When the debrief appears, bring it into view and move focus to it,
    // so that keyboard and screen-reader users land on the result.
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            heading.scroll_into_view();
            let _ = heading.focus();
        }
    });
    move || {
        let grade = state.grade.get()?;
        let episode = state.episode.get()?;
        let ideal = state.ideal_path.get();
        let link = state.replay_link();
        Some(debrief_view(state, grade, episode, ideal, link, heading))
    }
}

/// "1 step", "2 steps".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn debrief_view(
    state: AppState,
    grade: Grade,
    episode: State,
    ideal: Vec<Action>,
    link: Option<String>,
    heading: NodeRef<leptos::html::H2>,
) -> impl IntoView {
    let ending = if episode.truncated {
        "The step budget ran out."
    } else if episode
        .history
        .last()
        .is_some_and(|h| h.action.action_type == "resolve")
    {
        "The incident was declared resolved."
    } else {
        match episode.task {
            Task::SeverityClassification => "A severity was recorded.",
            _ => "A diagnosis and a fix were recorded.",
        }
    };
    let steps = plural(episode.step as usize, "step", "steps");
    let (verdict_class, verdict) = if grade.passed {
        (
            "verdict passed",
            format!(
                "Passed: {:.2}, the pass mark is {:.2}.",
                grade.score, grade.pass_mark
            ),
        )
    } else {
        (
            "verdict not-yet",
            format!(
                "Not yet: {:.2}; a pass needs {:.2}.",
                grade.score, grade.pass_mark
            ),
        )
    };
    let dimensions = grade
        .dimensions
        .iter()
        .map(|d| {
            let percent = format!("{:.0}%", d.score * 100.0);
            view! {
                <li data-testid="grade-dimension" data-dimension=d.name.name()>
                    <div class="dimension-head">
                        <span class="dimension-name">{d.name.name().replace('_', " ")}</span>
                        <span class="muted small">{format!("weight {:.2}", d.weight)}</span>
                        <span class="dimension-score">{format!("{:.2}", d.score)}</span>
                    </div>
                    <div class="meter" role="img" aria-label=format!("{} {percent}", d.name)>
                        <span style:width=percent.clone()></span>
                    </div>
                    <div class="muted small">{d.explanation.clone()}</div>
                </li>
            }
        })
        .collect_view();
    let scenario_id = episode.scenario.clone();
    let truth = episode.ground_truth.clone().map(|truth| {
        let herrings = truth
            .red_herrings
            .iter()
            .map(|h| {
                view! { <li><strong>{h.service.clone()}</strong>": "{h.reason.clone()}</li> }
            })
            .collect_view();
        let fixes: Vec<String> = truth
            .correct_remediations
            .iter()
            .map(|fix| {
                if truth.mitigations.contains(fix) {
                    format!("{fix} (mitigates)")
                } else {
                    format!("{fix} (resolves)")
                }
            })
            .collect();
        view! {
            <h3>"What happened"</h3>
            <div class="debrief-cause" data-testid="debrief-cause">
                <p class="cause-headline"><strong>{truth.debrief_title.clone()}</strong></p>
                <p>
                    "Root cause: "<strong>{truth.root_cause_name.clone()}</strong>
                    " ("<code>{truth.root_cause.clone()}</code>") on "
                    <strong>{truth.root_cause_service.clone()}</strong>
                    ". Severity "<strong>{truth.severity.clone()}</strong>
                    ". Scenario "<code>{scenario_id.clone()}</code>"."
                </p>
                {truth.other_faults.iter().map(|f| view! {
                    <p data-testid="debrief-other-fault">
                        "At the same time: "<strong>{f.root_cause_name.clone()}</strong>
                        " ("<code>{f.root_cause.clone()}</code>") on "
                        <strong>{f.root_cause_service.clone()}</strong>". "{f.description.clone()}
                    </p>
                }).collect_view()}
                <p class="muted">{if fixes.is_empty() {
                    "Right fixes: none. Nothing was broken, so the right response was to change nothing.".to_string()
                } else {
                    format!("Right fixes: {}.", fixes.join(", "))
                }}</p>
            </div>
            <p>{truth.description.clone()}</p>
            <p class="muted">{format!("Affected: {}.", truth.affected_services.join(", "))}</p>
            {(!truth.red_herrings.is_empty()).then(|| view! {
                <p>"Red herrings, unrelated to the incident:"</p>
                <ul>{herrings}</ul>
            })}
        }
    });
    let ideal_steps = ideal
        .iter()
        .map(|action| {
            let what = action_line(action);
            view! { <li><strong>{what}</strong><div class="muted small">{action.reasoning.clone()}</div></li> }
        })
        .collect_view();
    // Time to resolve means something only where the task asks for a fix.
    let mttr = (episode.task != Task::SeverityClassification).then(|| {
        match (episode.mttr_steps, episode.mttr_minutes) {
            (Some(steps), Some(minutes)) => format!(
                "{} ({minutes:.1} simulated minutes)",
                plural(steps as usize, "step", "steps")
            ),
            _ => String::from("not resolved within the episode"),
        }
    });
    let burned = episode
        .slos
        .iter()
        .map(|slo| slo.burned_during_incident_ratio())
        .fold(0.0_f64, f64::max);
    let slo_rows = episode
        .slos
        .iter()
        .filter(|slo| slo.burned_during_incident_ratio() > 0.0005)
        .map(|slo| {
            view! {
                <tr>
                    <th scope="row">{slo.service.clone()}</th>
                    <td>{format!("{:?}", slo.kind).to_lowercase()}</td>
                    <td class="num">{format!("{:.2}%", slo.objective * 100.0)}</td>
                    <td class="num">{format!("{:.1}%", slo.burned_during_incident_ratio() * 100.0)}</td>
                    <td class="num">{format!("{:.0}%", slo.budget_remaining_ratio * 100.0)}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="debrief panel" data-testid="debrief" aria-labelledby="debrief-heading">
            <p class="eyebrow">"Debrief"</p>
            <h2 id="debrief-heading" tabindex="-1" node_ref=heading>
                "Score "<span data-testid="grade-score">{format!("{:.4}", grade.score)}</span>
            </h2>
            <p class=verdict_class data-testid="debrief-verdict">{verdict}</p>
            <p class="muted">
                {format!("{ending} {steps} of {}; cumulative reward {:.3}.", episode.step_budget, episode.cumulative_reward)}
            </p>
            <ul class="dimensions">{dimensions}</ul>
            {truth}
            <dl class="facts">
                {mttr.map(|mttr| view! {
                    <dt>"Time to resolve (MTTR)"</dt>
                    <dd data-testid="debrief-mttr">{mttr}</dd>
                    <dt>"Wrong fixes"</dt>
                    <dd>{episode.wrong_fixes}</dd>
                })}
                <dt>"Error budget used by the incident"</dt>
                <dd>{format!("{:.1}% of one objective's monthly budget, at most", burned * 100.0)}</dd>
            </dl>
            <p class="muted small no-print">
                "Each service promises an objective (for example 99.9% of requests succeed over 30 days); the error budget is the failure that promise allows. "
                "\"Used by the incident\" is the share of the month's budget this incident spent; \"left\" is what remains for the rest of the month."
            </p>
            {(burned > 0.0005).then(|| view! {
                <table class="slos">
                    <thead>
                        <tr>
                            <th scope="col">"Service"</th>
                            <th scope="col">"Objective"</th>
                            <th scope="col" class="num">"Target"</th>
                            <th scope="col" class="num">"Used by the incident"</th>
                            <th scope="col" class="num">"Left this month"</th>
                        </tr>
                    </thead>
                    <tbody>{slo_rows}</tbody>
                </table>
            })}
            {link.map(|href| {
                let copied = RwSignal::new(None::<&'static str>);
                let to_copy = href.clone();
                let copy = move |_| {
                    super::result_code::copy_text(
                        to_copy.clone(),
                        copied,
                        "Could not copy: open the link and copy it from the address bar.",
                    )
                };
                view! {
                    <p class="replay-share no-print">
                        <a data-testid="replay-link" href=href>"Replay link"</a>
                        " "
                        <button class="secondary" type="button" data-testid="replay-copy" on:click=copy>"Copy link"</button>
                        <span class="small" role="status" data-testid="replay-copied">{move || copied.get()}</span>
                        <span class="muted small">" It opens this episode, with these actions, anywhere: share it to compare."</span>
                    </p>
                }
            })}
            <div class="seed-row no-print">
                <button class="primary" type="button" data-testid="debrief-download" on:click=move |_| state.download_export(ExportKind::Postmortem)>
                    "Download debrief (Markdown)"
                </button>
                <button class="secondary" type="button" data-testid="debrief-print" on:click=move |_| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.print();
                    }
                }>
                    "Print debrief"
                </button>
                <span class="muted small">"A postmortem draft: the timeline, the impact, the cause and the grade, with the sections to fill in."</span>
            </div>
            <super::ResultCodePanel/>
            <super::PackDebriefNav/>
            <h3 class="no-print">"Downloads"</h3>
            <div class="seed-row no-print">
                {ExportKind::ALL.map(|kind| view! {
                    <button class="secondary" data-testid=format!("export-{}", kind.id()) on:click=move |_| state.download_export(kind)>
                        {kind.title()}
                    </button>
                }).collect_view()}
            </div>
            <h3>"The ideal path"</h3>
            <ol class="ideal-path" data-testid="ideal-path">{ideal_steps}</ol>
        </section>
    }
}
