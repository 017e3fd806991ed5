//! The admin pages in headless Chromium against a real relay: the number
//! rules an admin saves on the page are what a manager's dial pad previews
//! and what the relay enforces; a telephony user's password is shown once;
//! the SIP accounts page follows a trunk's registration live; call limits,
//! automatic telephony users per group and turning telephony off.

use std::time::Duration;

use callcard_shared::sip::ua::Event;
use callcard_tests::browser::{dist_dir, Browser};
use callcard_tests::sip_phone::WsPhone;
use callcard_tests::sipp::{Scenario, Sipp};
use callcard_tests::telephony::{
    create_trunk, last_call, registered_phone, sip_address, TrunkTest, WAIT,
};
use callcard_tests::{get_json, TestRelay};
use fantoccini::Locator;
use serde_json::{json, Value};

/// Whether `css` matches nothing right now (no waiting).
async fn absent(browser: &Browser, css: &str) -> bool {
    browser.client.find(Locator::Css(css)).await.is_err()
}

async fn value(browser: &Browser, css: &str) -> String {
    browser
        .find(css)
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

/// Waits until the status icon of the only trunk row whose name is `name`
/// is in `state`; returns its hover text.
async fn trunk_icon(browser: &Browser, name: &str, state: &str) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut last = String::new();
    loop {
        for row in browser
            .client
            .find_all(Locator::Css("tr.trunk-row"))
            .await
            .unwrap_or_default()
        {
            let Ok(cell) = row.find(Locator::Css("td.trunk-name")).await else {
                continue;
            };
            if !cell.text().await.unwrap_or_default().starts_with(name) {
                continue;
            }
            let icon = row
                .find(Locator::Css("span.trunk-status"))
                .await
                .expect("a status icon");
            let shown = icon.attr("data-state").await.unwrap().unwrap_or_default();
            let title = icon.attr("title").await.unwrap().unwrap_or_default();
            if shown == state {
                return title;
            }
            last = format!("{shown} ({title})");
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "trunk {name} never showed {state}; last: {last}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn number_rules_saved_on_the_admin_page_are_what_the_dial_pad_previews_and_the_relay_enforces(
) {
    let relay = TestRelay::start_with(&dist_dir()).await;
    let base = relay.url("");
    let browser = Browser::start(&[]).await;
    browser.sign_in(&base, "admin", "demo").await;

    browser.click("#nav-admin").await;
    browser.find("#admin-tab-number-rules").await;
    assert_eq!(browser.current_path().await, "/admin/trunks");
    browser.click("#admin-tab-number-rules").await;
    browser.find("textarea#rules-autocorrect").await;
    assert_eq!(browser.current_path().await, "/admin/number-rules");

    // A rule without its replacement: the relay's 422 is shown under the
    // field, naming the line, and nothing is saved.
    browser
        .type_into("textarea#rules-autocorrect", r"^\+7")
        .await;
    browser.click("button#rules-save").await;
    let error = browser
        .wait_text("#rules-autocorrect-error", "the relay's complaint", |t| {
            !t.is_empty()
        })
        .await;
    assert!(
        error.starts_with("Line 1:") && error.contains('/'),
        "{error}"
    );
    let admin = relay.signed_in("admin").await;
    let stored: Value = get_json(&admin, relay.url("/api/dialplan")).await;
    assert_eq!(stored["rules"]["autocorrect"], json!([]));

    browser
        .type_into("textarea#rules-autocorrect", r"^\+7/8")
        .await;
    assert!(absent(&browser, "#rules-autocorrect-error").await);
    browser.type_into("#rules-forbidden-codes", "+375").await;
    browser.click("button#rules-save").await;
    browser
        .wait_text("#rules-notice", "the saved notice", |t| {
            t.starts_with("Saved")
        })
        .await;
    let stored: Value = get_json(&admin, relay.url("/api/dialplan")).await;
    assert_eq!(stored["rules"]["autocorrect"], json!([r"^\+7/8"]));
    assert_eq!(stored["rules"]["forbidden_codes"], json!(["+375"]));

    // "Try a number" shows every step and the verdict.
    browser.type_into("#try-number", "+7 495 123-45-67").await;
    browser.click("#try-submit").await;
    let verdict = browser
        .wait_text("#try-verdict", "the dial string", |t| {
            t.contains("dials 84951234567")
        })
        .await;
    assert!(verdict.starts_with("Allowed"), "{verdict}");
    let steps = browser
        .client
        .find_all(Locator::Css("#try-steps li.try-step"))
        .await
        .unwrap();
    let mut texts = Vec::new();
    for step in &steps {
        texts.push(step.text().await.unwrap());
    }
    assert!(
        texts
            .iter()
            .any(|t| t.contains(r"autocorrect[0] ^\+7/8") && t.contains("84951234567")),
        "{texts:?}"
    );
    browser.type_into("#try-number", "+375 29 123 45 67").await;
    browser.click("#try-submit").await;
    let try_refusal = browser
        .wait_text("#try-verdict", "the refusal", |t| t.starts_with("Refused"))
        .await;
    assert!(try_refusal.contains("+375"), "{try_refusal}");
    assert!(browser
        .text("#try-steps")
        .await
        .contains("forbidden_codes[0] +375"));

    // A manager: no Admin entry, an "admins only" page, and the relay says no.
    browser.click("button#logout").await;
    browser.find("input#login").await;
    browser.sign_in(&base, "anna", "demo").await;
    assert!(absent(&browser, "#nav-admin").await);
    browser.goto(&relay.url("/admin/number-rules")).await;
    browser.find("#admin-only").await;
    assert!(absent(&browser, "#rules-form").await);
    let anna = relay.signed_in("anna").await;
    let denied = anna
        .put(relay.url("/api/dialplan"))
        .json(&stored["rules"])
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);

    // Her dial pad previews the admin's rules.
    browser.goto(&relay.url("/contacts/1")).await;
    browser.click("#contact-card button.click-to-call").await;
    browser
        .wait_text("#dial-preview", "the rewritten number", |t| {
            t.contains("dials 84951234567")
        })
        .await;
    browser
        .type_into("input#dial-input", "+375 29 123 45 67")
        .await;
    let preview = browser
        .wait_text("#dial-preview", "the refusal", |t| t.starts_with("Refused"))
        .await;
    assert_eq!(preview, try_refusal, "the dial pad and the try box agree");
    browser.close().await;

    // And the relay refuses her call with the same reason, whatever she sends.
    let t = TrunkTest { relay, admin };
    let mut phone = registered_phone(&t, "anna").await;
    let call = phone.call("+375291234567", None).await;
    let failed = phone
        .wait_for(
            "the refusal",
            WAIT,
            |e| matches!(e, Event::Failed { call: c, .. } if *c == call),
        )
        .await;
    assert!(
        matches!(failed, Event::Failed { code: 403, .. }),
        "{failed:?}"
    );
    let record = last_call(&t).await;
    assert_eq!(record["status"], "refused", "{record}");
    assert_eq!(
        format!("Refused: {}", record["end_cause"].as_str().unwrap()),
        preview
    );
    t.relay.stop().await;
}

#[tokio::test]
async fn the_admin_sees_trunks_register_live_and_a_new_sip_password_once() {
    let relay = TestRelay::start_with(&dist_dir()).await;
    let base = relay.url("");
    let admin = relay.signed_in("admin").await;
    let browser = Browser::start(&[]).await;
    browser.sign_in(&base, "admin", "demo").await;
    browser.goto(&relay.url("/admin/trunks")).await;
    browser.find("#trunks-empty").await;

    // A trunk added on the page registers at SIPp's registrar: the icon
    // turns green by itself (the status event), the password never shows.
    let registrar = Sipp::serve(Scenario::File("registrar.xml"), 1);
    browser.click("#trunk-new").await;
    browser.type_into("#trunk-name", "Main provider").await;
    browser.type_into("#trunk-number", "+7 495 000-00-00").await;
    browser.type_into("#trunk-username", "trunkuser").await;
    browser.type_into("#trunk-password", "trunkpass").await;
    browser.type_into("#trunk-domain", "sipp.test").await;
    browser
        .type_into("#trunk-host", &registrar.addr.to_string())
        .await;
    browser.type_into("#trunk-expires", "120").await;
    browser.click("#trunk-save").await;
    let title = trunk_icon(&browser, "Main provider", "registered").await;
    assert!(title.starts_with("Registered"), "{title}");
    assert!(absent(&browser, "#trunk-form").await, "the form closed");
    let trunks: Value = get_json(&admin, relay.url("/api/trunks")).await;
    assert_eq!(trunks[0]["number"], "+74950000000");
    assert_eq!(trunks[0]["expires"], 120);
    assert_eq!(trunks[0]["has_password"], true);
    browser.click("tr.trunk-row button.trunk-edit").await;
    assert_eq!(value(&browser, "#trunk-password").await, "");
    assert_eq!(value(&browser, "#trunk-username").await, "trunkuser");
    assert!(!browser.client.source().await.unwrap().contains("trunkpass"));
    browser.click("#trunk-cancel").await;
    registrar
        .finished(WAIT)
        .await
        .expect("SIPp saw a valid digest");

    // One with a wrong password fails, and the icon says why on hover.
    let t = TrunkTest { relay, admin };
    let wrong = Sipp::serve(Scenario::File("registrar.xml"), 1);
    create_trunk(&t, &wrong, "not-the-password", true).await;
    browser.goto(&t.relay.url("/admin/trunks")).await;
    let title = trunk_icon(&browser, "Provider", "failed").await;
    assert!(title.contains("wrong credentials (403)"), "{title}");
    let _ = wrong.finished(WAIT).await;

    // "Register now" asks again at once, without waiting out the back-off:
    // the icon goes back to pending.
    let trunks: Value = get_json(&t.admin, t.relay.url("/api/trunks")).await;
    let failed_id = trunks
        .as_array()
        .unwrap()
        .iter()
        .find(|tr| {
            tr["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("Provider"))
        })
        .expect("the failed trunk")["id"]
        .clone();
    browser
        .click(&format!(
            "tr.trunk-row[data-id='{failed_id}'] button.trunk-register"
        ))
        .await;
    trunk_icon(&browser, "Provider", "pending").await;
    assert!(absent(&browser, "#trunks-error").await, "no error shown");

    // Deleting asks first.
    browser.click("tr.trunk-row button.trunk-delete").await;
    browser
        .click("tr.trunk-row button.trunk-delete-confirm")
        .await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while browser
        .client
        .find_all(Locator::Css("tr.trunk-row"))
        .await
        .unwrap()
        .len()
        != 1
    {
        assert!(tokio::time::Instant::now() < deadline, "the row stays");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let trunks: Value = get_json(&t.admin, t.relay.url("/api/trunks")).await;
    assert_eq!(trunks.as_array().unwrap().len(), 1);

    // A telephony user for Anna: the next free extension is proposed, the
    // switches and forwarding are saved, the password is shown once.
    browser.click("#admin-tab-telephony-users").await;
    browser.find("#sip-users-empty").await;
    browser.click("#sip-user-new").await;
    assert_eq!(value(&browser, "#sip-user-extension").await, "101");
    let users: Value = get_json(&t.admin, t.relay.url("/api/users")).await;
    let anna_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "anna")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    browser
        .find("select#sip-user-user")
        .await
        .select_by_value(&anna_id.to_string())
        .await
        .expect("pick Anna");
    browser.click("#sip-user-browser-calls").await;
    browser
        .type_into("#sip-user-forward-to", "+7 916 123-45-67")
        .await;
    browser.click("#sip-user-save").await;
    let password = browser
        .wait_text("#sip-credentials-password", "the password", |t| {
            t.len() >= 8
        })
        .await;
    let login = browser.text("#sip-credentials-login").await;
    assert!(login.ends_with("_101"), "{login}");
    let listed: Value = get_json(&t.admin, t.relay.url("/api/sip-users")).await;
    assert_eq!(listed[0]["extension"], "101");
    assert_eq!(listed[0]["browser_calls"], false);
    assert_eq!(listed[0]["accept_incoming"], true);
    assert_eq!(listed[0]["forward_to"], "+79161234567");
    assert!(!listed.to_string().contains(&password));

    // What the box shows is the real password: a desk phone registers with it.
    let mut desk = WsPhone::udp(sip_address(&t), &login, &password).await;
    let registered = desk.register().await;
    assert!(
        matches!(registered, Event::Registered { .. }),
        "{registered:?}"
    );

    // Dismissed, it is gone for good: not on the page, not after a reload.
    browser.click("#sip-credentials-dismiss").await;
    assert!(absent(&browser, "#sip-credentials").await);
    assert!(!browser.client.source().await.unwrap().contains(&password));
    browser.goto(&t.relay.url("/admin/telephony-users")).await;
    browser
        .wait_text("tr.sip-user-row", "Anna's row", |t| t.contains("101"))
        .await;
    assert!(!browser.client.source().await.unwrap().contains(&password));

    // A new password, after confirming, is shown once as well.
    browser
        .click("tr.sip-user-row button.sip-user-rotate")
        .await;
    browser
        .click("tr.sip-user-row button.sip-user-confirm")
        .await;
    let rotated = browser
        .wait_text("#sip-credentials-password", "a new password", |t| {
            t.len() >= 8 && t != password
        })
        .await;
    assert_ne!(rotated, password);

    // Masking per group, saved on its own row.
    browser.goto(&t.relay.url("/admin/masking")).await;
    let manager = callcard_tests::group_id(&t.admin, &t.relay, "manager").await;
    browser
        .find(&format!("#masking-kind-{manager}"))
        .await
        .select_by_value("show_last")
        .await
        .expect("pick show_last");
    browser
        .type_into(&format!("#masking-n-{manager}"), "2")
        .await;
    assert_eq!(
        browser.text(&format!("#masking-sample-{manager}")).await,
        "+* *** ***-**-67"
    );
    browser.click(&format!("#masking-save-{manager}")).await;
    browser.find(&format!("#masking-saved-{manager}")).await;
    let groups: Value = get_json(&t.admin, t.relay.url("/api/groups")).await;
    let saved = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == manager)
        .unwrap()["masking"]
        .clone();
    assert_eq!(saved, json!({ "kind": "show_last", "n": 2 }));

    browser.close().await;
    t.relay.stop().await;
}

/// Waits until `tr.sip-user-row` lists exactly `names` (display names, in
/// any order).
async fn sip_user_names(browser: &Browser, names: &[&str]) {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut wanted: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    wanted.sort();
    loop {
        let mut shown = Vec::new();
        for row in browser
            .client
            .find_all(Locator::Css("tr.sip-user-row td:nth-child(2)"))
            .await
            .unwrap_or_default()
        {
            shown.push(row.text().await.unwrap_or_default());
        }
        shown.sort();
        if shown.len() == wanted.len() && shown.iter().zip(&wanted).all(|(s, w)| s.starts_with(w)) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the telephony users page never listed {wanted:?}; last: {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_admin_sets_call_limits_gives_a_group_telephony_users_and_turns_telephony_off() {
    let relay = TestRelay::start_with(&dist_dir()).await;
    let base = relay.url("");
    let admin = relay.signed_in("admin").await;
    let browser = Browser::start(&[]).await;
    browser.sign_in(&base, "admin", "demo").await;

    // Call limits: the relay's refusal lands under the field it names,
    // then one concurrent call per user is saved and shown after a reload.
    browser.click("#nav-admin").await;
    browser.click("#admin-tab-limits").await;
    browser.find("form#limits-form").await;
    assert_eq!(browser.current_path().await, "/admin/limits");
    assert_eq!(
        value(&browser, "#limits-per-user-concurrent-calls").await,
        ""
    );
    browser
        .type_into("#limits-per-user-concurrent-calls", "0")
        .await;
    browser.click("#limits-save").await;
    let error = browser
        .wait_text(
            "#limits-per-user-concurrent-calls-error",
            "the relay's complaint",
            |t| !t.is_empty(),
        )
        .await;
    assert!(error.starts_with("must be at least 1"), "{error}");
    browser
        .type_into("#limits-per-user-concurrent-calls", "1")
        .await;
    assert!(absent(&browser, "#limits-per-user-concurrent-calls-error").await);
    browser.click("#limits-save").await;
    browser.find("#limits-saved").await;
    let stored: Value = get_json(&admin, relay.url("/api/limits")).await;
    assert_eq!(stored["per_user"]["concurrent_calls"], 1, "{stored}");
    assert!(
        stored["per_user"]["attempts_per_minute"].is_null(),
        "{stored}"
    );
    assert!(stored["overall"]["concurrent_calls"].is_null(), "{stored}");
    browser.goto(&relay.url("/admin/limits")).await;
    browser.find("form#limits-form").await;
    assert_eq!(
        value(&browser, "#limits-per-user-concurrent-calls").await,
        "1"
    );
    assert_eq!(
        value(&browser, "#limits-per-user-attempts-per-minute").await,
        ""
    );
    assert_eq!(
        value(&browser, "#limits-overall-concurrent-calls").await,
        ""
    );

    // Automatic telephony users for the managers: Anna and Boris get one.
    let manager = callcard_tests::group_id(&admin, &relay, "manager").await;
    browser.click("#admin-tab-masking").await;
    let switch = format!("#group-telephony-{manager}");
    assert_eq!(
        browser.find(&switch).await.prop("checked").await.unwrap(),
        Some("false".into())
    );
    browser.click(&switch).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let el = browser.find(&switch).await;
        let checked = el.prop("checked").await.unwrap();
        let disabled = el.prop("disabled").await.unwrap();
        if checked.as_deref() == Some("true") && disabled.as_deref() == Some("false") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the switch never settled on"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let groups: Value = get_json(&admin, relay.url("/api/groups")).await;
    assert!(
        groups
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == manager && g["auto_telephony"] == true),
        "{groups}"
    );
    browser.click("#admin-tab-telephony-users").await;
    sip_user_names(&browser, &["Anna", "Boris"]).await;

    // A trunk, so there is one to remove.
    let created = admin
        .post(relay.url("/api/trunks"))
        .json(&json!({
            "name": "Provider", "number": "+74950000000", "username": "u",
            "password": "p", "domain": "sip.example", "host": "127.0.0.1:5999",
            "register": false,
        }))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());

    // Turning telephony off: nothing happens until `turn off` is typed.
    browser.click("#admin-tab-telephony-off").await;
    browser
        .wait_text("#danger-zone", "what is removed", |t| {
            t.contains("every SIP account") && t.contains("call records")
        })
        .await;
    browser.click("#telephony-off-start").await;
    browser.type_into("#telephony-off-confirm", "turn of").await;
    assert_eq!(
        browser
            .find("#telephony-off-submit")
            .await
            .prop("disabled")
            .await
            .unwrap(),
        Some("true".into())
    );
    browser
        .type_into("#telephony-off-confirm", "turn off")
        .await;
    browser.click("#telephony-off-submit").await;
    browser.find("#telephony-off-report").await;
    assert_eq!(browser.text("#telephony-off-trunks").await, "1");
    assert_eq!(browser.text("#telephony-off-sip-users").await, "2");
    assert_eq!(browser.text("#telephony-off-records").await, "0");

    browser.click("#admin-tab-trunks").await;
    browser.find("#trunks-empty").await;
    assert!(absent(&browser, "tr.trunk-row").await);
    browser.click("#admin-tab-telephony-users").await;
    browser.find("#sip-users-empty").await;
    assert!(absent(&browser, "tr.sip-user-row").await);
    let trunks: Value = get_json(&admin, relay.url("/api/trunks")).await;
    assert_eq!(trunks, json!([]));
    let sip_users: Value = get_json(&admin, relay.url("/api/sip-users")).await;
    assert_eq!(sip_users, json!([]));
    // The call records stay: the call log still answers.
    let calls = admin.get(relay.url("/api/calls")).send().await.unwrap();
    assert_eq!(calls.status(), 200);
    let limits: Value = get_json(&admin, relay.url("/api/limits")).await;
    assert!(limits["per_user"]["concurrent_calls"].is_null(), "{limits}");

    browser.close().await;
    relay.stop().await;
}

/// The recordings page: the relay's refusal lands under the field; outbound
/// calls off, 45 days, Anna never recorded and the managers hearing all
/// calls are saved and shown again after a reload; the audit log page lists
/// who played which call's recording.
#[tokio::test]
async fn the_admin_chooses_which_calls_are_recorded_and_reads_who_listened() {
    use callcard_relay::crm::{audit, users};
    let relay = TestRelay::start_with(&dist_dir()).await;
    let base = relay.url("");
    let admin = relay.signed_in("admin").await;
    let db = relay.state().db.clone();
    let anna = users::id_by_login(&db, "anna").await.unwrap().unwrap();
    let manager = callcard_tests::group_id(&admin, &relay, "manager").await;
    let browser = Browser::start(&[]).await;
    browser.sign_in(&base, "admin", "demo").await;

    browser.click("#nav-admin").await;
    browser.click("#admin-tab-recordings").await;
    browser.find("form#recording-form").await;
    assert_eq!(browser.current_path().await, "/admin/recordings");
    assert_eq!(value(&browser, "#recording-retention").await, "30");
    browser.type_into("#recording-retention", "0").await;
    browser.click("#recording-save").await;
    let error = browser
        .wait_text("#recording-retention-error", "the relay's complaint", |t| {
            !t.is_empty()
        })
        .await;
    assert!(error.contains("between 1 and 3650"), "{error}");

    browser.type_into("#recording-retention", "45").await;
    browser.click("#recording-outbound").await;
    browser.click("#recording-consent").await;
    browser
        .find(&format!("#recording-user-{anna}"))
        .await
        .select_by_value("never")
        .await
        .unwrap();
    browser.click("#recording-save").await;
    browser.find("#recording-saved").await;
    let stored: Value = get_json(&admin, relay.url("/api/recording-settings")).await;
    assert_eq!(
        stored,
        json!({
            "enabled": true, "inbound": true, "outbound": false, "internal": true,
            "groups_not_recorded": [], "users": [{"user_id": anna, "record": false}],
            "retention_days": 45, "consent_announcement": true
        })
    );
    // Hearing all calls is saved as soon as it is ticked.
    browser.click(&format!("#hears-all-{manager}")).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let groups: Value = get_json(&admin, relay.url("/api/groups")).await;
        let on = groups
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == manager && g["hears_all_calls"] == true);
        if on {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{groups}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.goto(&relay.url("/admin/recordings")).await;
    browser.find("form#recording-form").await;
    assert_eq!(value(&browser, "#recording-retention").await, "45");
    let prop = |css: String| {
        let browser = &browser;
        async move { browser.find(&css).await.prop("checked").await.unwrap() }
    };
    assert_eq!(
        prop("#recording-outbound".into()).await,
        Some("false".into())
    );
    assert_eq!(prop("#recording-inbound".into()).await, Some("true".into()));
    assert_eq!(
        prop(format!("#hears-all-{manager}")).await,
        Some("true".into())
    );
    assert_eq!(
        value(&browser, &format!("#recording-user-{anna}")).await,
        "never"
    );
    // The default announcement was made (espeak-ng) and is ready.
    let ready = browser.text("#announcement-ready").await;
    assert!(ready.contains("This call is recorded."), "{ready}");

    // The audit log page: who played which call.
    let call = callcard_tests::calls::logged_call(
        &db,
        "inbound",
        Some(anna),
        "answered",
        "2026-12-01T10:00:00Z",
    )
    .await;
    audit::record(&db, anna, "recording_played", Some(call))
        .await
        .unwrap();
    browser.click("#admin-tab-audit").await;
    let row = browser
        .wait_text("#audit-table tbody tr", "the audit line", |t| !t.is_empty())
        .await;
    assert!(row.contains("Anna Sokolova"), "{row}");
    assert!(row.contains("played the recording"), "{row}");
    assert!(row.contains(&format!("call {call}")), "{row}");
    browser.close().await;
    relay.stop().await;
}
