//! The relay's media bridge in a process of its own, so its CPU can be read
//! from /proc apart from the load. `media-bridge-load --bridge-server PORTS`
//! runs `callcard_relay::media::MediaBridge` on 127.0.0.1 in a tokio runtime
//! built like the relay's (multi-thread, one worker per core) and takes one
//! JSON request per line on stdin, answering one line on stdout:
//!
//! - `{"op":"offer","id":N,"sdp":BROWSER_OFFER}` →
//!   `{"id":N,"answer":BROWSER_ANSWER,"trunk_offer":SDP}` (`for_browser_offer`)
//! - `{"op":"answer","id":N,"sdp":PROVIDER_ANSWER}` → `{"id":N}` (`trunk_answer`)
//! - `{"op":"stats"}` → the calls' `MediaStats` summed, how many ended, and
//!   (`--record DIR`: every answered call recorded into DIR) the bytes of
//!   recording written so far
//!
//! Failures answer `{"error":TEXT}`. End of stdin ends every call and the process.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Stdio;

use callcard_relay::media::{CallMedia, MediaBridge, MediaConfig};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The child's side: serves requests until stdin closes.
pub async fn serve(ports: std::ops::RangeInclusive<u16>, record: Option<std::path::PathBuf>) {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let media = MediaBridge::new(MediaConfig::new(ip, None, ports)).expect("media bridge");
    let mut calls: HashMap<u64, CallMedia> = HashMap::new();
    let mut recorders = Vec::new();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    while let Ok(Some(line)) = lines.next_line().await {
        let request: Value = serde_json::from_str(&line).unwrap_or_default();
        let id = request["id"].as_u64().unwrap_or(0);
        let sdp = request["sdp"].as_str().unwrap_or_default();
        let reply = match request["op"].as_str() {
            Some("offer") => match media.for_browser_offer(sdp) {
                Ok((call, answer, trunk_offer)) => {
                    calls.insert(id, call);
                    json!({"id": id, "answer": answer, "trunk_offer": trunk_offer})
                }
                Err(e) => json!({"id": id, "error": e.to_string()}),
            },
            Some("answer") => match calls.get(&id) {
                Some(call) => match call.trunk_answer(sdp) {
                    Ok(()) => {
                        if let Some(dir) = &record {
                            // Recorded as the relay records an answered call.
                            let (pause, paused) = tokio::sync::watch::channel(false);
                            let path = callcard_relay::recording::new_path();
                            let (dir, tap) = (dir.clone(), call.tap());
                            recorders.push(pause);
                            tokio::spawn(async move {
                                callcard_relay::recording::record_into(&dir, path, tap, paused)
                                    .await
                            });
                        }
                        json!({"id": id})
                    }
                    Err(e) => json!({"id": id, "error": e.to_string()}),
                },
                None => json!({"id": id, "error": "no such call"}),
            },
            Some("stats") => {
                let mut sum = [0u64; 8];
                let mut ended: Vec<String> = Vec::new();
                for call in calls.values() {
                    let s = call.stats();
                    for (acc, v) in sum.iter_mut().zip([
                        s.browser_rtp_in,
                        s.browser_rtp_out,
                        s.trunk_rtp_in,
                        s.trunk_rtp_out,
                        s.dropped,
                        s.browser_garbage + s.trunk_garbage,
                        s.browser_srtp_rejected,
                        s.transcoded,
                    ]) {
                        *acc += v;
                    }
                    if let Some(cause) = call.end_cause() {
                        ended.push(cause.as_str().to_string());
                    }
                }
                let recorded_bytes: u64 = record
                    .as_ref()
                    .and_then(|dir| std::fs::read_dir(dir.join("recordings")).ok())
                    .map(|files| {
                        files
                            .filter_map(|f| f.ok()?.metadata().ok())
                            .map(|m| m.len())
                            .sum()
                    })
                    .unwrap_or(0);
                json!({
                    "recorded_bytes": recorded_bytes,
                    "browser_rtp_in": sum[0], "browser_rtp_out": sum[1],
                    "trunk_rtp_in": sum[2], "trunk_rtp_out": sum[3],
                    "dropped": sum[4], "garbage": sum[5], "srtp_rejected": sum[6],
                    "transcoded": sum[7], "ended": ended.len(),
                    "first_end_cause": ended.first(),
                })
            }
            _ => json!({"id": id, "error": format!("unknown request {line:?}")}),
        };
        let mut text = reply.to_string();
        text.push('\n');
        if out.write_all(text.as_bytes()).await.is_err() || out.flush().await.is_err() {
            break;
        }
    }
    drop(calls);
}

/// The load's side: the child process and its request pipe.
pub struct BridgeServer {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl BridgeServer {
    /// The bridge in a child process; with `record`, every answered call
    /// is recorded into that directory.
    pub fn start(ports: &str, record: Option<&std::path::Path>) -> BridgeServer {
        let exe = std::env::current_exe().expect("own executable");
        let mut command = Command::new(exe);
        command.args(["--bridge-server", ports]);
        if let Some(dir) = record {
            command.arg("--record").arg(dir);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the bridge server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        BridgeServer {
            child,
            stdin,
            stdout,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    pub async fn ask(&mut self, request: Value) -> Result<Value, String> {
        let mut text = request.to_string();
        text.push('\n');
        self.stdin
            .write_all(text.as_bytes())
            .await
            .map_err(|e| format!("bridge server: {e}"))?;
        let line = self
            .stdout
            .next_line()
            .await
            .map_err(|e| format!("bridge server: {e}"))?
            .ok_or("bridge server exited")?;
        let reply: Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        match reply["error"].as_str() {
            Some(e) => Err(e.to_string()),
            None => Ok(reply),
        }
    }

    /// Browser offer in; `(browser answer, trunk offer)` out, with the
    /// provider's answer applied.
    pub async fn setup(
        &mut self,
        id: usize,
        offer: &str,
        provider_answer: &str,
    ) -> Result<(String, String), String> {
        let r = self
            .ask(json!({"op": "offer", "id": id, "sdp": offer}))
            .await?;
        let answer = r["answer"].as_str().unwrap_or_default().to_string();
        let trunk_offer = r["trunk_offer"].as_str().unwrap_or_default().to_string();
        self.ask(json!({"op": "answer", "id": id, "sdp": provider_answer}))
            .await?;
        Ok((answer, trunk_offer))
    }

    /// Ends every call (stdin closes) and waits for the process.
    pub async fn stop(mut self) {
        drop(self.stdin);
        let wait = tokio::time::timeout(std::time::Duration::from_secs(10), self.child.wait());
        if wait.await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}
