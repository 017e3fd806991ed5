//! The built frontend in headless Chromium against a real relay: what a sales
//! manager does first — sign in, find a client by a phone number typed any
//! way, open the card, write a note, click a number to dial it.

use callcard_tests::browser::{dist_dir, Browser};
use callcard_tests::TestRelay;

#[tokio::test]
async fn a_manager_signs_in_finds_a_client_by_phone_and_opens_the_card() {
    let relay = TestRelay::start_with(&dist_dir()).await;
    let base = relay.url("");
    let browser = Browser::start(&[]).await;

    // A deep link while signed out goes through the login page and back.
    browser.goto(&relay.url("/contacts")).await;
    browser.find("input#login").await;
    assert_eq!(browser.current_path().await, "/login");

    browser.type_into("input#login", "anna").await;
    browser.type_into("input#password", "wrong").await;
    browser.click("button#login-submit").await;
    let error = browser.text("#login-error").await;
    assert!(!error.trim().is_empty(), "a failed sign-in explains itself");

    browser.type_into("input#password", "demo").await;
    browser.click("button#login-submit").await;
    browser
        .wait_text("#current-user", "Anna", |t| t.contains("Anna"))
        .await;
    assert_eq!(browser.current_path().await, "/contacts");
    browser
        .wait_text("#page-info", "the first page of 50", |t| {
            t.contains("of 50")
        })
        .await;

    // Stored as "+7 495 123-45-67"; typed the way a Russian manager says it.
    browser
        .type_into("input#contact-search", "8 (495) 123-45-67")
        .await;
    browser
        .wait_text("#page-info", "exactly one match", |t| t.contains("of 1"))
        .await;
    let rows = browser
        .client
        .find_all(fantoccini::Locator::Css("tr.contact-row"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text().await.unwrap().contains("Ivan Petrov"));

    browser.click("tr.contact-row a.contact-link").await;
    browser
        .wait_text("h1.contact-name", "Ivan Petrov", |t| t == "Ivan Petrov")
        .await;
    assert_eq!(browser.current_path().await, "/contacts/1");

    // A note written on the card is saved on the server and shown first.
    browser
        .type_into("textarea#note-body", "Asked for a quote on 40 seats")
        .await;
    browser.click("button#note-add").await;
    browser
        .wait_text("#contact-notes li.note", "the new note first", |t| {
            t.contains("Asked for a quote on 40 seats")
        })
        .await;
    let card: serde_json::Value = relay
        .signed_in("anna")
        .await
        .get(relay.url("/api/contacts/1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(card["notes"][0]["body"], "Asked for a quote on 40 seats");

    // Click-to-call puts the number into the dial pad.
    browser.click("#contact-card button.click-to-call").await;
    let dialled = browser
        .find("input#dial-input")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(dialled, "+7 495 123-45-67");

    // Signing out returns to the login page and the session is gone.
    browser.click("button#logout").await;
    browser.find("input#login").await;
    browser.goto(&format!("{base}/contacts/1")).await;
    browser.find("input#login").await;

    browser.close().await;
    relay.stop().await;
}

#[tokio::test]
async fn the_dial_pad_previews_the_number_rules_an_admin_saved() {
    let relay = TestRelay::start_with(&dist_dir()).await;
    let base = relay.url("");
    let admin = relay.signed_in("admin").await;
    let view: serde_json::Value =
        callcard_tests::get_json(&admin, relay.url("/api/dialplan")).await;
    let mut rules = view["rules"].clone();
    rules["autocorrect"] = serde_json::json!([r"^\+7/8"]);
    rules["forbidden_codes"] = serde_json::json!(["+375"]);
    let saved = admin
        .put(relay.url("/api/dialplan"))
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);

    let browser = Browser::start(&[]).await;
    browser.sign_in(&base, "anna", "demo").await;
    browser.goto(&relay.url("/contacts/1")).await;
    browser.click("#contact-card button.click-to-call").await;
    // Ivan's +7 number, as the provider will get it after the admin's autocorrect.
    browser
        .wait_text("#dial-preview", "the rewritten number", |t| {
            t.contains("dials 84951234567")
        })
        .await;
    browser
        .type_into("input#dial-input", "+375 29 123 45 67")
        .await;
    let refused = browser
        .wait_text("#dial-preview", "the refusal", |t| t.starts_with("Refused"))
        .await;
    assert!(refused.contains("+375"), "{refused}");
    // The relay's own verdict on the same number is the same refusal.
    let verdict: serde_json::Value = admin
        .post(relay.url("/api/dialplan/try"))
        .json(&serde_json::json!({ "number": "+375 29 123 45 67" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        format!(
            "Refused: {}",
            verdict["outcome"]["reason"].as_str().unwrap()
        ),
        refused
    );

    browser.close().await;
    relay.stop().await;
}
