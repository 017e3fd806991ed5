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

/// The app is served precompressed (Brotli when asked, gzip otherwise, as
/// built — never compressed on the fly), its hashed files cached for good
/// and `index.html` revalidated, every page with a Content-Security-Policy
/// that allows Trunk's inline loader only by its hash; and the app still
/// starts under it in Chromium (every browser test here runs under it).
#[tokio::test]
async fn the_app_is_served_precompressed_cached_and_under_a_content_security_policy() {
    let dist = dist_dir();
    let relay = TestRelay::start_with(&dist).await;
    // Without decompression features: the bytes as sent.
    let http = reqwest::Client::new();
    let wasm = std::fs::read_dir(&dist)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|name| name.ends_with("_bg.wasm"))
        .expect("the built wasm");
    let raw = std::fs::metadata(dist.join(&wasm)).unwrap().len();
    let brotli = std::fs::metadata(dist.join(format!("{wasm}.br")))
        .expect("the xtask's brotli copy")
        .len();

    let get = |path: String, encoding: &'static str| {
        http.get(relay.url(&path))
            .header("accept-encoding", encoding)
            .send()
    };
    let br = get(format!("/{wasm}"), "gzip, deflate, br").await.unwrap();
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert!(br.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let sent = br.bytes().await.unwrap().len() as u64;
    assert_eq!(sent, brotli);
    assert!(sent * 3 < raw, "{sent} of {raw} bytes sent");
    let gz = get(format!("/{wasm}"), "gzip").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let plain = get(format!("/{wasm}"), "identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().len() as u64, raw);

    // A page (a client-side route falls back to index.html).
    let page = get("/calls".into(), "br").await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["referrer-policy"], "same-origin");
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let scripts = policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(
        scripts.contains("'wasm-unsafe-eval'") && scripts.contains("'sha256-"),
        "{policy}"
    );
    assert!(!scripts.contains("unsafe-inline"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
}
