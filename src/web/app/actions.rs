//! The action panel (a form for the seven actions, with targets and
//! parameter choices from the scenario, the severity rubric), the task's
//! checklist, and the action history with reasoning.

use leptos::prelude::*;

use super::AppState;
use crate::env::{Action, ActionType};
use crate::scenario::causes::CAUSES;
use crate::scenario::{Severity, CHANNELS, REMEDIATION_KINDS};
use crate::web::action_form;
use crate::web::format::action_line;

/// How a parameter is entered.
#[derive(Clone)]
enum Control {
    /// A choice among (value, text) options.
    Choice(Vec<(&'static str, String)>),
    /// A line of text, with a placeholder.
    Line(&'static str),
    /// A few lines of text, with a placeholder.
    Lines(&'static str),
}

/// One parameter of the action form (`action-param-<name>`), shown while
/// the chosen action type takes it.
#[component]
fn ParamField(
    /// The action type chosen in the form.
    action_type: RwSignal<ActionType>,
    /// The parameter's name, as the action carries it.
    name: &'static str,
    /// The label shown.
    label: &'static str,
    /// The value entered.
    value: RwSignal<String>,
    /// How it is entered.
    control: Control,
) -> impl IntoView {
    let id = format!("action-param-{name}");
    let field = move || {
        let id = id.clone();
        let input = move |ev| value.set(event_target_value(&ev));
        let control = match control.clone() {
            Control::Choice(options) => view! {
                <select id=id.clone() data-testid=id.clone() prop:value=move || value.get() on:change=input>
                    {options.into_iter().map(|(v, text)| view! { <option value=v>{text}</option> }).collect_view()}
                </select>
            }
            .into_any(),
            Control::Line(placeholder) => view! {
                <input id=id.clone() data-testid=id.clone() type="text" maxlength="2000" placeholder=placeholder prop:value=move || value.get() on:input=input/>
            }
            .into_any(),
            Control::Lines(placeholder) => view! {
                <textarea id=id.clone() data-testid=id.clone() rows="3" maxlength="2000" placeholder=placeholder prop:value=move || value.get() on:input=input></textarea>
            }
            .into_any(),
        };
        view! {
            <div class="form-row">
                <label for=id>{label}</label>
                {control}
            </div>
        }
    };
    view! {
        <Show when=move || action_form::takes(action_type.get(), name)>{field.clone()}</Show>
    }
}

/// The form that builds and submits an action.
#[component]
pub fn ActionPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let action_type = RwSignal::new(ActionType::Investigate);
    let target = RwSignal::new(String::new());
    let severity = RwSignal::new(String::from("P1"));
    let root_cause = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let kind = RwSignal::new(String::from(REMEDIATION_KINDS[0]));
    let channel = RwSignal::new(String::from(CHANNELS[0]));
    let message = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let reasoning = RwSignal::new(String::new());

    let result_ref = NodeRef::<leptos::html::Div>::new();
    let targets = Memo::new(move |_| {
        state
            .observation
            .with(|o| {
                o.as_ref()
                    .map(|o| action_form::targets(action_type.get(), o))
            })
            .unwrap_or_default()
    });
    // Each target with its option's text (a team with what it owns).
    let target_options = Memo::new(move |_| {
        let t = action_type.get();
        state.observation.with(|o| {
            o.as_ref()
                .map(|o| {
                    action_form::targets(t, o)
                        .into_iter()
                        .map(|target| {
                            let text = action_form::target_option(t, o, &target);
                            (target, text)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    // Keep the chosen target one of the current choices.
    Effect::new(move |_| {
        let choices = targets.get();
        if !choices.contains(&target.get_untracked()) {
            target.set(choices.first().cloned().unwrap_or_default());
        }
    });

    // A reply to an inject opens the form on a status update, its message
    // field focused.
    Effect::new(move |_| {
        if let Some(t) = state.compose.get() {
            action_type.set(t);
            state.compose.set(None);
            request_animation_frame(move || {
                let document = leptos::prelude::document();
                let field = document
                    .get_element_by_id("action-param-message")
                    .or_else(|| document.get_element_by_id("action-type"));
                if let Some(field) = field
                    .and_then(|f| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(f).ok())
                {
                    field.scroll_into_view_with_bool(false);
                    let _ = field.focus();
                }
            });
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = action_type.get_untracked();
        let mut action = Action::new(t.name(), None);
        if !targets.get_untracked().is_empty() {
            action.target = Some(target.get_untracked());
        }
        let values = [
            ("severity", severity),
            ("root_cause", root_cause),
            ("notes", notes),
            ("kind", kind),
            ("channel", channel),
            ("message", message),
            ("summary", summary),
        ];
        for name in action_form::parameters(t) {
            if let Some((_, value)) = values.iter().find(|(n, _)| n == name) {
                let value = value.get_untracked().trim().to_string();
                if !(value.is_empty() && action_form::optional(name)) {
                    action.parameters.insert((*name).to_string(), value);
                }
            }
        }
        action.reasoning = reasoning.get_untracked().trim().to_string();
        if state.submit(action) {
            // Bring the step's result (feedback, revealed logs) into view,
            // unless the drill is over: then the debrief takes the view.
            let over = state
                .observation
                .with_untracked(|o| o.as_ref().is_none_or(|o| o.done));
            if !over {
                request_animation_frame(move || {
                    if let Some(result) = result_ref.get_untracked() {
                        result.scroll_into_view_with_bool(false);
                    }
                });
            }
            reasoning.set(String::new());
            root_cause.set(String::new());
            notes.set(String::new());
            message.set(String::new());
            summary.set(String::new());
        }
    };

    let type_options = ActionType::RESPONSES
        .map(|t| view! { <option value=t.name()>{t.name()}</option> })
        .collect_view();
    let severities = Severity::ALL
        .iter()
        .map(|s| (s.name(), s.name().to_string()))
        .collect();
    // The whole taxonomy, never just this scenario's cause.
    let causes = std::iter::once(("", String::from("Choose a cause…")))
        .chain(CAUSES.iter().map(|c| (c.id, c.name.to_string())))
        .collect();
    let named = |names: &[&'static str]| names.iter().map(|n| (*n, n.replace('_', " "))).collect();
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
                    prop:value=move || action_type.get().name()
                    on:change=move |ev| {
                        // The options are the action types' names.
                        if let Some(t) = ActionType::from_name(&event_target_value(&ev)) {
                            action_type.set(t);
                        }
                    }
                >
                    {type_options}
                </select>
            </div>
            <p class="muted small">{move || action_form::hint(action_type.get())}</p>
            <Show when=move || !targets.get().is_empty()>
                <div class="form-row">
                    <label for="action-target">
                        {move || action_form::target_label(action_type.get())}
                    </label>
                    <select
                        id="action-target"
                        data-testid="action-target"
                        prop:value=move || target.get()
                        on:change=move |ev| target.set(event_target_value(&ev))
                    >
                        <For each=move || target_options.get() key=|(_, text)| text.clone() let:option>
                            <option value=option.0.clone()>{option.1.clone()}</option>
                        </For>
                    </select>
                </div>
            </Show>
            <ParamField action_type name="severity" label="Severity" value=severity control=Control::Choice(severities)/>
            <Show when=move || action_type.get() == ActionType::Classify>
                <dl class="rubric small" data-testid="severity-rubric" aria-label="What each severity means">
                    {action_form::SEVERITY_RUBRIC.iter().map(|(severity, meaning)| view! {
                        <dt>{severity.name()}</dt>
                        <dd>{*meaning}</dd>
                    }).collect_view()}
                </dl>
            </Show>
            <ParamField action_type name="root_cause" label="Cause" value=root_cause control=Control::Choice(causes)/>
            <ParamField action_type name="notes" label="Notes (optional)" value=notes
                control=Control::Line("what you saw, e.g. a report query holds every connection")/>
            <ParamField action_type name="kind" label="Fix" value=kind control=Control::Choice(named(&REMEDIATION_KINDS))/>
            <ParamField action_type name="channel" label="Channel" value=channel control=Control::Choice(named(&CHANNELS))/>
            <ParamField action_type name="message" label="Message" value=message
                control=Control::Lines("Who is affected and how; where the response stands; when the next update comes")/>
            <ParamField action_type name="summary" label="Closing summary" value=summary
                control=Control::Lines("What happened, what fixed it, what follows")/>
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
            <div class="step-result" node_ref=result_ref>
                <StepResult/>
            </div>
        </form>
    }
}

/// The last step's result where the person acted: the feedback and, after
/// an investigation, the newest log lines it revealed.
#[component]
fn StepResult() -> impl IntoView {
    let state = expect_context::<AppState>();
    let feedback = move || {
        state
            .observation
            .with(|o| o.as_ref().map(|o| o.last_feedback.clone()))
            .filter(|f| !f.is_empty())
    };
    let revealed = move || {
        let target = state.episode.with(|e| {
            let last = e.as_ref()?.history.last()?;
            (last.action.action_type == ActionType::Investigate.name())
                .then(|| last.action.target.clone())
                .flatten()
        })?;
        state.observation.with(|o| {
            let investigation = o.as_ref()?.investigations.iter().find(|i| i.service == target)?;
            Some(view! {
                <p class="small">{format!("Newest log lines of {target} (all of them under Investigations):")}</p>
                <ol class="logs" data-testid="step-logs">{super::incident::log_lines(investigation, 5)}</ol>
            })
        })
    };
    view! {
        {move || feedback().map(|text| view! {
            <p class="feedback" role="status" data-testid="step-feedback">{text}</p>
        })}
        {revealed}
    }
}

/// What the task expects done, ticked as it is done (never saying whether
/// it was right).
#[component]
pub fn TaskChecklist() -> impl IntoView {
    let state = expect_context::<AppState>();
    let items = move || {
        state.observation.with(|o| {
            o.as_ref()
                .map(|o| action_form::checklist(o.task, &o.played))
                .unwrap_or_default()
        })
    };
    view! {
        <section class="checklist" aria-labelledby="checklist-heading">
            <h3 id="checklist-heading">"What this drill expects"</h3>
            <ul data-testid="task-checklist">
                {move || items().into_iter().map(|(label, done)| view! {
                    <li class:done=done data-done=done.to_string()>
                        <span aria-hidden="true">{if done { "☑ " } else { "☐ " }}</span>
                        {label}
                        <span class="visually-hidden">{if done { " (done)" } else { " (not yet)" }}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The actions taken so far, newest last, with feedback and reasoning, and
/// each step's reward except during an exam.
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
                    {move || {
                        let exam = state.exam_running();
                        entries().into_iter().map(|entry| {
                        let action = &entry.action;
                        let what = action_line(action);
                        let reward_class = if entry.reward < 0.0 { "reward negative" } else { "reward" };
                        view! {
                            <li>
                                <div class="history-head">
                                    <span class="step">{format!("#{}", entry.step)}</span>
                                    <strong>{what}</strong>
                                    {(!exam).then(|| view! {
                                        <span class=reward_class>{format!("{:+.3}", entry.reward)}</span>
                                    })}
                                </div>
                                <div class="muted small">{entry.feedback.clone()}</div>
                                {(!action.reasoning.is_empty()).then(|| view! {
                                    <div class="reasoning">{format!("“{}”", action.reasoning)}</div>
                                })}
                            </li>
                        }
                    }).collect_view()
                    }}
                </ol>
            </Show>
        </section>
    }
}
