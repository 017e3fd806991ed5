//! The REST API against a running relay with a real temporary SQLite file.

use callcard_shared::api::{ApiError, ContactCard, ContactPage, Me, Note, UserSummary};
use callcard_tests::TestRelay;
use serde_json::json;

#[tokio::test]
async fn login_sets_a_strict_httponly_cookie_and_me_answers() {
    let relay = TestRelay::start().await;
    let client = relay.client();
    let response = client
        .post(relay.url("/api/login"))
        .json(&json!({"login": "anna", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("callcard_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP must not get a Secure cookie: {cookie}"
    );
    let me: Me = response.json().await.unwrap();
    assert_eq!((me.login.as_str(), me.is_admin), ("anna", false));

    let me: Me = client
        .get(relay.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me.display_name, "Anna Sokolova");
}

#[tokio::test]
async fn every_api_route_but_login_answers_401_without_a_session() {
    let relay = TestRelay::start().await;
    let anonymous = relay.client();
    // Every operation the OpenAPI document lists, whatever its method.
    let doc: serde_json::Value = relay
        .signed_in("admin")
        .await
        .get(relay.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            if path == "/api/login" || !path.starts_with("/api/") {
                continue;
            }
            let url = relay.url(&path.replace("{id}", "1"));
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let response = anonymous
                .request(method.clone(), url)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401, "{method} {path}");
            let body: ApiError = response.json().await.unwrap();
            assert!(!body.error.is_empty(), "{method} {path}");
            checked += 1;
        }
    }
    assert!(
        checked >= 20,
        "the document lists the API ({checked} operations)"
    );
    let response = anonymous
        .post(relay.url("/api/contacts/1/notes"))
        .json(&json!({"body": "sneaky"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let forged = anonymous
        .get(relay.url("/api/me"))
        .header("cookie", "callcard_session=00ff")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_get_the_same_401() {
    let relay = TestRelay::start().await;
    let client = relay.client();
    let mut bodies = Vec::new();
    for (login, password) in [("anna", "wrong"), ("nobody", "demo")] {
        let response = client
            .post(relay.url("/api/login"))
            .json(&json!({"login": login, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.headers().get("set-cookie").is_none());
        bodies.push(response.text().await.unwrap());
    }
    assert_eq!(
        bodies[0], bodies[1],
        "the answer must not tell which part was wrong"
    );
}

#[tokio::test]
async fn repeated_failed_logins_are_refused_for_a_while_even_with_the_right_password() {
    let relay = TestRelay::start().await;
    let client = relay.client();
    for _ in 0..10 {
        let response = client
            .post(relay.url("/api/login"))
            .json(&json!({"login": "boris", "password": "guess"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let response = client
        .post(relay.url("/api/login"))
        .json(&json!({"login": "boris", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn admin_routes_answer_403_to_managers_and_200_to_admins() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let response = anna.get(relay.url("/api/users")).send().await.unwrap();
    assert_eq!(response.status(), 403);

    let admin = relay.signed_in("admin").await;
    let users: Vec<UserSummary> = admin
        .get(relay.url("/api/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let logins: Vec<_> = users.iter().map(|u| u.login.as_str()).collect();
    assert_eq!(logins, ["admin", "anna", "boris"]);
}

async fn search(relay: &TestRelay, client: &reqwest::Client, q: &str) -> ContactPage {
    client
        .get(relay.url("/api/contacts"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn contacts_are_found_by_a_phone_typed_in_another_format_than_stored() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    // Ivan Petrov's phones are stored as "+7 495 123-45-67" and "8 (916) 123 45 67".
    for q in [
        "8 (495) 123-45-67",
        "84951234567",
        "+7 (916) 123-45-67",
        "123-45-67",
    ] {
        let page = search(&relay, &anna, q).await;
        let names: Vec<_> = page.items.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ivan Petrov"], "query {q:?}");
        assert_eq!(page.total, 1, "query {q:?}");
    }
    let page = search(&relay, &anna, "+7 999 000-00-00").await;
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn contacts_are_found_by_name_or_company_in_any_case_and_script() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let page = search(&relay, &anna, "STROYMONTAZH").await;
    assert_eq!(page.items[0].name, "Ivan Petrov");
    let page = search(&relay, &anna, "мария").await;
    assert!(
        page.items.iter().all(|c| c.name.starts_with("Мария")),
        "{page:?}"
    );
    assert!(page.total >= 1);
    let page = search(&relay, &anna, "100%_sure").await;
    assert_eq!(page.total, 0, "LIKE wildcards in the query must be literal");
}

#[tokio::test]
async fn contacts_page_through_the_whole_list_and_bad_limits_name_the_field() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let first: ContactPage = anna
        .get(relay.url("/api/contacts?limit=20"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first.total, 50);
    assert_eq!(first.items.len(), 20);
    let last: ContactPage = anna
        .get(relay.url("/api/contacts?limit=20&offset=40"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(last.items.len(), 10);
    assert!(first
        .items
        .iter()
        .all(|a| last.items.iter().all(|b| a.id != b.id)));
    assert!(first
        .items
        .iter()
        .all(|c| c.responsible.is_some() && !c.phones.is_empty()));
    assert!(first.items.iter().any(|c| c.phones.len() == 2));

    for query in ["limit=201", "limit=0", "limit=abc", "offset=-1"] {
        let response = anna
            .get(relay.url(&format!("/api/contacts?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{query}");
        let error: ApiError = response.json().await.unwrap();
        let field = query.split('=').next().unwrap();
        assert_eq!(error.field.as_deref(), Some(field), "{query}: {error:?}");
    }
}

#[tokio::test]
async fn the_contact_card_shows_deals_and_notes_and_takes_a_new_note() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let id = search(&relay, &anna, "Ivan Petrov").await.items[0].id;
    let card: ContactCard = anna
        .get(relay.url(&format!("/api/contacts/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(card.contact.phones.len(), 2);
    assert_eq!(card.contact.phones[0].e164.as_deref(), Some("+74951234567"));
    assert!(!card.deals.is_empty());
    assert!(card.about.is_some());
    let notes_before = card.notes.len();

    let response = anna
        .post(relay.url(&format!("/api/contacts/{id}/notes")))
        .json(&json!({"body": "  Called back, sending the quote.  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let note: Note = response.json().await.unwrap();
    assert_eq!(note.body, "Called back, sending the quote.");
    assert_eq!(note.author.unwrap().display_name, "Anna Sokolova");

    let card: ContactCard = anna
        .get(relay.url(&format!("/api/contacts/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(card.notes.len(), notes_before + 1);
    assert_eq!(card.notes[0].body, "Called back, sending the quote.");
}

#[tokio::test]
async fn bad_requests_get_json_errors_naming_the_field_and_change_nothing() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;

    let malformed = anna
        .post(relay.url("/api/login"))
        .header("content-type", "application/json")
        .body("{\"login\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert!(malformed
        .json::<ApiError>()
        .await
        .unwrap()
        .error
        .contains("JSON"));

    let missing = anna
        .post(relay.url("/api/login"))
        .json(&json!({"login": "anna"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 422);
    assert_eq!(
        missing.json::<ApiError>().await.unwrap().field.as_deref(),
        Some("password")
    );

    let mistyped = anna
        .post(relay.url("/api/contacts/1/notes"))
        .json(&json!({"body": 42}))
        .send()
        .await
        .unwrap();
    assert_eq!(mistyped.status(), 422);
    assert_eq!(
        mistyped.json::<ApiError>().await.unwrap().field.as_deref(),
        Some("body")
    );

    let empty = anna
        .post(relay.url("/api/contacts/1/notes"))
        .json(&json!({"body": "   "}))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);

    let nowhere = anna
        .post(relay.url("/api/contacts/999999/notes"))
        .json(&json!({"body": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), 404);
    let bad_id = anna
        .get(relay.url("/api/contacts/abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_id.status(), 422);
    assert_eq!(
        bad_id.json::<ApiError>().await.unwrap().field.as_deref(),
        Some("id")
    );

    let card: ContactCard = anna
        .get(relay.url("/api/contacts/1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(card
        .notes
        .iter()
        .all(|n| n.body != "hello" && !n.body.trim().is_empty()));
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let response = anna.post(relay.url("/api/logout")).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        anna.get(relay.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_routes() {
    let relay = TestRelay::start().await;
    let anna = relay.signed_in("anna").await;
    let doc: serde_json::Value = anna
        .get(relay.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/login",
        "/api/contacts",
        "/api/contacts/{id}",
        "/api/users",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ContactPage"].is_object());
}

#[tokio::test]
async fn health_and_unknown_api_routes_answer_json() {
    let relay = TestRelay::start().await;
    let health: serde_json::Value = reqwest::get(relay.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let anna = relay.signed_in("anna").await;
    let response = anna.get(relay.url("/api/nope")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.json::<ApiError>().await.is_ok());
}

#[tokio::test]
async fn the_frontend_is_served_with_a_spa_fallback() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>Callcard app</title>",
    )
    .unwrap();
    std::fs::write(dist.path().join("app.js"), "console.log('hi')").unwrap();
    let relay = TestRelay::start_with(dist.path()).await;
    for path in ["/", "/contacts/12", "/login"] {
        let response = reqwest::get(relay.url(path)).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.text().await.unwrap().contains("Callcard app"),
            "{path}"
        );
    }
    let js = reqwest::get(relay.url("/app.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(js.contains("console.log"));
}

#[tokio::test]
async fn an_unwritable_data_directory_stops_start_up_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "a file where the data directory should be").unwrap();
    let data_dir = blocker.join("data");
    let config = callcard_relay::config::Config::with_data_dir(&data_dir);
    let error = match callcard_relay::Relay::start(config).await {
        Ok(_) => panic!("start-up must fail"),
        Err(e) => format!("{e:#}"),
    };
    assert!(error.contains(&data_dir.display().to_string()), "{error}");
}
