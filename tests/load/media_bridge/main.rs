//! Load tool: concurrent bridged calls through the relay's media bridge
//! (`callcard_relay::media::MediaBridge`: browser WebRTC — ICE-lite,
//! DTLS-SRTP — to plain RTP, G.711), with rtpengine (Debian's
//! `rtpengine-daemon`, userspace mode) as the anchor on the same load in the
//! same run.
//!
//! For each step of N concurrent calls, three measurements, one after the
//! other, each with a fresh system under test:
//! 1. baseline: N pairs of plain UDP sockets sending the same stamped 20 ms
//!    packets straight to each other over loopback (no bridge);
//! 2. relay: the media bridge in a child process (this binary with
//!    `--bridge-server`, see `server.rs`), N str0m WebRTC clients (the
//!    browsers) and N plain RTP peers (the providers);
//! 3. rtpengine: the same clients and peers through rtpengine, set up over
//!    its ng protocol (see `rtpengine.rs`).
//!
//! Every call sends one PCMA packet every 20 ms each way (50 packets/s per
//! direction) at real time, calls spread evenly over the 20 ms period. The
//! first 8 payload bytes carry the send instant, so the receiver in this same
//! process reads the one-way latency (`calls.rs`). After every call is
//! connected and a warm-up, a steady window (`--seconds`, default 10) counts
//! packets and latencies, and the system under test's CPU is read from
//! /proc/<pid>/stat (utime + stime of all its threads) over that window.
//! Added latency = percentile through the system − the same percentile of the
//! baseline at the same N. The load tool shares the two cores with the system
//! under test; its own CPU is reported too.
//!
//! Steps: `--calls 100,250,500` by default, then more (750, 1000)
//! while the relay stays within the target (≤ 70 % of both cores, added p99 <
//! 1 ms, no call failed, ≤ 0.1 % loss). Other options: `--seconds`,
//! `--warmup` (s, default 3), `--setup-rate` (calls/s, default 200),
//! `--no-rtpengine`, `--verbose` (prints the first call's SDP), `--out FILE` (default
//! `target/bench-figures/media_bridge.md`), `--recording` (each step also
//! measures the relay recording every call — the stereo MP3 of
//! `callcard_relay::recording`, into a temporary directory — and the report
//! compares the CPU per call with and without, same run). Build it in release: `cargo run
//! --release -p callcard-tests --bin media-bridge-load`; `cargo xtask bench`
//! runs it.

mod calls;
mod rtpengine;
mod server;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use calls::{Call, Client, Shard, Shared, Tally, TO_BROWSER, TO_TRUNK};
use rtpengine::Rtpengine;
use server::BridgeServer;

/// The relay's media ports (3 per call) and rtpengine's (4 per call), both
/// below Linux's ephemeral range, where the load's own sockets live, and
/// clear of 24000-24999, which the tests' relays use.
const RELAY_PORTS: &str = "20000-23999";
const RTPENGINE_PORTS: &str = "26000-32767";
/// The target of the issue.
const TARGET_CPU: f64 = 0.70;
const TARGET_P99_US: f64 = 1000.0;
const MAX_LOSS: f64 = 0.001;
/// Steps past 500 while within the target (the port ranges hold 1000 calls).
const MORE_STEPS: [usize; 2] = [750, 1000];

struct Opts {
    calls: Vec<usize>,
    extend: bool,
    seconds: u64,
    warmup: u64,
    setup_rate: f64,
    rtpengine: bool,
    recording: bool,
    out: std::path::PathBuf,
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

impl Opts {
    fn parse() -> Opts {
        let calls = arg("--calls").map(|list| {
            list.split(',')
                .map(|n| n.trim().parse().expect("--calls: numbers"))
                .collect()
        });
        let number = |name: &str, default: u64| {
            arg(name).map_or(default, |v| v.parse().expect("a whole number"))
        };
        Opts {
            extend: calls.is_none(),
            calls: calls.unwrap_or_else(|| vec![100, 250, 500]),
            seconds: number("--seconds", 10),
            warmup: number("--warmup", 3),
            setup_rate: number("--setup-rate", 200) as f64,
            rtpengine: !flag("--no-rtpengine"),
            recording: flag("--recording"),
            out: arg("--out").map_or_else(
                || callcard_tests::repo_root().join("target/bench-figures/media_bridge.md"),
                Into::into,
            ),
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// utime + stime of every thread of `pid`, in clock ticks (1/100 s).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, r)| r.split_whitespace().collect());
    let field = |i: usize| rest.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

/// Busy clock ticks of the whole machine (all cores), from /proc/stat.
fn machine_busy_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    v.iter().take(8).sum::<u64>() - v.get(3).copied().unwrap_or(0) - v.get(4).copied().unwrap_or(0)
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Baseline,
    Relay,
    /// The relay recording every call.
    RelayRecording,
    Rtpengine,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Baseline => "baseline",
            Kind::Relay => "relay",
            Kind::RelayRecording => "relay + recording",
            Kind::Rtpengine => "rtpengine",
        }
    }
}

enum Sut {
    None,
    Relay(Box<BridgeServer>),
    Rtpengine(Rtpengine),
}

impl Sut {
    fn pid(&self) -> Option<u32> {
        match self {
            Sut::None => None,
            Sut::Relay(s) => Some(s.pid()),
            Sut::Rtpengine(r) => Some(r.pid()),
        }
    }

    /// Sets call `index` up with its browser and provider on `shard`.
    async fn call(&mut self, index: usize, shard: &Shard) -> Result<Call, String> {
        let mut client = Client::new(shard.browser_addr)?;
        let offer = client.offer()?;
        let provider_answer = calls::provider_answer(index as u32, shard.provider_addr.port());
        let (answer, trunk_offer) = match self {
            Sut::None => return Err("no system under test".into()),
            Sut::Relay(s) => s.setup(index, &offer, &provider_answer).await?,
            Sut::Rtpengine(r) => r.setup(index, &offer, &provider_answer).await?,
        };
        if index == 0 && flag("--verbose") {
            eprintln!(
                "media-bridge: call 0\n-- browser offer\n{offer}\n-- provider offer\n{trunk_offer}\n\
                 -- provider answer\n{provider_answer}\n-- browser answer\n{answer}"
            );
        }
        client.accept_answer(&answer)?;
        let trunk = calls::sdp_audio_addr(&trunk_offer)
            .ok_or_else(|| format!("no audio address in {trunk_offer:?}"))?;
        let remote = calls::sdp_ice_addr(&answer)
            .ok_or_else(|| format!("no ICE candidate in {answer:?}"))?;
        Ok(Call::bridged(index as u32, client, remote, trunk))
    }

    async fn stats(&mut self) -> String {
        match self {
            Sut::Relay(s) => s
                .ask(serde_json::json!({"op": "stats"}))
                .await
                .map_or_else(|e| e, |v| v.to_string()),
            _ => String::new(),
        }
    }

    async fn stop(self) {
        match self {
            Sut::None => {}
            Sut::Relay(s) => s.stop().await,
            Sut::Rtpengine(r) => r.stop(),
        }
    }
}

/// Latency percentiles, microseconds.
#[derive(Clone, Copy, Default)]
struct Lat {
    p50: f64,
    p99: f64,
    p999: f64,
    max: f64,
}

impl Lat {
    fn of(mut ns: Vec<u32>) -> Lat {
        if ns.is_empty() {
            let nan = f64::NAN;
            return Lat {
                p50: nan,
                p99: nan,
                p999: nan,
                max: nan,
            };
        }
        ns.sort_unstable();
        let at = |q: f64| f64::from(ns[((ns.len() - 1) as f64 * q).round() as usize]) / 1000.0;
        Lat {
            p50: at(0.5),
            p99: at(0.99),
            p999: at(0.999),
            max: at(1.0),
        }
    }
}

struct DirSummary {
    sent: u64,
    received: u64,
    lat: Lat,
}

impl DirSummary {
    fn loss(&self) -> f64 {
        1.0 - self.received as f64 / self.sent.max(1) as f64
    }
}

struct Measure {
    kind: Kind,
    calls: usize,
    set_up: usize,
    connected: usize,
    first_error: Option<String>,
    /// CPU of the system under test, in cores (CPU seconds per second).
    sut_cpu: f64,
    /// CPU of this load tool over the same window, in cores.
    tool_cpu: f64,
    /// CPU of everything else on the machine over the window, in cores.
    other_cpu: f64,
    dirs: [DirSummary; 2],
    both: Lat,
    misrouted: u64,
    engine_failures: usize,
    load_before: f64,
    sut_stats: String,
    /// Packets sent in the window over those due (N × 50/s each way): under
    /// 100 % the load tool itself fell behind.
    offered: f64,
    /// Seconds the calls had been up, together, when the stats were read.
    call_seconds: f64,
}

impl Measure {
    /// Recording bytes stored per minute of call (from the bridge's stats).
    fn recorded_per_minute(&self) -> Option<f64> {
        let stats: serde_json::Value = serde_json::from_str(&self.sut_stats).ok()?;
        let bytes = stats["recorded_bytes"].as_f64()?;
        Some(bytes / (self.call_seconds / 60.0).max(f64::MIN_POSITIVE))
    }

    fn cpu_per_call(&self) -> f64 {
        self.sut_cpu / self.calls.max(1) as f64
    }
}

impl Measure {
    fn worst_loss(&self) -> f64 {
        self.dirs[0].loss().max(self.dirs[1].loss())
    }
}

async fn measure(kind: Kind, n: usize, opts: &Opts, work: &std::path::Path) -> Measure {
    let load_before = load_average();
    let shared = Shared::new(n);
    let mut sut = match kind {
        Kind::Baseline => Sut::None,
        Kind::Relay => Sut::Relay(Box::new(BridgeServer::start(RELAY_PORTS, None))),
        Kind::RelayRecording => {
            let dir = work.join(format!("recordings-{n}"));
            std::fs::create_dir_all(&dir).expect("recordings dir");
            Sut::Relay(Box::new(BridgeServer::start(RELAY_PORTS, Some(&dir))))
        }
        Kind::Rtpengine => {
            let log = work.join(format!("rtpengine-{n}.log"));
            match Rtpengine::start(RTPENGINE_PORTS, &log).await {
                Ok(r) => Sut::Rtpengine(r),
                Err(e) => {
                    eprintln!("media-bridge: {e}");
                    Sut::None
                }
            }
        }
    };
    let shards: Vec<Shard> = (0..cores())
        .map(|_| Shard::start(shared.clone()).expect("load sockets"))
        .collect();
    let mut set_up = 0;
    let mut set_up_at = Vec::with_capacity(n);
    let mut first_error = None;
    let mut failed = 0;
    let pace = Duration::from_secs_f64(1.0 / opts.setup_rate);
    let started = tokio::time::Instant::now();
    for i in 0..n {
        let shard = &shards[i % shards.len()];
        if kind == Kind::Baseline {
            shard.add(Call::baseline(i as u32));
            set_up += 1;
        } else {
            match sut.call(i, shard).await {
                Ok(call) => {
                    shard.add(call);
                    set_up += 1;
                    set_up_at.push(Instant::now());
                }
                Err(e) => {
                    failed += 1;
                    first_error.get_or_insert(e);
                    if matches!(sut, Sut::None) || failed > n / 10 + 5 {
                        break; // it does not work at all: do not wait n times
                    }
                }
            }
        }
        tokio::time::sleep_until(started + pace * (i as u32 + 1)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while shared.connected.load(Ordering::Relaxed) < set_up && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connected = shared.connected.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(opts.warmup)).await;

    let pid = sut.pid();
    let me = std::process::id();
    let (sut0, tool0) = (pid.map_or(0, cpu_ticks), cpu_ticks(me));
    let busy0 = machine_busy_ticks();
    let t0 = Instant::now();
    shared.open_window();
    tokio::time::sleep(Duration::from_secs(opts.seconds)).await;
    shared.close_window();
    let (sut1, tool1) = (pid.map_or(0, cpu_ticks), cpu_ticks(me));
    let busy1 = machine_busy_ticks();
    let wall = t0.elapsed().as_secs_f64();
    // Packets stamped in the window may still be on their way.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sut_stats = sut.stats().await;
    let call_seconds: f64 = set_up_at.iter().map(|t| t.elapsed().as_secs_f64()).sum();
    shared.stop.store(true, Ordering::Relaxed);
    let mut tallies: Vec<Tally> = Vec::with_capacity(n);
    for shard in shards {
        tallies.extend(shard.finish().await);
    }
    sut.stop().await;

    let ticks_per_s = 100.0;
    let mut dirs = Vec::new();
    let mut all = Vec::new();
    for d in [TO_TRUNK, TO_BROWSER] {
        let mut ns = Vec::new();
        let (mut sent, mut received) = (0, 0);
        for t in &tallies {
            sent += t.dirs[d].sent;
            received += t.dirs[d].received;
            ns.extend_from_slice(&t.dirs[d].latency_ns);
        }
        all.extend_from_slice(&ns);
        dirs.push(DirSummary {
            sent,
            received,
            lat: Lat::of(ns),
        });
    }
    let dirs: [DirSummary; 2] = dirs.try_into().unwrap_or_else(|_| unreachable!());
    let offered = (dirs[0].sent + dirs[1].sent) as f64 / (2.0 * n as f64 * 50.0 * wall);
    Measure {
        kind,
        calls: n,
        set_up,
        connected,
        first_error,
        sut_cpu: (sut1 - sut0) as f64 / ticks_per_s / wall,
        tool_cpu: (tool1 - tool0) as f64 / ticks_per_s / wall,
        other_cpu: (busy1 - busy0).saturating_sub((sut1 - sut0) + (tool1 - tool0)) as f64
            / ticks_per_s
            / wall,
        dirs,
        both: Lat::of(all),
        misrouted: tallies.iter().map(|t| t.misrouted).sum(),
        engine_failures: tallies.iter().filter(|t| t.failed).count(),
        load_before,
        sut_stats,
        offered,
        call_seconds,
    }
}

fn log_measure(m: &Measure) {
    let c = cores() as f64;
    eprintln!(
        "media-bridge: {} N={}: set up {}/{}, connected {}; CPU {:.1} % of {c} cores \
         ({:.3} % of a core per call), load tool {:.1} %; latency p50 {:.0} µs p99 {:.0} µs \
         p99.9 {:.0} µs max {:.0} µs; loss →trunk {:.3} % →browser {:.3} %; misrouted {}; \
         sent/due {:.1} %; load avg before {:.2}{}{}",
        m.kind.label(),
        m.calls,
        m.set_up,
        m.calls,
        m.connected,
        m.sut_cpu / c * 100.0,
        m.sut_cpu / m.calls as f64 * 100.0,
        m.tool_cpu / c * 100.0,
        m.both.p50,
        m.both.p99,
        m.both.p999,
        m.both.max,
        m.dirs[0].loss() * 100.0,
        m.dirs[1].loss() * 100.0,
        m.misrouted,
        m.offered * 100.0,
        m.load_before,
        m.first_error
            .as_ref()
            .map_or(String::new(), |e| format!("; first error: {e}")),
        if m.sut_stats.is_empty() {
            String::new()
        } else {
            format!("; bridge stats {}", m.sut_stats)
        },
    );
}

/// One step: the baseline and each system at the same N.
struct Step {
    base: Measure,
    relay: Measure,
    recorded: Option<Measure>,
    engine: Option<Measure>,
}

fn added(m: &Measure, base: &Measure) -> (f64, f64) {
    (m.both.p50 - base.both.p50, m.both.p99 - base.both.p99)
}

fn passes(m: &Measure, base: &Measure) -> bool {
    let (_, p99) = added(m, base);
    m.set_up == m.calls
        && m.connected == m.calls
        && m.sut_cpu / (cores() as f64) <= TARGET_CPU
        && p99 < TARGET_P99_US
        && m.worst_loss() <= MAX_LOSS
        && m.misrouted == 0
        && m.offered >= 0.99
}

/// A measurement taken while the load tool could not keep up: its CPU per
/// call counts fewer packets than a call carries.
fn fell_behind(m: &Measure) -> bool {
    m.offered < 0.99
}

/// How many calls would fit in the target share of both cores at the CPU
/// per call measured (`—` when the load fell behind).
fn capacity(m: &Measure) -> String {
    if fell_behind(m) || m.sut_cpu <= 0.0 {
        return "—".into();
    }
    let per_call = m.sut_cpu / m.calls as f64;
    format!("{:.0}", TARGET_CPU * cores() as f64 / per_call)
}

fn rtpengine_version() -> String {
    std::process::Command::new("rtpengine")
        .arg("--version")
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout).trim().to_string()
                + String::from_utf8_lossy(&o.stderr).trim()
        })
        .unwrap_or_default()
}

fn report(steps: &[Step], opts: &Opts, load_start: f64) -> String {
    let c = cores() as f64;
    let mut md = String::new();
    md.push_str("# Media bridge: concurrent bridged calls\n\n");
    md.push_str(&format!(
        "{} cores shared by everything (system under test and load tool). Each call: a str0m \
         WebRTC client (ICE, DTLS-SRTP, PCMA) ⇄ system under test ⇄ a plain RTP peer, one 20 ms \
         PCMA packet every 20 ms each way at real time. Window: {} s after {} s of warm-up; \
         calls set up at {} per second. CPU = utime + stime of the system under test's process \
         (all threads) over the window. Added latency = one-way latency percentile through the \
         system − the same percentile of the baseline (N plain UDP pairs sending the same \
         packets directly over loopback at the same N), both directions together. Target: ≥ 500 \
         calls at ≤ {:.0} % of both cores with added p99 < {:.0} ms (and every call up, ≤ 0.1 % \
         loss, the load tool keeping ≥ 99 % of the packets due). The load tool (one loop per \
         core, each with one socket for its browsers and one for its providers) runs on the \
         same cores and costs about as much CPU as the system under test: the latency of a step \
         whose system + load CPU nears 100 % of both cores is mostly waiting for a core, and \
         the CPU per call is the figure that carries over to a machine where the bridge runs \
         alone.\n\n",
        cores(),
        opts.seconds,
        opts.warmup,
        opts.setup_rate,
        TARGET_CPU * 100.0,
        TARGET_P99_US / 1000.0
    ));
    md.push_str(&format!(
        "relay: `callcard_relay::media::MediaBridge` (release build) alone in a child process, \
         tokio multi-thread runtime with {} workers. rtpengine: {} in userspace mode \
         (`--table=-1`), default threads, calls set up over ng with ICE force / DTLS passive \
         toward the browser and RTP/AVP toward the provider.\n\n",
        cores(),
        if opts.rtpengine {
            rtpengine_version()
        } else {
            "not run (--no-rtpengine)".into()
        }
    ));
    md.push_str(
        "| N | system | calls up | CPU % of both cores | CPU per call (% of one core) | calls in 70 % of both cores at that cost | added p50 | added p99 | loss →trunk / →browser | load tool CPU % | target |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for s in steps {
        let mut row = |m: &Measure, target: &str| {
            let (p50, p99) = added(m, &s.base);
            md.push_str(&format!(
                "| {} | {} | {}/{} | {:.1} | {:.3} | {} | {:.0} µs | {:.0} µs | {:.3} % / {:.3} % | {:.0} | {} |\n",
                m.calls,
                m.kind.label(),
                m.connected,
                m.calls,
                m.sut_cpu / c * 100.0,
                m.sut_cpu / m.calls as f64 * 100.0,
                capacity(m),
                p50,
                p99,
                m.dirs[0].loss() * 100.0,
                m.dirs[1].loss() * 100.0,
                m.tool_cpu / c * 100.0,
                target,
            ));
        };
        row(
            &s.relay,
            if passes(&s.relay, &s.base) {
                "met"
            } else {
                "missed"
            },
        );
        if let Some(e) = &s.engine {
            row(e, "");
        }
    }
    md.push_str("\n## Relay vs rtpengine\n\n");
    md.push_str(
        "| N | CPU per call relay / rtpengine | added p99 relay / rtpengine |\n|---:|---:|---:|\n",
    );
    for s in steps {
        match &s.engine {
            Some(e) if e.connected > 0 => {
                let ratio = (s.relay.sut_cpu / s.relay.calls as f64)
                    / (e.sut_cpu / e.calls as f64).max(f64::MIN_POSITIVE);
                md.push_str(&format!(
                    "| {} | {:.2}{} | {:.0} µs / {:.0} µs |\n",
                    s.relay.calls,
                    ratio,
                    if fell_behind(&s.relay) || fell_behind(e) {
                        " (the load fell behind: not comparable)"
                    } else {
                        ""
                    },
                    added(&s.relay, &s.base).1,
                    added(e, &s.base).1
                ));
            }
            Some(e) => md.push_str(&format!(
                "| {} | rtpengine connected no call: {} | |\n",
                s.relay.calls,
                e.first_error.as_deref().unwrap_or("?")
            )),
            None => md.push_str(&format!("| {} | not measured | |\n", s.relay.calls)),
        }
    }
    md.push_str(
        "\n## One-way latency by direction (raw, µs: p50 / p99 / p99.9 / max)\n\n\
         | N | system | browser → trunk | trunk → browser | misrouted | packets sent / due | other processes' CPU % of both cores | load avg before |\n\
         |---:|---|---|---|---:|---:|---:|---:|\n",
    );
    for s in steps {
        for m in [Some(&s.base), Some(&s.relay), s.engine.as_ref()]
            .into_iter()
            .flatten()
        {
            let d = |i: usize| {
                let l = m.dirs[i].lat;
                format!("{:.0} / {:.0} / {:.0} / {:.0}", l.p50, l.p99, l.p999, l.max)
            };
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {:.1} % | {:.0} | {:.2} |\n",
                m.calls,
                m.kind.label(),
                d(TO_TRUNK),
                d(TO_BROWSER),
                m.misrouted,
                m.offered * 100.0,
                m.other_cpu / c * 100.0,
                m.load_before
            ));
        }
    }
    let behind: Vec<String> = steps
        .iter()
        .flat_map(|s| [Some(&s.relay), s.engine.as_ref()])
        .flatten()
        .filter(|m| fell_behind(m))
        .map(|m| {
            format!(
                "{} at N={} ({:.0} %)",
                m.kind.label(),
                m.calls,
                m.offered * 100.0
            )
        })
        .collect();
    if !behind.is_empty() {
        md.push_str(&format!(
            "\nThe load tool fell behind (packets sent of those due) for {}: the cores were full, \
             its CPU per call and latency are not those of N full calls.\n",
            behind.join(", ")
        ));
    }
    if steps.iter().any(|s| s.recorded.is_some()) {
        md.push_str(
            "\n## Recording every call (same run)\n\nThe relay again at the same N, every call \
             recorded from its tap into a stereo MP3 (8 kHz, 32 kbit/s CBR, LAME), the tap read every \
             200 ms and the file written every second. Target: recording adds < 25 % to the bridge's CPU per call.\n\n\
             | N | CPU per call, relay | CPU per call, relay + recording | added | target | stored per minute of call |\n\
             |---:|---:|---:|---:|---|---:|\n",
        );
        for s in steps {
            let Some(r) = &s.recorded else { continue };
            let (plain, with) = (s.relay.cpu_per_call(), r.cpu_per_call());
            let added = (with / plain.max(f64::MIN_POSITIVE) - 1.0) * 100.0;
            md.push_str(&format!(
                "| {} | {:.3} % | {:.3} % | {added:+.0} % | {} | {} |\n",
                s.relay.calls,
                plain * 100.0,
                with * 100.0,
                if added < 25.0 { "met" } else { "NOT met" },
                r.recorded_per_minute()
                    .map_or("—".into(), |b| format!("{:.0} KB", b / 1000.0)),
            ));
        }
    }
    let problems: Vec<String> = steps
        .iter()
        .flat_map(|s| [Some(&s.relay), s.recorded.as_ref(), s.engine.as_ref()])
        .flatten()
        .filter(|m| m.first_error.is_some() || m.engine_failures > 0)
        .map(|m| {
            format!(
                "- {} N={}: {} calls failed to set up (first: {}), {} WebRTC engines failed\n",
                m.kind.label(),
                m.calls,
                m.calls - m.set_up,
                m.first_error.as_deref().unwrap_or("-"),
                m.engine_failures
            )
        })
        .collect();
    if !problems.is_empty() {
        md.push_str("\n## Failures\n\n");
        problems.iter().for_each(|p| md.push_str(p));
    }
    let best = steps
        .iter()
        .filter(|s| passes(&s.relay, &s.base))
        .map(|s| s.relay.calls)
        .max();
    md.push_str(&format!(
        "\nHighest N within the target: {}.\n",
        best.map_or("none".into(), |n| n.to_string())
    ));
    let measures: Vec<&Measure> = steps
        .iter()
        .flat_map(|s| {
            [
                Some(&s.base),
                Some(&s.relay),
                s.recorded.as_ref(),
                s.engine.as_ref(),
            ]
        })
        .flatten()
        .collect();
    let busiest = measures
        .iter()
        .map(|m| m.load_before)
        .fold(load_start, f64::max);
    let others = measures.iter().map(|m| m.other_cpu).fold(0.0, f64::max) / c * 100.0;
    md.push_str(&format!(
        "Other processes used at most {others:.0} % of both cores during a window{}. Load \
         average (1 min) at the start {load_start:.2}, highest before a measurement {busiest:.2} \
         (it also counts this run's own previous step).\n",
        if others > 10.0 {
            " — other work shared the cores, the figures are pessimistic"
        } else {
            ""
        }
    ));
    md
}

async fn bench(opts: Opts) {
    let work = tempfile::tempdir().expect("work dir");
    let have_rtpengine = opts.rtpengine
        && std::process::Command::new("rtpengine")
            .arg("--version")
            .output()
            .is_ok();
    if opts.rtpengine && !have_rtpengine {
        eprintln!("media-bridge: rtpengine is not installed; measuring the relay alone");
    }
    let load_start = load_average();
    eprintln!(
        "media-bridge: {} cores, load average {load_start:.2}, steps {:?}{}",
        cores(),
        opts.calls,
        if opts.extend {
            " and more while within the target"
        } else {
            ""
        }
    );
    let mut steps: Vec<Step> = Vec::new();
    let mut queue: std::collections::VecDeque<usize> = opts.calls.iter().copied().collect();
    let mut more = MORE_STEPS.iter().copied();
    while let Some(n) = queue.pop_front() {
        let base = measure(Kind::Baseline, n, &opts, work.path()).await;
        log_measure(&base);
        let relay = measure(Kind::Relay, n, &opts, work.path()).await;
        log_measure(&relay);
        let recorded = if opts.recording {
            let r = measure(Kind::RelayRecording, n, &opts, work.path()).await;
            log_measure(&r);
            Some(r)
        } else {
            None
        };
        let engine = if have_rtpengine {
            let e = measure(Kind::Rtpengine, n, &opts, work.path()).await;
            log_measure(&e);
            Some(e)
        } else {
            None
        };
        let ok = passes(&relay, &base);
        steps.push(Step {
            base,
            relay,
            recorded,
            engine,
        });
        if queue.is_empty() && opts.extend && ok {
            if let Some(next) = more.find(|&m| m > n) {
                queue.push_back(next);
            }
        }
        // Leave a bit of time for closed sockets and ports to settle.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let md = report(&steps, &opts, load_start);
    print!("{md}");
    if let Some(dir) = opts.out.parent() {
        std::fs::create_dir_all(dir).expect("figures dir");
    }
    std::fs::write(&opts.out, &md).expect("write figures");
    eprintln!("media-bridge: figures written to {}", opts.out.display());
    if opts.rtpengine && have_rtpengine {
        // rtpengine's logs stay for a look when a step failed.
        if steps
            .iter()
            .any(|s| s.engine.as_ref().is_some_and(|e| e.connected < e.calls))
        {
            let keep = work.keep();
            eprintln!("media-bridge: rtpengine logs kept in {}", keep.display());
        }
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Some(ports) = arg("--bridge-server") {
        let ports = callcard_relay::media::MediaConfig::parse_ports(&ports).expect("port range");
        let record = arg("--record").map(std::path::PathBuf::from);
        runtime.block_on(server::serve(ports, record));
        return;
    }
    runtime.block_on(bench(Opts::parse()));
}
