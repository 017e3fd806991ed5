//! Reads `GET /api/events` (Server-Sent Events) the way the browser's
//! EventSource does: `event:` and `data:` lines, blank-line separated.

use std::time::Duration;

use serde_json::Value;

pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// Opens the stream with `client`'s session.
    pub async fn open(client: &reqwest::Client, url: &str) -> EventStream {
        let response = client.get(url).send().await.expect("events request");
        assert_eq!(response.status(), 200, "the event stream opens");
        EventStream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event not named in `skip` (e.g. `call_record`, which every
    /// call on the user's phone sends); panics naming `what` like [`Self::next`].
    pub async fn next_except(
        &mut self,
        skip: &[&str],
        what: &str,
        within: Duration,
    ) -> (String, Value) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let (name, data) = self.next(what, left).await;
            if !skip.contains(&name.as_str()) {
                return (name, data);
            }
        }
    }

    /// The next event `(name, data)`, skipping keep-alive comments; panics
    /// naming `what` if none arrives within `within`.
    pub async fn next(&mut self, what: &str, within: Duration) -> (String, Value) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                let value = serde_json::from_str(&data).expect("event data is JSON");
                return (name, value);
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {what} within {within:?}"))
                .expect("event stream read")
                .unwrap_or_else(|| panic!("the event stream ended before {what}"));
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
