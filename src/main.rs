//! The `firedrill` binary: in the browser it mounts the app; natively it is
//! the command-line tool.

#[cfg(target_arch = "wasm32")]
fn main() {
    firedrill::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(firedrill::cli::main(std::env::args().skip(1).collect()));
}
