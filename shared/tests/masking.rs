//! Number masking per access group, and the leak detector the relay's leak
//! tests use to prove a masked user's browser never received the digits.

use callcard_shared::masking::{contains_digits_of, Masking};

const NUMBER: &str = "+7 (916) 123-45-67";

#[test]
fn each_masking_shows_what_it_promises() {
    let cases = [
        (Masking::None, NUMBER),
        (Masking::Hidden, ""),
        (Masking::MaskFirst { n: 4 }, "+* (***) 123-45-67"),
        (Masking::MaskFirst { n: 8 }, "+* (***) ***-*5-67"),
        (Masking::MaskFirst { n: 0 }, NUMBER),
        (Masking::MaskFirst { n: 99 }, "+* (***) ***-**-**"),
        (Masking::ShowLast { n: 2 }, "+* (***) ***-**-67"),
        (Masking::ShowLast { n: 4 }, "+* (***) ***-45-67"),
        (Masking::ShowLast { n: 0 }, "+* (***) ***-**-**"),
        (Masking::ShowLast { n: 99 }, NUMBER),
    ];
    for (masking, want) in cases {
        assert_eq!(masking.apply(NUMBER), want, "{masking:?}");
    }
    assert_eq!(
        Masking::MaskFirst { n: 5 }.apply("+79161234567"),
        "+*****234567"
    );
    assert_eq!(Masking::ShowLast { n: 3 }.apply("101"), "101");
    assert!(Masking::default().is_none());
}

#[test]
fn masking_travels_as_tagged_json() {
    let cases = [
        (Masking::None, r#"{"kind":"none"}"#),
        (Masking::Hidden, r#"{"kind":"hidden"}"#),
        (
            Masking::MaskFirst { n: 4 },
            r#"{"kind":"mask_first","n":4}"#,
        ),
        (Masking::ShowLast { n: 2 }, r#"{"kind":"show_last","n":2}"#),
    ];
    for (masking, json) in cases {
        assert_eq!(serde_json::to_string(&masking).unwrap(), json);
        assert_eq!(serde_json::from_str::<Masking>(json).unwrap(), masking);
    }
    assert!(serde_json::from_str::<Masking>(r#"{"kind":"mask_first"}"#).is_err());
}

#[test]
fn the_digits_are_found_in_any_formatting() {
    let carriers: [&[u8]; 9] = [
        b"+79161234567",
        b"{\"phone\":\"8 (916) 123-45-67\"}",
        b"From: \"Anna\" <sip:+79161234567@relay.example>;tag=1",
        b"tel:+7-916-123-45-67",
        b"call%20%2B7%20916%20123%2045%2067",
        "+7\u{a0}916\u{a0}123\u{2009}45\u{2009}67".as_bytes(),
        b"id_9161234567_2026-11-26.mp3",
        b"...123.45.67...",
        b"1234567",
    ];
    for haystack in carriers {
        assert!(
            contains_digits_of(haystack, NUMBER),
            "{}",
            String::from_utf8_lossy(haystack)
        );
    }
}

#[test]
fn masked_output_and_other_numbers_are_no_leak() {
    let clean: [&[u8]; 7] = [
        b"",
        b"{\"phone\":\"+* (***) ***-**-67\"}",
        b"{\"phone\":\"+* (***) 123-**-**\"}",
        b"From: <sip:anonymous@anonymous.invalid>",
        b"+79161234568",
        b"123, 45, 67",
        b"2026-11-26T12:34:56Z 123456",
    ];
    for haystack in clean {
        assert!(
            !contains_digits_of(haystack, NUMBER),
            "{}",
            String::from_utf8_lossy(haystack)
        );
    }
    let masked = Masking::ShowLast { n: 2 }.apply(NUMBER);
    assert!(!contains_digits_of(masked.as_bytes(), NUMBER));
    let masked = Masking::MaskFirst { n: 5 }.apply(NUMBER);
    assert!(!contains_digits_of(masked.as_bytes(), NUMBER));
}

#[test]
fn short_numbers_need_all_their_digits_and_empty_ones_match_nothing() {
    assert!(contains_digits_of(b"ext 1 0 1", "101"));
    assert!(!contains_digits_of(b"ext 10", "101"));
    assert!(!contains_digits_of(b"anything 123", ""));
}
