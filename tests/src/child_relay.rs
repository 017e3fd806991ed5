//! The relay as a child process (the `relay-process` binary of this package)
//! on fixed loopback ports and a data directory that outlives it, so a test
//! can kill it with SIGKILL and start it again on the same database.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct ChildRelay {
    child: Child,
    /// `env!("CARGO_BIN_EXE_relay-process")`, known only to the test files.
    exe: PathBuf,
    pub addr: SocketAddr,
    pub sip: SocketAddr,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

impl ChildRelay {
    /// Starts `exe` (the `relay-process` binary) as a demo relay on free
    /// ports with its data in `data_dir`.
    pub async fn start(exe: &Path, data_dir: &Path) -> ChildRelay {
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let sip = SocketAddr::from(([127, 0, 0, 1], free_port()));
        Self::start_on(exe.to_path_buf(), data_dir, addr, sip).await
    }

    /// Starts it again where it ran before (same ports, same database).
    pub async fn restart(self, data_dir: &Path) -> ChildRelay {
        let (addr, sip, exe) = (self.addr, self.sip, self.exe.clone());
        drop(self);
        Self::start_on(exe, data_dir, addr, sip).await
    }

    async fn start_on(
        exe: PathBuf,
        data_dir: &Path,
        addr: SocketAddr,
        sip: SocketAddr,
    ) -> ChildRelay {
        let child = Command::new(&exe)
            .env("CALLCARD_LISTEN", addr.to_string())
            .env("CALLCARD_SIP_LISTEN", sip.to_string())
            .env("CALLCARD_DATA_DIR", data_dir)
            .env("CALLCARD_STATIC_DIR", "/nonexistent")
            .env("CALLCARD_DEMO", "true")
            .env(
                "CALLCARD_LOG",
                std::env::var("CALLCARD_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env_remove("CALLCARD_CONFIG")
            .env_remove("CALLCARD_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the relay process");
        let relay = ChildRelay {
            child,
            exe,
            addr,
            sip,
        };
        relay.wait_healthy(Duration::from_secs(30)).await;
        relay
    }

    async fn wait_healthy(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        let url = format!("http://{}/healthz", self.addr);
        loop {
            if let Ok(r) = reqwest::get(&url).await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the relay process answered /healthz within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGKILL: no shutdown code runs, like a crash or a power cut.
    pub fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL the relay");
        self.child.wait().expect("reap the relay");
    }
}

impl Drop for ChildRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
