//! The debrief at the end of an episode: the score and each dimension with
//! its explanation, what really happened, the ideal path, MTTR and the SLO
//! budget burned.

use leptos::prelude::*;

use super::AppState;
use crate::env::{Action, Grade, State};
use crate::export::ExportKind;
use crate::web::format::action_line;

/// Shown once the episode is over.
#[component]
pub fn Debrief() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let grade = state.grade.get()?;
        let episode = state.episode.get()?;
        let ideal = state.ideal_path.get();
        let link = state.replay_link();
        Some(debrief_view(state, grade, episode, ideal, link))
    }
}

fn debrief_view(
    state: AppState,
    grade: Grade,
    episode: State,
    ideal: Vec<Action>,
    link: Option<String>,
) -> impl IntoView {
    let ending = if episode.truncated {
        "The step budget ran out."
    } else {
        "The task's goal was reached."
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
                <p class="muted">{format!("Right fixes: {}.", fixes.join(", "))}</p>
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
    let mttr = match (episode.mttr_steps, episode.mttr_minutes) {
        (Some(steps), Some(minutes)) => format!("{steps} steps ({minutes:.1} simulated minutes)"),
        _ => String::from("not resolved within the episode"),
    };
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
            <h2 id="debrief-heading">
                "Score "<span data-testid="grade-score">{format!("{:.4}", grade.score)}</span>
            </h2>
            <p class="muted">
                {format!("{ending} {} steps of {}; cumulative reward {:.3}.", episode.step, episode.step_budget, episode.cumulative_reward)}
            </p>
            <ul class="dimensions">{dimensions}</ul>
            {truth}
            <dl class="facts">
                <dt>"Time to resolve (MTTR)"</dt>
                <dd data-testid="debrief-mttr">{mttr}</dd>
                <dt>"Wrong fixes"</dt>
                <dd>{episode.wrong_fixes}</dd>
                <dt>"Most SLO budget burned by one objective"</dt>
                <dd>{format!("{:.1}%", burned * 100.0)}</dd>
            </dl>
            {(burned > 0.0005).then(|| view! {
                <table class="slos">
                    <thead>
                        <tr>
                            <th scope="col">"Service"</th>
                            <th scope="col">"Objective"</th>
                            <th scope="col" class="num">"Target"</th>
                            <th scope="col" class="num">"Budget burned"</th>
                            <th scope="col" class="num">"Remaining"</th>
                        </tr>
                    </thead>
                    <tbody>{slo_rows}</tbody>
                </table>
            })}
            {link.map(|href| view! {
                <p>
                    <a data-testid="replay-link" href=href>"Replay link"</a>
                    <span class="muted small">" — opens this episode, with these actions, anywhere; share it to compare."</span>
                </p>
            })}
            <h3>"Downloads"</h3>
            <div class="seed-row">
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
