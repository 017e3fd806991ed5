//! The telephony suites' common ground: a relay with a signed-in admin, a
//! trunk toward a SIPp (or any) provider, telephony users with registered
//! WebSocket phones, and the call log read back.

use std::time::Duration;

use callcard_shared::sip::ua::Event;
use serde_json::{json, Value};

use crate::sip_phone::WsPhone;
use crate::sipp::Sipp;
use crate::{get_json, TestRelay};

pub const WAIT: Duration = Duration::from_secs(10);
/// Ivan Petrov's number (demo contact 1, responsible manager Anna).
pub const IVAN: &str = "+74951234567";

pub async fn create_trunk(relay: &TrunkTest, sipp: &Sipp, password: &str, register: bool) -> i64 {
    create_trunk_over(relay, sipp.addr, password, register, "udp").await
}

pub async fn create_trunk_over(
    relay: &TrunkTest,
    host: std::net::SocketAddr,
    password: &str,
    register: bool,
    transport: &str,
) -> i64 {
    let response = relay
        .admin
        .post(relay.relay.url("/api/trunks"))
        .json(&json!({
            "name": format!("Provider {}", host.port()),
            "number": "+74950000000",
            "username": "trunkuser",
            "password": password,
            "domain": "sipp.test",
            "host": host.to_string(),
            "transport": transport,
            "register": register,
            "expires": 120,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

pub struct TrunkTest {
    pub relay: TestRelay,
    pub admin: reqwest::Client,
}

pub async fn setup() -> TrunkTest {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    TrunkTest { relay, admin }
}

pub async fn trunk_status(t: &TrunkTest, id: i64, until: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let trunk: Value = get_json(&t.admin, t.relay.url(&format!("/api/trunks/{id}"))).await;
        if until(&trunk["status"]) || tokio::time::Instant::now() > deadline {
            return trunk["status"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Creates a telephony user for `login`; returns (sip login, password).
pub async fn sip_user(t: &TrunkTest, login: &str) -> (String, String) {
    let users: Value = get_json(&t.admin, t.relay.url("/api/users")).await;
    let user_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == login)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = t
        .admin
        .post(t.relay.url("/api/sip-users"))
        .json(&json!({ "user_id": user_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let creds: Value = response.json().await.unwrap();
    (
        creds["sip_login"].as_str().unwrap().to_string(),
        creds["sip_password"].as_str().unwrap().to_string(),
    )
}

pub async fn registered_phone(t: &TrunkTest, login: &str) -> WsPhone {
    let (sip_login, password) = sip_user(t, login).await;
    let cookie = t.relay.session_cookie(login).await;
    let mut phone = WsPhone::connect(t.relay.addr, Some(&cookie), &sip_login, &password)
        .await
        .expect("upgrade");
    let outcome = phone.register().await;
    assert!(matches!(outcome, Event::Registered { .. }), "{outcome:?}");
    phone
}

/// Calls Ivan Petrov; the provider answers and hangs up.
pub async fn talk_until_the_callee_hangs_up(phone: &mut WsPhone) {
    let call = phone.call(IVAN, None).await;
    phone
        .wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await;
    phone
        .wait_for(
            "the callee's BYE",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
        )
        .await;
}

/// The newest call record, once it is closed.
pub async fn last_call(t: &TrunkTest) -> Value {
    // What the switch did before the test saw its answer is on disk.
    t.relay.state().telephony.records_written().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let page: Value = get_json(&t.admin, t.relay.url("/api/calls?limit=1")).await;
        let call = page["items"][0].clone();
        if !call["ended_at"].is_null() || tokio::time::Instant::now() > deadline {
            return call;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The relay's SIP address for desk phones (UDP and TCP share the port).
/// Call `id` once its recording is closed: the record has the recording's
/// length, or says why there is none (it waits up to [`WAIT`]).
pub async fn recorded_call(t: &TrunkTest, id: i64) -> Value {
    let url = t.relay.url(&format!("/api/calls/{id}"));
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let record = get_json(&t.admin, url.clone()).await;
        let closed = !record["recording_seconds"].is_null() || !record["recording_note"].is_null();
        if closed || tokio::time::Instant::now() > deadline {
            return record;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn sip_address(t: &TrunkTest) -> std::net::SocketAddr {
    *t.relay
        .state()
        .telephony
        .sip_addr
        .get()
        .expect("the SIP address is bound")
}
