//! Fuzzes the SDP parser and the offer/answer helpers; an accepted session
//! must survive serialize -> parse unchanged.
#![no_main]

use callcard_shared::sip::sdp::{self, Codec, Direction, LocalMedia, Session};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Session::parse(data) {
        for m in &s.media {
            let _ = (m.rtpmaps(), m.candidates(), m.ssrcs(), m.fingerprint(&s), m.direction(&s));
        }
        let again = Session::parse(&s.to_bytes()).expect("serialized SDP reparses");
        assert_eq!(again, s);
        let local = LocalMedia {
            codecs: vec![Codec::opus(), Codec::pcmu(), Codec::telephone_event()],
            address: "192.0.2.1".into(),
            port: 4000,
            proto: "RTP/AVP".into(),
            direction: Direction::SendRecv,
            ice: None,
            candidates: vec![],
            fingerprint: None,
            rtcp_mux: true,
            ssrc: None,
            session_id: 1,
            session_version: 1,
        };
        if let Ok(a) = sdp::answer(&s, &local) {
            assert_eq!(Session::parse(&a.to_bytes()).expect("answer reparses"), a);
        }
    }
});
