//! The drill picker: the curriculum's three tasks, the scenarios of the
//! chosen task (by their symptom and neutral handle: nothing here names a
//! cause unless the instructor's "show answers" switch is on), the mode
//! (practice or exam) and the seed.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{AppState, Switch};
use crate::env::Task;
use crate::leaderboard::Mode;
use crate::scenario::ScenarioSummary;
use crate::web::format;

/// Task tabs, the scenario list of the chosen task, the seed and the start
/// button.
#[component]
pub fn DrillPicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let summaries = Memo::new(move |_| {
        state.catalog_version.track();
        state.env.with_value(|env| env.catalog().summaries())
    });
    let builtin_count = crate::scenario::Catalog::builtin_count();

    let task_tabs = Task::ALL
        .iter()
        .enumerate()
        .map(|(stage, &task)| {
            let count =
                move || summaries.with(|all| all.iter().filter(|s| s.task == Some(task)).count());
            let chosen = move || state.task.get() == task;
            view! {
                <button
                    class="task-tab"
                    class:chosen=chosen
                    aria-pressed=move || chosen().to_string()
                    data-testid="task-tab"
                    data-task=task.id()
                    on:click={
                        move |_| state.request_switch(Switch::Task(task))
                    }
                >
                    <span class="stage">{format!("Stage {}", stage + 1)}</span>
                    <span class="task-title">{task.title()}</span>
                    <span class="task-meta">
                        {move || format!(
                            "{} · {} scenarios · {} steps",
                            format::difficulty(task.difficulty()),
                            count(),
                            task.step_budget()
                        )}
                    </span>
                    <span class="task-progress" data-testid="stage-progress">
                        {move || stage_progress(state, stage)}
                    </span>
                </button>
            }
        })
        .collect_view();

    let objective = move || state.task.get().objective();
    // How the chosen stage is graded, derived from the catalog.
    let stage_facts = move || {
        state.catalog_version.track();
        let task = state.task.get();
        let stage = state.env.with_value(|env| {
            crate::workshop::curriculum(env.catalog())
                .into_iter()
                .find(|s| s.task == task)
        })?;
        let weights = stage
            .dimensions
            .iter()
            .map(|d| {
                let percent = format!("{:.0}%", d.weight * 100.0);
                view! {
                    <li data-testid="stage-weight" data-dimension=d.name.name()>
                        <span class="weight-name">{d.name.name().replace('_', " ")}</span>
                        <span class="weight-bar" aria-hidden="true"><span style:width=format!("{:.0}%", d.weight * 250.0)></span></span>
                        <span class="weight-value">{percent}</span>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <details class="stage-facts" data-testid="stage-facts">
                <summary>
                    {format!(
                        "How it is graded: {} · {} steps · −{} reward per step taken · pass at {:.2}",
                        format::difficulty(stage.difficulty),
                        stage.step_budget,
                        stage.time_penalty_per_step,
                        stage.pass_mark
                    )}
                </summary>
                <ul class="stage-weights" aria-label="Graded dimensions and their weights">{weights}</ul>
            </details>
        })
    };

    let scenario_list = move || {
        let task = state.task.get();
        let custom = state.custom.get();
        summaries.with(|all| {
            all.iter()
                .filter(|s| s.task == Some(task))
                .map(|summary| scenario_card(state, summary, custom.contains(&summary.id)))
                .collect_view()
        })
    };

    let seed_input = {
        move |ev| {
            if let Some(seed) = event_target_value(&ev)
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|seed| *seed <= crate::rng::MAX_SAFE_SEED)
            {
                state.seed.set(seed);
            }
        }
    };
    let random_seed = move |_| state.seed.set(random_seed());
    // The mode of a running episode is fixed: switching is for the next one.
    let mode_locked = move || {
        state
            .observation
            .with(|o| o.as_ref().is_some_and(|o| !o.done))
    };
    let mode_hint = move || match state.mode.get() {
        Mode::Practice => "Practice: rewards and feedback after every step, autoplay available.",
        Mode::Exam => {
            "Exam: no rewards or hints until the debrief, no autoplay; the first answer counts."
        }
    };
    let start = move |_| state.start();
    let seed = state.seed;
    let nothing_chosen = move || state.scenario.get().is_empty();

    view! {
        <section class="picker panel" aria-labelledby="picker-heading">
            <h2 id="picker-heading">"Choose a drill"</h2>
            <div class="task-tabs" role="group" aria-label="Curriculum stage">{task_tabs}</div>
            <p class="objective">{objective}</p>
            {stage_facts}
            {move || state.pending_switch.get().map(|switch| view! {
                <div class="switch-confirm" role="alertdialog" aria-labelledby="switch-question" data-testid="switch-confirm">
                    <p id="switch-question">"A drill is in progress. Leave it? Its actions so far are discarded."</p>
                    <div class="seed-row">
                        <button class="primary" data-testid="switch-confirm-yes" on:click=move |_| state.switch_to(switch.clone())>
                            "Leave the drill"
                        </button>
                        <button class="secondary" data-testid="switch-confirm-no" on:click=move |_| state.pending_switch.set(None)>
                            "Keep playing"
                        </button>
                    </div>
                </div>
            })}
            <ul class="scenario-list" data-testid="scenario-list" aria-label="Scenarios">
                {scenario_list}
            </ul>
            <label class="answers-switch small">
                <input
                    type="checkbox"
                    data-testid="show-answers"
                    prop:checked=move || state.show_answers.get()
                    on:change=move |ev| state.set_show_answers(event_target_checked(&ev))
                />
                " Show answers (for instructors: each drill's cause, fault type and id)"
            </label>
            <p class="muted small">
                {move || {
                    let custom = state.custom.with(Vec::len);
                    if custom == 0 {
                        format!("{builtin_count} built-in scenarios")
                    } else {
                        format!("{builtin_count} built-in scenarios and {custom} of yours")
                    }
                }}
            </p>
            <CustomScenarioLoader/>
            <div class="seed-row">
                <label for="mode-select">"Mode"</label>
                <select
                    id="mode-select"
                    data-testid="mode-select"
                    prop:value=move || state.mode.get().name()
                    disabled=mode_locked
                    on:change=move |ev| {
                        if let Some(mode) = Mode::from_name(&event_target_value(&ev)) {
                            state.set_mode(mode);
                        }
                    }
                >
                    <option value="practice">"Practice"</option>
                    <option value="exam">"Exam"</option>
                </select>
                <span class="muted small" data-testid="mode-hint">{mode_hint}</span>
            </div>
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
fn scenario_card(state: AppState, summary: &ScenarioSummary, custom: bool) -> impl IntoView {
    let id = summary.id.clone();
    let chosen = {
        let id = id.clone();
        move || state.scenario.get() == id
    };
    let choose = {
        let id = id.clone();
        move |_| state.request_switch(Switch::Scenario(id.clone()))
    };
    let answer_headline = summary.debrief_title.clone();
    let answer_fault = summary.fault.replace('_', " ");
    let answer_id = id.clone();
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
                <span class="scenario-title">
                    {summary.title.clone()}
                    {custom.then(|| view! { " "<span class="pill pill-custom">"yours"</span> })}
                </span>
                <span class="scenario-meta">
                    "Drill "<code>{summary.handle.clone()}</code>
                    " · "
                    {format!("{} services", summary.services.len())}
                </span>
                {move || state.show_answers.get().then(|| view! {
                    <span class="scenario-answer" data-testid="scenario-answer">
                        <span class="pill pill-answer">"answer"</span>
                        " "{answer_headline.clone()}" · "
                        {answer_fault.clone()}" · "<code>{answer_id.clone()}</code>
                    </span>
                })}
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

/// Loads a scenario TOML file, picked or dropped; shows its errors with
/// line and column.
#[component]
fn CustomScenarioLoader() -> impl IntoView {
    let state = expect_context::<AppState>();
    let errors = RwSignal::new(Vec::<String>::new());
    let loaded = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let read = move |file: web_sys::File| {
        let name = file.name();
        if file.size() > crate::scenario::MAX_SCENARIO_BYTES as f64 {
            errors.set(vec![format!(
                "{name}: the file is {} bytes; a scenario is at most {}",
                file.size(),
                crate::scenario::MAX_SCENARIO_BYTES
            )]);
            return;
        }
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string());
            let Some(text) = text else {
                errors.set(vec![format!("{name}: could not be read as text")]);
                return;
            };
            if crate::workshop::pack::is_pack(&text) {
                match state.load_pack_file(&name, &text) {
                    Ok(title) => {
                        errors.set(Vec::new());
                        loaded.set(Some(format!(
                            "Loaded the pack {title} from {name}: its first drill to play has started."
                        )));
                    }
                    Err(list) => {
                        loaded.set(None);
                        errors.set(list);
                    }
                }
                return;
            }
            match state.load_custom(&name, &text) {
                Ok(id) => {
                    errors.set(Vec::new());
                    loaded.set(Some(format!(
                        "Loaded {id} from {name}: it is chosen, start the drill when ready."
                    )));
                }
                Err(list) => {
                    loaded.set(None);
                    errors.set(list);
                }
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read(file);
            }
            input.set_value("");
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            read(file);
        }
    };
    view! {
        <div
            class="drop-zone"
            class:dragging=move || dragging.get()
            data-testid="custom-scenario-drop"
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <label class="file-button secondary">
                "Load a scenario file…"
                <input
                    type="file"
                    accept=".toml,text/plain"
                    class="visually-hidden"
                    data-testid="custom-scenario-file"
                    on:change=on_pick
                />
            </label>
            <span class="muted small">" or drop a .toml file here: a scenario (the format is in docs/scenarios.md) or a workshop pack"</span>
            {move || loaded.get().map(|m| view! { <p class="small" role="status">{m}</p> })}
            <Show when=move || !errors.get().is_empty()>
                <ul class="error small" role="alert" data-testid="custom-scenario-errors">
                    {move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            </Show>
        </div>
    }
}

/// A stage's best score, or whether it is open yet: the player's own
/// entries on the leaderboard.
fn stage_progress(state: AppState, stage: usize) -> String {
    let player = state.player.get();
    state
        .board
        .with(|board| format::stage_progress(board, &player, stage))
}
