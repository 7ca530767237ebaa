//! The `guardsh` binary: hands argv to [`guardsh::run`] and returns its exit code.

fn main() -> std::process::ExitCode {
    guardsh::run(std::env::args_os().collect())
}
