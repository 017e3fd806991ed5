//! After a call: the outcome, a note that lands on the contact's card, a
//! follow-up task, "create contact" for an unknown caller — and the call log
//! as a CSV file, masked like the screen.

use callcard_tests::calls::logged_call;
use callcard_tests::{get_json, TestRelay};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn user_id(relay: &TestRelay, login: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(&relay.state().db)
        .await
        .unwrap();
    id
}

async fn put(client: &reqwest::Client, url: String, body: Value) -> (StatusCode, Value) {
    let response = client.put(url).json(&body).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_unknown_callers_wrap_up_creates_the_contact_with_the_note_and_a_follow_up() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let anna_id = user_id(&relay, "anna").await;
    let db = &relay.state().db;
    // An inbound call from a number that is in no contact.
    let id = logged_call(
        db,
        "inbound",
        Some(anna_id),
        "answered",
        "2026-11-26T09:00:00Z",
    )
    .await;
    sqlx::query("UPDATE call_records SET number_e164 = '+48221234567', number_dialled = '+48221234567' WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .unwrap();

    let (status, record) = put(
        &anna,
        relay.url(&format!("/api/calls/{id}/wrap-up")),
        json!({
            "outcome": "Call back later",
            "note": "Wants a demo for 12 seats",
            "follow_up": {"title": "Send the demo link", "due": "2026-12-01"},
            "new_contact": {"name": "Jan Kowalski", "company": "Kowalski Sp. z o.o."}
        }),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["outcome"], "Call back later");
    assert_eq!(record["note"], "Wants a demo for 12 seats");
    assert_eq!(record["contact_name"], "Jan Kowalski");
    let contact = record["contact_id"]
        .as_i64()
        .expect("linked to the new contact");

    // The card has the caller's number, the note and the task.
    let card: Value = get_json(&anna, relay.url(&format!("/api/contacts/{contact}"))).await;
    assert_eq!(
        card["contact"]["phones"][0]["e164"], "+48221234567",
        "{card}"
    );
    assert_eq!(card["contact"]["responsible"]["id"], anna_id);
    assert_eq!(
        card["notes"][0]["body"],
        "Call back later: Wants a demo for 12 seats"
    );
    assert_eq!(card["tasks"][0]["title"], "Send the demo link");
    assert!(card["tasks"][0]["due_at"]
        .as_str()
        .unwrap()
        .starts_with("2026-12-01"));
    // The next call from that number finds the contact.
    let found: Value = get_json(
        &anna,
        relay.url("/api/contacts?q=%2B48%2022%20123%2045%2067"),
    )
    .await;
    assert_eq!(found["total"], 1, "{found}");

    // A second "create contact" for the same call is refused, naming the field.
    let (status, error) = put(
        &anna,
        relay.url(&format!("/api/calls/{id}/wrap-up")),
        json!({"new_contact": {"name": "Again"}}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(error["field"], "new_contact");
}

#[tokio::test]
async fn a_wrap_up_is_checked_and_only_for_the_users_own_call() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let boris = relay.signed_in("boris").await;
    let anna_id = user_id(&relay, "anna").await;
    let id = logged_call(
        &relay.state().db,
        "outbound",
        Some(anna_id),
        "answered",
        "2026-11-26T09:00:00Z",
    )
    .await;
    let url = relay.url(&format!("/api/calls/{id}/wrap-up"));
    for (body, field) in [
        (json!({"outcome": "Sold a yacht"}), "outcome"),
        (json!({"note": "x".repeat(4001)}), "note"),
        (json!({"follow_up": {"title": " "}}), "follow_up.title"),
        (
            json!({"follow_up": {"title": "Call", "due": "next week"}}),
            "follow_up.due",
        ),
        (json!({"follow_up": {"title": "Call"}}), "follow_up"),
        (json!({"new_contact": {"name": ""}}), "new_contact.name"),
    ] {
        let (status, error) = put(&anna, url.clone(), body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert_eq!(error["field"], field, "{body}: {error}");
    }
    let (status, _) = put(&boris, url.clone(), json!({"note": "not mine"})).await;
    assert_eq!(status, 404, "another manager's call is not found");
    let record: Value = get_json(&anna, relay.url(&format!("/api/calls/{id}"))).await;
    assert_eq!(record["note"], Value::Null, "nothing was stored: {record}");
}

#[tokio::test]
async fn admins_edit_the_outcomes_list_and_managers_pick_from_it() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let anna = relay.signed_in("anna").await;
    let list: Value = get_json(&anna, relay.url("/api/call-outcomes")).await;
    assert!(list["outcomes"].as_array().unwrap().len() >= 3);

    let url = relay.url("/api/call-outcomes");
    let (status, _) = put(&anna, url.clone(), json!({"outcomes": ["Mine"]})).await;
    assert_eq!(status, 403);
    let (status, error) = put(&admin, url.clone(), json!({"outcomes": ["A", "A"]})).await;
    assert_eq!(
        (status.as_u16(), error["field"].as_str()),
        (422, Some("outcomes[1]"))
    );
    let (status, _) = put(
        &admin,
        url.clone(),
        json!({"outcomes": [" Meeting booked ", "No budget"]}),
    )
    .await;
    assert_eq!(status, 200);
    let list: Value = get_json(&anna, url).await;
    assert_eq!(list["outcomes"], json!(["Meeting booked", "No budget"]));

    let id = logged_call(
        &relay.state().db,
        "outbound",
        Some(user_id(&relay, "anna").await),
        "answered",
        "2026-11-26T09:00:00Z",
    )
    .await;
    let (status, record) = put(
        &anna,
        relay.url(&format!("/api/calls/{id}/wrap-up")),
        json!({"outcome": "Meeting booked"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(record["outcome"], "Meeting booked");
}

#[tokio::test]
async fn the_call_log_exports_as_csv_with_the_filters_and_the_readers_masking() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let anna_id = user_id(&relay, "anna").await;
    let db = &relay.state().db;
    for (direction, day) in [
        ("inbound", "2026-11-20T10:00:00Z"),
        ("outbound", "2026-11-21T10:00:00Z"),
        ("outbound", "2026-11-22T10:00:00Z"),
    ] {
        logged_call(db, direction, Some(anna_id), "answered", day).await;
    }
    let response = admin
        .get(relay.url("/api/calls/export.csv?direction=outbound"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"calls-"),
        "{disposition}"
    );
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,started_at,"), "{csv}");
    assert_eq!(
        lines.len(),
        3,
        "the header and the two outbound calls: {csv}"
    );
    assert!(
        lines[1].contains("2026-11-22T10:00:00Z"),
        "newest first: {csv}"
    );
    assert!(lines[1].contains("+74951234567"), "{csv}");

    // Anna's group hides all but the last two digits: so does her file.
    let manager = callcard_tests::group_id(&admin, &relay, "manager").await;
    let (status, _) = put(
        &admin,
        relay.url(&format!("/api/groups/{manager}/masking")),
        json!({"kind": "show_last", "n": 2}),
    )
    .await;
    assert_eq!(status, 200);
    let anna = relay.signed_in("anna").await;
    let response = anna
        .get(relay.url("/api/calls/export.csv"))
        .send()
        .await
        .unwrap();
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    let csv = response.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    for digits in ["4951234567", "123-45", "123 45"] {
        assert!(!csv.contains(digits), "{digits} leaked: {csv}");
        assert!(!disposition.contains(digits));
    }
    assert!(csv.contains("67"), "the last two digits show: {csv}");

    let bad = admin
        .get(relay.url("/api/calls/export.csv?status=exploded"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

/// The recordings of 100 calls as one zip: it streams (the last file,
/// rewritten after the first bytes arrived, is in the zip as rewritten:
/// 70 MB of recordings are far more than the pipe and the sockets hold, so
/// a zip made before sending would hold the old bytes), unzips (Python's `zipfile`) to 100 files named
/// `{id}_{phone}_{date}.mp3` with their bytes, says how much is coming, and
/// each call lands in the audit log. A manager's zip holds only their calls.
#[tokio::test]
async fn the_recordings_of_a_hundred_calls_stream_as_one_zip() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let anna_id = user_id(&relay, "anna").await;
    let boris_id = user_id(&relay, "boris").await;
    let db = &relay.state().db;
    let dir = relay.state().config.data_dir.join("recordings");
    std::fs::create_dir_all(&dir).unwrap();
    let mut expected = Vec::new();
    for i in 0..100u32 {
        let user = if i % 2 == 0 { anna_id } else { boris_id };
        let started = format!("2026-11-{:02}T10:{:02}:00Z", 1 + i / 60, i % 60);
        let id = logged_call(db, "outbound", Some(user), "answered", &started).await;
        let body: Vec<u8> = format!("recording of call {id} ")
            .repeat(30_000 + i as usize)
            .into_bytes();
        let path = format!("recordings/call-{id}.mp3");
        std::fs::write(relay.state().config.data_dir.join(&path), &body).unwrap();
        sqlx::query(
            "UPDATE call_records SET recording_path = $1, recording_seconds = 5.0,
                    recording_bytes = $2 WHERE id = $3",
        )
        .bind(&path)
        .bind(body.len() as i64)
        .bind(id)
        .execute(db)
        .await
        .unwrap();
        expected.push((
            format!("{id}_+74951234567_{}.mp3", &started[..10]),
            body,
            path,
        ));
    }
    let total: usize = expected.iter().map(|(_, b, _)| b.len()).sum();

    let mut response = admin
        .get(relay.url("/api/calls/recordings.zip?from=2026-11-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert_eq!(response.headers()["x-recordings"], "100");
    assert_eq!(
        response.headers()["x-recordings-bytes"],
        total.to_string().as_str()
    );
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), response.chunk())
        .await
        .expect("the first bytes come before the last file is read")
        .unwrap()
        .expect("a first chunk");
    assert_eq!(&first[..4], b"PK\x03\x04", "a zip's first entry");
    // The oldest call's file is the zip's last: rewritten now (the same
    // length, in capitals), it must reach the zip as it is now. The pause
    // first gives a relay that read ahead of its client the time to read it.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    {
        let (_, body, path) = &mut expected[0];
        body.make_ascii_uppercase();
        std::fs::write(relay.state().config.data_dir.join(&*path), &body).unwrap();
    }
    let mut zip = first.to_vec();
    while let Some(chunk) = response.chunk().await.unwrap() {
        zip.extend_from_slice(&chunk);
    }

    let file = relay.state().config.data_dir.join("all.zip");
    std::fs::write(&file, &zip).unwrap();
    let listed = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sys, zipfile\n\
             z = zipfile.ZipFile(sys.argv[1])\n\
             assert z.testzip() is None\n\
             for i in z.infolist(): d = z.read(i); print(i.filename, len(d), d.decode()[-40:])",
        )
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let mut got: Vec<String> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    got.sort();
    let mut want: Vec<String> = expected
        .iter()
        .map(|(name, body, _)| {
            let text = String::from_utf8_lossy(body);
            format!("{name} {} {}", body.len(), &text[text.len() - 40..])
        })
        .collect();
    want.sort();
    assert_eq!(got, want);

    let audit = get_json(&admin, relay.url("/api/audit?limit=500")).await;
    assert_eq!(audit["total"], 100, "one audit line per call");

    // Anna's zip: only her 50 calls.
    let anna = relay.signed_in("anna").await;
    let hers = anna
        .get(relay.url("/api/calls/recordings.zip"))
        .send()
        .await
        .unwrap();
    assert_eq!(hers.status(), StatusCode::OK);
    assert_eq!(hers.headers()["x-recordings"], "50");
    // A filter nobody matches: a clear 404, not an empty zip.
    let none = anna
        .get(relay.url("/api/calls/recordings.zip?from=2030-01-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    let why: Value = none.json().await.unwrap();
    assert!(
        why["error"].as_str().unwrap().contains("no call matching"),
        "{why}"
    );
}
