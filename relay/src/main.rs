//! `callcard-relay`: reads the settings, opens the database, serves.

/// mimalloc returns freed memory to the system; glibc's malloc keeps the
/// 19 MiB argon2 working blocks of every login resident.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    callcard_relay::main_with_args(std::env::args_os()).await
}
