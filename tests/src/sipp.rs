//! SIPp (Debian `sip-tester`) as a real SIP peer on loopback: a provider's
//! registrar or a callee, from the scenario files in `tests/sipp/` or SIPp's
//! built-in ones.

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

pub struct Sipp {
    child: Child,
    pub addr: SocketAddr,
    _logs: tempfile::TempDir,
}

/// A scenario: a file under `tests/sipp/` or a built-in name (`uas`).
pub enum Scenario<'a> {
    File(&'a str),
    BuiltIn(&'a str),
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free UDP port")
        .port()
}

impl Sipp {
    /// Starts SIPp as a server on a free loopback port, for `calls` calls.
    pub fn serve(scenario: Scenario<'_>, calls: u32) -> Sipp {
        Self::spawn(scenario, calls, free_udp_port(), None)
    }

    /// Like [`Sipp::serve`] with extra arguments (`-t t1`: over TCP).
    pub fn serve_with(scenario: Scenario<'_>, calls: u32, args: &[&str]) -> Sipp {
        Self::spawn_with(scenario, calls, free_udp_port(), None, args)
    }

    /// Reserves a loopback UDP port for a SIPp client started later with
    /// [`Sipp::call_from`] (a provider must call from its configured address).
    pub fn free_port() -> u16 {
        free_udp_port()
    }

    /// Starts SIPp as a client on `port`, placing `calls` calls to `remote`
    /// from the number `caller` (the scenario's `[caller]`).
    pub fn call_from(
        scenario: Scenario<'_>,
        calls: u32,
        port: u16,
        remote: SocketAddr,
        caller: &str,
    ) -> Sipp {
        Self::spawn(scenario, calls, port, Some((remote, caller)))
    }

    /// Starts SIPp as a client of `remote` (one call) with extra arguments
    /// (`-t t1` for TCP, `-au`/`-ap` credentials, `-key name value`).
    pub fn client(scenario: Scenario<'_>, remote: SocketAddr, args: &[&str]) -> Sipp {
        Self::spawn_with(scenario, 1, free_udp_port(), Some((remote, None)), args)
    }

    fn spawn(
        scenario: Scenario<'_>,
        calls: u32,
        port: u16,
        client: Option<(SocketAddr, &str)>,
    ) -> Sipp {
        let client = client.map(|(remote, caller)| (remote, Some(caller)));
        Self::spawn_with(scenario, calls, port, client, &[])
    }

    fn spawn_with(
        scenario: Scenario<'_>,
        calls: u32,
        port: u16,
        client: Option<(SocketAddr, Option<&str>)>,
        extra: &[&str],
    ) -> Sipp {
        let logs = tempfile::tempdir().expect("log dir");
        let mut cmd = Command::new(sipp_binary());
        match scenario {
            Scenario::File(name) => {
                let path: PathBuf = crate::repo_root().join("tests/sipp").join(name);
                cmd.arg("-sf").arg(path);
            }
            Scenario::BuiltIn(name) => {
                cmd.args(["-sn", name]);
            }
        }
        if let Some((remote, caller)) = client {
            cmd.arg(remote.to_string());
            if let Some(caller) = caller {
                cmd.args(["-key", "caller", caller]);
            }
        }
        cmd.args(extra);
        cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()])
            .args([
                "-m",
                &calls.to_string(),
                "-nostdin",
                "-trace_err",
                "-trace_msg",
            ])
            .arg("-error_file")
            .arg(logs.path().join("errors.log"))
            .current_dir(logs.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd.spawn().expect("start sipp");
        // Ready once its socket is bound (UDP) or listening (TCP): a loaded
        // machine can take longer than any fixed pause, and a trunk that
        // found nobody listening waits for its retry.
        let tcp = extra.contains(&"t1");
        wait_until_bound(port, tcp, Duration::from_secs(10));
        Sipp {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            _logs: logs,
        }
    }

    /// Waits for SIPp to finish its calls; Err with its error log if it does
    /// not within `within` or fails.
    pub async fn finished(mut self, within: Duration) -> Result<ExitStatus, String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("sipp status") {
                if status.success() {
                    return Ok(status);
                }
                return Err(format!("sipp exited with {status}: {}", self.errors()));
            }
            if tokio::time::Instant::now() >= deadline {
                let _ = self.child.kill();
                return Err(format!(
                    "sipp did not finish in {within:?}: {}",
                    self.errors()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The SIP messages SIPp sent and received so far (its `-trace_msg` log).
    pub fn messages(&self) -> String {
        let mut all = String::new();
        if let Ok(entries) = std::fs::read_dir(self._logs.path()) {
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .ends_with("_messages.log")
                {
                    all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
                }
            }
        }
        all
    }

    fn errors(&self) -> String {
        std::fs::read_to_string(self._logs.path().join("errors.log")).unwrap_or_default()
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if std::env::var_os("SIPP_TRACE").is_some() {
            if let Ok(entries) = std::fs::read_dir(self._logs.path()) {
                for entry in entries.flatten() {
                    eprintln!(
                        "== {}\n{}",
                        entry.path().display(),
                        std::fs::read_to_string(entry.path()).unwrap_or_default()
                    );
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (at most `within`) until a loopback socket on `port` is bound —
/// listening, for TCP — read from `/proc/net/{udp,tcp}`, so nothing
/// connects to SIPp before its scenario does.
fn wait_until_bound(port: u16, tcp: bool, within: Duration) {
    let table = if tcp {
        "/proc/net/tcp"
    } else {
        "/proc/net/udp"
    };
    let local = format!(":{port:04X}");
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        let bound = std::fs::read_to_string(table).is_ok_and(|t| {
            t.lines().skip(1).any(|line| {
                let mut fields = line.split_whitespace().skip(1);
                let address = fields.next().unwrap_or_default();
                let state = fields.nth(1).unwrap_or_default();
                address.ends_with(&local) && (!tcp || state == "0A")
            })
        });
        if bound {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sipp_binary() -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin"] {
        let path = PathBuf::from(dir).join("sipp");
        if path.is_file() {
            return path;
        }
    }
    panic!("sipp is not installed (Debian package sip-tester; `cargo xtask test` installs it)");
}
