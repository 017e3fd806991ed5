//! Real-world shapes: a Chrome WebRTC INVITE over WebSocket (ICE, DTLS, opus,
//! G.711) and carrier trunk messages (P-Asserted-Identity, Diversion,
//! Record-Route lists), plus the SDP offer/answer helpers on them.

use callcard_shared::sip::header::NameAddr;
use callcard_shared::sip::sdp::{self, Codec, Direction, LocalMedia, Session};
use callcard_shared::sip::{parse, HeaderMap, HeaderName};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn local(webrtc: bool) -> LocalMedia {
    LocalMedia {
        codecs: vec![
            Codec::opus(),
            Codec::pcmu(),
            Codec::pcma(),
            Codec::telephone_event(),
        ],
        address: "192.0.2.10".into(),
        port: 40000,
        proto: if webrtc {
            "UDP/TLS/RTP/SAVPF"
        } else {
            "RTP/AVP"
        }
        .into(),
        direction: Direction::SendRecv,
        ice: webrtc.then(|| ("abcd".to_owned(), "0123456789abcdefghijkl".to_owned())),
        candidates: if webrtc {
            vec!["1 1 udp 2130706431 192.0.2.10 40000 typ host".into()]
        } else {
            vec![]
        },
        fingerprint: webrtc.then(|| ("sha-256".to_owned(), "AB:CD".to_owned())),
        rtcp_mux: webrtc,
        ssrc: Some(1234),
        session_id: 77,
        session_version: 1,
    }
}

#[test]
fn chrome_webrtc_invite_over_websocket() {
    let bytes = fixture("chrome_invite_ws.sip");
    let m = parse(&bytes).unwrap();
    let via = m.top_via().unwrap();
    assert_eq!((via.transport, via.host), ("WSS", "df7jal23ls0d.invalid"));
    assert_eq!(via.rport(), Some(""));
    let contact = m.contacts().next().unwrap().uri().unwrap();
    assert_eq!(contact.param("transport"), Some("ws"));
    assert_eq!(m.elements(HeaderName::Allow).count(), 10);
    let sdp = Session::parse(m.body).unwrap();
    let audio = &sdp.media[0];
    assert_eq!(audio.proto, "UDP/TLS/RTP/SAVPF");
    assert_eq!(audio.ice_ufrag(&sdp), Some("Fz8q"));
    assert_eq!(audio.ice_pwd(&sdp), Some("nGJ2dT3Wq5Vx8aYb0cRtUsv1"));
    let (hash, fp) = audio.fingerprint(&sdp).unwrap();
    assert_eq!(hash, "sha-256");
    assert!(fp.starts_with("4A:AD"));
    assert_eq!(audio.setup(), Some("actpass"));
    assert!(audio.rtcp_mux());
    assert_eq!(audio.ssrcs(), [3735928559]);
    assert_eq!(audio.direction(&sdp), Direction::SendRecv);
    let cands = audio.candidates();
    assert_eq!(cands.len(), 3);
    assert_eq!(
        (
            cands[1].typ.as_str(),
            cands[1].address.as_str(),
            cands[1].port
        ),
        ("srflx", "203.0.113.17", 54321)
    );
    let maps = audio.rtpmaps();
    assert_eq!(maps[0].name, "opus");
    assert_eq!(
        (maps[0].pt, maps[0].clock, maps[0].channels),
        (111, 48000, Some(2))
    );
    assert_eq!(audio.fmtp(111), Some("minptime=10;useinbandfec=1"));
    assert!(maps
        .iter()
        .any(|r| r.name == "telephone-event" && r.pt == 126 && r.clock == 8000));
    assert_eq!(sdp.attribute("group"), Some("BUNDLE 0"));
    // SDP survives serialize -> parse.
    assert_eq!(Session::parse(&sdp.to_bytes()).unwrap(), sdp);
}

#[test]
fn answer_to_chrome_offer_keeps_offer_payload_types_and_dtls_roles() {
    let offer = Session::parse(&fixture("chrome_offer.sdp")).unwrap();
    let answer = sdp::answer(&offer, &local(true)).unwrap();
    let m = &answer.media[0];
    assert_eq!(
        m.formats,
        ["111", "0", "8", "126"],
        "our preference, their numbers, 8 kHz DTMF"
    );
    assert_eq!(
        m.setup(),
        Some("active"),
        "RFC 5763: actpass is answered active"
    );
    assert!(m.rtcp_mux());
    assert_eq!(m.mid(), Some("0"));
    assert_eq!(m.ice_ufrag(&answer), Some("abcd"));
    assert_eq!(m.direction(&answer), Direction::SendRecv);
    let (codec, dtmf) = sdp::negotiated(&answer).unwrap();
    assert_eq!((codec.name.as_str(), dtmf), ("opus", Some(126)));
    assert_eq!(Session::parse(&answer.to_bytes()).unwrap(), answer);
}

#[test]
fn carrier_trunk_invite_with_pai_diversion_and_record_route_lists() {
    let bytes = fixture("trunk_invite.sip");
    let m = parse(&bytes).unwrap();
    let rr: Vec<_> = m.record_routes().map(|r| r.uri.to_owned()).collect();
    assert_eq!(
        rr,
        [
            "sip:198.51.100.40;lr;ftag=gK0a1b2c3d",
            "sip:198.51.100.41;r2=on;lr",
            "sip:198.51.100.7;lr"
        ]
    );
    let pai: Vec<_> = m
        .headers
        .iter()
        .filter(|h| h.name == "P-Asserted-Identity")
        .map(|h| NameAddr::parse(h.value).unwrap())
        .collect();
    assert_eq!(pai.len(), 2);
    assert_eq!(pai[0].display_name().as_deref(), Some("WIRELESS CALLER"));
    assert_eq!(pai[1].uri().unwrap().host, "+14155550123");
    let div = NameAddr::parse(m.named("diversion").unwrap()).unwrap();
    assert_eq!(div.params.get("reason"), Some("unconditional"));
    assert_eq!(div.params.get("counter"), Some("1"));
    assert_eq!(m.vias().count(), 2);
    assert_eq!(m.vias().nth(1).unwrap().received(), Some("198.51.100.7"));
    assert_eq!(
        m.hdr_from().unwrap().uri().unwrap().param("user"),
        Some("phone")
    );
    let sdp = Session::parse(m.body).unwrap();
    let a = &sdp.media[0];
    assert_eq!(a.attribute("ptime"), Some("20"));
    let names: Vec<_> = a.rtpmaps().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["PCMU", "PCMA", "G729", "telephone-event"]);
    let ans = sdp::answer(&sdp, &local(false)).unwrap();
    assert_eq!(ans.media[0].formats, ["0", "8", "101"]);
    assert_eq!(ans.media[0].setup(), None);
    assert!(!ans.media[0].rtcp_mux());
}

#[test]
fn carrier_200_ok_with_record_route_list() {
    let bytes = fixture("trunk_200_ok.sip");
    let m = parse(&bytes).unwrap();
    assert_eq!(m.status(), Some(200));
    assert_eq!(m.record_routes().count(), 3);
    assert_eq!(m.hdr_to().unwrap().tag(), Some("gK0c5d6e7f"));
    assert_eq!(m.first(HeaderName::Require), Some("timer"));
    assert!(Session::parse(m.body).is_ok());
}

#[test]
fn answer_directions_follow_rfc3264() {
    use Direction::*;
    assert_eq!(SendOnly.answer(SendRecv), RecvOnly, "held by the peer");
    assert_eq!(RecvOnly.answer(SendRecv), SendOnly);
    assert_eq!(Inactive.answer(SendRecv), Inactive);
    assert_eq!(SendRecv.answer(SendOnly), SendOnly, "we hold");
    assert_eq!(SendRecv.answer(SendRecv), SendRecv);
    let mut offer = Session::parse(&fixture("trunk_offer.sdp")).unwrap();
    offer.media[0].set_direction(SendOnly);
    let ans = sdp::answer(&offer, &local(false)).unwrap();
    assert_eq!(ans.media[0].direction(&ans), RecvOnly);
}

#[test]
fn no_common_codec_and_video_streams_are_rejected() {
    let offer = Session::parse(
        b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18\r\nm=video 5002 RTP/AVP 31\r\n",
    )
    .unwrap();
    assert_eq!(
        sdp::answer(&offer, &local(false)),
        Err(sdp::OfferAnswerError::NoCommonCodec)
    );
    let offer = Session::parse(
        b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nm=video 5002 RTP/AVP 31\r\n",
    )
    .unwrap();
    let ans = sdp::answer(&offer, &local(false)).unwrap();
    assert_eq!(
        (ans.media[1].port, ans.media[1].formats.as_slice()),
        (0, ["31".to_owned()].as_slice())
    );
    assert_eq!(ans.media[0].port, 40000);
}

#[test]
fn offer_builder_round_trips() {
    let o = sdp::offer(&local(true));
    let parsed = Session::parse(&o.to_bytes()).unwrap();
    assert_eq!(parsed, o);
    let m = &parsed.media[0];
    assert_eq!(m.formats, ["111", "0", "8", "101"]);
    assert_eq!(m.setup(), Some("actpass"));
    assert_eq!(m.fmtp(101), Some("0-16"));
}

#[test]
fn malformed_sdp_is_an_error_with_a_line_number() {
    for (body, line) in [
        (&b"o=- 1 1 IN IP4 a\r\n"[..], 1),
        (b"v=0\r\no=- 1 IN IP4 a\r\n", 2),
        (
            b"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio x RTP/AVP 0\r\n",
            5,
        ),
        (
            b"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP\r\n",
            5,
        ),
        (b"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nbogus\r\n", 5),
    ] {
        assert_eq!(
            Session::parse(body).unwrap_err().line,
            line,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    assert!(
        Session::parse(b"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\n").is_err(),
        "t= missing"
    );
    assert!(Session::parse(b"\xff").is_err());
    // The RFC 4475 SDP bodies parse (lenient on the RFC 2327-era shape).
    let m_bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/testdata/rfc4475/sdp01.dat"
    ))
    .unwrap();
    let m = parse(&m_bytes).unwrap();
    assert_eq!(Session::parse(m.body).unwrap().media.len(), 2);
}
