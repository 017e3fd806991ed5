//! Fuzzes the SIP parser (datagram and stream framing) and the typed header
//! views; any accepted message must survive serialize -> parse unchanged.
#![no_main]

use callcard_shared::sip::{self, HeaderMap, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = sip::parse(data) {
        let _ = (m.vias().count(), m.hdr_from(), m.hdr_to(), m.cseq(), m.contacts().count());
        let _ = sip::validate::check_request(&m, &sip::validate::Policy::default());
        let _ = sip::validate::check_response(&m, &sip::validate::Policy::default());
        let bytes = m.to_owned().to_bytes();
        // Serializing normalises "Name:value" to "Name: value", which may
        // lengthen lines a little: reparse with room for that.
        let d = Limits::default();
        let roomy = Limits {
            max_message_size: d.max_message_size * 2,
            max_line_len: d.max_line_len * 2,
            max_headers: d.max_headers,
        };
        let again = sip::parse_with(&bytes, &roomy).expect("serialized message reparses");
        assert_eq!(again, m);
    }
    let _ = sip::parse_stream(data, &Limits::default());
});
