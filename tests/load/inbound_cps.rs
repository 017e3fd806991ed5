//! Load tool: inbound calls per second. SIPp plays the provider
//! (`tests/sipp/uac_inbound_load.xml`: INVITE, 200, ACK, a short pause, BYE)
//! at rising rates, first against the release relay, whose trunk rings two
//! auto-answering WebSocket softphones (Anna and Boris, each called by one of
//! their own contacts), then against Kamailio as a stateful proxy
//! (`tests/kamailio/proxy.cfg`: tm + rr) in front of a SIPp UAS
//! (`tests/sipp/uas_answer_load.xml`), on the same machine in the same run.
//! For each it finds the highest rate with under 0.1 % failed calls, prints a
//! table and writes it to `target/bench-figures/inbound_cps.txt`.
//!
//! First, with the relay alone, the switch's added latency at 100 cps
//! (`latency.rs`: inbound provider INVITE → phone, outbound phone INVITE →
//! trunk, p50/p99, `--latency-seconds 0` skips it).
//! `cargo xtask bench` runs it (about 6 minutes). Options: `--rates 25,50,…` (rungs, each
//! `--seconds` long, default 10), `--pause-ms` (talk time, default 500),
//! `--workers` (Kamailio UDP workers, default 4), `--relay <binary>`.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use callcard_shared::sip::ua::Event;
use callcard_tests::kamailio::Kamailio;
use callcard_tests::sip_phone::WsPhone;
use serde_json::Value;

mod latency;

/// A rung passes with fewer failed calls than this fraction.
const MAX_FAILED: f64 = 0.001;
/// A call whose next answer takes longer than this counts as failed.
const RECV_TIMEOUT_MS: u32 = 5_000;
const TRUNK_NUMBER: &str = "+74950000000";
const MANAGERS: [(&str, &str, &str); 2] = [
    ("anna", "101", "load-test-password-anna"),
    ("boris", "102", "load-test-password-boris"),
];

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free UDP port")
        .port()
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free TCP port")
        .port()
}

/// User+system CPU ticks (1/100 s) of `pid`, with its direct children's
/// when `children` (Kamailio's workers).
fn cpu_ticks(pid: u32, children: bool) -> u64 {
    fn fields(pid: &str) -> Option<(u64, u32)> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ppid = rest.get(1)?.parse().ok()?;
        let ticks = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
        Some((ticks, ppid))
    }
    let mut total = fields(&pid.to_string()).map_or(0, |(t, _)| t);
    if !children {
        return total;
    }
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            if let Some((ticks, ppid)) = fields(name) {
                if ppid == pid {
                    total += ticks;
                }
            }
        }
    }
    total
}

/// The loopback UDP ports `pid` has bound, read from /proc: its socket inodes
/// matched against the UDP table.
fn udp_ports(pid: u32) -> Vec<u16> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .filter_map(|link| {
                    let link = link.to_string_lossy().into_owned();
                    Some(
                        link.strip_prefix("socket:[")?
                            .strip_suffix(']')?
                            .to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let table = std::fs::read_to_string(format!("/proc/{pid}/net/udp")).unwrap_or_default();
    let mut ports: Vec<u16> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (ip, port) = cols.get(1)?.split_once(':')?;
            let inode = cols.get(9)?;
            (ip == "0100007F" && inodes.iter().any(|i| i == inode))
                .then(|| u16::from_str_radix(port, 16).ok())
                .flatten()
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// One rung of the ladder, as SIPp's final statistics give it.
struct Rung {
    rate: u32,
    created: u64,
    succeeded: u64,
    failed: u64,
    /// Seconds from the start until SIPp had created every call.
    creating_s: f64,
    /// Mean time from INVITE to 200, milliseconds.
    answer_ms: f64,
    /// CPU of the system under test, percent of one core over the rung.
    cpu_pct: f64,
    /// CPU of the callees (the WebSocket phones' process, or the SIPp UAS).
    callee_cpu_pct: f64,
    first_error: String,
}

impl Rung {
    fn failed_fraction(&self) -> f64 {
        let lost = self.created.saturating_sub(self.succeeded);
        lost as f64 / self.created.max(1) as f64
    }

    /// Under 0.1 % failed, and SIPp could keep the rate (it created the
    /// calls within the rung's time, with 20 % slack for its 1 s statistics).
    fn passed(&self, seconds: u32) -> bool {
        self.failed_fraction() < MAX_FAILED && self.creating_s <= f64::from(seconds) * 1.2 + 1.0
    }
}

/// "HH:MM:SS:uuuuuu" (SIPp's response times) → milliseconds.
fn sipp_duration_ms(text: &str) -> f64 {
    let parts: Vec<f64> = text.split(':').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [h, m, s, us] => (h * 3600.0 + m * 60.0 + s) * 1000.0 + us / 1000.0,
        [h, m, s] => (h * 3600.0 + m * 60.0 + s) * 1000.0,
        _ => f64::NAN,
    }
}

/// Whose CPU a rung measures: the system under test (with its child
/// processes) and the callees.
#[derive(Clone, Copy)]
struct Pids {
    sut: u32,
    callee: u32,
}

struct Load<'a> {
    scenario: PathBuf,
    callers: &'a Path,
    seconds: u32,
    pause_ms: u32,
    work: &'a Path,
}

impl Load<'_> {
    /// Runs one rung of SIPp calls from `port` to `target`.
    async fn rung(
        &self,
        label: &str,
        rate: u32,
        port: u16,
        target: SocketAddr,
        pids: Pids,
    ) -> Rung {
        let calls = rate * self.seconds;
        let stats = self.work.join(format!("{label}-{rate}.csv"));
        let errors = self.work.join(format!("{label}-{rate}-errors.log"));
        let ticks_before = cpu_ticks(pids.sut, true);
        let callee_before = cpu_ticks(pids.callee, false);
        let started = Instant::now();
        let mut sipp = Command::new("sipp")
            .arg("-sf")
            .arg(&self.scenario)
            .arg(target.to_string())
            .args(["-i", "127.0.0.1", "-p", &port.to_string()])
            .arg("-inf")
            .arg(self.callers)
            .args(["-r", &rate.to_string(), "-m", &calls.to_string()])
            // Room for 10 s of backlog: a slow peer shows as failed calls
            // (recv timeout), not as SIPp quietly lowering the rate.
            .args(["-l", &(rate * 10).to_string()])
            .args(["-d", &self.pause_ms.to_string()])
            .args(["-recv_timeout", &RECV_TIMEOUT_MS.to_string()])
            .args(["-nostdin", "-trace_stat", "-fd", "1", "-trace_err"])
            .arg("-stf")
            .arg(&stats)
            .arg("-error_file")
            .arg(&errors)
            .current_dir(self.work)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sipp");
        let limit = Duration::from_secs(u64::from(self.seconds) * 3 + 40);
        loop {
            if sipp.try_wait().expect("sipp status").is_some() {
                break;
            }
            if started.elapsed() > limit {
                let _ = sipp.kill();
                let _ = sipp.wait();
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let wall = started.elapsed().as_secs_f64();
        let cpu_pct = (cpu_ticks(pids.sut, true) - ticks_before) as f64 / wall;
        let callee_cpu_pct = (cpu_ticks(pids.callee, false) - callee_before) as f64 / wall;
        let text = std::fs::read_to_string(&stats).unwrap_or_default();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split(';').collect();
        let rows: Vec<HashMap<&str, &str>> = lines
            .map(|l| header.iter().copied().zip(l.split(';')).collect())
            .collect();
        let num = |row: &HashMap<&str, &str>, key: &str| -> u64 {
            row.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
        };
        let last = rows.last().cloned().unwrap_or_default();
        let creating_s = rows
            .iter()
            .find(|row| num(row, "TotalCallCreated") >= u64::from(calls))
            .and_then(|row| row.get("ElapsedTime(C)"))
            .map(|t| sipp_duration_ms(t) / 1000.0)
            .unwrap_or(f64::INFINITY);
        let first_error = std::fs::read_to_string(&errors)
            .unwrap_or_default()
            .lines()
            .find(|l| l.contains("Aborting") || l.contains("timeout") || l.contains("Failed"))
            .unwrap_or_default()
            .chars()
            .take(240)
            .collect();
        Rung {
            rate,
            created: u64::from(calls).max(num(&last, "TotalCallCreated")),
            succeeded: num(&last, "SuccessfulCall(C)"),
            failed: num(&last, "FailedCall(C)"),
            creating_s,
            answer_ms: last
                .get("ResponseTime1(C)")
                .map_or(f64::NAN, |t| sipp_duration_ms(t)),
            cpu_pct,
            callee_cpu_pct,
            first_error,
        }
    }

    /// Climbs the ladder until a rung fails; returns every rung run.
    async fn ladder(
        &self,
        label: &str,
        rates: &[u32],
        port: u16,
        target: SocketAddr,
        pids: Pids,
    ) -> Vec<Rung> {
        let mut rungs = Vec::new();
        for &rate in rates {
            let rung = self.rung(label, rate, port, target, pids).await;
            let passed = rung.passed(self.seconds);
            eprintln!(
                "inbound-cps: {label} {rate} cps: {}/{} calls ok, {} failed ({:.3} %), \
                 all created in {:.0} s, INVITE→200 {:.1} ms, CPU {:.0} % (callees {:.0} %) — {}",
                rung.succeeded,
                rung.created,
                rung.failed,
                rung.failed_fraction() * 100.0,
                rung.creating_s,
                rung.answer_ms,
                rung.cpu_pct,
                rung.callee_cpu_pct,
                if passed { "ok" } else { "over the limit" }
            );
            if !rung.first_error.is_empty() {
                eprintln!("inbound-cps:   first error: {}", rung.first_error);
            }
            rungs.push(rung);
            if !passed {
                break;
            }
            // Let late retransmissions and timers settle between rungs.
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        rungs
    }
}

/// The highest passing rate, and whether the ladder's top was reached.
fn best(rungs: &[Rung], seconds: u32, rates: &[u32]) -> (u32, bool) {
    let best = rungs
        .iter()
        .take_while(|r| r.passed(seconds))
        .map(|r| r.rate)
        .last()
        .unwrap_or(0);
    (best, rates.last() == Some(&best))
}

/// A release relay on a temporary database with Anna's and Boris's SIP
/// accounts and one trunk whose provider is SIPp calling from `provider_port`.
struct RelayUnderTest {
    child: Child,
    http: SocketAddr,
    _data: tempfile::TempDir,
}

impl RelayUnderTest {
    async fn start(binary: &Path, provider_port: u16, sip_port: u16) -> RelayUnderTest {
        let data = tempfile::tempdir().expect("data dir");
        let config = data.path().join("callcard.toml");
        let mut toml = format!(
            "[[trunks]]\nname = \"load provider\"\nnumber = \"{TRUNK_NUMBER}\"\n\
             username = \"trunkuser\"\npassword = \"trunkpass\"\ndomain = \"provider.test\"\n\
             host = \"127.0.0.1:{provider_port}\"\nregister = false\n"
        );
        for (login, extension, password) in MANAGERS {
            toml.push_str(&format!(
                "\n[[sip_users]]\nlogin = \"{login}\"\nextension = \"{extension}\"\n\
                 password = \"{password}\"\n"
            ));
        }
        std::fs::write(&config, toml).expect("config");
        let http: SocketAddr = ([127, 0, 0, 1], free_tcp_port()).into();
        let child = Command::new(binary)
            .args(["--demo", "--listen", &http.to_string()])
            .arg("--data-dir")
            .arg(data.path())
            .arg("--config")
            .arg(&config)
            .args(["--sip-listen", &format!("127.0.0.1:{sip_port}")])
            .args(["--static-dir", "/nonexistent"])
            .env("CALLCARD_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the relay");
        let relay = RelayUnderTest {
            child,
            http,
            _data: data,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("http://{http}/api/openapi.json"))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "the relay did not come up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        relay
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn cookie(&self, login: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("http://{}/api/login", self.http))
            .json(&serde_json::json!({"login": login, "password": "demo"}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200, "login as {login}");
        let set = response.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .to_string();
        set.split(';').next().expect("name=value").to_string()
    }

    async fn get(&self, cookie: &str, path: &str) -> Value {
        reqwest::Client::new()
            .get(format!("http://{}{path}", self.http))
            .header("Cookie", cookie)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("JSON")
    }

    /// The trunk's own UDP port: the relay's loopback UDP socket that is not
    /// its SIP listener.
    async fn trunk_port(&self, sip_port: u16) -> u16 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ports: Vec<u16> = udp_ports(self.pid())
                .into_iter()
                .filter(|p| *p != sip_port)
                .collect();
            if let [port] = ports.as_slice() {
                return *port;
            }
            assert!(
                Instant::now() < deadline,
                "cannot tell the trunk's UDP socket among {ports:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for RelayUnderTest {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One E.164 number of a contact whose responsible manager is `user_id`.
fn contact_number(contacts: &Value, user_id: i64) -> String {
    contacts["items"]
        .as_array()
        .expect("contacts")
        .iter()
        .filter(|c| c["responsible"]["id"] == user_id)
        .flat_map(|c| c["phones"].as_array().cloned().unwrap_or_default())
        .find_map(|p| p["e164"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no contact of user {user_id} with a number"))
}

/// A manager's WebSocket phone, signed in and registered.
async fn manager_phone(relay: &RelayUnderTest, manager: (&str, &str, &str)) -> WsPhone {
    let (login, extension, password) = manager;
    let cookie = relay.cookie(login).await;
    let mut phone = WsPhone::connect(
        relay.http,
        Some(&cookie),
        &format!("callcard_{extension}"),
        password,
    )
    .await
    .expect("WebSocket upgrade");
    let outcome = phone.register().await;
    assert!(
        matches!(outcome, Event::Registered { .. }),
        "{login}: {outcome:?}"
    );
    phone
}

/// Answers every call ringing `phone` with 200 until the task is aborted
/// (noting when each INVITE arrived); the endpoint answers the caller's BYE
/// by itself.
async fn auto_answer(mut phone: WsPhone, answered: Arc<AtomicU64>, arrivals: latency::Arrivals) {
    loop {
        let incoming = phone
            .wait_for("an incoming call", Duration::from_secs(86_400), |e| {
                matches!(e, Event::IncomingCall { .. })
            })
            .await;
        if let Event::IncomingCall { call, .. } = incoming {
            latency::note(&arrivals);
            let sdp = b"v=0\r\no=- 3 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n\
                        t=0 0\r\nm=audio 6006 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
            phone
                .ep
                .accept(callcard_shared::Instant::now(), call, Some(sdp.to_vec()));
            answered.fetch_add(1, Ordering::Relaxed);
        }
        // Only unanswered calls matter; other events would pile up.
        phone
            .events
            .retain(|e| matches!(e, Event::IncomingCall { .. }));
    }
}

fn table(relay: &[Rung], kamailio: &[Rung], rates: &[u32]) -> String {
    let cell = |rungs: &[Rung], rate: u32| -> String {
        rungs.iter().find(|r| r.rate == rate).map_or_else(
            || format!("{:>46}", "not run"),
            |r| {
                format!(
                    "{:>8.3} % {:>12} {:>6.0} % {:>6.0} % {:>7}",
                    r.failed_fraction() * 100.0,
                    // SIPp counts whole milliseconds.
                    if r.answer_ms < 1.0 {
                        "< 1 ms".to_string()
                    } else {
                        format!("{:.0} ms", r.answer_ms)
                    },
                    r.cpu_pct,
                    r.callee_cpu_pct,
                    if r.creating_s.is_finite() {
                        format!("{:.0} s", r.creating_s)
                    } else {
                        "-".into()
                    }
                )
            },
        )
    };
    let mut out = format!(
        "{:>5} | {:^46} | {:^46}\n{:>5} | {:>10} {:>12} {:>8} {:>8} {:>7} | {:>10} {:>12} {:>8} {:>8} {:>7}\n",
        "cps",
        "relay → WebSocket phones",
        "Kamailio proxy → SIPp UAS",
        "",
        "failed",
        "INVITE→200",
        "CPU",
        "callees",
        "sent in",
        "failed",
        "INVITE→200",
        "CPU",
        "callees",
        "sent in",
    );
    for &rate in rates {
        if relay.iter().all(|r| r.rate != rate) && kamailio.iter().all(|r| r.rate != rate) {
            continue;
        }
        out.push_str(&format!(
            "{rate:>5} | {} | {}\n",
            cell(relay, rate),
            cell(kamailio, rate)
        ));
    }
    out
}

#[tokio::main]
async fn main() {
    let rates: Vec<u32> = arg("--rates")
        .unwrap_or_else(|| "100,300,600,1000,1400,1800,2200,2600,3000,4000,5000".into())
        .split(',')
        .map(|r| r.trim().parse().expect("--rates N,N,…"))
        .collect();
    let seconds: u32 = arg("--seconds").map_or(10, |s| s.parse().expect("--seconds N"));
    let pause_ms: u32 = arg("--pause-ms").map_or(500, |s| s.parse().expect("--pause-ms N"));
    let workers: u32 = arg("--workers").map_or(4, |s| s.parse().expect("--workers N"));
    let latency_rate: u32 =
        arg("--latency-rate").map_or(100, |s| s.parse().expect("--latency-rate N"));
    let latency_seconds: u32 =
        arg("--latency-seconds").map_or(10, |s| s.parse().expect("--latency-seconds N"));
    let root = callcard_tests::repo_root();
    let relay_bin = arg("--relay")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/callcard-relay"));
    assert!(
        relay_bin.is_file(),
        "{} is missing: cargo build --release -p callcard-relay",
        relay_bin.display()
    );
    let work = tempfile::tempdir().expect("work dir");
    let callers = work.path().join("callers.csv");
    let load = Load {
        scenario: root.join("tests/sipp/uac_inbound_load.xml"),
        callers: &callers,
        seconds,
        pause_ms,
        work: work.path(),
    };

    // 1. SIPp → relay trunk → two auto-answering WebSocket phones.
    let provider_port = free_udp_port();
    let sip_port = free_udp_port();
    let relay = RelayUnderTest::start(&relay_bin, provider_port, sip_port).await;
    let trunk = SocketAddr::from(([127, 0, 0, 1], relay.trunk_port(sip_port).await));
    let admin = relay.cookie("admin").await;
    let users = relay.get(&admin, "/api/users").await;
    let contacts = relay.get(&admin, "/api/contacts?limit=200").await;
    let mut numbers = Vec::new();
    let mut answered = Vec::new();
    let mut phones = Vec::new();
    let mut arrivals = Vec::new();
    for (login, extension, password) in MANAGERS {
        let user_id = users
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["login"] == login)
            .and_then(|u| u["id"].as_i64())
            .expect("demo manager");
        numbers.push(contact_number(&contacts, user_id));
        let phone = manager_phone(&relay, (login, extension, password)).await;
        let count = Arc::new(AtomicU64::new(0));
        answered.push((login, count.clone()));
        let arrived = latency::Arrivals::default();
        arrivals.push(arrived.clone());
        phones.push(tokio::spawn(auto_answer(phone, count, arrived)));
    }
    // Calls alternate between a contact of Anna's and one of Boris's, so
    // each call rings exactly one phone.
    std::fs::write(
        &callers,
        format!("SEQUENTIAL\n{};\n{};\n", numbers[0], numbers[1]),
    )
    .expect("injection file");
    eprintln!(
        "inbound-cps: relay trunk at {trunk}, provider SIPp at 127.0.0.1:{provider_port}, \
         callers {numbers:?}"
    );
    // The switch's added latency first (the provider's port is free until
    // SIPp takes it for the ladder).
    let mut latency_lines = Vec::new();
    if latency_seconds > 0 {
        let mut provider = latency::Provider::bind(provider_port, trunk).await;
        let inbound = provider
            .inbound(&numbers, &arrivals, latency_rate, latency_seconds)
            .await;
        // A second phone of Anna's dials.
        let mut dialer = manager_phone(&relay, MANAGERS[0]).await;
        let outbound = provider
            .outbound(&mut dialer, &numbers[1], latency_rate, latency_seconds)
            .await;
        for (what, figures) in [
            (
                "inbound: provider INVITE out → the phone has the relay's INVITE",
                &inbound,
            ),
            (
                "outbound: phone INVITE out → the provider has the trunk INVITE",
                &outbound,
            ),
        ] {
            let line = format!("{what}, {latency_rate} cps: {}", figures.line());
            eprintln!("inbound-cps: {line}");
            latency_lines.push(line);
        }
    }
    let relay_rungs = load
        .ladder(
            "relay",
            &rates,
            provider_port,
            trunk,
            Pids {
                sut: relay.pid(),
                callee: std::process::id(),
            },
        )
        .await;
    let phones_alive = phones.iter().all(|p| !p.is_finished());
    let per_phone: Vec<String> = answered
        .iter()
        .map(|(login, n)| format!("{login} {}", n.load(Ordering::Relaxed)))
        .collect();
    for phone in phones {
        phone.abort();
    }
    drop(relay);

    // 2. SIPp → Kamailio (stateful proxy) → SIPp UAS, same load.
    let uas_port = free_udp_port();
    let mut uas = Command::new("sipp")
        .arg("-sf")
        .arg(root.join("tests/sipp/uas_answer_load.xml"))
        .args(["-i", "127.0.0.1", "-p", &uas_port.to_string()])
        .args(["-nostdin", "-trace_err"])
        .arg("-error_file")
        .arg(work.path().join("uas-errors.log"))
        .current_dir(work.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the SIPp UAS");
    let proxy = Kamailio::proxy(SocketAddr::from(([127, 0, 0, 1], uas_port)), workers);
    let kamailio_rungs = load
        .ladder(
            "kamailio",
            &rates,
            free_udp_port(),
            proxy.addr,
            Pids {
                sut: proxy.pid(),
                callee: uas.id(),
            },
        )
        .await;
    drop(proxy);
    let _ = uas.kill();
    let _ = uas.wait();

    let (relay_best, relay_top) = best(&relay_rungs, seconds, &rates);
    let (kamailio_best, kamailio_top) = best(&kamailio_rungs, seconds, &rates);
    let at_least = |top: bool| if top { "≥ " } else { "" };
    let ratio = if kamailio_best > 0 {
        format!(
            "{:.2}{}",
            f64::from(relay_best) / f64::from(kamailio_best),
            if kamailio_top || relay_top {
                " (a side reached the ladder's top: raise --rates for the true ratio)"
            } else {
                ""
            }
        )
    } else {
        "n/a (Kamailio passed no rung)".into()
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let report = format!(
        "inbound_cps: inbound calls per second with under {:.1} % failed calls, {seconds} s per rung, \
         {pause_ms} ms between ACK and BYE, answers due within {} s, {cores} cores shared by everything\n\
         relay: SIPp → trunk UDP → release relay (B2BUA, call records in SQLite) → 2 auto-answering \
         WebSocket phones (answered: {}{})\n\
         Kamailio 5.6: SIPp → stateful proxy (tm + rr, {workers} UDP workers) → SIPp UAS\n\
         CPU = the relay's process / all Kamailio processes, callees = the phones' process / \
         the SIPp UAS, percent of one core; sent in = seconds SIPp took to create the rung's calls\n\n\
         {}\n\
         highest passing rate: relay {}{relay_best} cps, Kamailio {}{kamailio_best} cps; \
         relay/Kamailio = {ratio}\n\n\
         the switch's added latency, one process's clock on both ends:\n{}\n",
        MAX_FAILED * 100.0,
        RECV_TIMEOUT_MS / 1000,
        per_phone.join(", "),
        if phones_alive {
            ""
        } else {
            "; a phone's socket closed during the run"
        },
        table(&relay_rungs, &kamailio_rungs, &rates),
        at_least(relay_top),
        at_least(kamailio_top),
        latency_lines.join("\n"),
    );
    print!("{report}");
    let figures = root.join("target/bench-figures");
    std::fs::create_dir_all(&figures).expect("figures dir");
    std::fs::write(figures.join("inbound_cps.txt"), report).expect("write figures");
}
