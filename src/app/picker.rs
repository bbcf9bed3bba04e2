//! The drill picker: the curriculum's three tasks, the scenarios of the
//! chosen task, and the seed.

use leptos::prelude::*;

use super::AppState;
use crate::env::Task;
use crate::scenario::ScenarioSummary;

/// Task tabs, the scenario list of the chosen task, the seed and the start
/// button.
#[component]
pub fn DrillPicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let summaries: Vec<ScenarioSummary> = state.env.with_value(|env| env.catalog().summaries());
    let scenario_count = summaries.len();

    let task_tabs = Task::ALL
        .iter()
        .enumerate()
        .map(|(stage, &task)| {
            let count = summaries.iter().filter(|s| s.task == task.id()).count();
            let chosen = move || state.task.get() == task;
            view! {
                <button
                    class="task-tab"
                    class:chosen=chosen
                    aria-pressed=move || chosen().to_string()
                    data-testid="task-tab"
                    data-task=task.id()
                    on:click={
                        move |_| state.choose_task(task)
                    }
                >
                    <span class="stage">{format!("Stage {}", stage + 1)}</span>
                    <span class="task-title">{task.title()}</span>
                    <span class="task-meta">
                        {format!("{} scenarios · {} steps", count, task.step_budget())}
                    </span>
                </button>
            }
        })
        .collect_view();

    let objective = move || state.task.get().objective();

    let scenario_list = {
        move || {
            let task = state.task.get();
            summaries
                .iter()
                .filter(|s| s.task == task.id())
                .map(|summary| scenario_card(state, summary))
                .collect_view()
        }
    };

    let seed_input = {
        move |ev| {
            if let Ok(seed) = event_target_value(&ev).trim().parse::<u64>() {
                state.seed.set(seed);
            }
        }
    };
    let random_seed = move |_| state.seed.set(random_seed());
    let start = move |_| state.start();
    let seed = state.seed;
    let nothing_chosen = move || state.scenario.get().is_empty();

    view! {
        <section class="picker panel" aria-labelledby="picker-heading">
            <h2 id="picker-heading">"Choose a drill"</h2>
            <div class="task-tabs" role="group" aria-label="Curriculum stage">{task_tabs}</div>
            <p class="objective">{objective}</p>
            <ul class="scenario-list" data-testid="scenario-list" aria-label="Scenarios">
                {scenario_list}
            </ul>
            <p class="muted small">{format!("{scenario_count} built-in scenarios")}</p>
            <div class="seed-row">
                <label for="seed-input">"Seed"</label>
                <input
                    id="seed-input"
                    data-testid="seed-input"
                    type="number"
                    min="0"
                    inputmode="numeric"
                    prop:value=move || seed.get().to_string()
                    on:change=seed_input
                />
                <button class="secondary" on:click=random_seed>"Random seed"</button>
                <button
                    class="primary"
                    data-testid="start-drill"
                    disabled=nothing_chosen
                    on:click=start
                >
                    "Start drill"
                </button>
            </div>
        </section>
    }
}

/// One scenario of the list, chosen on click.
fn scenario_card(state: AppState, summary: &ScenarioSummary) -> impl IntoView {
    let id = summary.id.clone();
    let chosen = {
        let id = id.clone();
        move || state.scenario.get() == id
    };
    let choose = {
        let id = id.clone();
        move |_| state.choose_scenario(id.clone())
    };
    view! {
        <li>
            <button
                class="scenario-card"
                class:chosen=chosen.clone()
                aria-pressed=move || chosen().to_string()
                data-testid="scenario-option"
                data-scenario=id.clone()
                on:click=choose
            >
                <span class="scenario-title">{summary.title.clone()}</span>
                <span class="scenario-meta">
                    <code>{id.clone()}</code>
                    " · "
                    {summary.fault.replace('_', " ")}
                    " · "
                    {format!("{} services", summary.services.len())}
                </span>
            </button>
        </li>
    }
}

/// A seed from the browser's random source, small enough to type.
fn random_seed() -> u64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from(u32::from_le_bytes(bytes)) % 1_000_000,
        Err(_) => (js_sys::Math::random() * 1_000_000.0) as u64,
    }
}
