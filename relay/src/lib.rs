//! The Callcard relay: one process serving the built frontend, the REST API and
//! (in later issues) SIP over WebSocket, the trunks and the media bridge.
//!
//! `main` stays thin; [`app`] builds the whole HTTP application so tests call it
//! directly, and [`Relay::start`] opens the database and binds the listener.

pub mod auth;
pub mod config;
pub mod crm;
pub mod db;
pub mod error;
pub mod extract;
pub mod frontend;
pub mod http_range;
pub mod masking;
pub mod media;
pub mod openapi;
pub mod provision;
pub mod recording;
pub mod routes;
pub mod seed;
pub mod state;
pub mod telephony;
pub mod time;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::auth::{LimiterPolicy, LoginLimiter};
use crate::config::Config;
use crate::state::AppState;

/// The whole HTTP application for a given state.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/sip", get(telephony::ws::upgrade))
        .nest("/api", routes::api_router())
        .merge(frontend::router(&state.config.static_dir))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A relay with its database open and its listener bound, ready to serve.
pub struct Relay {
    pub state: AppState,
    pub listener: TcpListener,
    /// The SIP address for desk phones and providers (UDP and TCP).
    pub sip: telephony::sip_listener::SipListener,
    /// Whether demo data was written on this start.
    pub seeded: bool,
}

impl Relay {
    pub async fn start(config: Config) -> anyhow::Result<Relay> {
        let db = db::connect(&config).await?;
        let interrupted = sqlx::query(
            "UPDATE call_records SET status = 'interrupted', end_cause = 'relay_restart', ended_at = $1
              WHERE ended_at IS NULL",
        )
        .bind(time::now_rfc3339())
        .execute(&db)
        .await?
        .rows_affected();
        if interrupted > 0 {
            tracing::warn!(
                calls = interrupted,
                "calls left open by a stopped relay marked interrupted"
            );
        }
        let recordings = recording::RecordingStore::local(&config.data_dir)
            .context("the recordings' storage in the data directory")?;
        recording::recovery::recover(&db, &recordings)
            .await
            .context("closing the recordings a stopped relay left open")?;
        let seeded = if config.demo {
            seed::seed_if_empty(&db, config.default_region).await?
        } else {
            false
        };
        if !config.trunks.is_empty() || !config.sip_users.is_empty() || config.recording.is_some() {
            let done = provision::apply(&db, &config)
                .await
                .context("the telephony settings of the config file")?;
            tracing::info!(
                created = done.created,
                updated = done.updated,
                unchanged = done.unchanged,
                "telephony settings of the config file applied"
            );
        }
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let sip = telephony::sip_listener::SipListener::bind(config.sip_listen)
            .await
            .with_context(|| {
                format!(
                    "cannot listen for SIP on {} (UDP and TCP); set CALLCARD_SIP_LISTEN",
                    config.sip_listen
                )
            })?;
        let telephony = telephony::Telephony::new();
        let numbers = telephony
            .numbers
            .reload(&db)
            .await
            .context("cannot read the contacts' phone numbers")?;
        tracing::info!(
            numbers,
            bytes = telephony.numbers.heap_bytes(),
            "contact numbers indexed"
        );
        telephony
            .maskings
            .reload(&db)
            .await
            .context("cannot read the users' number masking")?;
        telephony
            .accounts
            .reload(&db)
            .await
            .context("cannot read the telephony users")?;
        telephony
            .recording
            .reload(&db)
            .await
            .context("cannot read the recording settings")?;
        telephony.reload_consent(&config.data_dir).await;
        let _ = telephony.sip_addr.set(sip.udp_addr()?);
        Ok(Relay {
            state: AppState {
                db,
                config: Arc::new(config),
                limiter: LoginLimiter::new(LimiterPolicy::default()),
                telephony,
                recordings,
            },
            listener,
            sip,
            seeded,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets open requests finish.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let db = self.state.db.clone();
        let telephony = self.state.telephony.clone();
        let sip_udp = self.sip.udp.clone();
        self.sip.spawn(telephony.inputs.clone());
        let (records, records_task) =
            telephony::records::Records::spawn(db.clone(), telephony.clone());
        let _ = telephony.records.set(records.waiter());
        let retention = tokio::spawn(recording::retention::run(
            db.clone(),
            self.state.recordings.clone(),
            telephony.clone(),
        ));
        let switch = tokio::spawn(
            telephony::switch::Switch::new(
                records,
                self.state.config.clone(),
                telephony.clone(),
                Some(sip_udp),
            )
            .run(db.clone()),
        );
        let app = app(self.state).into_make_service_with_connect_info::<SocketAddr>();
        // No Nagle delay on SIP over WebSocket (and small API answers): a
        // 200 OK must not wait for the browser's delayed ACK.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        retention.abort();
        // Calls in progress are hung up before the database closes.
        let _ = telephony.inputs.send(telephony::switch::Input::Shutdown);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), switch).await;
        // The records of the calls just hung up are written before it closes.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), records_task).await;
        db.close().await;
        served?;
        Ok(())
    }
}

/// The relay binary: settings from `args` and the environment, logs, serve
/// until SIGINT/SIGTERM. (The tests run the very same in a child process.)
pub async fn main_with_args(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> std::process::ExitCode {
    use clap::Parser;
    let config = match config::Config::resolve(config::Cli::parse_from(args)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("callcard-relay: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CALLCARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
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

async fn run(config: config::Config) -> anyhow::Result<()> {
    let demo = config.demo;
    let data_dir = config.data_dir.clone();
    let relay = Relay::start(config).await?;
    let addr = relay.local_addr()?;
    if relay.seeded {
        tracing::info!("demo data written");
    }
    println!("Callcard is running at http://{addr}/");
    if let Ok(sip) = relay.sip.udp_addr() {
        println!("SIP for desk phones and providers: {sip} (UDP and TCP)");
    }
    println!(
        "Data (database, recordings): {}; the log goes to standard output (CALLCARD_LOG sets how much)",
        std::fs::canonicalize(&data_dir)
            .unwrap_or(data_dir)
            .display()
    );
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

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
