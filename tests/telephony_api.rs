//! The telephony API against a running relay with a real SQLite file: trunks,
//! telephony users, the call log, and the trunks and users of the config file.

use callcard_relay::config::{Cli, Config};
use callcard_relay::crm::{calls, contacts, sip_users, trunks, users};
use callcard_relay::Relay;
use callcard_shared::api::{
    ApiError, CallPage, CallRecord, SipCredentials, SipUser, Trunk, TrunkState,
};
use callcard_tests::calls::logged_call;
use callcard_tests::TestRelay;
use reqwest::{Client, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sqlx::SqlitePool;

/// Sends a request; the status and the body as text.
async fn call(
    client: &Client,
    method: Method,
    url: String,
    body: Option<Value>,
) -> (StatusCode, String) {
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    (response.status(), response.text().await.expect("body"))
}

fn parse<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn field(text: &str) -> Option<String> {
    parse::<ApiError>(text).field
}

/// A loopback UDP port that takes SIP requests and never answers, so a trunk
/// pointing at it stays `pending` however long the test runs.
fn silent_sip_server() -> (std::net::UdpSocket, String) {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let host = format!("127.0.0.1:{}", socket.local_addr().unwrap().port());
    (socket, host)
}

fn trunk_json(name: &str, host: &str, password: Option<&str>) -> Value {
    json!({
        "name": name,
        "number": "8 (495) 111-22-33",
        "username": "acc1",
        "password": password,
        "domain": "sip.example.net",
        "host": host,
    })
}

async fn user_id(db: &SqlitePool, login: &str) -> i64 {
    users::id_by_login(db, login).await.unwrap().expect(login)
}

async fn count(db: &SqlitePool, table: &str) -> i64 {
    let sql = match table {
        "trunks" => "SELECT COUNT(*) FROM trunks",
        "sip_users" => "SELECT COUNT(*) FROM sip_users",
        _ => "SELECT COUNT(*) FROM call_records",
    };
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db).await.unwrap();
    n
}

#[tokio::test]
async fn telephony_routes_need_a_session_and_admin_ones_refuse_managers() {
    let relay = TestRelay::start().await;
    let anonymous = relay.client();
    let anna = relay.signed_in("anna").await;
    for path in ["/api/trunks", "/api/sip-users", "/api/calls", "/api/me/sip"] {
        let (status, _) = call(&anonymous, Method::GET, relay.url(path), None).await;
        assert_eq!(status, 401, "{path}");
    }
    let (_, host) = silent_sip_server();
    let admin_only = [
        (Method::GET, "/api/trunks", None),
        (
            Method::POST,
            "/api/trunks",
            Some(trunk_json("sneaky", &host, Some("pw"))),
        ),
        (Method::GET, "/api/trunks/1", None),
        (Method::DELETE, "/api/trunks/1", None),
        (Method::GET, "/api/sip-users", None),
        (Method::POST, "/api/sip-users", Some(json!({"user_id": 2}))),
        (Method::POST, "/api/sip-users/1/password", None),
    ];
    for (method, path, body) in admin_only {
        let (status, text) = call(&anna, method.clone(), relay.url(path), body).await;
        assert_eq!(status, 403, "{method} {path}: {text}");
    }
    assert_eq!(count(&relay.state().db, "trunks").await, 0);
    assert_eq!(count(&relay.state().db, "sip_users").await, 0);
}

#[tokio::test]
async fn a_trunk_is_created_pending_with_an_e164_number_then_edited_and_deleted() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let db = &relay.state().db;
    let (_silent, host) = silent_sip_server();

    let (status, text) = call(
        &admin,
        Method::POST,
        relay.url("/api/trunks"),
        Some(trunk_json(" Main line ", &host, Some("first-pw"))),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let trunk: Trunk = parse(&text);
    assert_eq!(trunk.name, "Main line");
    assert_eq!(trunk.number, "+74951112233");
    assert_eq!(trunk.host, host);
    assert_eq!(trunk.expires, 3600);
    assert!(trunk.has_password && trunk.register && trunk.enabled);
    assert_eq!(trunk.status.state, TrunkState::Pending);

    // What the SIP runtime reads: the password, the number to match calls on.
    let config = trunks::by_number(db, "+74951112233")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (config.id, config.password.as_str()),
        (trunk.id, "first-pw")
    );

    let (_, text) = call(&admin, Method::GET, relay.url("/api/trunks"), None).await;
    let list: Vec<Trunk> = parse(&text);
    assert_eq!(
        list,
        [trunk.clone()].map(|t| Trunk {
            status: list[0].status.clone(),
            ..t
        })
    );

    // Edit without a password: the stored one stays.
    let mut edited = trunk_json("Main line", &host, None);
    edited["priority"] = json!(5);
    edited["transport"] = json!("tcp");
    edited["outbound_proxy"] = json!("proxy.example.net:5070");
    let url = relay.url(&format!("/api/trunks/{}", trunk.id));
    let (status, text) = call(&admin, Method::PUT, url.clone(), Some(edited)).await;
    assert_eq!(status, 200, "{text}");
    let changed: Trunk = parse(&text);
    assert_eq!(changed.priority, 5);
    assert_eq!(
        changed.outbound_proxy.as_deref(),
        Some("proxy.example.net:5070")
    );
    let config = &trunks::enabled(db).await.unwrap()[0];
    assert_eq!(config.password, "first-pw");
    assert_eq!(config.priority, 5);

    let (status, _) = call(
        &admin,
        Method::PUT,
        url.clone(),
        Some(trunk_json("Main line", &host, Some("second-pw"))),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(trunks::enabled(db).await.unwrap()[0].password, "second-pw");

    // Disabled trunks are not handed to the runtime.
    let mut off = trunk_json("Main line", &host, None);
    off["enabled"] = json!(false);
    let (status, _) = call(&admin, Method::PUT, url.clone(), Some(off)).await;
    assert_eq!(status, 200);
    assert!(trunks::enabled(db).await.unwrap().is_empty());
    assert!(trunks::by_number(db, "+74951112233")
        .await
        .unwrap()
        .is_none());

    let (status, _) = call(&admin, Method::DELETE, url.clone(), None).await;
    assert_eq!(status, 204);
    for method in [Method::GET, Method::DELETE] {
        let (status, text) = call(&admin, method, url.clone(), None).await;
        assert_eq!(status, 404);
        assert!(!parse::<ApiError>(&text).error.is_empty());
    }
    let (status, _) = call(
        &admin,
        Method::PUT,
        url,
        Some(trunk_json("Main line", &host, None)),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(count(db, "trunks").await, 0);
}

#[tokio::test]
async fn the_trunk_list_shows_the_live_registration_status() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let (_silent, host) = silent_sip_server();
    let mut input = trunk_json("backup", &host, Some("pw"));
    // Disabled, so no registration task touches its status but this test.
    input["enabled"] = json!(false);
    let (_, text) = call(&admin, Method::POST, relay.url("/api/trunks"), Some(input)).await;
    let trunk: Trunk = parse(&text);
    relay.state().telephony.trunks.set(
        trunk.id,
        TrunkState::Failed,
        Some("wrong credentials (401)".into()),
    );
    let (_, text) = call(&admin, Method::GET, relay.url("/api/trunks"), None).await;
    let list: Vec<Trunk> = parse(&text);
    assert_eq!(list[0].status.state, TrunkState::Failed);
    assert_eq!(
        list[0].status.reason.as_deref(),
        Some("wrong credentials (401)")
    );
    let url = relay.url(&format!("/api/trunks/{}", trunk.id));
    let (_, text) = call(&admin, Method::GET, url.clone(), None).await;
    assert_eq!(parse::<Trunk>(&text).status.state, TrunkState::Failed);

    // A deleted trunk's status goes with it: a new trunk reusing the id starts pending.
    call(&admin, Method::DELETE, url, None).await;
    assert_eq!(
        relay.state().telephony.trunks.get(trunk.id).state,
        TrunkState::Pending
    );
}

#[tokio::test]
async fn bad_trunks_are_refused_naming_the_field_and_change_nothing() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let (_silent, host) = silent_sip_server();
    let (status, text) = call(
        &admin,
        Method::POST,
        relay.url("/api/trunks"),
        Some(trunk_json("main", &host, Some("pw"))),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let main: Trunk = parse(&text);

    let spoilt: [(&str, &str, Value); 10] = [
        ("name", "name", json!("   ")),
        ("number", "number", json!("call me maybe")),
        ("host", "host", json!("")),
        ("host", "host", json!("pbx.example.net:70000")),
        ("host", "host", json!("pbx.example.net:0")),
        ("expires", "expires", json!(30)),
        ("expires", "expires", json!(86_401)),
        ("password", "password", Value::Null),
        ("transport", "transport", json!("sctp")),
        ("domain", "domain", json!("bad domain")),
    ];
    for (key, want, value) in spoilt {
        let mut input = trunk_json("second", &host, Some("pw"));
        input[key] = value.clone();
        let (status, text) =
            call(&admin, Method::POST, relay.url("/api/trunks"), Some(input)).await;
        assert_eq!(status, 422, "{key}={value}: {text}");
        assert_eq!(field(&text).as_deref(), Some(want), "{key}={value}: {text}");
    }
    let (status, text) = call(
        &admin,
        Method::POST,
        relay.url("/api/trunks"),
        Some(trunk_json("main", &host, Some("pw"))),
    )
    .await;
    assert_eq!(status, 409, "{text}");
    assert_eq!(field(&text).as_deref(), Some("name"));

    // Renaming another trunk to a taken name is a conflict too.
    let (_, text) = call(
        &admin,
        Method::POST,
        relay.url("/api/trunks"),
        Some(trunk_json("second", &host, Some("pw"))),
    )
    .await;
    let second: Trunk = parse(&text);
    let (status, text) = call(
        &admin,
        Method::PUT,
        relay.url(&format!("/api/trunks/{}", second.id)),
        Some(trunk_json("main", &host, None)),
    )
    .await;
    assert_eq!(status, 409, "{text}");
    let (status, text) = call(&admin, Method::GET, relay.url("/api/trunks/abc"), None).await;
    assert_eq!(
        (status, field(&text).as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("id"))
    );

    let (_, text) = call(&admin, Method::GET, relay.url("/api/trunks"), None).await;
    let names: Vec<String> = parse::<Vec<Trunk>>(&text)
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["main", "second"]);
    let (_, text) = call(
        &admin,
        Method::GET,
        relay.url(&format!("/api/trunks/{}", main.id)),
        None,
    )
    .await;
    assert_eq!(parse::<Trunk>(&text).number, "+74951112233");
}

#[tokio::test]
async fn a_trunk_password_appears_in_no_answer() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let (_silent, host) = silent_sip_server();
    let secrets = ["Zq8-first-trunk-secret", "Wx3-second-trunk-secret"];
    let mut answers = Vec::new();
    let (status, text) = call(
        &admin,
        Method::POST,
        relay.url("/api/trunks"),
        Some(trunk_json("main", &host, Some(secrets[0]))),
    )
    .await;
    assert_eq!(status, 201);
    let id = parse::<Trunk>(&text).id;
    answers.push(text);
    let url = relay.url(&format!("/api/trunks/{id}"));
    for body in [
        trunk_json("main", &host, None),
        trunk_json("main", &host, Some(secrets[1])),
    ] {
        let (status, text) = call(&admin, Method::PUT, url.clone(), Some(body)).await;
        assert_eq!(status, 200);
        answers.push(text);
    }
    // A refused update that carries a password does not echo it either.
    let mut refused = trunk_json("main", &host, Some(secrets[1]));
    refused["expires"] = json!(1);
    answers.push(
        call(&admin, Method::PUT, url.clone(), Some(refused))
            .await
            .1,
    );
    answers.push(call(&admin, Method::GET, url, None).await.1);
    answers.push(
        call(&admin, Method::GET, relay.url("/api/trunks"), None)
            .await
            .1,
    );
    let about_main = answers.iter().filter(|a| a.contains("\"main\"")).count();
    assert_eq!(about_main, 5, "{answers:?}");
    for answer in &answers {
        for secret in secrets {
            assert!(!answer.contains(secret), "password in {answer}");
        }
    }
    // …while the runtime does get the current one.
    let config = trunks::by_number(&relay.state().db, "+74951112233")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(config.password, secrets[1]);
    assert!(!format!("{config:?}").contains(secrets[1]));
}

#[tokio::test]
async fn telephony_users_get_account_logins_and_the_next_free_extension() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let db = &relay.state().db;
    let (anna, boris, admin_id) = (
        user_id(db, "anna").await,
        user_id(db, "boris").await,
        user_id(db, "admin").await,
    );
    let url = relay.url("/api/sip-users");

    let (status, text) = call(
        &admin,
        Method::POST,
        url.clone(),
        Some(json!({"user_id": anna})),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let first: SipCredentials = parse(&text);
    assert_eq!(first.sip_login, "callcard_101");
    assert_eq!(first.sip_user.extension, "101");
    assert_eq!(first.sip_user.sip_login, "callcard_101");
    assert_eq!(first.sip_user.user.display_name, "Anna Sokolova");
    assert_eq!(first.realm, "callcard");
    assert!(first.sip_password.len() >= 20, "{}", first.sip_password);
    assert!(first.sip_user.accept_incoming && first.sip_user.browser_calls);

    let (status, _) = call(
        &admin,
        Method::POST,
        url.clone(),
        Some(json!({"user_id": admin_id, "extension": "103"})),
    )
    .await;
    assert_eq!(status, 201);
    // The gap at 102 is the next free one.
    let (_, text) = call(
        &admin,
        Method::POST,
        url.clone(),
        Some(json!({"user_id": boris})),
    )
    .await;
    let third: SipCredentials = parse(&text);
    assert_eq!(third.sip_user.extension, "102");
    assert_ne!(third.sip_password, first.sip_password);

    // What the SIP runtime checks a digest response against.
    let account = sip_users::by_login(db, "callcard_101")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.user_id, anna);
    assert_eq!(account.sip_password, first.sip_password);
    assert_eq!(
        sip_users::by_user(db, boris)
            .await
            .unwrap()
            .unwrap()
            .sip_login,
        "callcard_102"
    );
    assert_eq!(sip_users::accepting_incoming(db).await.unwrap().len(), 3);

    let refused: [(Value, u16, &str); 5] = [
        (json!({"user_id": anna}), 409, "user_id"),
        (json!({"user_id": 99_999}), 422, "user_id"),
        (
            json!({"user_id": anna, "extension": "12"}),
            422,
            "extension",
        ),
        (
            json!({"user_id": anna, "extension": "1x1"}),
            422,
            "extension",
        ),
        (
            json!({"user_id": anna, "forward_to": "voicemail"}),
            422,
            "forward_to",
        ),
    ];
    for (body, want, name) in refused {
        let (status, text) = call(&admin, Method::POST, url.clone(), Some(body.clone())).await;
        assert_eq!(status.as_u16(), want, "{body}: {text}");
        assert_eq!(field(&text).as_deref(), Some(name), "{body}: {text}");
    }
    // A taken extension, for a user who has none yet.
    sqlx::query("DELETE FROM sip_users WHERE user_id = $1")
        .bind(admin_id)
        .execute(db)
        .await
        .unwrap();
    let (status, text) = call(
        &admin,
        Method::POST,
        url.clone(),
        Some(json!({"user_id": admin_id, "extension": "101"})),
    )
    .await;
    assert_eq!(status, 409, "{text}");
    assert_eq!(field(&text).as_deref(), Some("extension"));

    // The account prefix is a setting.
    sqlx::query("INSERT INTO settings (key, value) VALUES ('sip_account', 'acme')")
        .execute(db)
        .await
        .unwrap();
    let (_, text) = call(
        &admin,
        Method::POST,
        url.clone(),
        Some(json!({"user_id": admin_id})),
    )
    .await;
    assert_eq!(parse::<SipCredentials>(&text).sip_login, "acme_103");

    let (_, text) = call(&admin, Method::GET, url, None).await;
    let list: Vec<SipUser> = parse(&text);
    let extensions: Vec<&str> = list.iter().map(|u| u.extension.as_str()).collect();
    assert_eq!(extensions, ["101", "102", "103"]);
    assert!(!text.contains(&first.sip_password) && !text.contains("password"));
}

#[tokio::test]
async fn rotating_a_sip_password_replaces_it_for_the_runtime() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let db = &relay.state().db;
    let anna = user_id(db, "anna").await;
    let (_, text) = call(
        &admin,
        Method::POST,
        relay.url("/api/sip-users"),
        Some(json!({"user_id": anna})),
    )
    .await;
    let created: SipCredentials = parse(&text);
    let url = relay.url(&format!("/api/sip-users/{}/password", created.sip_user.id));
    let (status, text) = call(&admin, Method::POST, url, None).await;
    assert_eq!(status, 200, "{text}");
    let rotated: SipCredentials = parse(&text);
    assert_ne!(rotated.sip_password, created.sip_password);
    assert!(rotated.sip_password.len() >= 20);
    assert_eq!(rotated.sip_login, created.sip_login);
    let account = sip_users::by_login(db, &created.sip_login)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.sip_password, rotated.sip_password);

    let (status, _) = call(
        &admin,
        Method::POST,
        relay.url("/api/sip-users/999/password"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_user_sees_their_own_telephony_identity_without_the_password() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let anna = relay.signed_in("anna").await;
    let boris = relay.signed_in("boris").await;
    let anna_id = user_id(&relay.state().db, "anna").await;

    let (status, text) = call(&anna, Method::GET, relay.url("/api/me/sip"), None).await;
    assert_eq!(status, 404);
    assert!(!parse::<ApiError>(&text).error.is_empty());

    let (_, text) = call(
        &admin,
        Method::POST,
        relay.url("/api/sip-users"),
        Some(json!({"user_id": anna_id, "extension": "205", "browser_calls": false})),
    )
    .await;
    let created: SipCredentials = parse(&text);
    let (status, text) = call(&anna, Method::GET, relay.url("/api/me/sip"), None).await;
    assert_eq!(status, 200);
    let mine: SipUser = parse(&text);
    assert_eq!(mine, created.sip_user);
    assert_eq!(
        (mine.extension.as_str(), mine.browser_calls),
        ("205", false)
    );
    assert!(!text.contains(&created.sip_password));
    let (status, _) = call(&boris, Method::GET, relay.url("/api/me/sip"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn editing_a_telephony_user_moves_its_login_with_the_extension_and_deleting_ends_it() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let db = &relay.state().db;
    let (anna, boris) = (user_id(db, "anna").await, user_id(db, "boris").await);
    let url = relay.url("/api/sip-users");
    let (_, text) = call(
        &admin,
        Method::POST,
        url.clone(),
        Some(json!({"user_id": anna})),
    )
    .await;
    let created: SipCredentials = parse(&text);
    call(
        &admin,
        Method::POST,
        url.clone(),
        Some(json!({"user_id": boris})),
    )
    .await;
    let one = relay.url(&format!("/api/sip-users/{}", created.sip_user.id));

    let (status, text) = call(
        &admin,
        Method::PUT,
        one.clone(),
        Some(json!({
            "user_id": anna, "extension": "150", "accept_incoming": false,
            "forward_to": "8 (916) 123-45-67"
        })),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let edited: SipUser = parse(&text);
    assert_eq!(edited.sip_login, "callcard_150");
    assert_eq!(edited.forward_to.as_deref(), Some("+79161234567"));
    assert!(!edited.accept_incoming);
    let account = sip_users::by_login(db, "callcard_150")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        account.sip_password, created.sip_password,
        "the password stays"
    );
    assert!(sip_users::by_login(db, "callcard_101")
        .await
        .unwrap()
        .is_none());
    let incoming = sip_users::accepting_incoming(db).await.unwrap();
    assert_eq!(
        incoming.iter().map(|a| a.user_id).collect::<Vec<_>>(),
        [boris]
    );

    let (status, text) = call(
        &admin,
        Method::PUT,
        one.clone(),
        Some(json!({"user_id": anna, "extension": "102"})),
    )
    .await;
    assert_eq!(
        (status, field(&text).as_deref()),
        (StatusCode::CONFLICT, Some("extension"))
    );
    let (status, text) = call(
        &admin,
        Method::PUT,
        one.clone(),
        Some(json!({"user_id": boris})),
    )
    .await;
    assert_eq!(
        (status, field(&text).as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("user_id"))
    );
    let (_, text) = call(&admin, Method::GET, one.clone(), None).await;
    assert_eq!(
        parse::<SipUser>(&text),
        edited,
        "refused edits change nothing"
    );

    let (status, _) = call(&admin, Method::DELETE, one.clone(), None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&admin, Method::GET, one, None).await;
    assert_eq!(status, 404);
    assert!(sip_users::by_user(db, anna).await.unwrap().is_none());
    let anna_client = relay.signed_in("anna").await;
    let (status, _) = call(&anna_client, Method::GET, relay.url("/api/me/sip"), None).await;
    assert_eq!(status, 404);
}

async fn page(relay: &TestRelay, client: &Client, query: &str) -> CallPage {
    let (status, text) = call(
        client,
        Method::GET,
        relay.url(&format!("/api/calls?{query}")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{query}: {text}");
    parse(&text)
}

#[tokio::test]
async fn the_call_log_filters_pages_newest_first_and_shows_managers_only_their_calls() {
    let relay = TestRelay::start().await;
    let db = &relay.state().db;
    let (anna, boris) = (user_id(db, "anna").await, user_id(db, "boris").await);
    let a = Some(anna);
    let b = Some(boris);
    let mut ids = Vec::new();
    for (direction, user, status, at) in [
        ("outbound", a, "answered", "2026-11-01T10:00:00Z"),
        ("outbound", a, "no_answer", "2026-11-02T10:00:00Z"),
        ("outbound", b, "answered", "2026-11-02T12:00:00Z"),
        ("inbound", a, "answered", "2026-11-03T10:00:00Z"),
        ("inbound", a, "missed", "2026-11-04T10:00:00Z"),
        ("internal", a, "answered", "2026-11-05T10:00:00Z"),
        ("inbound", b, "busy", "2026-11-06T10:00:00Z"),
        ("outbound", b, "failed", "2026-11-07T10:00:00Z"),
        ("inbound", None, "missed", "2026-11-08T10:00:00Z"),
    ] {
        ids.push(logged_call(db, direction, user, status, at).await);
    }
    let admin = relay.signed_in("admin").await;

    let all = page(&relay, &admin, "").await;
    assert_eq!(all.total, 9);
    let started: Vec<&str> = all.items.iter().map(|c| c.started_at.as_str()).collect();
    let mut newest_first = started.clone();
    newest_first.sort_by(|x, y| y.cmp(x));
    assert_eq!(started, newest_first);
    assert_eq!(all.items[0].id, ids[8]);

    for (query, want) in [
        ("direction=inbound".to_string(), 4),
        ("status=answered".to_string(), 4),
        (format!("user_id={boris}"), 3),
        ("from=2026-11-02&to=2026-11-04".to_string(), 3),
        ("from=2026-11-07T13:00:00%2B03:00".to_string(), 2),
        (
            format!("direction=outbound&status=answered&user_id={anna}"),
            1,
        ),
        ("status=interrupted".to_string(), 0),
    ] {
        let found = page(&relay, &admin, &query).await;
        assert_eq!(found.total, want, "{query}");
        assert_eq!(found.items.len() as i64, want, "{query}");
    }

    let mut seen = Vec::new();
    for offset in [0, 4, 8] {
        let p = page(&relay, &admin, &format!("limit=4&offset={offset}")).await;
        assert_eq!(p.total, 9);
        seen.extend(p.items.into_iter().map(|c| c.id));
    }
    assert_eq!(seen, all.items.iter().map(|c| c.id).collect::<Vec<_>>());

    let anna_client = relay.signed_in("anna").await;
    let mine = page(&relay, &anna_client, "").await;
    assert_eq!(mine.total, 5);
    assert!(mine
        .items
        .iter()
        .all(|c| c.user.as_ref().map(|u| u.id) == Some(anna)));
    assert_eq!(
        page(&relay, &anna_client, &format!("user_id={boris}"))
            .await
            .total,
        0
    );
    assert_eq!(page(&relay, &anna_client, "status=missed").await.total, 1);
    assert_eq!(
        page(&relay, &relay.signed_in("boris").await, "")
            .await
            .total,
        3
    );

    let (status, text) = call(
        &anna_client,
        Method::GET,
        relay.url(&format!("/api/calls/{}", ids[0])),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(parse::<CallRecord>(&text).status, "answered");
    for hidden in [ids[2], ids[8], 999_999] {
        let (status, _) = call(
            &anna_client,
            Method::GET,
            relay.url(&format!("/api/calls/{hidden}")),
            None,
        )
        .await;
        assert_eq!(status, 404, "call {hidden}");
    }
    let (status, _) = call(
        &admin,
        Method::GET,
        relay.url(&format!("/api/calls/{}", ids[2])),
        None,
    )
    .await;
    assert_eq!(status, 200);

    for (query, name) in [
        ("direction=sideways", "direction"),
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
        ("offset=-1", "offset"),
        ("colour=red", "colour"),
    ] {
        let (status, text) = call(
            &admin,
            Method::GET,
            relay.url(&format!("/api/calls?{query}")),
            None,
        )
        .await;
        assert_eq!(status, 422, "{query}: {text}");
        assert_eq!(field(&text).as_deref(), Some(name), "{query}: {text}");
    }
}

#[tokio::test]
async fn a_call_record_counts_talk_time_from_the_answer_and_closes_once() {
    let relay = TestRelay::start().await;
    let db = &relay.state().db;
    let anna = user_id(db, "anna").await;
    let admin = relay.signed_in("admin").await;
    let (_silent, host) = silent_sip_server();
    let (_, text) = call(
        &admin,
        Method::POST,
        relay.url("/api/trunks"),
        Some(trunk_json("main", &host, Some("pw"))),
    )
    .await;
    let trunk = parse::<Trunk>(&text).id;

    // Ivan Petrov (+7 495 123-45-67) is Anna's contact in the demo data.
    let (contact, responsible) = contacts::contact_by_number(db, "+74951234567")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(responsible, Some(anna));
    assert!(contacts::contact_by_number(db, "+79990000000")
        .await
        .unwrap()
        .is_none());

    let id = calls::start(
        db,
        calls::NewCall {
            direction: "inbound",
            user_id: Some(anna),
            number_dialled: "+7 495 123-45-67".into(),
            number_e164: Some("+74951234567".into()),
            contact_id: Some(contact),
            trunk_id: None,
        },
    )
    .await
    .unwrap();
    let open = calls::get(db, id).await.unwrap().unwrap();
    assert_eq!(open.status, "in_progress");
    assert!(open.ended_at.is_none());
    calls::answered(db, id, Some(trunk)).await.unwrap();
    let answered = calls::get(db, id).await.unwrap().unwrap();
    assert_eq!(answered.status, "in_progress", "answered, still talking");
    assert_eq!(answered.trunk_id, Some(trunk));
    assert!(answered.answered_at.is_some());
    // The call was answered 90 seconds ago.
    let ninety_ago = callcard_relay::time::rfc3339_ago(std::time::Duration::from_secs(90));
    sqlx::query("UPDATE call_records SET answered_at = $1 WHERE id = $2")
        .bind(&ninety_ago)
        .bind(id)
        .execute(db)
        .await
        .unwrap();

    // An unknown status is refused and the call stays open.
    assert!(calls::finish(db, id, "exploded", None, None).await.is_err());
    assert!(calls::get(db, id)
        .await
        .unwrap()
        .unwrap()
        .ended_at
        .is_none());

    assert!(
        calls::finish(db, id, "answered", Some("normal clearing"), Some("callee"))
            .await
            .unwrap()
    );
    let (status, text) = call(
        &admin,
        Method::GET,
        relay.url(&format!("/api/calls/{id}")),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let done: CallRecord = parse(&text);
    assert!(
        (90..=95).contains(&done.talk_seconds),
        "{}",
        done.talk_seconds
    );
    assert_eq!(done.status, "answered");
    assert_eq!(done.hangup_side.as_deref(), Some("callee"));
    assert_eq!(done.end_cause.as_deref(), Some("normal clearing"));
    assert_eq!(done.contact_name.as_deref(), Some("Ivan Petrov"));
    assert_eq!(
        done.user.as_ref().map(|u| u.display_name.as_str()),
        Some("Anna Sokolova")
    );
    assert_eq!(done.answered_at.as_deref(), Some(ninety_ago.as_str()));

    // A second end (a late BYE) changes nothing.
    assert!(
        !calls::finish(db, id, "failed", Some("late"), Some("relay"))
            .await
            .unwrap()
    );
    calls::answered(db, id, None).await.unwrap();
    assert_eq!(calls::get(db, id).await.unwrap().unwrap(), done);

    // Never answered: no talk time.
    let missed = logged_call(db, "inbound", Some(anna), "missed", "2026-11-01T10:00:00Z").await;
    let missed = calls::get(db, missed).await.unwrap().unwrap();
    assert_eq!((missed.talk_seconds, missed.answered_at), (0, None));

    // Deleting the trunk keeps the call, without the trunk.
    call(
        &admin,
        Method::DELETE,
        relay.url(&format!("/api/trunks/{trunk}")),
        None,
    )
    .await;
    assert_eq!(calls::get(db, id).await.unwrap().unwrap().trunk_id, None);
}

fn config_from_file(dir: &std::path::Path, toml: &str) -> Config {
    let file = dir.join("relay.toml");
    std::fs::write(&file, toml).unwrap();
    let data = dir.join("data");
    let args = [
        "callcard-relay",
        "--config",
        file.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--demo",
    ];
    Config::resolve(<Cli as clap::Parser>::try_parse_from(args).unwrap()).unwrap()
}

const PROVISIONED: &str = r#"
[[trunks]]
name = "main"
number = "8 (495) 111-22-33"
username = "acc1"
password = "file-trunk-secret"
domain = "sip.example.net"
host = "127.0.0.1:9"
priority = 1

[[sip_users]]
login = "anna"
extension = 201
password = "Desk-Phone-2026"

[[sip_users]]
login = "boris"
extension = "202"
accept_incoming = false
forward_to = "8 (916) 123-45-67"

[recording]
internal = false
retention_days = 90
"#;

/// id, user, extension, login, password, accept_incoming, forward_to, updated_at.
type SipRow = (
    i64,
    i64,
    String,
    String,
    String,
    bool,
    Option<String>,
    String,
);

/// Every telephony row, as text, for comparing whole states.
async fn telephony_rows(db: &SqlitePool) -> Vec<String> {
    let trunks: Vec<(i64, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, name, number, password, priority, updated_at FROM trunks ORDER BY id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let sip: Vec<SipRow> = sqlx::query_as(
        "SELECT id, user_id, extension, sip_login, sip_password, accept_incoming, forward_to,
                    updated_at FROM sip_users ORDER BY id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    trunks
        .iter()
        .map(|r| format!("{r:?}"))
        .chain(sip.iter().map(|r| format!("{r:?}")))
        .collect()
}

#[tokio::test]
async fn the_config_files_trunks_and_users_are_applied_once_and_reapplying_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_from_file(dir.path(), PROVISIONED);

    let relay = Relay::start(config.clone()).await.unwrap();
    let db = relay.state.db.clone();
    let first = telephony_rows(&db).await;
    assert_eq!(
        (count(&db, "trunks").await, count(&db, "sip_users").await),
        (1, 2)
    );
    let trunk = trunks::by_number(&db, "+74951112233")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((trunk.name.as_str(), trunk.priority), ("main", 1));
    assert_eq!(trunk.password, "file-trunk-secret");
    let anna = sip_users::by_login(&db, "callcard_201")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(anna.sip_password, "Desk-Phone-2026");
    let boris = sip_users::by_login(&db, "callcard_202")
        .await
        .unwrap()
        .unwrap();
    assert!(!boris.accept_incoming);
    assert_eq!(boris.forward_to.as_deref(), Some("+79161234567"));
    assert!(boris.sip_password.len() >= 20, "generated");
    let recording = callcard_relay::crm::recording_settings::load(&db)
        .await
        .unwrap();
    assert_eq!(
        (
            recording.enabled,
            recording.internal,
            recording.retention_days
        ),
        (true, false, 90)
    );
    drop(relay);
    db.close().await;

    // Again, with a restart: nothing changes, not even the generated password.
    let relay = Relay::start(config).await.unwrap();
    assert_eq!(telephony_rows(&relay.state.db).await, first);
    drop(relay);

    // An edited entry updates its row in place.
    let edited = PROVISIONED.replace("priority = 1", "priority = 7");
    let relay = Relay::start(config_from_file(dir.path(), &edited))
        .await
        .unwrap();
    let db = &relay.state.db;
    assert_eq!(
        (count(db, "trunks").await, count(db, "sip_users").await),
        (1, 2)
    );
    assert_eq!(trunks::enabled(db).await.unwrap()[0].priority, 7);
    assert_eq!(
        sip_users::by_login(db, "callcard_202")
            .await
            .unwrap()
            .unwrap()
            .sip_password,
        boris.sip_password
    );
}

#[tokio::test]
async fn a_bad_config_entry_stops_start_up_naming_it_and_writes_nothing() {
    let second_trunk_bad = format!(
        "{PROVISIONED}
[[trunks]]
name = \"backup\"
number = \"not a number\"
username = \"acc2\"
password = \"pw\"
domain = \"sip.example.net\"
host = \"127.0.0.1:9\"
"
    );
    let unknown_user = PROVISIONED.replace("login = \"boris\"", "login = \"nobody\"");
    let weak_password = PROVISIONED.replace("Desk-Phone-2026", "1234");
    let taken_extension = PROVISIONED.replace("extension = \"202\"", "extension = \"201\"");
    let no_retention = PROVISIONED.replace("retention_days = 90", "retention_days = 0");
    for (toml, want) in [
        (second_trunk_bad, "trunks[1].number"),
        (unknown_user, "sip_users[1].login"),
        (weak_password, "sip_users[0].password"),
        (taken_extension, "sip_users[1].extension"),
        (no_retention, "recording.retention_days"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = config_from_file(dir.path(), &toml);
        let error = match Relay::start(config).await {
            Ok(_) => panic!("start-up must fail for {want}"),
            Err(e) => format!("{e:#}"),
        };
        assert!(error.contains(want), "{want}: {error}");
        assert!(!error.contains("file-trunk-secret"), "{error}");
        let url = format!(
            "sqlite://{}",
            dir.path().join("data/callcard.sqlite").display()
        );
        let db = SqlitePool::connect(&url).await.unwrap();
        assert_eq!(count(&db, "trunks").await, 0, "{want}");
        assert_eq!(count(&db, "sip_users").await, 0, "{want}");
        db.close().await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_telephony_routes() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let (_, text) = call(&anna, Method::GET, relay.url("/api/openapi.json"), None).await;
    let doc: Value = parse(&text);
    for (path, method) in [
        ("/api/trunks", "post"),
        ("/api/trunks/{id}", "put"),
        ("/api/sip-users", "post"),
        ("/api/sip-users/{id}", "delete"),
        ("/api/sip-users/{id}/password", "post"),
        ("/api/me/sip", "get"),
        ("/api/calls", "get"),
        ("/api/calls/{id}", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    for schema in ["Trunk", "TrunkInput", "SipCredentials", "CallPage"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    assert!(doc["components"]["schemas"]["Trunk"]["properties"]["password"].is_null());
}

/// The CSeq numbers of the REGISTERs `socket` receives within `within`.
fn register_cseqs(socket: &std::net::UdpSocket, within: std::time::Duration) -> Vec<u32> {
    socket
        .set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let deadline = std::time::Instant::now() + within;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < deadline {
        let Ok(n) = socket.recv(&mut buf) else {
            continue;
        };
        let text = String::from_utf8_lossy(&buf[..n]);
        let cseq = text
            .lines()
            .find_map(|l| l.strip_prefix("CSeq: "))
            .and_then(|v| v.split_whitespace().next()?.parse().ok());
        if let Some(cseq) = cseq.filter(|_| text.starts_with("REGISTER ")) {
            if !seen.contains(&cseq) {
                seen.push(cseq);
            }
        }
    }
    seen
}

#[tokio::test]
async fn register_now_sends_a_fresh_register_at_once_and_only_for_registering_trunks() {
    let relay = TestRelay::start().await;
    let admin = relay.signed_in("admin").await;
    let anna = relay.signed_in("anna").await;
    let (socket, host) = silent_sip_server();
    let mut body = trunk_json("main", &host, Some("secret-pass"));
    body["register"] = json!(true);
    let (status, text) = call(&admin, Method::POST, relay.url("/api/trunks"), Some(body)).await;
    assert_eq!(status, 201, "{text}");
    let trunk: Trunk = parse(&text);
    let first = tokio::task::spawn_blocking({
        let socket = socket.try_clone().unwrap();
        move || register_cseqs(&socket, std::time::Duration::from_secs(2))
    })
    .await
    .unwrap();
    assert_eq!(first, vec![1], "the trunk's own first REGISTER");

    let url = relay.url(&format!("/api/trunks/{}/register", trunk.id));
    let (status, _) = call(&anna, Method::POST, url.clone(), None).await;
    assert_eq!(status, 403, "managers may not");
    let (status, text) = call(&admin, Method::POST, url, None).await;
    assert_eq!(status, 202, "{text}");
    let again = tokio::task::spawn_blocking(move || {
        register_cseqs(&socket, std::time::Duration::from_secs(2))
    })
    .await
    .unwrap();
    assert!(
        again.contains(&2),
        "a new REGISTER (CSeq 2) at once, not only retransmissions: {again:?}"
    );

    let (status, _) = call(
        &admin,
        Method::POST,
        relay.url("/api/trunks/999/register"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, other_host) = silent_sip_server();
    let mut quiet = trunk_json("quiet", &other_host, Some("secret-pass"));
    quiet["register"] = json!(false);
    let (_, text) = call(&admin, Method::POST, relay.url("/api/trunks"), Some(quiet)).await;
    let quiet: Trunk = parse(&text);
    let (status, text) = call(
        &admin,
        Method::POST,
        relay.url(&format!("/api/trunks/{}/register", quiet.id)),
        None,
    )
    .await;
    assert_eq!(status, 409, "{text}");
    assert_eq!(field(&text).as_deref(), Some("register"));
}

/// `/sip` opens for our own pages and for clients that send no Origin (desk
/// phones, SIP apps), and refuses a page of another site (403 naming the
/// field), even with a valid session cookie.
#[tokio::test]
async fn the_sip_websocket_refuses_another_sites_page() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let relay = TestRelay::start().await;
    let cookie = relay.session_cookie("anna").await;
    let open = |origin: Option<String>| {
        let mut request = format!("ws://{}/sip", relay.addr)
            .into_client_request()
            .expect("request");
        let headers = request.headers_mut();
        headers.insert("Sec-WebSocket-Protocol", "sip".parse().unwrap());
        headers.insert("Cookie", cookie.parse().unwrap());
        if let Some(origin) = origin {
            headers.insert("Origin", origin.parse().unwrap());
        }
        tokio_tungstenite::connect_async(request)
    };
    match open(Some("https://evil.example".into())).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
            let body = String::from_utf8(response.body().clone().unwrap_or_default()).unwrap();
            assert_eq!(field(&body).as_deref(), Some("Origin"), "{body}");
        }
        other => panic!(
            "a foreign page's WebSocket was not refused: {:?}",
            other.map(|_| ())
        ),
    }
    let (mut own, _) = open(Some(format!("http://{}", relay.addr)))
        .await
        .expect("our own page opens the socket");
    let _ = own.close(None).await;
    let (mut phone, _) = open(None).await.expect("a client without Origin opens it");
    let _ = phone.close(None).await;
}
