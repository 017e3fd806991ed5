//! The interface in Russian and Polish, in headless Chromium against a real
//! relay: the picker switches the language at once and the choice survives a
//! reload; on the dock, the contacts page and the call log no English message
//! and no message id is left (a walk over every text node and the `title`,
//! `placeholder` and `aria-label` of every element); counts take the
//! language's plural form; an unknown stored language falls back to English.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use callcard_tests::browser::{dist_dir, Browser};
use callcard_tests::TestRelay;

/// `id = text` messages of one language: the single-line ones without
/// variables (what a page shows as a whole text node or attribute).
fn simple_messages(lang: &str) -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../frontend/locales")
        .join(lang);
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("the locales folder") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("ftl");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some((id, value)) = line.split_once(" = ") else {
                continue;
            };
            let continued = lines
                .get(i + 1)
                .is_some_and(|next| next.starts_with(' ') && !next.trim().is_empty());
            let is_id = id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if is_id && !continued && !value.contains('{') {
                out.insert(id.to_owned(), value.trim().to_owned());
            }
        }
    }
    assert!(out.len() > 200, "{lang}: the message files were read");
    out
}

/// Every message id of the English files (to catch an id shown raw).
fn english_ids() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/locales/en");
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("the locales folder") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("ftl");
        for line in text.lines() {
            if let Some((id, _)) = line.split_once(" =") {
                if !id.starts_with([' ', '#']) && !id.is_empty() {
                    ids.insert(id.trim().to_owned());
                }
            }
        }
    }
    ids
}

/// Text nodes and labelling attributes on the page (not `<noscript>`).
const VISIBLE_TEXT: &str = r#"
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (node.parentElement && node.parentElement.closest('noscript, script, style')) continue;
  const text = node.textContent.trim();
  if (text) out.push(text);
}
for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label]')) {
  for (const name of ['title', 'placeholder', 'aria-label']) {
    const value = (el.getAttribute(name) || '').trim();
    if (value) out.push(value);
  }
}
return out;
"#;

async fn visible_text(browser: &Browser) -> Vec<String> {
    let value = browser
        .client
        .execute(VISIBLE_TEXT, vec![])
        .await
        .expect("the DOM walk runs");
    serde_json::from_value(value).expect("a list of strings")
}

/// Fails naming every English message or raw id found on the page.
async fn assert_translated(browser: &Browser, page: &str, lang: &str) {
    let english = simple_messages("en");
    let translated = simple_messages(lang);
    let ids = english_ids();
    // English texts the other language spells differently (a word that is the
    // same in both, like "Trunk" or "Status" in Polish, proves nothing).
    let same_word: BTreeSet<&str> = english
        .iter()
        .filter(|(id, text)| translated.get(*id) == Some(*text))
        .map(|(_, text)| text.as_str())
        .collect();
    let untranslated: BTreeMap<&str, &str> = english
        .iter()
        .filter(|(_, text)| !same_word.contains(text.as_str()) && text.len() > 2)
        .map(|(id, text)| (text.as_str(), id.as_str()))
        .collect();
    let texts = visible_text(browser).await;
    assert!(texts.len() > 20, "{page}: the page rendered: {texts:?}");
    let english_left: Vec<_> = texts
        .iter()
        .filter_map(|t| {
            untranslated
                .get(t.as_str())
                .map(|id| format!("{t:?} ({id})"))
        })
        .collect();
    let raw_ids: Vec<_> = texts.iter().filter(|t| ids.contains(t.as_str())).collect();
    assert!(
        english_left.is_empty(),
        "{page} in {lang} still shows English: {english_left:?}"
    );
    assert!(
        raw_ids.is_empty(),
        "{page} in {lang} shows message ids: {raw_ids:?}"
    );
}

async fn pick_language(browser: &Browser, code: &str) {
    browser
        .find("select#language")
        .await
        .select_by_value(code)
        .await
        .expect("the language picker");
}

#[tokio::test]
async fn the_interface_speaks_russian_and_polish_on_every_main_page() {
    let relay = TestRelay::start_with(&dist_dir()).await;
    let base = relay.url("");
    let db = relay.state().db.clone();
    let anna = callcard_relay::crm::users::id_by_login(&db, "anna")
        .await
        .unwrap()
        .unwrap();
    // Five calls in Anna's log: "5 звонков", "5 połączeń".
    for hour in 10..15 {
        let at = format!("2026-12-01T{hour}:00:00Z");
        callcard_tests::calls::logged_call(&db, "inbound", Some(anna), "answered", &at).await;
    }
    let anna_web = relay.signed_in("anna").await;
    let log: serde_json::Value = callcard_tests::get_json(&anna_web, relay.url("/api/calls")).await;
    assert_eq!(log["total"], 5, "{log}");

    let browser = Browser::start(&[]).await;
    browser.sign_in(&base, "anna", "demo").await;
    // Chromium here prefers English: the first visit follows the browser.
    browser
        .wait_text("a.topnav-link", "English navigation", |t| t == "Contacts")
        .await;

    pick_language(&browser, "ru").await;
    // At once, without a reload.
    browser
        .wait_text("a.topnav-link", "Russian navigation", |t| t == "Контакты")
        .await;
    let lang = browser
        .client
        .execute("return document.documentElement.lang", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "ru");
    assert_translated(&browser, "the contacts page and the dock", "ru").await;
    browser.goto(&relay.url("/calls")).await;
    let total = browser
        .wait_text("#calls-total", "the Russian count", |t| t.contains('5'))
        .await;
    assert_eq!(total, "5 звонков");
    assert_translated(&browser, "the call log", "ru").await;
    browser.goto(&relay.url("/contacts/1")).await;
    browser.find("h1.contact-name").await;
    assert_translated(&browser, "a contact card", "ru").await;

    // The choice is kept: a reload (a new page load) is still Russian.
    browser.goto(&relay.url("/contacts")).await;
    browser
        .wait_text("a.topnav-link", "Russian after a reload", |t| {
            t == "Контакты"
        })
        .await;

    pick_language(&browser, "pl").await;
    browser
        .wait_text("a.topnav-link", "Polish navigation", |t| t == "Kontakty")
        .await;
    assert_translated(&browser, "the contacts page and the dock", "pl").await;
    browser.goto(&relay.url("/calls")).await;
    let total = browser
        .wait_text("#calls-total", "the Polish count", |t| t.contains('5'))
        .await;
    assert_eq!(total, "5 połączeń");
    assert_translated(&browser, "the call log", "pl").await;

    // A language this app does not speak, stored by hand, falls back to English.
    browser
        .client
        .execute("localStorage.setItem('callcard.language', 'de')", vec![])
        .await
        .unwrap();
    browser.goto(&relay.url("/calls")).await;
    browser
        .wait_text("a.topnav-link", "English for an unknown language", |t| {
            t == "Contacts"
        })
        .await;
    let total = browser
        .wait_text("#calls-total", "the English count", |t| t.contains('5'))
        .await;
    assert_eq!(total, "5 calls");

    browser.close().await;
    relay.stop().await;
}
