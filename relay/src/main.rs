//! `callcard-relay`: reads the settings, opens the database, serves.

use callcard_relay::config::{Cli, Config};
use callcard_relay::{seed, shutdown_signal, Relay};
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc returns freed memory to the system; glibc's malloc keeps the
/// 19 MiB argon2 working blocks of every login resident.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = match Config::resolve(Cli::parse()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("callcard-relay: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let filter = EnvFilter::try_from_env("CALLCARD_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if config.log_json {
        logs.json().init();
    } else {
        logs.init();
    }
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("callcard-relay: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let demo = config.demo;
    let relay = Relay::start(config).await?;
    let addr = relay.local_addr()?;
    if relay.seeded {
        tracing::info!("demo data written");
    }
    println!("Callcard is running at http://{addr}/");
    if demo {
        let logins: Vec<String> = seed::DEMO_LOGINS
            .iter()
            .map(|(login, role)| format!("{login} ({role})"))
            .collect();
        println!(
            "Demo logins: {}; password for each: {}",
            logins.join(", "),
            seed::DEMO_PASSWORD
        );
    }
    relay.serve(shutdown_signal()).await?;
    Ok(())
}
