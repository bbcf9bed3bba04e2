//! What arrives during the incident besides metrics: scripted messages
//! (injects) from an executive, support or a customer, each with the step
//! to reply by and whether a status update answered it; and, in practice,
//! the scenario's hints, revealed one at a time at a cost to the score
//! (the `hint` action). Exam mode shows no hint button.

use leptos::prelude::*;

use super::AppState;
use crate::env::{Action, ActionType, InjectView};
use crate::leaderboard::Mode;
use crate::scenario::InjectSource;

/// Who sent an inject, in words.
fn sender(from: InjectSource) -> &'static str {
    match from {
        InjectSource::Executive => "An executive",
        InjectSource::Support => "Support",
        InjectSource::Customer => "A customer",
    }
}

/// Where a reply to an inject stands, in words.
fn reply_status(inject: &InjectView, step: u32) -> String {
    match inject.answered_at {
        Some(at) => format!("answered at step {at}"),
        None if step > inject.reply_by => {
            format!("no reply by step {}: it went unanswered", inject.reply_by)
        }
        None => String::from("waiting for a reply"),
    }
}

/// The injects that have arrived, newest first, each with a button that
/// opens the action form on a status update (`communicate`).
#[component]
pub fn InjectList() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let (injects, step, done) = state.observation.with(|o| {
            o.as_ref()
                .map(|o| (o.injects.clone(), o.step, o.done))
                .unwrap_or_default()
        });
        if injects.is_empty() {
            return None;
        }
        let items = injects
            .iter()
            .rev()
            .map(|inject| {
                let status = reply_status(inject, step);
                let open = inject.answered_at.is_none() && step <= inject.reply_by && !done;
                let expects: Vec<&str> = inject.expects.iter().map(|p| p.describe()).collect();
                view! {
                    <li class="inject" class:inject-open=open data-testid="inject"
                        data-answered=inject.answered_at.is_some().to_string()>
                        <p class="inject-head">
                            <strong data-testid="inject-from">{sender(inject.from)}</strong>
                            {format!(" · arrived after step {} · reply by step {}", inject.step, inject.reply_by)}
                        </p>
                        <blockquote class="inject-message">{inject.message.clone()}</blockquote>
                        <p class="small">
                            <span class="inject-status" data-testid="inject-status">{status}</span>
                            {(!expects.is_empty()).then(|| format!(" · a reply says {}", expects.join(", ")))}
                        </p>
                        {open.then(|| view! {
                            <button class="secondary" type="button" data-testid="inject-reply"
                                on:click=move |_| state.compose.set(Some(ActionType::Communicate))>
                                "Reply with a status update"
                            </button>
                        })}
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <section class="panel injects" aria-labelledby="injects-heading" data-testid="injects">
                <h3 id="injects-heading" class="flush">"Messages"</h3>
                <ul class="inject-list">{items}</ul>
            </section>
        })
    }
}

/// The hints revealed so far and, in practice, the button that reveals
/// the next one (its cost on the button; disabled, with the reason, when
/// none is left or the scenario has none).
#[component]
pub fn HintPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let practice = state.episode_mode.get() != Mode::Exam;
        let (hints, left, cost, done) = state.observation.with(|o| {
            o.as_ref()
                .map(|o| (o.hints.clone(), o.hints_left, o.next_hint_cost, o.done))
        })?;
        if !practice && hints.is_empty() {
            return None;
        }
        let reason = if left == 0 && hints.is_empty() {
            Some("This drill has no hints.")
        } else if left == 0 {
            Some("Every hint of this drill is revealed.")
        } else if done {
            Some("The drill is over.")
        } else {
            None
        };
        let label = match cost {
            Some(cost) if left > 0 => format!("Hint (−{cost:.2})"),
            _ => String::from("Hint"),
        };
        let list = hints
            .iter()
            .enumerate()
            .map(|(i, hint)| {
                view! { <li data-testid="hint" data-hint=(i + 1).to_string()>{hint.clone()}</li> }
            })
            .collect_view();
        Some(view! {
            <section class="panel hints" aria-labelledby="hints-heading">
                <h3 id="hints-heading" class="flush">"Hints"</h3>
                {practice.then(|| view! {
                    <div class="seed-row">
                        <button class="secondary" type="button" data-testid="hint-button"
                            disabled=reason.is_some()
                            aria-describedby="hint-reason"
                            on:click=move |_| { state.submit(Action::new(ActionType::Hint.name(), None)); }>
                            {label}
                        </button>
                        <span id="hint-reason" class="muted small" data-testid="hint-reason">
                            {reason.unwrap_or("A hint points where to look; it takes its cost off the score and uses a step.")}
                        </span>
                    </div>
                })}
                {(!hints.is_empty()).then(|| view! { <ol class="hint-list">{list}</ol> })}
            </section>
        })
    }
}
