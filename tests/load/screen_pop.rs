//! Screen-pop latency: from the provider's INVITE reaching the relay to the
//! caller's card rendered in the browser, over 50 inbound calls from random
//! contacts of 100 000 in the database. The relay runs in this process with
//! the built frontend; Anna's phone is online in headless Chromium; a
//! MutationObserver stamps the moment `#caller-card` appears
//! (`performance.timeOrigin + performance.now()`, the same wall clock as the
//! INVITE's send time here — on loopback the INVITE reaches the relay within
//! tens of microseconds). Writes `target/bench-figures/screen_pop.md`.
//!
//! `cargo run -p callcard-tests --bin screen-pop-load` (`cargo xtask bench` runs it).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use callcard_tests::browser::{dist_dir, Browser};
use callcard_tests::provider_peer::ProviderPeer;
use callcard_tests::telephony::{create_trunk_over, sip_address, sip_user, TrunkTest};
use callcard_tests::TestRelay;

const CONTACTS: u32 = 100_000;
const CALLS: usize = 50;
const TARGET_P99_MS: f64 = 50.0;

/// A number of the n-th generated contact (distinct, valid Moscow numbers).
fn number(n: u32) -> String {
    format!("+7495{:07}", 2_000_000 + n)
}

async fn seed(db: &sqlx::SqlitePool) {
    let mut tx = db.begin().await.unwrap();
    let now = "2026-11-01T00:00:00Z";
    for n in 0..CONTACTS {
        let name = format!("Load Contact {n}");
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO contacts (name, company, status, search_text, created_at, updated_at)
             VALUES ($1, 'Load Test Ltd', 'lead', $2, $3, $3) RETURNING id",
        )
        .bind(&name)
        .bind(name.to_lowercase())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        let phone = number(n);
        sqlx::query("INSERT INTO contact_phones (contact_id, raw, e164) VALUES ($1, $2, $2)")
            .bind(id)
            .bind(&phone)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

const OBSERVER: &str = r#"
window.__pops = [];
let present = false;
new MutationObserver(() => {
  const card = document.querySelector('#caller-card');
  if (card && !present) {
    window.__pops.push({ at: performance.timeOrigin + performance.now(), text: card.textContent });
  }
  present = !!card;
}).observe(document.body, { childList: true, subtree: true, characterData: true });
"#;

async fn pops(browser: &Browser) -> Vec<(f64, String)> {
    let value = browser
        .client
        .execute("return window.__pops;", vec![])
        .await
        .expect("read the stamps");
    value
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p["at"].as_f64().unwrap_or_default(),
                        p["text"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let relay = TestRelay::start_with(&dist_dir()).await;
    let seeding = std::time::Instant::now();
    seed(&relay.state().db).await;
    // Written straight to the database: the relay's number index reads them again.
    relay
        .state()
        .telephony
        .numbers
        .reload(&relay.state().db)
        .await
        .unwrap();
    eprintln!(
        "screen-pop: {CONTACTS} contacts seeded in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let admin = relay.signed_in("admin").await;
    let t = TrunkTest { relay, admin };
    let provider = ProviderPeer::start().await;
    create_trunk_over(&t, provider.sip_addr(), "trunkpass", false, "udp").await;
    sip_user(&t, "anna").await;
    let browser = Browser::start(&[]).await;
    browser.sign_in(&t.relay.url(""), "anna", "demo").await;
    browser
        .wait_text("#line-state", "the phone online", |s| s.contains("Online"))
        .await;
    browser
        .client
        .execute(OBSERVER, vec![])
        .await
        .expect("install the observer");
    let relay_sip = sip_address(&t);

    let mut latencies = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let n = (i as u32 * 7_919 + 13) % CONTACTS;
        let from = number(n);
        let sent = now_ms();
        provider.dial(relay_sip, "+74950000000", &from).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let (at, text) = loop {
            let seen = pops(&browser).await;
            if seen.len() > i {
                break seen[i].clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "call {i}: no card within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        assert!(
            text.contains(&format!("Load Contact {n}")),
            "call {i}: the card shows the wrong contact: {text}"
        );
        latencies.push(at - sent);
        provider.hang_up().await;
        // The card leaves before the next call.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let gone = browser
                .client
                .execute(
                    "return document.querySelector('#caller-card') === null;",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if gone {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "call {i}: the card stays"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    let (p50, p99, max) = (
        percentile(&sorted, 0.50),
        percentile(&sorted, 0.99),
        sorted[sorted.len() - 1],
    );
    let verdict = if p99 < TARGET_P99_MS { "met" } else { "missed" };
    let report = format!(
        "# Screen-pop latency\n\n\
         From the provider's INVITE to the caller's card rendered in headless Chromium \
         (debug relay in-process, {CONTACTS} contacts, {CALLS} inbound calls from random \
         contacts, loopback).\n\n\
         | calls | p50 | p99 | max | target p99 |\n|---|---|---|---|---|\n\
         | {CALLS} | {p50:.1} ms | {p99:.1} ms | {max:.1} ms | < {TARGET_P99_MS} ms ({verdict}) |\n"
    );
    print!("{report}");
    let dir = callcard_tests::repo_root().join("target/bench-figures");
    std::fs::create_dir_all(&dir).expect("figures dir");
    std::fs::write(dir.join("screen_pop.md"), report).expect("write the figures");
    browser.close().await;
    t.relay.stop().await;
}
