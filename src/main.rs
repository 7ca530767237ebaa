fn main() -> std::process::ExitCode {
    guardsh::run(std::env::args_os().collect())
}
