//! The anchor: Sipwise rtpengine (Debian's `rtpengine-daemon`) in userspace
//! mode (`--table=-1`) on loopback, driven over its bencode "ng" control
//! protocol on UDP. Per call: `offer` with the browser's SDP (converted to
//! plain RTP/AVP for the provider: ICE removed, rtcp-mux demuxed), then
//! `answer` with the provider's SDP (converted back to WebRTC for the browser:
//! ICE forced, DTLS passive so the browser is the DTLS client, as with the
//! relay).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::net::UdpSocket;

/// A bencode value (what the ng protocol speaks).
#[derive(Debug, Clone, PartialEq)]
pub enum B {
    Int(i64),
    Str(Vec<u8>),
    List(Vec<B>),
    Dict(Vec<(Vec<u8>, B)>),
}

impl B {
    pub fn s(text: &str) -> B {
        B::Str(text.as_bytes().to_vec())
    }

    pub fn list(items: &[&str]) -> B {
        B::List(items.iter().map(|i| B::s(i)).collect())
    }

    pub fn dict(entries: Vec<(&str, B)>) -> B {
        let mut entries: Vec<(Vec<u8>, B)> = entries
            .into_iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        B::Dict(entries)
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            B::Int(i) => out.extend_from_slice(format!("i{i}e").as_bytes()),
            B::Str(s) => {
                out.extend_from_slice(format!("{}:", s.len()).as_bytes());
                out.extend_from_slice(s);
            }
            B::List(items) => {
                out.push(b'l');
                items.iter().for_each(|i| i.encode(out));
                out.push(b'e');
            }
            B::Dict(entries) => {
                out.push(b'd');
                for (k, v) in entries {
                    B::Str(k.clone()).encode(out);
                    v.encode(out);
                }
                out.push(b'e');
            }
        }
    }

    /// Decodes one value from the front of `buf`; returns it and the rest.
    pub fn decode(buf: &[u8]) -> Option<(B, &[u8])> {
        match *buf.first()? {
            b'i' => {
                let end = buf.iter().position(|&c| c == b'e')?;
                let n = std::str::from_utf8(&buf[1..end]).ok()?.parse().ok()?;
                Some((B::Int(n), &buf[end + 1..]))
            }
            b'l' => {
                let mut rest = &buf[1..];
                let mut items = Vec::new();
                while *rest.first()? != b'e' {
                    let (item, r) = B::decode(rest)?;
                    items.push(item);
                    rest = r;
                }
                Some((B::List(items), &rest[1..]))
            }
            b'd' => {
                let mut rest = &buf[1..];
                let mut entries = Vec::new();
                while *rest.first()? != b'e' {
                    let (B::Str(k), r) = B::decode(rest)? else {
                        return None;
                    };
                    let (v, r) = B::decode(r)?;
                    entries.push((k, v));
                    rest = r;
                }
                Some((B::Dict(entries), &rest[1..]))
            }
            b'0'..=b'9' => {
                let colon = buf.iter().position(|&c| c == b':')?;
                let len: usize = std::str::from_utf8(&buf[..colon]).ok()?.parse().ok()?;
                let body = buf.get(colon + 1..colon + 1 + len)?;
                Some((B::Str(body.to_vec()), &buf[colon + 1 + len..]))
            }
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&B> {
        match self {
            B::Dict(entries) => entries
                .iter()
                .find(|(k, _)| k == key.as_bytes())
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<String> {
        match self {
            B::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            _ => None,
        }
    }
}

/// rtpengine 10.5 keeps the browser's `a=mid` in its answer but drops the
/// session's `a=group:BUNDLE`, which str0m then refuses as inconsistent
/// (Chromium accepts it). The signalling puts the group back: one audio
/// section, so the group is just its mid. Media handling is not affected.
fn with_bundle_group(sdp: &str) -> String {
    let mid = sdp
        .lines()
        .find_map(|l| l.trim().strip_prefix("a=mid:"))
        .map(str::to_string);
    match mid {
        Some(mid) if !sdp.contains("a=group:") => {
            let mut out = String::with_capacity(sdp.len() + 32);
            for line in sdp.split_inclusive('\n') {
                out.push_str(line);
                if line.starts_with("t=") {
                    out.push_str(&format!("a=group:BUNDLE {mid}\r\n"));
                }
            }
            out
        }
        _ => sdp.to_string(),
    }
}

/// A running rtpengine and an ng client for it.
pub struct Rtpengine {
    child: Child,
    ng: UdpSocket,
    server: SocketAddr,
    cookie: u64,
    /// Distinguishes this process's calls from an earlier run's.
    run: String,
}

impl Rtpengine {
    /// Starts `rtpengine` on 127.0.0.1 with media ports `ports` ("LO-HI"),
    /// its log in `log`; waits until it answers `ping`.
    pub async fn start(ports: &str, log: &Path) -> Result<Rtpengine, String> {
        let ng_port = std::net::UdpSocket::bind("127.0.0.1:0")
            .and_then(|s| s.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let (lo, hi) = ports.split_once('-').ok_or("ports: LO-HI")?;
        let log_file = std::fs::File::create(log).map_err(|e| e.to_string())?;
        let child = Command::new("rtpengine")
            .args([
                "--config-file=none",
                "--foreground",
                "--log-stderr",
                "--log-level=4",
                "--table=-1",
                "--interface=127.0.0.1",
                &format!("--listen-ng=127.0.0.1:{ng_port}"),
                &format!("--port-min={lo}"),
                &format!("--port-max={hi}"),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("start rtpengine: {e}"))?;
        let ng = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| e.to_string())?;
        let mut engine = Rtpengine {
            child,
            ng,
            server: SocketAddr::from((Ipv4Addr::LOCALHOST, ng_port)),
            cookie: 0,
            run: format!("{}-{ng_port}", std::process::id()),
        };
        for _ in 0..50 {
            if engine
                .request(B::dict(vec![("command", B::s("ping"))]))
                .await
                .is_ok()
            {
                return Ok(engine);
            }
            if let Ok(Some(status)) = engine.child.try_wait() {
                return Err(format!(
                    "rtpengine exited ({status}): see {}",
                    log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "rtpengine did not answer ping: see {}",
            log.display()
        ))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// One ng request; `Err` on a timeout or a `result` other than ok/pong.
    pub async fn request(&mut self, message: B) -> Result<B, String> {
        self.cookie += 1;
        let cookie = format!("{}_{}", self.run, self.cookie);
        let mut packet = format!("{cookie} ").into_bytes();
        message.encode(&mut packet);
        let mut buf = vec![0u8; 65536];
        for _ in 0..3 {
            self.ng
                .send_to(&packet, self.server)
                .await
                .map_err(|e| e.to_string())?;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
            loop {
                let Ok(r) = tokio::time::timeout_at(deadline, self.ng.recv_from(&mut buf)).await
                else {
                    break;
                };
                let (n, _) = r.map_err(|e| e.to_string())?;
                let Some(body) = buf[..n].strip_prefix(format!("{cookie} ").as_bytes()) else {
                    continue; // a late answer to an earlier retry
                };
                let (reply, _) = B::decode(body).ok_or("rtpengine: undecodable reply")?;
                let result = reply.get("result").and_then(B::text).unwrap_or_default();
                return match result.as_str() {
                    "ok" | "pong" => Ok(reply),
                    _ => Err(format!(
                        "rtpengine: {result}: {}",
                        reply
                            .get("error-reason")
                            .and_then(B::text)
                            .unwrap_or_default()
                    )),
                };
            }
        }
        Err("rtpengine: no answer".into())
    }

    /// `offer` (browser SDP → SDP for the provider), then `answer` (the
    /// provider's SDP → SDP for the browser). Returns `(browser answer,
    /// provider offer)`.
    pub async fn setup(
        &mut self,
        id: usize,
        offer: &str,
        provider_answer: &str,
    ) -> Result<(String, String), String> {
        let call_id = format!("bench-{}-{id}", self.run);
        let from_tag = format!("browser-{id}");
        let reply = self
            .request(B::dict(vec![
                ("command", B::s("offer")),
                ("call-id", B::s(&call_id)),
                ("from-tag", B::s(&from_tag)),
                ("sdp", B::s(offer)),
                ("transport-protocol", B::s("RTP/AVP")),
                ("ICE", B::s("remove")),
                ("rtcp-mux", B::list(&["demux"])),
            ]))
            .await?;
        let trunk_offer = reply.get("sdp").and_then(B::text).ok_or("offer: no sdp")?;
        let reply = self
            .request(B::dict(vec![
                ("command", B::s("answer")),
                ("call-id", B::s(&call_id)),
                ("from-tag", B::s(&from_tag)),
                ("to-tag", B::s(&format!("provider-{id}"))),
                ("sdp", B::s(provider_answer)),
                ("transport-protocol", B::s("UDP/TLS/RTP/SAVPF")),
                ("ICE", B::s("force")),
                ("DTLS", B::s("passive")),
                ("rtcp-mux", B::list(&["accept"])),
            ]))
            .await?;
        let answer = reply.get("sdp").and_then(B::text).ok_or("answer: no sdp")?;
        Ok((with_bundle_group(&answer), trunk_offer))
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::B;

    #[test]
    fn bencode_round_trip() {
        let v = B::dict(vec![
            ("command", B::s("offer")),
            ("flags", B::list(&["a", "b"])),
            ("n", B::Int(-3)),
        ]);
        let mut out = Vec::new();
        v.encode(&mut out);
        assert_eq!(out, b"d7:command5:offer5:flagsl1:a1:be1:ni-3ee".to_vec());
        let (back, rest) = B::decode(&out).unwrap();
        assert!(rest.is_empty());
        assert_eq!(back, v);
    }
}
