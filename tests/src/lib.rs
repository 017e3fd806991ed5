//! Test harness: a real relay on a temporary SQLite file, on a free loopback
//! port, stopped when the handle drops.

pub mod browser;
pub mod calls;
pub mod child_relay;
pub mod events;
pub mod kamailio;
pub mod logs;
pub mod provider_peer;
pub mod recordings;
pub mod sip_phone;
pub mod sipp;
pub mod softphone;
pub mod telephony;
pub mod webrtc_peer;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use callcard_relay::config::Config;
use callcard_relay::state::AppState;
use callcard_relay::Relay;
use tokio::sync::oneshot;

pub struct TestRelay {
    pub addr: SocketAddr,
    pub data: tempfile::TempDir,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestRelay {
    /// A relay with the demo data, serving `static_dir` as the frontend.
    pub async fn start_with(static_dir: &Path) -> TestRelay {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = Config::with_data_dir(data.path());
        config.demo = true;
        config.static_dir = static_dir.to_path_buf();
        Self::start_config(config, data).await
    }

    /// A relay with the demo data and no frontend.
    pub async fn start() -> TestRelay {
        Self::start_with(Path::new("/nonexistent-dist")).await
    }

    pub async fn start_config(config: Config, data: tempfile::TempDir) -> TestRelay {
        let relay = Relay::start(config).await.expect("relay starts");
        let addr = relay.local_addr().expect("bound");
        let state = relay.state.clone();
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(relay.serve(async {
            let _ = stopped.await;
        }));
        TestRelay {
            addr,
            data,
            state,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A client with its own cookie jar (a browser profile of its own).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client")
    }

    /// A client signed in as `login` (demo password).
    pub async fn signed_in(&self, login: &str) -> reqwest::Client {
        let client = self.client();
        let response = client
            .post(self.url("/api/login"))
            .json(&serde_json::json!({"login": login, "password": "demo"}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "login as {login}");
        client
    }

    /// Signs in as `login` and returns the session cookie as `name=value`,
    /// for clients that are not reqwest (WebSocket).
    pub async fn session_cookie(&self, login: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/api/login"))
            .json(&serde_json::json!({"login": login, "password": "demo"}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "login as {login}");
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .expect("a session cookie")
            .to_str()
            .expect("ascii cookie");
        set_cookie
            .split(';')
            .next()
            .expect("name=value")
            .to_string()
    }

    /// The running relay's state: its database pool and telephony status, for
    /// writing what only the SIP runtime writes (call records, trunk status).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn database_file(&self) -> PathBuf {
        self.data.path().join("callcard.sqlite")
    }

    /// Stops the relay gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("relay task").expect("relay served");
        }
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// GETs `url` with `client`'s session and returns the JSON body.
pub async fn get_json(client: &reqwest::Client, url: String) -> serde_json::Value {
    let response = client.get(&url).send().await.expect("GET request");
    response
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
}

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root")
        .to_path_buf()
}

/// The id of the access group `name` (`GET /api/groups` as an administrator).
pub async fn group_id(admin: &reqwest::Client, relay: &TestRelay, name: &str) -> i64 {
    let groups = get_json(admin, relay.url("/api/groups")).await;
    groups
        .as_array()
        .and_then(|list| list.iter().find(|g| g["name"] == name))
        .and_then(|g| g["id"].as_i64())
        .unwrap_or_else(|| panic!("no access group {name}: {groups}"))
}
