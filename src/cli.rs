//! The command-line tool (native only).

/// Runs the CLI with its arguments (without the program name); returns the exit code.
pub fn main(args: Vec<String>) -> i32 {
    let _ = args;
    0
}
