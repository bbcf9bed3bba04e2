//! The web app (wasm only): mounts the Leptos single-page app.

use leptos::prelude::*;

/// Installs the panic hook and mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <h1>"Firedrill"</h1> });
}
