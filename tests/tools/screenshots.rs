//! The README's screenshots, taken from the real app in headless Chromium
//! with a real relay and a provider on loopback: the contacts list with the
//! softphone, an incoming call with the caller's card, a call in progress,
//! the after-call prompt, a contact's card with its calls, and the call log.
//! Writes `docs/screenshots/*.png`.
//!
//! `cargo xtask screenshots` (or `cargo run -p callcard-tests --bin screenshots`
//! after building the frontend).

use std::path::Path;
use std::time::Duration;

use callcard_tests::browser::Browser;
use callcard_tests::provider_peer::CallState;
use callcard_tests::softphone::{anna_online, Call, MEDIA_WAIT};
use callcard_tests::telephony::{sip_address, IVAN};

async fn shot(browser: &Browser, dir: &Path, name: &str) {
    // Let transitions and the receive meter settle.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let png = browser.client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    eprintln!("screenshots: {name}.png");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = callcard_tests::repo_root().join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("docs/screenshots");
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;
    let browser = &browser;

    browser
        .wait_text("#page-info", "the first page", |s| s.contains("of"))
        .await;
    shot(browser, &dir, "contacts").await;

    // Ivan Petrov calls: his card pops up while it rings.
    provider.dial(sip_address(&t), "+74950000000", IVAN).await;
    browser
        .wait_text("#active-call .call-status", "the ring", |s| {
            s.starts_with("Incoming")
        })
        .await;
    shot(browser, &dir, "incoming-call").await;

    browser.click("#answer-button").await;
    provider
        .expect("the answer", MEDIA_WAIT, |s| s.call == CallState::Answered)
        .await;
    browser
        .wait_text("#active-call .call-status", "talking", |s| {
            s.starts_with("Talking")
        })
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    shot(browser, &dir, "call").await;

    provider.hang_up().await;
    browser.find("#wrap-up").await;
    browser
        .find("#wrap-up-outcome")
        .await
        .select_by_value("Interested")
        .await
        .ok();
    browser
        .type_into(
            "#wrap-up-note",
            "Asked for a quote on 40 seats; call back Monday",
        )
        .await;
    shot(browser, &dir, "after-call").await;
    browser.click("#wrap-up-save").await;
    browser
        .wait_text("#call-outcome", "saved", |s| s.contains("Saved"))
        .await;

    browser.goto(&t.relay.url("/contacts/1")).await;
    browser
        .wait_text("#contact-calls", "the call", |s| s.contains("Interested"))
        .await;
    shot(browser, &dir, "contact-card").await;

    browser.goto(&t.relay.url("/calls")).await;
    browser.find("#calls-page table").await;
    shot(browser, &dir, "call-log").await;

    drop(provider);
    t.relay.stop().await;
}
