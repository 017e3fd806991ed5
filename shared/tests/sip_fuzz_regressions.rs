//! Replays the fuzz targets' invariants over every stored input: the test
//! messages, the fixtures and `fixtures/regressions/` (drop a fuzz crash
//! there and it becomes a regression test).

use callcard_shared::sip::sdp::Session;
use callcard_shared::sip::validate::{check_request, check_response, Policy};
use callcard_shared::sip::{parse, parse_stream, parse_with, HeaderMap, Limits};

fn inputs() -> Vec<(String, Vec<u8>)> {
    let dirs = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/testdata/rfc4475"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/regressions"),
    ];
    let mut out = Vec::new();
    for d in dirs {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_file() {
                out.push((
                    e.path().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    assert!(out.len() > 55, "corpus found");
    out
}

/// The `sip_parse` fuzz target's body.
fn sip_invariants(data: &[u8]) {
    if let Ok(m) = parse(data) {
        let _ = (
            m.vias().count(),
            m.hdr_from(),
            m.hdr_to(),
            m.cseq(),
            m.contacts().count(),
        );
        let _ = check_request(&m, &Policy::default());
        let _ = check_response(&m, &Policy::default());
        let bytes = m.to_owned().to_bytes();
        let d = Limits::default();
        let roomy = Limits {
            max_message_size: d.max_message_size * 2,
            max_line_len: d.max_line_len * 2,
            max_headers: d.max_headers,
        };
        assert_eq!(parse_with(&bytes, &roomy).expect("reparses"), m);
    }
    let _ = parse_stream(data, &Limits::default());
}

#[test]
fn stored_inputs_keep_the_fuzz_invariants() {
    for (name, data) in inputs() {
        let r = std::panic::catch_unwind(|| {
            sip_invariants(&data);
            // Every prefix, too: truncation is the commonest malformation.
            for cut in (0..data.len()).step_by(7) {
                sip_invariants(&data[..cut]);
            }
            if let Ok(s) = Session::parse(&data) {
                assert_eq!(Session::parse(&s.to_bytes()).unwrap(), s);
            }
        });
        assert!(r.is_ok(), "{name} broke an invariant");
    }
}

#[test]
fn regression_inputs_are_rejected_without_panicking() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/regressions");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let data = std::fs::read(e.path()).unwrap();
        let name = e.file_name().into_string().unwrap();
        assert!(parse(&data).is_err(), "{name}");
        n += 1;
    }
    assert!(n >= 4);
    // The comma splitter behind that case: escaped quotes stay inside, an
    // unterminated quote swallows the rest.
    let parts: Vec<_> = callcard_shared::sip::CommaSplit::new(
        r#"<sip:a@b>, "x\\" <sip:c@d>, "a,\"b" <sip:e>, "open <sip:f>, g"#,
    )
    .collect();
    assert_eq!(
        parts,
        [
            "<sip:a@b>",
            r#""x\\" <sip:c@d>"#,
            r#""a,\"b" <sip:e>"#,
            r#""open <sip:f>, g"#
        ]
    );
}
