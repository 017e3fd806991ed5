//! Trunk registration against an independent registrar: Kamailio with digest
//! auth (`tests/kamailio/registrar.cfg`). The right password shows the trunk
//! `registered` in `GET /api/trunks`, a wrong one `failed` naming wrong
//! credentials.

use std::time::Duration;

use callcard_tests::kamailio::{self, Kamailio};
use callcard_tests::{get_json, TestRelay};
use serde_json::{json, Value};

/// How long a trunk may stay `pending` (one REGISTER, a challenge, an answer).
const WAIT: Duration = Duration::from_secs(10);

/// Creates a trunk registering at `registrar` as the registrar's user with `password`.
async fn create_trunk(
    relay: &TestRelay,
    admin: &reqwest::Client,
    registrar: &Kamailio,
    password: &str,
) -> i64 {
    let response = admin
        .post(relay.url("/api/trunks"))
        .json(&json!({
            "name": format!("Kamailio {}", registrar.addr.port()),
            "number": "+74950000001",
            "username": kamailio::REGISTRAR_USER,
            "password": password,
            "domain": "kamailio.test",
            "host": registrar.addr.to_string(),
            "register": true,
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

/// Polls `GET /api/trunks` until trunk `id` leaves `pending`; panics with the
/// last status and Kamailio's log when it does not within [`WAIT`].
async fn settled_status(
    relay: &TestRelay,
    admin: &reqwest::Client,
    id: i64,
    registrar: &Kamailio,
) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let trunks: Value = get_json(admin, relay.url("/api/trunks")).await;
        let status = trunks
            .as_array()
            .expect("a list of trunks")
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("trunk {id} is listed: {trunks}"))["status"]
            .clone();
        if status["state"] != "pending" {
            return status;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "trunk {id} still {status} after {WAIT:?}; Kamailio's log:\n{}",
            registrar.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_trunk_registers_at_kamailio_with_the_right_password() {
    let registrar = Kamailio::registrar();
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let id = create_trunk(&relay, &admin, &registrar, kamailio::REGISTRAR_PASSWORD).await;
    let status = settled_status(&relay, &admin, id, &registrar).await;
    assert_eq!(
        status["state"],
        "registered",
        "{status}; Kamailio's log:\n{}",
        registrar.log()
    );
    assert!(status.get("reason").is_none(), "{status}");
}

#[tokio::test]
async fn a_trunk_with_a_wrong_password_shows_failed_with_wrong_credentials() {
    let registrar = Kamailio::registrar();
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let id = create_trunk(&relay, &admin, &registrar, "not-the-password").await;
    let status = settled_status(&relay, &admin, id, &registrar).await;
    assert_eq!(
        status["state"],
        "failed",
        "{status}; Kamailio's log:\n{}",
        registrar.log()
    );
    // Kamailio challenges a wrong digest answer again (401), as most
    // providers do; a few answer 403. Either names wrong credentials.
    let reason = status["reason"].as_str().expect("a reason");
    assert!(
        reason == "wrong credentials (401)" || reason == "wrong credentials (403)",
        "{reason}"
    );
}
