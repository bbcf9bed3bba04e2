//! The result code at the end of every drill: the code's text (name, pack
//! and drill, scenario, seed, mode, the score shown and the actions
//! played: [`crate::workshop::code`]) with a copy button and its QR code
//! on demand. A code needs the player's name: without one, the name is
//! asked for first.

use leptos::prelude::*;

use super::AppState;
use crate::workshop::qr;

/// Copies `text` to the clipboard; says how it went in `status`: "Copied."
/// or `failed` (what to do instead: the browser may refuse, outside a
/// secure context or without permission).
pub(super) fn copy_text(
    text: String,
    status: RwSignal<Option<&'static str>>,
    failed: &'static str,
) {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        status.set(Some(failed));
        return;
    };
    let promise = clipboard.write_text(&text);
    leptos::task::spawn_local(async move {
        status.set(Some(
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => "Copied.",
                Err(_) => failed,
            },
        ));
    });
}

/// What to do when a text cannot be copied.
pub(super) const SELECT_AND_COPY: &str = "Could not copy: select the text and copy it.";

/// Asks for the player's name (the leaderboard's), which result codes carry.
#[component]
pub(super) fn NameGate(
    /// The input's id (unique on the page).
    id: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !name.get_untracked().trim().is_empty() {
            state.set_player(name.get_untracked());
        }
    };
    view! {
        <form class="name-gate" on:submit=submit>
            <label for=id>"Your name, which the code carries for the facilitator"</label>
            <div class="seed-row">
                <input
                    id=id
                    data-testid="result-code-name"
                    type="text"
                    maxlength="60"
                    autocomplete="nickname"
                    required
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <button class="primary" type="submit" data-testid="result-code-name-save">"Show my result code"</button>
            </div>
        </form>
    }
}

/// The episode's result code, in the debrief (not for a replay of
/// someone else's episode).
#[component]
pub fn ResultCodePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let show_qr = RwSignal::new(false);
    let copied = RwSignal::new(None::<&'static str>);
    move || {
        if state.replay_banner.with(Option::is_some) {
            return None;
        }
        let code = state.result_code()?;
        let body = if code.name.trim().is_empty() {
            view! { <NameGate id="result-code-name"/> }.into_any()
        } else {
            let text = code.encode();
            let to_copy = text.clone();
            let where_ = match (&code.pack, code.drill) {
                (Some(pack), Some(drill)) => format!(" Drill {drill} of pack {pack}."),
                _ => String::new(),
            };
            let qr_text = text.clone();
            view! {
                <p class="muted small">
                    {format!("Played by {}.{where_} It holds your actions: whoever grades it replays them, so the score is the grade the replay computes.", code.name)}
                </p>
                <label class="visually-hidden" for="result-code-text">"Result code"</label>
                <textarea id="result-code-text" class="code-text" data-testid="result-code" readonly rows="3" prop:value=text></textarea>
                <div class="seed-row">
                    <button class="secondary" type="button" data-testid="result-code-copy"
                        on:click=move |_| copy_text(to_copy.clone(), copied, SELECT_AND_COPY)>"Copy code"</button>
                    <button class="secondary" type="button" data-testid="result-code-qr-toggle"
                        aria-expanded=move || show_qr.get().to_string()
                        aria-controls="result-code-qr"
                        on:click=move |_| show_qr.update(|s| *s = !*s)>
                        {move || if show_qr.get() { "Hide QR code" } else { "Show QR code" }}
                    </button>
                    <span class="small" role="status" data-testid="result-code-copied">{move || copied.get()}</span>
                </div>
                <div id="result-code-qr" class="qr" data-testid="result-code-qr" hidden=move || !show_qr.get()>
                    {move || show_qr.get().then(|| match qr::svg(&qr_text, "QR code of your result code") {
                        Some(svg) => view! { <div class="qr-image" inner_html=svg></div> }.into_any(),
                        None => view! { <p class="muted small">"This code is too long for a QR code: copy the text instead."</p> }.into_any(),
                    })}
                </div>
            }
            .into_any()
        };
        Some(view! {
            <section class="result-code" aria-labelledby="result-code-heading">
                <h3 id="result-code-heading">"Your result code"</h3>
                {body}
            </section>
        })
    }
}
