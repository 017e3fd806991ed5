//! Parser behaviour beyond RFC 4475: stream framing, every truncation point,
//! limits, compact forms, and linear time on hostile input.

use callcard_shared::sip::uri::Scheme;
use callcard_shared::sip::{
    parse, parse_stream, parse_with, ErrorKind, HeaderMap, HeaderName, Limits, Method, Request,
    Status, Uri,
};

const INVITE: &[u8] = b"INVITE sip:bob@example.com SIP/2.0\r\n\
v: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n\
Max-Forwards: 70\r\n\
t: Bob <sip:bob@example.com>\r\n\
f: Alice <sip:alice@example.com>;tag=1928301774\r\n\
i: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 INVITE\r\n\
m: <sip:alice@10.0.0.1>\r\n\
c: application/sdp\r\n\
l: 4\r\n\
\r\nv=0\n";

#[test]
fn compact_names_map_to_long_forms() {
    let m = parse(INVITE).unwrap();
    assert_eq!(m.call_id(), Some("a84b4c76e66710@pc33.example.com"));
    assert_eq!(m.hdr_to().unwrap().display, Some("Bob"));
    assert_eq!(m.hdr_from().unwrap().tag(), Some("1928301774"));
    assert_eq!(m.content_type().unwrap().subtype, "sdp");
    assert_eq!(m.top_via().unwrap().port, Some(5060));
    assert_eq!(m.body, b"v=0\n");
    for (c, long) in [
        ("v", HeaderName::Via),
        ("f", HeaderName::From),
        ("t", HeaderName::To),
        ("i", HeaderName::CallId),
        ("m", HeaderName::Contact),
        ("l", HeaderName::ContentLength),
        ("c", HeaderName::ContentType),
        ("k", HeaderName::Supported),
        ("s", HeaderName::Subject),
        ("e", HeaderName::ContentEncoding),
        ("o", HeaderName::Event),
        ("u", HeaderName::AllowEvents),
        ("r", HeaderName::ReferTo),
        ("b", HeaderName::ReferredBy),
        ("x", HeaderName::SessionExpires),
    ] {
        assert_eq!(HeaderName::from_name(c), long, "{c}");
        assert_eq!(HeaderName::from_name(&c.to_uppercase()), long, "{c}");
    }
}

#[test]
fn stream_framing_reports_partial_at_every_truncation_point() {
    for cut in 0..INVITE.len() {
        match parse_stream(&INVITE[..cut], &Limits::default()) {
            Ok(Status::Partial) => {}
            other => panic!("cut {cut}: {other:?}"),
        }
    }
    let mut two = INVITE.to_vec();
    two.extend_from_slice(b"\r\n\r\n"); // keep-alive between messages
    two.extend_from_slice(INVITE);
    let Ok(Status::Complete((m, used))) = parse_stream(&two, &Limits::default()) else {
        panic!()
    };
    assert_eq!(used, INVITE.len());
    assert_eq!(m.body, b"v=0\n");
    let Ok(Status::Complete((m2, used2))) = parse_stream(&two[used..], &Limits::default()) else {
        panic!()
    };
    assert_eq!(used2, INVITE.len() + 4);
    assert_eq!(m2.cseq(), m.cseq());
}

#[test]
fn datagram_truncations_are_errors_not_panics() {
    for cut in 0..INVITE.len() {
        assert!(parse(&INVITE[..cut]).is_err(), "cut {cut}");
    }
}

#[test]
fn stream_requires_content_length() {
    let msg = b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n";
    let e = parse_stream(msg, &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingContentLength);
    assert!(parse(msg).is_ok(), "datagrams may omit it");
}

#[test]
fn limits_are_errors() {
    let limits = Limits {
        max_message_size: 200,
        max_headers: 3,
        max_line_len: 64,
    };
    let e = parse_with(INVITE, &limits).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooManyHeaders);
    let mut long = b"OPTIONS sip:a@b SIP/2.0\r\nX: ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 100));
    long.extend_from_slice(b"\r\n\r\n");
    assert_eq!(
        parse_with(&long, &limits).unwrap_err().kind,
        ErrorKind::LineTooLong
    );
    let big = vec![b'a'; 1 << 20];
    assert_eq!(
        parse_stream(&big, &Limits::default()).unwrap_err().kind,
        ErrorKind::LineTooLong
    );
    let mut many_lines = Vec::new();
    many_lines.extend_from_slice(b"OPTIONS sip:a@b SIP/2.0\r\nX: a\r\n");
    for _ in 0..100_000 {
        many_lines.extend_from_slice(b" x\r\n");
    }
    let e = parse_stream(&many_lines, &Limits::default()).unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::TooLarge | ErrorKind::TooManyHeaders),
        "{e:?}"
    );
}

#[test]
fn long_folded_headers_and_deep_quoting_parse_in_linear_time() {
    let limits = Limits {
        max_message_size: 4 << 20,
        max_headers: 1 << 20,
        max_line_len: 4 << 20,
    };
    let mut folded = b"OPTIONS sip:a@b SIP/2.0\r\nSubject: x".to_vec();
    for _ in 0..200_000 {
        folded.extend_from_slice(b"\r\n y");
    }
    folded.extend_from_slice(b"\r\n\r\n");
    let t = std::time::Instant::now();
    let m = parse_with(&folded, &limits).unwrap();
    assert_eq!(m.headers.len(), 1);
    let mut quoted = b"OPTIONS sip:a@b SIP/2.0\r\nFrom: \"".to_vec();
    quoted.extend(std::iter::repeat_n(b"\\\"".as_slice(), 500_000).flatten());
    quoted.extend_from_slice(b"\" <sip:a@b>;tag=1\r\n\r\n");
    let m = parse_with(&quoted, &limits).unwrap();
    assert!(m.hdr_from().unwrap().display.unwrap().len() > 1_000_000);
    let mut unterminated = b"OPTIONS sip:a@b SIP/2.0\r\nFrom: \"".to_vec();
    unterminated.extend(std::iter::repeat_n(b"\\\" a".as_slice(), 500_000).flatten());
    unterminated.extend_from_slice(b" <sip:a@b>\r\n\r\n");
    assert!(parse_with(&unterminated, &limits).is_err());
    let mut commas = b"OPTIONS sip:a@b SIP/2.0\r\nContact: ".to_vec();
    commas.extend(std::iter::repeat_n(b"<sip:a@b>,".as_slice(), 200_000).flatten());
    commas.extend_from_slice(b"<sip:a@b>\r\n\r\n");
    assert_eq!(
        parse_with(&commas, &limits).unwrap().contacts().count(),
        200_001
    );
    // Generous for debug builds on a shared machine; quadratic would take minutes.
    assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
}

#[test]
fn uris_sip_sips_tel_with_params_and_headers() {
    let u = Uri::parse(
        "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?Subject=hi&Priority=urgent",
    )
    .unwrap();
    assert_eq!(u.scheme, Scheme::Sips);
    assert_eq!((u.user, u.password), (Some("alice"), Some("secret")));
    assert_eq!((u.host, u.port), ("[2001:db8::1]", Some(5061)));
    assert_eq!(u.param("transport"), Some("tcp"));
    assert_eq!(u.param("lr"), Some(""));
    assert_eq!(u.headers, Some("Subject=hi&Priority=urgent"));
    assert_eq!(
        u.to_string(),
        "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?Subject=hi&Priority=urgent"
    );
    let t = Uri::parse("tel:+1-201-555-0123;phone-context=example.com").unwrap();
    assert_eq!((t.scheme, t.host), (Scheme::Tel, "+1-201-555-0123"));
    assert_eq!(t.param("phone-context"), Some("example.com"));
    for bad in [
        "sip:",
        "sip:a@",
        "sip:host:99999",
        "sip:a b@c",
        "sip:%zz@h",
        "tel:",
        "1abc:x",
        "sip:h;=x",
    ] {
        assert!(Uri::parse(bad).is_err(), "{bad}");
    }
    assert!(Uri::parse("sip:bob@biloxi.com")
        .unwrap()
        .same_address(&Uri::parse("SIP:%62ob@BILOXI.COM;x=y").unwrap()));
}

#[test]
fn owned_builder_serializes_and_parses_back() {
    let mut r = Request::new(Method::Message, "sip:bob@example.com");
    r.headers
        .push(HeaderName::Via, "SIP/2.0/UDP h:5060;branch=z9hG4bKx");
    r.headers.push(HeaderName::From, "<sip:a@h>;tag=1");
    r.headers.push(HeaderName::To, "<sip:bob@example.com>");
    r.headers.push(HeaderName::CallId, "c1");
    r.headers.push(HeaderName::CSeq, "1 MESSAGE");
    r.set_body("text/plain", b"hello".to_vec());
    let bytes = r.to_bytes();
    let m = parse(&bytes).unwrap();
    assert_eq!(m.body, b"hello");
    assert_eq!(m.first(HeaderName::ContentLength), Some("5"));
    assert_eq!(m.to_owned(), callcard_shared::sip::SipMessage::Request(r));
}

#[test]
fn status_line_edge_cases() {
    let ok = |s: &str| {
        parse(format!("{s}\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n").as_bytes())
            .map(|m| m.status())
    };
    assert_eq!(ok("SIP/2.0 180 Ringing").unwrap(), Some(180));
    assert_eq!(ok("SIP/2.0 100").unwrap(), Some(100));
    assert_eq!(ok("SIP/2.0 699 x").unwrap(), Some(699));
    for bad in [
        "SIP/2.0 700 x",
        "SIP/2.0 099 x",
        "SIP/2.0 20 x",
        "SIP/2.0 2000 x",
        "SIP/3.0 200 OK",
        "SIP/2.0",
    ] {
        assert!(ok(bad).is_err(), "{bad}");
    }
    assert_eq!(
        parse(b"INVITE sip:a@b SIP/2.0\r\nX: y\rz\r\n\r\n")
            .unwrap_err()
            .kind,
        ErrorKind::BareCr
    );
    assert_eq!(
        parse(b"INVITE sip:a@b SIP/2.0\r\n cont\r\n\r\n")
            .unwrap_err()
            .kind,
        ErrorKind::HeaderLine
    );
    assert_eq!(
        parse(b"INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n")
            .unwrap_err()
            .kind,
        ErrorKind::HeaderLine
    );
    assert_eq!(
        parse(b"INVITE sip:a@b SIP/2.0\r\nX: \xff\r\n\r\n")
            .unwrap_err()
            .kind,
        ErrorKind::Utf8
    );
}

#[test]
fn multibyte_characters_near_slicing_points_do_not_panic() {
    for s in [
        "SIé 200 OK\r\n\r\n",
        "SIPé\r\n\r\n",
        "é\r\n\r\n",
        "INVITE sip:é@h SIP/2.0\r\n\r\n",
        "X\r\né: v\r\n\r\n",
    ] {
        assert!(parse(s.as_bytes()).is_err(), "{s}");
    }
}
