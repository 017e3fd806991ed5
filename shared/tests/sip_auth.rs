//! Digest authentication: known vectors, client/server round trips with MD5
//! and SHA-256 (RFC 8760), stale nonces, expiry and nc replay.

use callcard_shared::sip::auth::{
    digest_response, Algorithm, Challenge, DigestClient, DigestServer, Verification,
};
use callcard_shared::time::Duration;
use callcard_shared::Instant;

#[test]
fn rfc2617_md5_vector() {
    // RFC 2617 §3.5 example.
    let r = digest_response(
        Algorithm::Md5,
        "Mufasa",
        "testrealm@host.com",
        "Circle Of Life",
        "GET",
        "/dir/index.html",
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        Some(("00000001", "0a4f113b")),
    );
    assert_eq!(r, "6629fae49393a05397450978507c4ef1");
}

#[test]
fn rfc7616_sha256_vector() {
    // RFC 7616 §3.9.1 example (SHA-256).
    let r = digest_response(
        Algorithm::Sha256,
        "Mufasa",
        "http-auth@example.org",
        "Circle of Life",
        "GET",
        "/dir/index.html",
        "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        Some(("00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")),
    );
    assert_eq!(
        r,
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
}

#[test]
fn challenge_parses_401_and_407_forms() {
    let ch = Challenge::parse(
        "Digest realm=\"atlanta.example.com\", qop=\"auth,auth-int\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", opaque=\"\", stale=TRUE, algorithm=MD5",
    )
    .unwrap();
    assert_eq!(ch.realm, "atlanta.example.com");
    assert!(ch.qop_auth && ch.stale);
    assert_eq!(ch.opaque.as_deref(), Some(""));
    assert_eq!(Challenge::parse(&ch.to_header()).unwrap(), ch);
    assert!(Challenge::parse("Basic realm=\"x\"").is_err());
    assert!(Challenge::parse("Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256").is_err());
    assert!(Challenge::parse("Digest nonce=\"n\"").is_err());
}

fn round_trip(alg: Algorithm) {
    let t0 = Instant::now();
    let mut server = DigestServer::new("example.com", alg, Duration::from_secs(300));
    let ch = Challenge::parse(&server.challenge(t0, 42, false)).unwrap();
    assert_eq!(ch.algorithm, alg);
    let mut client = DigestClient::new("alice", "secret");
    let pw = |u: &str| (u == "alice").then(|| "secret".to_owned());
    let a1 = client.authorize(&ch, "REGISTER", "sip:example.com", "c1");
    assert!(a1.contains("nc=00000001"));
    assert_eq!(
        server.verify(t0, "REGISTER", Some(&a1), pw),
        Verification::Ok("alice".into())
    );
    // Replaying the same nc is refused; the next nc works.
    assert_eq!(
        server.verify(t0, "REGISTER", Some(&a1), pw),
        Verification::Forbidden
    );
    let a2 = client.authorize(&ch, "REGISTER", "sip:example.com", "c2");
    assert!(a2.contains("nc=00000002"));
    assert_eq!(
        server.verify(t0, "REGISTER", Some(&a2), pw),
        Verification::Ok("alice".into())
    );
    // Wrong password.
    let mut mallory = DigestClient::new("alice", "guess");
    let bad = mallory.authorize(&ch, "REGISTER", "sip:example.com", "c3");
    assert_eq!(
        server.verify(t0, "REGISTER", Some(&bad), pw),
        Verification::Forbidden
    );
    // Wrong method (the digest covers it).
    let a3 = client.authorize(&ch, "REGISTER", "sip:example.com", "c4");
    assert_eq!(
        server.verify(t0, "INVITE", Some(&a3), pw),
        Verification::Forbidden
    );
    // No credentials, or another scheme: challenge.
    assert_eq!(
        server.verify(t0, "REGISTER", None, pw),
        Verification::Challenge
    );
    assert_eq!(
        server.verify(
            t0,
            "REGISTER",
            Some("NoOneKnowsThisScheme opaque-data=here"),
            pw
        ),
        Verification::Challenge
    );
}

#[test]
fn md5_client_and_server_agree() {
    round_trip(Algorithm::Md5);
}

#[test]
fn sha256_client_and_server_agree() {
    round_trip(Algorithm::Sha256);
}

#[test]
fn expired_nonce_is_stale_and_rechallenge_says_so() {
    let t0 = Instant::now();
    let mut server = DigestServer::new("example.com", Algorithm::Sha256, Duration::from_secs(60));
    let ch = Challenge::parse(&server.challenge(t0, 7, false)).unwrap();
    let mut client = DigestClient::new("bob", "pw");
    let a = client.authorize(&ch, "INVITE", "sip:x@example.com", "cn");
    let pw = |_: &str| Some("pw".to_owned());
    assert_eq!(
        server.verify(t0 + Duration::from_secs(61), "INVITE", Some(&a), pw),
        Verification::Stale
    );
    let again = Challenge::parse(&server.challenge(t0 + Duration::from_secs(61), 8, true)).unwrap();
    assert!(again.stale);
    assert_ne!(again.nonce, ch.nonce);
    let a = client.authorize(&again, "INVITE", "sip:x@example.com", "cn2");
    assert!(a.contains("nc=00000001"), "nc restarts for a new nonce");
    assert_eq!(
        server.verify(t0 + Duration::from_secs(62), "INVITE", Some(&a), pw),
        Verification::Ok("bob".into())
    );
    // A nonce the server never issued, with the right password, is stale too.
    let forged = Challenge {
        nonce: "feedface".into(),
        ..again
    };
    let a = client.authorize(&forged, "INVITE", "sip:x@example.com", "cn3");
    assert_eq!(
        server.verify(t0, "INVITE", Some(&a), pw),
        Verification::Stale
    );
}

#[test]
fn no_qop_challenge_uses_rfc2069_form() {
    let ch = Challenge::parse("Digest realm=\"r\", nonce=\"n\"").unwrap();
    let mut c = DigestClient::new("u", "p");
    let h = c.authorize(&ch, "BYE", "sip:a@b", "ignored");
    assert!(!h.contains("qop") && !h.contains("cnonce"));
    let expected = digest_response(Algorithm::Md5, "u", "r", "p", "BYE", "sip:a@b", "n", None);
    assert!(h.contains(&expected));
}
