//! The leaderboard of the chosen task (all entries, or exams only), the
//! player's name, and export and import of the whole board as a JSON file.
//! Scenarios are shown by their handle (their id names the cause) unless
//! the instructor's "show answers" switch is on; autoplayed entries are
//! marked with their agent.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{download, AppState};
use crate::leaderboard::{Leaderboard, Mode, MAX_IMPORT_BYTES};
use crate::web::download::Download;
use crate::web::format::dimension_scores;

/// Shows the chosen task's ranking; finished episodes are added to it.
#[component]
pub fn LeaderboardPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let message = RwSignal::new(None::<String>);
    let exams_only = RwSignal::new(false);
    let rows = move || {
        let task = state.task.get();
        let exams = exams_only.get();
        state.board.with(|board| {
            let mut ranked = board.ranked(task.id());
            ranked.retain(|e| !exams || e.mode == Mode::Exam);
            ranked
        })
    };
    let export = move |_| {
        let file = Download::leaderboard();
        match download(&file, &state.board.with_untracked(Leaderboard::export)) {
            Ok(()) => message.set(Some(format!("Exported {}.", file.file_name))),
            Err(error) => message.set(Some(format!("Export failed: {error}"))),
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        if file.size() > MAX_IMPORT_BYTES as f64 {
            message.set(Some(format!(
                "{} is {} bytes; a leaderboard file is at most {MAX_IMPORT_BYTES}.",
                file.name(),
                file.size()
            )));
            return;
        }
        let name = file.name();
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|text| text.as_string());
            let Some(text) = text else {
                message.set(Some(format!("Could not read {name}.")));
                return;
            };
            let mut imported = Leaderboard::default();
            match imported.import(&text) {
                Ok(_) => {
                    let added = state.merge_into_board(&imported);
                    message.set(Some(format!(
                        "Imported {name}: {added} new entries, {} already here.",
                        imported.entries.len() - added
                    )));
                }
                Err(error) => message.set(Some(format!("{name}: {error}"))),
            }
        });
    };

    view! {
        <section class="panel leaderboard-panel" aria-labelledby="leaderboard-heading">
            <h2 id="leaderboard-heading">"Leaderboard"</h2>
            <div class="form-row">
                <label for="player-name">"Your name"</label>
                <input
                    id="player-name"
                    data-testid="player-name"
                    type="text"
                    maxlength="64"
                    autocomplete="nickname"
                    placeholder="shown with your scores"
                    prop:value=move || state.player.get()
                    on:change=move |ev| state.set_player(event_target_value(&ev))
                />
            </div>
            <p class="muted small">{move || format!("{} · best score first, then fewer steps", state.task.get().title())}</p>
            <label class="answers-switch small">
                <input
                    type="checkbox"
                    data-testid="leaderboard-exams-only"
                    prop:checked=move || exams_only.get()
                    on:change=move |ev| exams_only.set(event_target_checked(&ev))
                />
                " Exams only"
            </label>
            <table class="leaderboard" data-testid="leaderboard">
                <thead>
                    <tr>
                        <th scope="col" class="num">"#"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Drill"</th>
                        <th scope="col" class="num">"Seed"</th>
                        <th scope="col" class="num">"Score"</th>
                        <th scope="col" class="num">"Steps"</th>
                        <th scope="col">"Date"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let answers = state.show_answers.get();
                        rows().into_iter().take(50).enumerate().map(|(i, entry)| {
                        let dimensions = dimension_scores(&entry.dimensions);
                        let scenario = if answers {
                            entry.scenario.clone()
                        } else {
                            crate::scenario::handle_of(&entry.scenario)
                        };
                        let marks = match (&entry.agent, entry.mode) {
                            (Some(_), _) => Some(("pill pill-autoplay", "autoplay")),
                            (None, Mode::Exam) => Some(("pill pill-exam", "exam")),
                            (None, Mode::Practice) => None,
                        };
                        view! {
                            <tr data-testid="leaderboard-row" data-mode=entry.mode.name() data-agent=entry.agent.clone()>
                                <td class="num">{i + 1}</td>
                                <td>
                                    {entry.name}
                                    {marks.map(|(class, text)| view! { " "<span class=class>{text}</span> })}
                                </td>
                                <td><code>{scenario}</code></td>
                                <td class="num">{entry.seed}</td>
                                <td class="num" title=dimensions>{format!("{:.4}", entry.score)}</td>
                                <td class="num">{entry.steps}</td>
                                <td>{entry.date.get(..10).unwrap_or_default().to_string()}</td>
                            </tr>
                        }
                    }).collect_view()
                    }}
                </tbody>
            </table>
            <Show when=move || rows().is_empty()>
                <p class="muted small">"No finished episode of this stage yet."</p>
            </Show>
            <div class="seed-row">
                <button class="secondary" data-testid="leaderboard-export" on:click=export>
                    "Export"
                </button>
                <label class="secondary file-button">
                    "Import…"
                    <input
                        type="file"
                        accept="application/json,.json"
                        data-testid="leaderboard-import"
                        class="visually-hidden"
                        on:change=import
                    />
                </label>
            </div>
            {move || message.get().map(|m| view! { <p class="small" role="status">{m}</p> })}
        </section>
    }
}
