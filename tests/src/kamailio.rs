//! Kamailio (Debian `kamailio`) as an independent SIP peer on loopback: a
//! provider's registrar with digest auth (`tests/kamailio/registrar.cfg`) or a
//! stateful proxy in front of a UAS (`tests/kamailio/proxy.cfg`, the inbound
//! calls-per-second benchmark). Runs in the foreground in its own process
//! group with a temporary runtime directory, and is stopped when dropped.
//! `KAMAILIO_TRACE=1` raises the log level and prints Kamailio's log then.

use std::net::{SocketAddr, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The account `registrar.cfg` accepts unless told otherwise.
pub const REGISTRAR_USER: &str = "trunkuser";
pub const REGISTRAR_PASSWORD: &str = "trunkpass";

pub struct Kamailio {
    child: Child,
    pub addr: SocketAddr,
    run: tempfile::TempDir,
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free UDP port")
        .port()
}

fn tracing() -> bool {
    std::env::var_os("KAMAILIO_TRACE").is_some()
}

impl Kamailio {
    /// A registrar accepting [`REGISTRAR_USER`] / [`REGISTRAR_PASSWORD`] with
    /// digest auth (realm: the To domain), bindings in memory.
    pub fn registrar() -> Kamailio {
        Self::start(
            "registrar.cfg",
            64,
            &[
                ("REGISTRAR_USER", format!("\"{REGISTRAR_USER}\"")),
                ("REGISTRAR_PASSWORD", format!("\"{REGISTRAR_PASSWORD}\"")),
            ],
        )
    }

    /// A stateful proxy (tm, Record-Route) sending every new request to `uas`,
    /// with `workers` UDP worker processes and 512 MB of shared memory (tm
    /// keeps each transaction for its wait timer: at 800 calls/s 64 MB run out).
    pub fn proxy(uas: SocketAddr, workers: u32) -> Kamailio {
        Self::start(
            "proxy.cfg",
            512,
            &[
                ("UAS", format!("\"sip:{uas}\"")),
                ("WORKERS", workers.to_string()),
            ],
        )
    }

    /// Starts `tests/kamailio/<config>` on a free loopback UDP port with
    /// `shm_mb` MB of shared memory and the given pre-processor defines, and
    /// waits until it answers OPTIONS.
    pub fn start(config: &str, shm_mb: u32, defines: &[(&str, String)]) -> Kamailio {
        let path = crate::repo_root().join("tests/kamailio").join(config);
        let run = tempfile::tempdir().expect("kamailio run dir");
        let log = std::fs::File::create(run.path().join("kamailio.log")).expect("log file");
        let port = free_udp_port();
        let mut cmd = Command::new(kamailio_binary());
        cmd.arg("-f")
            .arg(&path)
            .args(["-DD", "-E", "-M", "8"])
            .arg("-m")
            .arg(shm_mb.to_string())
            .arg("-Y")
            .arg(run.path())
            .arg("-P")
            .arg(run.path().join("kamailio.pid"))
            .arg("-A")
            .arg(format!("SIP_PORT={port}"));
        for (name, value) in defines {
            cmd.arg("-A").arg(format!("{name}={value}"));
        }
        if tracing() {
            cmd.args(["-d", "-d"]);
        }
        cmd.current_dir(run.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            // Its own group: the workers it forks are stopped with it.
            .process_group(0);
        let child = cmd.spawn().expect("start kamailio");
        let mut kamailio = Kamailio {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            run,
        };
        kamailio.wait_until_up(Duration::from_secs(10));
        kamailio
    }

    /// Sends OPTIONS until Kamailio answers; panics with its log if it exits
    /// or stays silent for `within`.
    fn wait_until_up(&mut self, within: Duration) {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("probe socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("timeout");
        let local = socket.local_addr().expect("probe addr");
        let deadline = Instant::now() + within;
        for attempt in 0u32.. {
            if let Some(status) = self.child.try_wait().expect("kamailio status") {
                panic!("kamailio exited with {status}:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "kamailio did not answer OPTIONS on {} within {within:?}:\n{}",
                self.addr,
                self.log()
            );
            let options = format!(
                "OPTIONS sip:{addr} SIP/2.0\r\n\
                 Via: SIP/2.0/UDP {local};branch=z9hG4bK-probe-{attempt}\r\n\
                 From: <sip:probe@{local}>;tag=probe\r\n\
                 To: <sip:{addr}>\r\n\
                 Call-ID: probe-{attempt}@{local}\r\n\
                 CSeq: {seq} OPTIONS\r\n\
                 Max-Forwards: 70\r\n\
                 Content-Length: 0\r\n\r\n",
                addr = self.addr,
                seq = attempt + 1,
            );
            let _ = socket.send_to(options.as_bytes(), self.addr);
            let mut buf = [0u8; 4096];
            if let Ok((n, _)) = socket.recv_from(&mut buf) {
                if buf[..n].starts_with(b"SIP/2.0 200") {
                    return;
                }
            }
        }
    }

    /// The process id of Kamailio's main process (its workers are its children).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything Kamailio logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.run.path().join("kamailio.log")).unwrap_or_default()
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        if tracing() {
            eprintln!("== kamailio log ({})\n{}", self.addr, self.log());
        }
        let group = format!("-{}", self.child.id());
        // SIGTERM lets the main process stop its workers; the group kill
        // catches any left behind.
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kamailio_binary() -> PathBuf {
    for dir in ["/usr/sbin", "/usr/local/sbin", "/usr/bin"] {
        let path = PathBuf::from(dir).join("kamailio");
        if path.is_file() {
            return path;
        }
    }
    panic!("kamailio is not installed (Debian package kamailio; `cargo xtask setup` installs it)");
}
