//! Admin controls: limits on outbound calls enforced by the relay, turning
//! telephony off, dialling a masked number by its phone reference, and
//! automatic telephony users per access group. A Rust provider peer is the
//! far end of the trunk (it records every INVITE it receives).

use std::time::Duration;

use callcard_shared::masking::contains_digits_of;
use callcard_shared::sip::ua::{CallHandle, Event};
use callcard_tests::get_json;
use callcard_tests::provider_peer::{CallState, ProviderPeer};
use callcard_tests::sip_phone::WsPhone;
use callcard_tests::telephony::{
    create_trunk_over, last_call, registered_phone, setup, sip_address, sip_user, trunk_status,
    TrunkTest, IVAN, WAIT,
};
use serde_json::{json, Value};

/// A Berlin number: the default rules (region RU) class it international.
const BERLIN: &str = "+4930901820";

/// A provider peer and a trunk to it, ready for calls.
async fn provider_trunk(t: &TrunkTest, password: &str) -> ProviderPeer {
    let provider = ProviderPeer::start().await;
    let trunk = create_trunk_over(t, provider.sip_addr(), password, false, "udp").await;
    let status = trunk_status(t, trunk, |s| s["state"] == "not_registering").await;
    assert_eq!(status["state"], "not_registering", "{status}");
    provider
}

async fn put_limits(t: &TrunkTest, limits: Value) {
    let saved = t
        .admin
        .put(t.relay.url("/api/limits"))
        .json(&limits)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
}

/// Calls `number` and waits for the answer.
async fn answered_call(phone: &mut WsPhone, number: &str) -> CallHandle {
    let call = phone.call(number, None).await;
    phone
        .wait_for(
            "the answer",
            WAIT,
            |e| matches!(e, Event::Answered { call: c, .. } if *c == call),
        )
        .await;
    call
}

/// Hangs up an answered call and waits until the provider saw the BYE.
async fn hang_up(phone: &mut WsPhone, provider: &ProviderPeer, call: CallHandle) {
    phone.hang_up(call).await;
    phone
        .wait_for(
            "the end of the call",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, .. } if *c == call),
        )
        .await;
    provider
        .expect("the BYE", WAIT, |s| s.call == CallState::Ended)
        .await;
}

/// Calls `number` and expects the relay's 403 with `reason`; the refused
/// record says the same and the provider saw no INVITE for it.
async fn refused(
    t: &TrunkTest,
    phone: &mut WsPhone,
    provider: &ProviderPeer,
    number: &str,
    reason: &str,
) {
    let invites = provider.invites_received().len();
    let call = phone.call(number, None).await;
    let failed = phone
        .wait_for(
            "the refusal",
            WAIT,
            |e| matches!(e, Event::Failed { call: c, .. } if *c == call),
        )
        .await;
    let Event::Failed {
        code,
        reason: phrase,
        refusal,
        ..
    } = failed
    else {
        unreachable!()
    };
    assert_eq!((code, phrase.as_str()), (403, reason));
    // The stable code the browser translates rides along (RFC 3326 Reason).
    let refusal = refusal.expect("a Reason: callcard;… header with the 403");
    let n = reason
        .split_whitespace()
        .nth(1)
        .expect("the limit's number");
    let kind = if reason.contains("concurrent") {
        "limit-concurrent"
    } else if reason.contains("attempt") {
        "limit-attempts"
    } else {
        "limit-international-minutes"
    };
    assert_eq!(refusal.kind, kind, "{refusal:?}");
    assert_eq!(refusal.args["n"], n, "{refusal:?}");
    let scope = if reason.ends_with("overall") {
        "overall"
    } else {
        "user"
    };
    assert_eq!(refusal.args["scope"], scope, "{refusal:?}");
    let record = last_call(t).await;
    assert_eq!(record["status"], "refused", "{record}");
    assert_eq!(record["end_cause"], reason, "{record}");
    assert_eq!(record["hangup_side"], "relay", "{record}");
    assert!(record["trunk_id"].is_null(), "no trunk was asked: {record}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        provider.invites_received().len(),
        invites,
        "no INVITE reached the provider"
    );
}

/// Whether the database file or its write-ahead log holds `secret`.
fn database_holds(t: &TrunkTest, secret: &str) -> bool {
    let main = t.relay.database_file();
    let mut wal = main.clone().into_os_string();
    wal.push("-wal");
    let main = std::fs::read(&main).expect("the database file");
    assert!(!main.is_empty());
    let wal = std::fs::read(&wal).unwrap_or_default();
    [main, wal]
        .iter()
        .any(|bytes| bytes.windows(secret.len()).any(|w| w == secret.as_bytes()))
}

#[tokio::test]
async fn limits_are_read_by_everyone_changed_by_admins_and_bad_values_name_their_field() {
    let t = setup().await;
    let anna = t.relay.signed_in("anna").await;
    let none: Value = get_json(&anna, t.relay.url("/api/limits")).await;
    assert_eq!(none["per_user"]["concurrent_calls"], Value::Null, "{none}");

    let by_manager = anna
        .put(t.relay.url("/api/limits"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_manager.status(), 403);
    for (bad, field) in [
        (
            json!({"per_user": {"concurrent_calls": 0}}),
            "per_user.concurrent_calls",
        ),
        (
            json!({"overall": {"attempts_per_minute": -1}}),
            "overall.attempts_per_minute",
        ),
        (
            json!({"overall": {"international_minutes_per_day": 2000000}}),
            "overall.international_minutes_per_day",
        ),
        (json!({"per_user": {"calls": 3}}), "per_user"),
    ] {
        let answer = t
            .admin
            .put(t.relay.url("/api/limits"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 422, "{bad}");
        let error: Value = answer.json().await.unwrap();
        assert!(
            error["field"].as_str().unwrap().starts_with(field),
            "{bad}: {error}"
        );
    }
    let unchanged: Value = get_json(&t.admin, t.relay.url("/api/limits")).await;
    assert_eq!(unchanged, none, "a refused change changes nothing");

    let limits = json!({
        "per_user": {"concurrent_calls": 3, "attempts_per_minute": 10},
        "overall": {"international_minutes_per_day": 120},
    });
    put_limits(&t, limits).await;
    let read: Value = get_json(&anna, t.relay.url("/api/limits")).await;
    assert_eq!(read["per_user"]["concurrent_calls"], 3, "{read}");
    assert_eq!(read["per_user"]["attempts_per_minute"], 10, "{read}");
    assert_eq!(
        read["per_user"]["international_minutes_per_day"],
        Value::Null
    );
    assert_eq!(read["overall"]["international_minutes_per_day"], 120);
}

#[tokio::test]
async fn concurrent_calls_over_the_limit_are_refused_per_user_and_overall() {
    let t = setup().await;
    let provider = provider_trunk(&t, "trunkpass").await;
    put_limits(
        &t,
        json!({"per_user": {"concurrent_calls": 1}, "overall": {"concurrent_calls": 1}}),
    )
    .await;
    let mut anna = registered_phone(&t, "anna").await;
    let mut boris = registered_phone(&t, "boris").await;
    let call = answered_call(&mut anna, IVAN).await;
    refused(&t, &mut anna, &provider, IVAN, "Limit: 1 concurrent call").await;
    refused(
        &t,
        &mut boris,
        &provider,
        IVAN,
        "Limit: 1 concurrent call overall",
    )
    .await;
    // The call ended: the next one goes out again.
    hang_up(&mut anna, &provider, call).await;
    let again = answered_call(&mut boris, IVAN).await;
    hang_up(&mut boris, &provider, again).await;
    assert_eq!(provider.invites_received().len(), 2);
}

#[tokio::test]
async fn call_attempts_over_the_limit_per_minute_are_refused() {
    let t = setup().await;
    let provider = provider_trunk(&t, "trunkpass").await;
    put_limits(&t, json!({"per_user": {"attempts_per_minute": 2}})).await;
    let mut anna = registered_phone(&t, "anna").await;
    for _ in 0..2 {
        let call = answered_call(&mut anna, IVAN).await;
        hang_up(&mut anna, &provider, call).await;
    }
    refused(
        &t,
        &mut anna,
        &provider,
        IVAN,
        "Limit: 2 call attempts per minute",
    )
    .await;
    // Boris has attempts of his own.
    let mut boris = registered_phone(&t, "boris").await;
    let call = answered_call(&mut boris, IVAN).await;
    hang_up(&mut boris, &provider, call).await;
    assert_eq!(provider.invites_received().len(), 3);
}

#[tokio::test]
async fn international_minutes_end_a_call_that_uses_them_up_and_refuse_the_next() {
    let t = setup().await;
    let provider = provider_trunk(&t, "trunkpass").await;
    let mut anna = registered_phone(&t, "anna").await;
    // Anna talked 58 s to Berlin earlier today (read from the call records).
    sqlx::query(
        "INSERT INTO call_records (started_at, answered_at, ended_at, direction, user_id,
                                   number_dialled, number_e164, status, talk_seconds)
         VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
                 strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'outbound',
                 (SELECT id FROM users WHERE login = 'anna'), $1, $1, 'answered', 58)",
    )
    .bind(BERLIN)
    .execute(&t.relay.state().db)
    .await
    .unwrap();
    put_limits(
        &t,
        json!({"per_user": {"international_minutes_per_day": 1}}),
    )
    .await;

    // Two seconds are left: the call goes out and the relay ends it.
    let call = answered_call(&mut anna, BERLIN).await;
    let started = tokio::time::Instant::now();
    anna.wait_for(
        "the relay's BYE",
        WAIT,
        |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "ended when the budget ran out, after {:?}",
        started.elapsed()
    );
    provider
        .expect("the relay's BYE", WAIT, |s| s.call == CallState::Ended)
        .await;
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(
        record["end_cause"], "Limit: 1 international minute per day",
        "{record}"
    );
    assert_eq!(record["hangup_side"], "relay", "{record}");

    refused(
        &t,
        &mut anna,
        &provider,
        BERLIN,
        "Limit: 1 international minute per day",
    )
    .await;
    // A national call is not counted against it.
    let call = answered_call(&mut anna, IVAN).await;
    hang_up(&mut anna, &provider, call).await;
}

#[tokio::test]
async fn turning_telephony_off_removes_trunks_and_users_drops_phones_and_keeps_call_records() {
    let t = setup().await;
    const TRUNK_PASSWORD: &str = "Trunk-Secret-Xq81Zk";
    let provider = provider_trunk(&t, TRUNK_PASSWORD).await;
    put_limits(&t, json!({"overall": {"concurrent_calls": 5}})).await;
    let groups: Value = get_json(&t.admin, t.relay.url("/api/groups")).await;
    let operator = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "operator")
        .unwrap()["id"]
        .clone();
    let auto = t
        .admin
        .put(t.relay.url(&format!("/api/groups/{operator}/telephony")))
        .json(&json!({"auto_telephony": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(auto.status(), 200);

    let (_, boris_password) = sip_user(&t, "boris").await;
    let mut anna = registered_phone(&t, "anna").await;
    let done = answered_call(&mut anna, IVAN).await;
    hang_up(&mut anna, &provider, done).await;
    // A call in progress when telephony goes off.
    let live = answered_call(&mut anna, IVAN).await;

    // The check below can fail: the passwords are in the files now.
    for secret in [boris_password.as_str(), TRUNK_PASSWORD] {
        assert!(database_holds(&t, secret), "{secret} is stored");
    }

    let manager = t.relay.signed_in("anna").await;
    let off = |client: &reqwest::Client, body: Value| {
        client
            .post(t.relay.url("/api/telephony/off"))
            .json(&body)
            .send()
    };
    let by_manager = off(&manager, json!({"confirm": "turn off"})).await.unwrap();
    assert_eq!(by_manager.status(), 403);
    for body in [json!({}), json!({"confirm": "yes"})] {
        let answer = off(&t.admin, body.clone()).await.unwrap();
        assert_eq!(answer.status(), 400, "{body}");
        let error: Value = answer.json().await.unwrap();
        assert_eq!(error["field"], "confirm", "{error}");
    }
    let trunks: Value = get_json(&t.admin, t.relay.url("/api/trunks")).await;
    assert_eq!(
        trunks.as_array().unwrap().len(),
        1,
        "a refusal changes nothing"
    );

    let answer = off(
        &t.admin,
        json!({"confirm": "turn off", "delete_call_records": false}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), 200);
    let report: Value = answer.json().await.unwrap();
    assert_eq!(report["trunks_removed"], 1, "{report}");
    assert!(
        report["sip_users_removed"].as_u64().unwrap() >= 2,
        "{report}"
    );
    assert_eq!(report["calls_ended"], 1, "{report}");
    assert!(
        report["connections_closed"].as_u64().unwrap() >= 1,
        "{report}"
    );
    assert_eq!(report["call_records_deleted"], 0, "{report}");

    // The phone got the BYE of its call, then its socket was closed.
    assert!(anna.closed_within(WAIT).await, "the relay closed the phone");
    assert!(
        anna.events
            .iter()
            .any(|e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == live)),
        "{:?}",
        anna.events
    );
    provider
        .expect("the relay's BYE", WAIT, |s| s.call == CallState::Ended)
        .await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while !t
        .relay
        .state()
        .telephony
        .registered
        .lock()
        .unwrap()
        .is_empty()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no registration is left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let trunks: Value = get_json(&t.admin, t.relay.url("/api/trunks")).await;
    assert_eq!(trunks, json!([]));
    let users: Value = get_json(&t.admin, t.relay.url("/api/sip-users")).await;
    assert_eq!(users, json!([]));
    let limits: Value = get_json(&t.admin, t.relay.url("/api/limits")).await;
    assert_eq!(limits["overall"]["concurrent_calls"], Value::Null);
    let groups: Value = get_json(&t.admin, t.relay.url("/api/groups")).await;
    assert!(
        groups
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["auto_telephony"] == false),
        "{groups}"
    );
    let calls: Value = get_json(&t.admin, t.relay.url("/api/calls")).await;
    assert_eq!(calls["total"], 2, "the call records stay: {calls}");
    let live_record = &calls["items"][0];
    assert_eq!(live_record["status"], "answered", "{live_record}");
    assert!(
        live_record["end_cause"]
            .as_str()
            .unwrap()
            .contains("telephony turned off"),
        "{live_record}"
    );

    // Nothing of the old passwords is left in the database files.
    for secret in [boris_password.as_str(), TRUNK_PASSWORD] {
        assert!(
            !database_holds(&t, secret),
            "the database still holds a deleted password"
        );
    }

    // Made again, the telephony user has a new password; a desk phone with
    // the old one is refused.
    let (login_again, password_again) = sip_user(&t, "boris").await;
    assert_ne!(password_again, boris_password);
    let mut old = WsPhone::udp(sip_address(&t), &login_again, &boris_password).await;
    assert!(
        matches!(
            old.register().await,
            Event::RegistrationFailed { code: 403 }
        ),
        "the old password no longer registers"
    );
    let mut new = WsPhone::udp(sip_address(&t), &login_again, &password_again).await;
    assert!(matches!(new.register().await, Event::Registered { .. }));

    // And once more, deleting the call records.
    let answer = off(
        &t.admin,
        json!({"confirm": "turn off", "delete_call_records": true}),
    )
    .await
    .unwrap();
    let report: Value = answer.json().await.unwrap();
    assert_eq!(report["call_records_deleted"], 2, "{report}");
    let calls: Value = get_json(&t.admin, t.relay.url("/api/calls")).await;
    assert_eq!(calls["total"], 0, "{calls}");
}

#[tokio::test]
async fn a_masked_user_calls_a_contact_by_its_reference_and_never_receives_the_digits() {
    let t = setup().await;
    let manager = callcard_tests::group_id(&t.admin, &t.relay, "manager").await;
    let set = t
        .admin
        .put(t.relay.url(&format!("/api/groups/{manager}/masking")))
        .json(&json!({"kind": "show_last", "n": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let provider = provider_trunk(&t, "trunkpass").await;
    let anna_web = t.relay.signed_in("anna").await;
    let mut bodies: Vec<(String, String)> = Vec::new();

    // Ivan's card: the number masked, the phone's reference to dial it.
    let card_text = anna_web
        .get(t.relay.url("/api/contacts/1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let card: Value = serde_json::from_str(&card_text).unwrap();
    let phone = &card["contact"]["phones"][0];
    assert_eq!(phone["e164"], "+*********67", "{phone}");
    let reference = phone["ref"].as_str().unwrap().to_string();
    assert_eq!(reference, format!("p{}", phone["id"]));
    bodies.push(("/api/contacts/1".into(), card_text));

    let mut anna = registered_phone(&t, "anna").await;
    let call = answered_call(&mut anna, &format!("ref-{reference}")).await;
    let invites = provider.invites_received();
    assert_eq!(invites.len(), 1, "{invites:?}");
    assert!(
        contains_digits_of(invites[0].as_bytes(), IVAN),
        "the provider is asked for the real number: {invites:?}"
    );
    hang_up(&mut anna, &provider, call).await;
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["contact_id"], 1, "{record}");
    assert_eq!(record["number_e164"], IVAN, "the admin sees it: {record}");

    // The number rules apply to a reference as to any number.
    let mut rules: Value = get_json(&t.admin, t.relay.url("/api/dialplan")).await["rules"].clone();
    rules["forbidden_codes"] = json!(["+7495"]);
    let saved = t
        .admin
        .put(t.relay.url("/api/dialplan"))
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let forbidden = anna.call(&format!("ref-{reference}"), None).await;
    let failed = anna
        .wait_for(
            "the refusal",
            WAIT,
            |e| matches!(e, Event::Failed { call: c, .. } if *c == forbidden),
        )
        .await;
    assert!(
        matches!(failed, Event::Failed { code: 403, .. }),
        "{failed:?}"
    );
    assert_eq!(last_call(&t).await["status"], "refused");

    // An unknown reference, or anything that is no reference: 404, no record, no INVITE.
    let records = get_json(&t.admin, t.relay.url("/api/calls")).await["total"].clone();
    for unknown in ["ref-p999999", "ref-x1", "ref-"] {
        let call = anna.call(unknown, None).await;
        let failed = anna
            .wait_for(
                "the refusal",
                WAIT,
                |e| matches!(e, Event::Failed { call: c, .. } if *c == call),
            )
            .await;
        assert!(
            matches!(failed, Event::Failed { code: 404, .. }),
            "{unknown}: {failed:?}"
        );
    }
    let after = get_json(&t.admin, t.relay.url("/api/calls")).await["total"].clone();
    assert_eq!(after, records, "an unknown reference leaves no record");
    assert_eq!(provider.invites_received().len(), 1);

    // Nothing Anna received carries Ivan's digits: the call log, the card,
    // the contact list, and every SIP message of her phone.
    for path in ["/api/calls", "/api/contacts?q=Petrov", "/api/contacts"] {
        let body = anna_web
            .get(t.relay.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        bodies.push((path.to_string(), body));
    }
    let calls: Value = get_json(&anna_web, t.relay.url("/api/calls")).await;
    for item in calls["items"].as_array().unwrap() {
        let id = item["id"].as_i64().unwrap();
        let body = anna_web
            .get(t.relay.url(&format!("/api/calls/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        bodies.push((format!("/api/calls/{id}"), body));
    }
    assert!(calls["total"].as_i64().unwrap() >= 2, "{calls}");
    for (what, body) in &bodies {
        assert!(
            !contains_digits_of(body.as_bytes(), IVAN),
            "{what} shows Ivan's number to a masked group: {body}"
        );
    }
    assert!(!anna.received.is_empty());
    for frame in &anna.received {
        assert!(
            !contains_digits_of(frame, IVAN),
            "a SIP message to Anna carries Ivan's number:\n{}",
            String::from_utf8_lossy(frame)
        );
    }
}

#[tokio::test]
async fn a_group_with_automatic_telephony_gives_its_members_telephony_users() {
    let t = setup().await;
    let groups: Value = get_json(&t.admin, t.relay.url("/api/groups")).await;
    let group_id = |name: &str| {
        groups
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let manager = group_id("manager");
    assert!(groups
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["auto_telephony"] == false));
    let url = t.relay.url(&format!("/api/groups/{manager}/telephony"));

    let anna = t.relay.signed_in("anna").await;
    let by_manager = anna
        .put(&url)
        .json(&json!({"auto_telephony": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_manager.status(), 403);
    let bad = t
        .admin
        .put(&url)
        .json(&json!({"auto_telephony": "yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["field"],
        "auto_telephony"
    );
    let missing = t
        .admin
        .put(t.relay.url("/api/groups/999/telephony"))
        .json(&json!({"auto_telephony": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let on = t
        .admin
        .put(&url)
        .json(&json!({"auto_telephony": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(on.status(), 200);
    let group: Value = on.json().await.unwrap();
    assert_eq!(group["auto_telephony"], true, "{group}");

    let members: Value = get_json(&t.admin, t.relay.url("/api/users")).await;
    let managers: Vec<i64> = members
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["group"] == "manager")
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert!(managers.len() >= 2, "{members}");
    let sip_users: Value = get_json(&t.admin, t.relay.url("/api/sip-users")).await;
    let with_telephony: Vec<i64> = sip_users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user"]["id"].as_i64().unwrap())
        .collect();
    let mut expected = managers.clone();
    expected.sort_unstable();
    let mut got = with_telephony.clone();
    got.sort_unstable();
    assert_eq!(got, expected, "every manager and nobody else: {sip_users}");
    let mut extensions: Vec<&str> = sip_users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["extension"].as_str().unwrap())
        .collect();
    extensions.dedup();
    assert_eq!(extensions.len(), managers.len(), "{sip_users}");
    assert_eq!(extensions[0], "101");

    // Switching it on again makes no second telephony user.
    let again = t
        .admin
        .put(&url)
        .json(&json!({"auto_telephony": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let count = get_json(&t.admin, t.relay.url("/api/sip-users")).await;
    assert_eq!(count.as_array().unwrap().len(), managers.len());

    // A user created in the group later gets one with the next extension;
    // one created in another group does not.
    let db = &t.relay.state().db;
    let vera = callcard_relay::crm::users::create(db, "vera", "Vera-pass-1", "Vera", "manager")
        .await
        .unwrap();
    let oleg = callcard_relay::crm::users::create(db, "oleg", "Oleg-pass-1", "Oleg", "operator")
        .await
        .unwrap();
    let sip_users: Value = get_json(&t.admin, t.relay.url("/api/sip-users")).await;
    let vera_sip = sip_users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"]["id"] == vera)
        .unwrap_or_else(|| panic!("Vera has a telephony user: {sip_users}"));
    assert_eq!(
        vera_sip["extension"],
        format!("{}", 101 + managers.len()),
        "{vera_sip}"
    );
    assert!(sip_users
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["user"]["id"] != oleg));
}
