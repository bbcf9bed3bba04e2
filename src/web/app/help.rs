//! Keyboard shortcuts and the help overlay that lists them (`?`). A
//! shortcut never fires while a person types in a field, nor with Ctrl,
//! Alt or Meta held (the browser's own shortcuts stay theirs).
//!
//! The action shortcuts choose the action in the form (the same `change`
//! a person makes on the select) and move the focus to its first field, so
//! nothing is played by a key alone: the form's submit still does that.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::scenario::ActionType;
use crate::web::action_form::{shortcut_action, SHORTCUTS};

/// The element with a `data-testid`, if the page shows one.
fn by_test_id(id: &str) -> Option<web_sys::HtmlElement> {
    document()
        .query_selector(&format!("[data-testid=\"{id}\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Whether the key event comes from a place where keys are text.
fn typing(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| {
            matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || e.closest("[contenteditable]").ok().flatten().is_some()
        })
}

/// Chooses `action_type` in the action form and focuses the form's next field.
fn choose_action(action_type: ActionType) -> bool {
    let Some(select) =
        by_test_id("action-type").and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
    else {
        return false;
    };
    if select.disabled() {
        return false;
    }
    select.set_value(action_type.name());
    if let Ok(event) = web_sys::Event::new("change") {
        // A bubbling change, as the browser sends it (the form listens at
        // the document).
        event.init_event_with_bubbles("change", true);
        let _ = select.dispatch_event(&event);
    }
    // After the form has re-rendered for the new type.
    request_animation_frame(move || {
        let next = [
            "action-target",
            "action-param-severity",
            "action-param-channel",
            "action-param-summary",
        ]
        .into_iter()
        .find_map(by_test_id)
        .or_else(|| by_test_id("action-type"));
        if let Some(next) = next {
            let _ = next.focus();
        }
    });
    true
}

/// The help overlay and the keyboard shortcuts of the page.
#[component]
pub fn HelpOverlay() -> impl IntoView {
    let open = RwSignal::new(false);
    let close_ref = NodeRef::<leptos::html::Button>::new();
    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if event.ctrl_key() || event.alt_key() || event.meta_key() || event.default_prevented() {
            return;
        }
        let key = event.key();
        if key == "Escape" && open.get_untracked() {
            open.set(false);
            event.prevent_default();
            return;
        }
        if typing(&event) {
            return;
        }
        let handled = match key.as_str() {
            "?" => {
                open.update(|o| *o = !*o);
                if open.get_untracked() {
                    request_animation_frame(move || {
                        if let Some(button) = close_ref.get_untracked() {
                            let _ = button.focus();
                        }
                    });
                }
                true
            }
            "/" => by_test_id("promql-input").is_some_and(|input| input.focus().is_ok()),
            "g" => by_test_id("action-type").is_some_and(|input| input.focus().is_ok()),
            "h" => by_test_id("hint-button").is_some_and(|button| {
                button.click();
                true
            }),
            other => shortcut_action(other).is_some_and(choose_action),
        };
        if handled {
            event.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
    let rows = SHORTCUTS
        .iter()
        .map(|(key, what)| {
            view! {
                <tr>
                    <th scope="row"><kbd>{*key}</kbd></th>
                    <td>{*what}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <button
            type="button"
            class="help-button secondary"
            data-testid="help-button"
            aria-haspopup="dialog"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            "Keyboard shortcuts "<kbd>"?"</kbd>
        </button>
        <Show when=move || open.get()>
            <div class="help-backdrop" on:click=move |_| open.set(false)></div>
            <div
                class="help-overlay panel"
                role="dialog"
                aria-modal="true"
                aria-labelledby="help-heading"
                data-testid="help-overlay"
            >
                <h2 id="help-heading">"Keyboard shortcuts"</h2>
                <p class="muted small">
                    "Keys work when no field has the focus. An action key chooses the action in the form; Enter in the form plays it."
                </p>
                <table class="shortcuts">
                    <tbody>{rows.clone()}</tbody>
                </table>
                <button type="button" class="primary" node_ref=close_ref data-testid="help-close" on:click=move |_| open.set(false)>
                    "Close"
                </button>
            </div>
        </Show>
    }
}
