//! The relay binary, built inside the tests package so a test can run it as a
//! child process and kill it (`kill -9`) like a crash. Same code as
//! `callcard-relay`: `callcard_relay::main_with_args`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    callcard_relay::main_with_args(std::env::args_os()).await
}
