//! Autoplay: watch a baseline agent (heuristic, oracle or random) play the
//! episode step by step, at a chosen speed, through the same path as the
//! action form. An autoplayed episode is the agent's: the leaderboard
//! records it under the agent's name, marked as autoplay. Off in exam mode.

use std::time::Duration;

use leptos::prelude::*;

use super::AppState;
use crate::agents::{by_name, Agent, AGENT_NAMES};

/// Milliseconds between steps, by speed name.
const SPEEDS: [(&str, u64); 3] = [("slow", 1500), ("normal", 700), ("fast", 150)];

/// The autoplay controls.
#[component]
pub fn Autoplay() -> impl IntoView {
    let state = expect_context::<AppState>();
    let agent_name = RwSignal::new(String::from("heuristic"));
    let speed = RwSignal::new(SPEEDS[1].1);
    let running = RwSignal::new(false);
    let agent = StoredValue::<Option<Box<dyn Agent>>, LocalStorage>::new_local(None);
    let handle = StoredValue::new(None::<IntervalHandle>);

    let stop = move || {
        if let Some(h) = handle.get_value() {
            h.clear();
        }
        handle.set_value(None);
        running.set(false);
    };
    let tick = move || {
        let over = state
            .observation
            .with_untracked(|o| o.as_ref().is_none_or(|o| o.done));
        if over {
            stop();
            return;
        }
        let action = state.env.with_value(|env| {
            let observation = env.observation().ok()?;
            agent
                .try_update_value(|a| a.as_mut().map(|a| a.act(env, &observation)))
                .flatten()
        });
        let name = agent_name.get_untracked();
        if !action.is_some_and(|action| state.submit_for_agent(&name, action)) {
            stop();
        }
    };
    let start = move || {
        let seed = state.seed.get_untracked();
        agent.set_value(by_name(&agent_name.get_untracked(), seed));
        match set_interval_with_handle(tick, Duration::from_millis(speed.get_untracked())) {
            Ok(h) => {
                handle.set_value(Some(h));
                running.set(true);
            }
            Err(_) => state
                .error
                .set(Some(String::from("autoplay could not start a timer"))),
        }
    };
    on_cleanup(stop);
    // A new episode stops the autoplay of the old one.
    Effect::new(move |previous: Option<Option<String>>| {
        let scenario = state
            .episode
            .with(|e| e.as_ref().map(|e| format!("{}:{}", e.scenario, e.seed)));
        if previous.is_some_and(|p| p != scenario) {
            stop();
        }
        scenario
    });

    let done = move || {
        state
            .observation
            .with(|o| o.as_ref().is_none_or(|o| o.done))
    };
    view! {
        <div class="autoplay" role="group" aria-labelledby="autoplay-heading">
            <h3 id="autoplay-heading">"Autoplay"</h3>
            <div class="seed-row">
                <label class="visually-hidden" for="autoplay-agent">"Agent"</label>
                <select
                    id="autoplay-agent"
                    data-testid="autoplay-agent"
                    prop:value=move || agent_name.get()
                    on:change=move |ev| agent_name.set(event_target_value(&ev))
                    disabled=move || running.get()
                >
                    {AGENT_NAMES.iter().map(|name| view! { <option value=*name>{*name}</option> }).collect_view()}
                </select>
                <label class="visually-hidden" for="autoplay-speed">"Speed"</label>
                <select
                    id="autoplay-speed"
                    data-testid="autoplay-speed"
                    prop:value=move || speed.get().to_string()
                    on:change=move |ev| {
                        if let Ok(ms) = event_target_value(&ev).parse() {
                            speed.set(ms);
                            if running.get_untracked() {
                                stop();
                                start();
                            }
                        }
                    }
                >
                    {SPEEDS.iter().map(|(name, ms)| view! { <option value=ms.to_string()>{*name}</option> }).collect_view()}
                </select>
                <button
                    class="secondary"
                    type="button"
                    data-testid="autoplay-toggle"
                    disabled=move || done() && !running.get()
                    on:click=move |_| if running.get_untracked() { stop() } else { start() }
                >
                    {move || if running.get() { "Pause" } else { "Watch the agent play" }}
                </button>
            </div>
        </div>
    }
}
