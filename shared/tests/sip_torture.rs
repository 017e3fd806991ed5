//! RFC 4475 torture tests: every message of `tests/testdata/rfc4475/` is run
//! through the parser as MANIFEST.tsv says, and the application-level answers
//! are checked with `sip::validate`.

use callcard_shared::sip::header::HeaderError;
use callcard_shared::sip::validate::{check_request, check_response, Policy, Verdict};
use callcard_shared::sip::{parse, ErrorKind, HeaderMap, HeaderName, Message};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/testdata/rfc4475/");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn manifest() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(format!("{DIR}MANIFEST.tsv")).expect("manifest");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_owned(), cols[3].to_owned())
        })
        .collect()
}

fn round_trip(name: &str, m: &Message<'_>) {
    let owned = m.to_owned();
    let bytes = owned.to_bytes();
    let again = parse(&bytes).unwrap_or_else(|e| panic!("{name}: reparse failed: {e}"));
    assert_eq!(&again, m, "{name}: serialize -> parse changed the message");
    // The borrowed serializer agrees with the owned one.
    let mut direct = Vec::new();
    m.encode(&mut direct);
    assert_eq!(
        direct, bytes,
        "{name}: borrowed and owned serializers differ"
    );
    // Typed views survive too.
    assert_eq!(again.cseq(), m.cseq());
    assert_eq!(again.vias().count(), m.vias().count());
    assert_eq!(again.hdr_from(), m.hdr_from());
}

#[test]
fn every_manifest_message_is_accepted_or_rejected_as_listed() {
    let rows = manifest();
    assert_eq!(rows.len(), 50, "49 RFC 4475 messages plus test.dat");
    let mut accepted = 0;
    let mut rejected = 0;
    for (file, must) in &rows {
        let bytes = read(file);
        let res = std::panic::catch_unwind(|| parse(&bytes).map(|m| m.to_owned()));
        let res = res.unwrap_or_else(|_| panic!("{file}: parser panicked"));
        if must.starts_with("accept") {
            let m = parse(&bytes).unwrap_or_else(|e| panic!("{file}: must accept, got {e}"));
            round_trip(file, &m);
            accepted += 1;
        } else {
            assert_eq!(must, "reject");
            assert!(res.is_err(), "{file}: must reject, parsed {res:?}");
            rejected += 1;
        }
    }
    assert_eq!((accepted, rejected), (30, 20));
}

/// Each reject fails for the reason the RFC gives, not by accident.
#[test]
fn rejects_name_the_rfc_4475_reason() {
    use HeaderName as H;
    type Expect = fn(ErrorKind) -> bool;
    let cases: &[(&str, Expect)] = &[
        ("badinv01.dat", |k| {
            matches!(k, ErrorKind::Header(H::Via, _))
        }),
        ("clerr.dat", |k| k == ErrorKind::BodyTruncated),
        ("ncl.dat", |k| k == ErrorKind::ContentLength),
        ("scalar02.dat", |k| {
            matches!(k, ErrorKind::Header(H::CSeq, HeaderError::CSeq))
        }),
        ("scalarlg.dat", |k| {
            matches!(k, ErrorKind::Header(H::CSeq, HeaderError::CSeq))
        }),
        ("quotbal.dat", |k| matches!(k, ErrorKind::Header(H::To, _))),
        ("ltgtruri.dat", |k| matches!(k, ErrorKind::RequestUri(_))),
        ("lwsruri.dat", |k| k == ErrorKind::StartLine),
        ("lwsstart.dat", |k| k == ErrorKind::StartLine),
        ("trws.dat", |k| k == ErrorKind::StartLine),
        ("escruri.dat", |k| k == ErrorKind::RequestUriHeaders),
        ("baddate.dat", |k| {
            matches!(k, ErrorKind::Header(H::Date, HeaderError::Date))
        }),
        ("regbadct.dat", |k| {
            matches!(k, ErrorKind::Header(H::Contact, HeaderError::NameAddr))
        }),
        ("badaspec.dat", |k| {
            matches!(k, ErrorKind::Header(H::To, HeaderError::NameAddr))
        }),
        ("baddn.dat", |k| matches!(k, ErrorKind::Header(H::From, _))),
        ("badvers.dat", |k| k == ErrorKind::Version),
        ("mismatch01.dat", |k| k == ErrorKind::CSeqMethodMismatch),
        ("mismatch02.dat", |k| k == ErrorKind::CSeqMethodMismatch),
        ("bigcode.dat", |k| k == ErrorKind::StatusCode),
        ("test.dat", |k| k == ErrorKind::StartLine),
    ];
    for (file, ok) in cases {
        let bytes = read(file);
        let e = parse(&bytes).expect_err(file);
        assert!(ok(e.kind), "{file}: unexpected error {e:?} ({e})");
        assert!(e.offset <= bytes.len(), "{file}: offset out of range");
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn error_position_points_at_the_bad_header() {
    let bytes = read("baddate.dat");
    let e = parse(&bytes).unwrap_err();
    let at = std::str::from_utf8(&bytes[e.offset..]).unwrap();
    assert!(at.starts_with("Fri, 01 Jan 2010 16:00:00 EST"), "{at}");
}

#[test]
fn tortuous_invite_exposes_typed_values() {
    let bytes = read("wsinv.dat");
    let m = parse(&bytes).unwrap();
    assert_eq!(m.max_forwards(), Some(68));
    let cseq = m.cseq().unwrap();
    assert_eq!((cseq.seq, cseq.method), (9, "INVITE"));
    let to = m.hdr_to().unwrap();
    assert_eq!(to.tag(), Some("1918181833n"));
    assert_eq!(to.uri, "sip:vivekg@chair-dnrc.example.com");
    let from = m.hdr_from().unwrap();
    assert_eq!(from.display_name().as_deref(), Some("J Rosenberg \\\""));
    assert_eq!(from.tag(), Some("98asjd8"));
    let vias: Vec<_> = m.vias().collect();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[0].transport, "UDP");
    assert_eq!(vias[0].host, "192.0.2.2");
    assert_eq!(vias[1].transport, "TCP");
    assert_eq!(vias[1].branch(), Some("z9hG4bK9ikj8"));
    assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
    let contact = m.contacts().next().unwrap();
    assert_eq!(
        contact.display_name().as_deref(),
        Some("Quoted string \"\"")
    );
    assert_eq!(contact.params.get("newparam"), Some("newvalue"));
    assert_eq!(contact.params.get("q"), Some("0.33"));
    assert_eq!(m.first(HeaderName::Subject), Some(""));
    assert_eq!(m.body.len(), 150);
    assert_eq!(m.routes().count(), 1);
}

#[test]
fn udp_datagram_ignores_octets_after_content_length() {
    let bytes = read("dblreq.dat");
    let m = parse(&bytes).unwrap();
    assert_eq!(m.method().unwrap().as_str(), "REGISTER");
    assert!(m.body.is_empty());
}

#[test]
fn unusual_characters_survive() {
    let b1 = read("intmeth.dat");
    let m = parse(&b1).unwrap();
    assert_eq!(
        m.cseq().unwrap().method,
        "!interesting-Method0123456789_*+`.%indeed'~"
    );
    assert_eq!(
        m.call_id(),
        Some("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    );
    let to_uri = m.hdr_to().unwrap().uri().unwrap();
    assert_eq!(
        to_uri.user,
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    let b2 = read("esc01.dat");
    let m = parse(&b2).unwrap();
    assert_eq!(
        m.hdr_to().unwrap().uri().unwrap().user_decoded().as_deref(),
        Some("user")
    );
    let b3 = read("esc02.dat");
    let m = parse(&b3).unwrap();
    assert_eq!(m.contacts().count(), 2, "C%6Fntact is not Contact");
    assert_eq!(m.named("C%6Fntact"), Some("<sip:alias2@host2.example.com>"));
}

fn verdict(file: &str, policy: &Policy<'_>) -> Verdict {
    let bytes = read(file);
    let m = parse(&bytes).unwrap();
    if m.is_request() {
        check_request(&m, policy)
    } else {
        check_response(&m, policy)
    }
}

fn code(v: &Verdict) -> Option<u16> {
    match v {
        Verdict::Reject { code, .. } => Some(*code),
        _ => None,
    }
}

#[test]
fn application_answers_match_the_manifest() {
    let uas = Policy::default();
    let proxy = Policy {
        proxy: true,
        ..Policy::default()
    };
    assert_eq!(code(&verdict("insuf.dat", &uas)), Some(400));
    assert_eq!(code(&verdict("unkscm.dat", &uas)), Some(416));
    assert_eq!(code(&verdict("bext01.dat", &uas)), Some(420));
    assert_eq!(code(&verdict("bext01.dat", &proxy)), Some(420));
    assert_eq!(code(&verdict("invut.dat", &uas)), Some(415));
    assert_eq!(code(&verdict("regaut01.dat", &uas)), Some(401));
    assert_eq!(code(&verdict("multi01.dat", &uas)), Some(400));
    assert_eq!(code(&verdict("mcl01.dat", &uas)), Some(400));
    assert_eq!(code(&verdict("sdp01.dat", &uas)), Some(406));
    assert_eq!(verdict("bcast.dat", &uas), Verdict::Drop);
    assert_eq!(verdict("bcast.dat", &proxy), Verdict::Drop);
    // Max-Forwards 0: a proxy answers 483 to a request it would forward; the
    // UAS it is addressed to answers normally.
    assert_eq!(verdict("zeromf.dat", &uas), Verdict::Accept);
    let mut zeromf_invite = String::from_utf8(read("zeromf.dat")).unwrap();
    zeromf_invite = zeromf_invite.replace("OPTIONS", "INVITE");
    let m = parse(zeromf_invite.as_bytes()).unwrap();
    assert_eq!(code(&check_request(&m, &proxy)), Some(483));
    // Messages that are fine at the application level.
    for ok in [
        "wsinv.dat",
        "novelsc.dat",
        "unksm2.dat",
        "cparam01.dat",
        "cparam02.dat",
        "regescrt.dat",
        "inv2543.dat",
        "badbranch.dat",
        "esc01.dat",
    ] {
        let v = verdict(ok, &uas);
        assert!(v == Verdict::Accept || code(&v) == Some(416), "{ok}: {v:?}");
    }
    assert_eq!(code(&verdict("novelsc.dat", &uas)), Some(416));
    assert_eq!(verdict("cparam01.dat", &uas), Verdict::Accept);
    assert_eq!(verdict("inv2543.dat", &uas), Verdict::Accept);
}

#[test]
fn bext01_lists_the_unsupported_tags() {
    match verdict("bext01.dat", &Policy::default()) {
        Verdict::Reject {
            code: 420,
            unsupported,
            ..
        } => {
            assert_eq!(
                unsupported,
                ["nothingSupportsThis", "nothingSupportsThisEither"]
            );
        }
        v => panic!("{v:?}"),
    }
}

/// The endpoint answers each parsed torture request as the validator decides
/// — one decision, not two: an accepted INVITE becomes a call (100 Trying, no
/// 400 from the dialog layer; `inv2543.dat`'s RFC 2543 INVITE has no Contact
/// and its From is its address), a rejected one gets the validator's code.
#[test]
fn the_endpoint_answers_as_the_validator_decides() {
    use callcard_shared::sip::sim::Pair;
    use callcard_shared::sip::ua::{Event, Remote, TransportKind};
    let mut checked = 0;
    for (file, must) in manifest() {
        if !must.starts_with("accept") {
            continue;
        }
        let bytes = read(&file);
        let m = parse(&bytes).unwrap();
        if !m.is_request() || m.method() == Some(callcard_shared::sip::Method::Ack) {
            continue;
        }
        let expected = match check_request(&m, &Policy::default()) {
            Verdict::Accept => None,
            Verdict::Reject { code, .. } => Some(code),
            Verdict::Drop => continue,
        };
        let mut p = Pair::new(TransportKind::Udp, callcard_shared::Instant::now());
        let now = p.now;
        let from = Remote {
            addr: "a",
            transport: TransportKind::Udp,
        };
        p.b.handle_input(now, from, &bytes).unwrap();
        let mut codes = Vec::new();
        while let Some(t) = p.b.poll_transmit() {
            if let Some(code) = parse(&t.bytes).ok().and_then(|a| a.status()) {
                codes.push(code);
            }
        }
        let events: Vec<Event> = std::iter::from_fn(|| p.b.poll_event()).collect();
        // An INVITE out of any dialog (no To tag): the ones that start calls.
        let is_invite = m.method() == Some(callcard_shared::sip::Method::Invite)
            && m.hdr_to()
                .and_then(|t| t.tag().map(str::to_owned))
                .is_none();
        match expected {
            Some(code) => assert!(codes.contains(&code), "{file}: {codes:?}, want {code}"),
            None => {
                assert!(
                    codes.iter().all(|c| *c != 400),
                    "{file}: the validator accepts it, the endpoint answered {codes:?}"
                );
                if is_invite {
                    assert!(
                        events
                            .iter()
                            .any(|e| matches!(e, Event::IncomingCall { .. })),
                        "{file}: an accepted INVITE is a call: {events:?}"
                    );
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} requests checked");
}
