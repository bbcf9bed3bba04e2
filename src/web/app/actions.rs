//! The action panel (a form for the six actions, with targets and parameter
//! choices from the scenario) and the action history with reasoning.

use leptos::prelude::*;

use super::AppState;
use crate::env::{Action, Observation, ACTION_TYPES};
use crate::scenario::{Severity, CHANNELS, REMEDIATION_KINDS};

/// What an action type targets.
fn targets_for(action_type: &str, observation: &Observation) -> Vec<String> {
    match action_type {
        "investigate" | "diagnose" | "remediate" => observation
            .services
            .iter()
            .map(|service| service.name.clone())
            .collect(),
        "escalate" => observation.teams.clone(),
        _ => Vec::new(),
    }
}

/// A short hint on what an action type does.
fn action_hint(action_type: &str) -> &'static str {
    match action_type {
        "investigate" => "Read a service's logs and detailed metrics.",
        "classify" => "Set the incident's severity, P1 (worst) to P4.",
        "diagnose" => "Name the root-cause service and say what is wrong with it.",
        "remediate" => {
            "Apply a fix to a service. Wrong fixes are counted and may make things worse."
        }
        "escalate" => "Page a team.",
        "communicate" => "Post a status update on a channel.",
        _ => "",
    }
}

/// The form that builds and submits an action.
#[component]
pub fn ActionPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let action_type = RwSignal::new(String::from(ACTION_TYPES[0]));
    let target = RwSignal::new(String::new());
    let severity = RwSignal::new(String::from("P1"));
    let root_cause = RwSignal::new(String::new());
    let kind = RwSignal::new(String::from(REMEDIATION_KINDS[0]));
    let channel = RwSignal::new(String::from(CHANNELS[0]));
    let message = RwSignal::new(String::new());
    let reasoning = RwSignal::new(String::new());

    let targets = Memo::new(move |_| {
        state
            .observation
            .with(|o| o.as_ref().map(|o| targets_for(&action_type.get(), o)))
            .unwrap_or_default()
    });
    // Keep the chosen target one of the current choices.
    Effect::new(move |_| {
        let choices = targets.get();
        if !choices.contains(&target.get_untracked()) {
            target.set(choices.first().cloned().unwrap_or_default());
        }
    });

    let needs = move |name: &str| {
        let t = action_type.get();
        matches!(
            (t.as_str(), name),
            ("classify", "severity")
                | ("diagnose", "root_cause")
                | ("remediate", "kind")
                | ("communicate", "channel")
                | ("communicate", "message")
        )
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = action_type.get_untracked();
        let mut action = Action::new(&t, None);
        if !targets.get_untracked().is_empty() {
            action.target = Some(target.get_untracked());
        }
        let parameters: &[(&str, RwSignal<String>)] = match t.as_str() {
            "classify" => &[("severity", severity)],
            "diagnose" => &[("root_cause", root_cause)],
            "remediate" => &[("kind", kind)],
            "communicate" => &[("channel", channel), ("message", message)],
            _ => &[],
        };
        for (name, value) in parameters {
            action.parameters.insert(
                (*name).to_string(),
                value.get_untracked().trim().to_string(),
            );
        }
        action.reasoning = reasoning.get_untracked().trim().to_string();
        if state.submit(action) {
            reasoning.set(String::new());
            root_cause.set(String::new());
            message.set(String::new());
        }
    };

    let type_options = ACTION_TYPES
        .iter()
        .map(|name| view! { <option value=*name>{*name}</option> })
        .collect_view();
    let severity_options = Severity::ALL
        .iter()
        .map(|s| view! { <option value=s.name()>{s.name()}</option> })
        .collect_view();
    let kind_options = REMEDIATION_KINDS
        .iter()
        .map(|k| view! { <option value=*k>{k.replace('_', " ")}</option> })
        .collect_view();
    let channel_options = CHANNELS
        .iter()
        .map(|c| view! { <option value=*c>{c.replace('_', " ")}</option> })
        .collect_view();
    let done = move || {
        state
            .observation
            .with(|o| o.as_ref().is_none_or(|o| o.done))
    };

    view! {
        <form class="action-panel" on:submit=submit aria-labelledby="action-heading">
            <h3 id="action-heading">"Act"</h3>
            <div class="form-row">
                <label for="action-type">"Action"</label>
                <select
                    id="action-type"
                    data-testid="action-type"
                    prop:value=move || action_type.get()
                    on:change=move |ev| action_type.set(event_target_value(&ev))
                >
                    {type_options}
                </select>
            </div>
            <p class="muted small">{move || action_hint(&action_type.get())}</p>
            <Show when=move || !targets.get().is_empty()>
                <div class="form-row">
                    <label for="action-target">
                        {move || if action_type.get() == "escalate" { "Team" } else { "Service" }}
                    </label>
                    <select
                        id="action-target"
                        data-testid="action-target"
                        prop:value=move || target.get()
                        on:change=move |ev| target.set(event_target_value(&ev))
                    >
                        <For each=move || targets.get() key=|name| name.clone() let:name>
                            <option value=name.clone()>{name.clone()}</option>
                        </For>
                    </select>
                </div>
            </Show>
            <Show when=move || needs("severity")>
                <div class="form-row">
                    <label for="action-param-severity">"Severity"</label>
                    <select
                        id="action-param-severity"
                        data-testid="action-param-severity"
                        prop:value=move || severity.get()
                        on:change=move |ev| severity.set(event_target_value(&ev))
                    >
                        {severity_options.clone()}
                    </select>
                </div>
            </Show>
            <Show when=move || needs("root_cause")>
                <div class="form-row">
                    <label for="action-param-root_cause">"Root cause"</label>
                    <input
                        id="action-param-root_cause"
                        data-testid="action-param-root_cause"
                        type="text"
                        maxlength="2000"
                        placeholder="e.g. connection pool exhausted by a slow query"
                        prop:value=move || root_cause.get()
                        on:input=move |ev| root_cause.set(event_target_value(&ev))
                    />
                </div>
            </Show>
            <Show when=move || needs("kind")>
                <div class="form-row">
                    <label for="action-param-kind">"Fix"</label>
                    <select
                        id="action-param-kind"
                        data-testid="action-param-kind"
                        prop:value=move || kind.get()
                        on:change=move |ev| kind.set(event_target_value(&ev))
                    >
                        {kind_options.clone()}
                    </select>
                </div>
            </Show>
            <Show when=move || needs("channel")>
                <div class="form-row">
                    <label for="action-param-channel">"Channel"</label>
                    <select
                        id="action-param-channel"
                        data-testid="action-param-channel"
                        prop:value=move || channel.get()
                        on:change=move |ev| channel.set(event_target_value(&ev))
                    >
                        {channel_options.clone()}
                    </select>
                </div>
                <div class="form-row">
                    <label for="action-param-message">"Message"</label>
                    <textarea
                        id="action-param-message"
                        data-testid="action-param-message"
                        rows="3"
                        maxlength="2000"
                        placeholder="What is affected, what we know, what we are doing, when the next update comes"
                        prop:value=move || message.get()
                        on:input=move |ev| message.set(event_target_value(&ev))
                    ></textarea>
                </div>
            </Show>
            <div class="form-row">
                <label for="action-reasoning">"Reasoning"</label>
                <textarea
                    id="action-reasoning"
                    data-testid="action-reasoning"
                    rows="2"
                    maxlength="2000"
                    placeholder="Why this action (kept in the history and the debrief)"
                    prop:value=move || reasoning.get()
                    on:input=move |ev| reasoning.set(event_target_value(&ev))
                ></textarea>
            </div>
            <button class="primary" type="submit" data-testid="action-submit" disabled=done>
                "Submit action"
            </button>
        </form>
    }
}

/// An action in one line: type, target, then each parameter.
pub(super) fn describe(action: &Action) -> String {
    let mut what = action.action_type.clone();
    if let Some(target) = &action.target {
        what.push(' ');
        what.push_str(target);
    }
    for (name, value) in &action.parameters {
        what.push_str(&format!(" · {name}: {value}"));
    }
    what
}

/// The actions taken so far, newest last, with reward, feedback and reasoning.
#[component]
pub fn ActionHistory() -> impl IntoView {
    let state = expect_context::<AppState>();
    let entries = move || {
        state
            .episode
            .with(|e| e.as_ref().map(|e| e.history.clone()))
            .unwrap_or_default()
    };
    view! {
        <section class="history" aria-labelledby="history-heading">
            <h3 id="history-heading">"History"</h3>
            <Show
                when=move || !entries().is_empty()
                fallback=|| view! { <p class="muted">"No action yet."</p> }
            >
                <ol class="history-list" data-testid="action-history" tabindex="0" aria-label="Actions taken">
                    {move || entries().into_iter().map(|entry| {
                        let action = &entry.action;
                        let what = describe(action);
                        let reward_class = if entry.reward < 0.0 { "reward negative" } else { "reward" };
                        view! {
                            <li>
                                <div class="history-head">
                                    <span class="step">{format!("#{}", entry.step)}</span>
                                    <strong>{what}</strong>
                                    <span class=reward_class>{format!("{:+.3}", entry.reward)}</span>
                                </div>
                                <div class="muted small">{entry.feedback.clone()}</div>
                                {(!action.reasoning.is_empty()).then(|| view! {
                                    <div class="reasoning">{format!("“{}”", action.reasoning)}</div>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </Show>
        </section>
    }
}
