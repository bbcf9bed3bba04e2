//! The core-only WebAssembly module: the environment and its JS API
//! (`firedrill::web::js`) without the web app. `scripts/build-env-module` builds
//! it with `--no-default-features --features env-module` and runs
//! wasm-bindgen (`--target web`) into `dist/env/firedrill_env.js`.
//!
//! Natively it only says what it is.

#[cfg(target_arch = "wasm32")]
fn main() {
    // Linking the library is what exports the JS API.
    let _ = firedrill::web::js::scenarios;
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "firedrill_env is the core-only WebAssembly module; build it with scripts/build-env-module"
    );
    std::process::exit(2);
}
