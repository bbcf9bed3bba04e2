//! The `firedrill` binary: in the browser it mounts the app; natively it is
//! the command-line tool.

#[cfg(all(target_arch = "wasm32", feature = "app"))]
fn main() {
    firedrill::web::app::start();
}

#[cfg(all(target_arch = "wasm32", not(feature = "app")))]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(firedrill::cli::main(std::env::args().skip(1).collect()));
}
