//! Load tool: N browsers' SIP-over-WebSocket registrations held by one relay
//! process. Starts the release relay on a temporary database, opens N `/sip`
//! sockets with one web session, REGISTERs each with digest (401, then 200),
//! holds them, and reports the relay's resident memory and CPU use.
//!
//! `cargo xtask bench` runs it; figures go to `target/bench-figures/ws_registrations.txt`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use callcard_shared::sip::ua::Event;
use callcard_tests::sip_phone::WsPhone;
use tokio::sync::Semaphore;

const SIP_PASSWORD: &str = "load-test-password-0001";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// (resident KiB, user+system CPU ticks) of `pid`.
fn usage(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces, so split after ')').
    let rest: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = rest
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + rest
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
    (rss, ticks)
}

#[tokio::main]
async fn main() {
    let connections: usize = arg("--connections")
        .map(|n| n.parse().expect("--connections N"))
        .unwrap_or(10_000);
    let root = callcard_tests::repo_root();
    let relay_bin = arg("--relay")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/callcard-relay"));
    assert!(
        relay_bin.is_file(),
        "{} is missing: cargo build --release -p callcard-relay",
        relay_bin.display()
    );
    let data = tempfile::tempdir().expect("data dir");
    let config = data.path().join("callcard.toml");
    std::fs::write(
        &config,
        format!(
            "[[sip_users]]\nlogin = \"anna\"\nextension = \"101\"\npassword = \"{SIP_PASSWORD}\"\n"
        ),
    )
    .expect("config");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let mut relay = Command::new(&relay_bin)
        .args(["--demo", "--listen", &addr.to_string()])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--config")
        .arg(&config)
        .args([
            "--sip-listen",
            "127.0.0.1:0",
            "--static-dir",
            "/nonexistent",
        ])
        .env("CALLCARD_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start the relay");
    let pid = relay.id();
    let http = reqwest::Client::new();
    let cookie = loop {
        if let Ok(response) = http
            .post(format!("http://{addr}/api/login"))
            .json(&serde_json::json!({"login": "anna", "password": "demo"}))
            .send()
            .await
        {
            let set = response.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .to_string();
            break set.split(';').next().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (idle_rss, _) = usage(pid);

    let started = Instant::now();
    let (_, ticks_before) = usage(pid);
    let limit = Arc::new(Semaphore::new(256));
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let limit = limit.clone();
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.unwrap();
            let mut phone = WsPhone::connect(addr, Some(&cookie), "callcard_101", SIP_PASSWORD)
                .await
                .expect("upgrade");
            let outcome = phone.register().await;
            assert!(matches!(outcome, Event::Registered { .. }), "{outcome:?}");
            phone
        }));
    }
    let mut phones = Vec::with_capacity(connections);
    for task in tasks {
        phones.push(task.await.expect("a registration"));
    }
    let register_time = started.elapsed();
    let (_, ticks_after) = usage(pid);
    // Hold them all for 30 s (the relay pings each socket every 25 s).
    tokio::time::sleep(Duration::from_secs(30)).await;
    let (held_rss, ticks_held) = usage(pid);
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let register_cpu = (ticks_after - ticks_before) as f64 / ticks_per_s;
    let hold_cpu_pct = (ticks_held - ticks_after) as f64 / ticks_per_s / 30.0 * 100.0;
    let report = format!(
        "ws_registrations: {connections} WebSocket SIP registrations (digest, one socket each) held by one relay\n\
         relay RSS idle before: {:.1} MB\n\
         relay RSS holding {connections}: {:.1} MB (target < 200 MB)\n\
         per registration: {:.1} KB\n\
         time to register all (256 in flight): {:.1} s = {:.0} registrations/s\n\
         relay CPU while registering: {register_cpu:.1} s\n\
         relay CPU while holding (30 s, pings every 25 s): {hold_cpu_pct:.1} % of one core\n",
        idle_rss as f64 / 1024.0,
        held_rss as f64 / 1024.0,
        (held_rss.saturating_sub(idle_rss)) as f64 / connections as f64,
        register_time.as_secs_f64(),
        connections as f64 / register_time.as_secs_f64(),
    );
    print!("{report}");
    let figures = root.join("target/bench-figures");
    std::fs::create_dir_all(&figures).expect("figures dir");
    std::fs::write(figures.join("ws_registrations.txt"), report).expect("write figures");
    drop(phones);
    let _ = relay.kill();
    let _ = relay.wait();
}
