//! The dialplan pipeline on real-world numbers: Russian `8…`/`+7…`/`8 10…`
//! formats, Polish `+48`, US `+1`, short local numbers, extensions, emergency
//! numbers, premium ranges, forbidden codes, a country list and `_XXXX` rules —
//! each with the string sent to the trunk, the E.164 form and the class, or the
//! refusal and the rule it names.

use callcard_shared::dialplan::{
    evaluate, parse_list, Allowed,
    DestinationClass::{self, *},
    Outcome, Plan, Rules,
};
use callcard_shared::phone::Region;

/// What a number must come out as.
enum Want {
    Allowed(&'static str, Option<&'static str>, DestinationClass),
    /// The class (if any) and a piece of the reason.
    Refused(Option<DestinationClass>, &'static str),
}
use Want::Refused;

fn ok(dial: &'static str, e164: &'static str, class: DestinationClass) -> Want {
    Want::Allowed(dial, Some(e164), class)
}

fn short(dial: &'static str, class: DestinationClass) -> Want {
    Want::Allowed(dial, None, class)
}

fn no(class: DestinationClass, reason: &'static str) -> Want {
    Refused(Some(class), reason)
}

/// A Moscow office whose trunk wants `8…` for Russia and `810…` abroad.
fn moscow() -> Rules {
    Rules {
        autocorrect: vec![r"^\+7/8".into(), r"^\+/810".into()],
        area_prefix: "495".into(),
        exit_prefix: "810".into(),
        local_length: Some(7),
        ..Rules::default()
    }
}

/// The same office with premium and special numbers allowed.
fn moscow_open() -> Rules {
    let mut rules = moscow();
    rules.allowed.premium = true;
    rules.allowed.special = true;
    rules
}

/// The Moscow office with forbidden codes, a country list, `_XXXX` numbers,
/// and premium allowed (so the forbidden code is what stops `8 809`).
fn moscow_restricted() -> Rules {
    let mut rules = moscow();
    rules.forbidden_codes = parse_list("+375, 8809");
    rules.extra = vec!["_XXXX".into()];
    rules.allowed.premium = true;
    rules.allowed.international_countries = parse_list("PL, +49");
    rules
}

/// A Warsaw office: national numbers without `+48`, `00` abroad, 4-digit
/// extensions.
fn warsaw() -> Rules {
    Rules {
        autocorrect: vec![r"^\+48/".into(), r"^\+/00".into()],
        exit_prefix: "00".into(),
        extension_length: 4,
        ..Rules::default()
    }
}

/// A New York office: `1…` nationally, `011…` abroad, 7-digit local numbers
/// in area 212.
fn new_york() -> Rules {
    Rules {
        autocorrect: vec![r"^\+1/1".into(), r"^\+/011".into()],
        area_prefix: "212".into(),
        exit_prefix: "011".into(),
        local_length: Some(7),
        ..Rules::default()
    }
}

/// A trunk that takes E.164: national `8…` numbers become `+7…`.
fn e164_trunk() -> Rules {
    Rules {
        autocorrect: vec![r"^8(\d{10})$/+7$1".into()],
        ..Rules::default()
    }
}

fn no_international() -> Rules {
    let mut rules = moscow();
    rules.allowed.international = false;
    rules
}

fn no_mobile() -> Rules {
    let mut rules = moscow();
    rules.allowed.mobile = false;
    rules
}

#[allow(clippy::type_complexity)]
#[rustfmt::skip]
fn table() -> Vec<(fn() -> Rules, &'static str, &'static str, Want)> {
    vec![
        // Russia, `+7…` and `8…` formats.
        (moscow, "RU", "+7 916 123-45-67", ok("89161234567", "+79161234567", Mobile)),
        (moscow, "RU", "8 (916) 123-45-67", ok("89161234567", "+79161234567", Mobile)),
        (moscow, "RU", "89161234567", ok("89161234567", "+79161234567", Mobile)),
        (moscow, "RU", "+7 (495) 123-45-67", ok("84951234567", "+74951234567", Local)),
        (moscow, "RU", "8 495 123 45 67", ok("84951234567", "+74951234567", Local)),
        (moscow, "RU", "123-45-67", ok("4951234567", "+74951234567", Local)),
        (moscow, "RU", "+7 812 123-45-67", ok("88121234567", "+78121234567", National)),
        (moscow, "RU", "8 (812) 123-45-67", ok("88121234567", "+78121234567", National)),
        (moscow, "RU", "8 (343) 123-45-67", ok("83431234567", "+73431234567", National)),
        (moscow, "RU", "8 800 555-35-35", ok("88005553535", "+78005553535", National)),
        (moscow, "RU", "8 809 505 12 34", no(Premium, "premium-rate numbers are not allowed")),
        (moscow, "RU", "+7 809 505-12-34", no(Premium, "premium is off")),
        // Abroad from Russia: `8 10…` and `+…`.
        (moscow, "RU", "8 10 48 22 123 45 67", ok("81048221234567", "+48221234567", International)),
        (moscow, "RU", "+48 22 123 45 67", ok("81048221234567", "+48221234567", International)),
        (moscow, "RU", "+1 212 736 5000", ok("81012127365000", "+12127365000", International)),
        (moscow, "RU", "+44 20 7946 0958", ok("810442079460958", "+442079460958", International)),
        (moscow, "RU", "+375 29 123-45-67", ok("810375291234567", "+375291234567", International)),
        (moscow, "RU", "+7 701 123 45 67", ok("87011234567", "+77011234567", International)),
        // Extensions, special numbers, mistakes.
        (moscow, "RU", "101", short("101", Internal)),
        (moscow, "RU", "112", no(Special, "special and emergency numbers are not allowed")),
        (moscow, "RU", "03", no(Special, "special is off")),
        (moscow, "RU", "2001", Refused(None, "an extra rule `_XXXX`")),
        (moscow, "RU", "+7 916 123", Refused(None, "not a complete number")),
        (moscow, "RU", "8 916 123 45 67 89", Refused(None, "not a complete number")),
        (moscow, "RU", "call me", Refused(None, "holds `c`")),
        (moscow, "RU", "  ", Refused(None, "nothing to dial")),
        (moscow, "RU", "+7 916 +123", Refused(None, "a `+` may only stand at the start")),
        // Premium and special allowed.
        (moscow_open, "RU", "112", short("112", Special)),
        (moscow_open, "RU", "03", short("03", Special)),
        (moscow_open, "RU", "8 809 505 12 34", ok("88095051234", "+78095051234", Premium)),
        (moscow_open, "RU", "+1 900 234 5678", ok("81019002345678", "+19002345678", Premium)),
        // Forbidden codes, the country list, `_XXXX`.
        (moscow_restricted, "RU", "+375 29 123 45 67", no(International, "forbidden code `+375` (forbidden_codes[0])")),
        (moscow_restricted, "RU", "8 809 505 12 34", no(Premium, "forbidden code `8809` (forbidden_codes[1])")),
        (moscow_restricted, "RU", "8 803 123 45 67", ok("88031234567", "+78031234567", Premium)),
        (moscow_restricted, "RU", "+48 22 123 45 67", ok("81048221234567", "+48221234567", International)),
        (moscow_restricted, "RU", "+49 30 123456", ok("8104930123456", "+4930123456", International)),
        (moscow_restricted, "RU", "+44 20 7946 0958", no(International, "calls to GB (+44) are not allowed: international calls are limited to PL, +49")),
        (moscow_restricted, "RU", "+7 701 123 45 67", no(International, "calls to KZ (+7)")),
        (moscow_restricted, "RU", "0911", short("0911", Local)),
        (moscow_restricted, "RU", "123 45 67", ok("4951234567", "+74951234567", Local)),
        (no_international, "RU", "+48 22 123 45 67", no(International, "international calls are not allowed")),
        (no_mobile, "RU", "+7 916 123-45-67", no(Mobile, "mobile numbers are not allowed (allowed destinations: mobile is off)")),
        (e164_trunk, "RU", "8 (916) 123-45-67", ok("+79161234567", "+79161234567", Mobile)),
        // Poland.
        (warsaw, "PL", "+48 22 123 45 67", ok("221234567", "+48221234567", National)),
        (warsaw, "PL", "22 123 45 67", ok("221234567", "+48221234567", National)),
        (warsaw, "PL", "+48 601 234 567", ok("601234567", "+48601234567", Mobile)),
        (warsaw, "PL", "+48 701 234 567", no(Premium, "premium-rate numbers are not allowed")),
        (warsaw, "PL", "801 234 567", no(Premium, "premium")),
        (warsaw, "PL", "800 123 456", ok("800123456", "+48800123456", National)),
        (warsaw, "PL", "+7 916 123 45 67", ok("0079161234567", "+79161234567", International)),
        (warsaw, "PL", "00 49 30 123456", ok("004930123456", "+4930123456", International)),
        (warsaw, "PL", "997", no(Special, "special and emergency")),
        (warsaw, "PL", "112", no(Special, "special and emergency")),
        (warsaw, "PL", "1234", short("1234", Internal)),
        // United States.
        (new_york, "US", "(212) 736-5000", ok("2127365000", "+12127365000", Local)),
        (new_york, "US", "736-5000", ok("2127365000", "+12127365000", Local)),
        (new_york, "US", "+1 650 253 0000", ok("16502530000", "+16502530000", National)),
        (new_york, "US", "1 900 234 5678", no(Premium, "premium-rate numbers are not allowed")),
        (new_york, "US", "+48 22 123 45 67", ok("01148221234567", "+48221234567", International)),
        (new_york, "US", "011 44 20 7946 0958", ok("011442079460958", "+442079460958", International)),
        (new_york, "US", "+1 416 361 0000", ok("14163610000", "+14163610000", International)),
        (new_york, "US", "911", no(Special, "special and emergency")),
        (new_york, "US", "411", no(Special, "special and emergency")),
        (new_york, "US", "555", short("555", Internal)),
    ]
}

#[test]
fn real_world_numbers_come_out_as_expected() {
    let table = table();
    assert!(table.len() >= 40, "at least 40 numbers");
    let mut failures = Vec::new();
    for (rules, region, input, want) in &table {
        let region: Region = region.parse().unwrap();
        let verdict = evaluate(&rules(), region, input);
        let good = match (want, &verdict.outcome) {
            (
                Want::Allowed(dial, e164, class),
                Outcome::Allowed {
                    dial: got_dial,
                    e164: got_e164,
                    class: got_class,
                },
            ) => dial == got_dial && *e164 == got_e164.as_deref() && class == got_class,
            (
                Refused(class, reason),
                Outcome::Refused {
                    class: got_class,
                    reason: got_reason,
                    ..
                },
            ) => class == got_class && got_reason.contains(reason),
            _ => false,
        };
        if !good {
            failures.push(format!(
                "{input:?} in {region:?}: got {:?}",
                verdict.outcome
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_step_is_shown_for_the_try_a_number_box() {
    let v = evaluate(&moscow(), "RU".parse().unwrap(), "8 10 48 22 123 45 67");
    let names: Vec<&str> = v.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "strip formatting",
            "international exit prefix 810",
            "E.164",
            "class"
        ]
    );
    assert_eq!(v.steps[1].before, "81048221234567");
    assert_eq!(v.steps[1].after, "+48221234567");
    assert_eq!(v.steps[3].after, "international (fixed line, PL)");

    let v = evaluate(&moscow(), "RU".parse().unwrap(), "+7 916 123-45-67");
    let step = &v.steps[1];
    assert_eq!(
        (
            step.name.as_str(),
            step.before.as_str(),
            step.after.as_str()
        ),
        (r"autocorrect[0] ^\+7/8", "+79161234567", "89161234567")
    );

    let v = evaluate(&moscow(), "RU".parse().unwrap(), "123-45-67");
    assert!(v
        .steps
        .iter()
        .any(|s| s.name == "local number: area prefix 495"
            && s.before == "1234567"
            && s.after == "4951234567"));

    let v = evaluate(&moscow_restricted(), "RU".parse().unwrap(), "0911");
    assert!(v
        .steps
        .iter()
        .any(|s| s.name == "extra[0] _XXXX: dialled as is"));
}

#[test]
fn mistakes_in_the_rules_name_their_field() {
    let rules = Rules {
        autocorrect: vec![
            r"^\+7/8".into(),
            r"^(+7/8".into(),
            "no-slash".into(),
            r"^(\d)/$2".into(),
        ],
        area_prefix: "49a".into(),
        exit_prefix: "00x".into(),
        local_length: Some(7),
        extra: vec!["XXXX".into(), "_XXQ".into()],
        forbidden_codes: parse_list("+7, abc"),
        allowed: Allowed {
            international_countries: parse_list("PL, XX, +999"),
            ..Allowed::default()
        },
        extension_length: 7,
    };
    let errors = rules.validate().unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "autocorrect[1]",
            "autocorrect[2]",
            "autocorrect[3]",
            "area_prefix",
            "exit_prefix",
            "extension_length",
            "local_length",
            "extra[0]",
            "extra[1]",
            "forbidden_codes[1]",
            "allowed.international_countries[1]",
            "allowed.international_countries[2]",
        ],
        "{text:#?}"
    );
    assert!(
        text[0].starts_with("autocorrect[1]: `^(+7/8`: invalid regular expression"),
        "{}",
        text[0]
    );
    assert!(text[1].contains("has no `/`"), "{}", text[1]);
    assert!(
        text[2].contains("refers to group 2, but the pattern has 1 group"),
        "{}",
        text[2]
    );

    // Invalid rules refuse every number, with the first mistake as the reason.
    let v = evaluate(&rules, "RU".parse().unwrap(), "+7 916 123 45 67");
    assert!(!v.is_allowed());
    assert!(
        v.reason().unwrap().contains("autocorrect[1]"),
        "{:?}",
        v.reason()
    );
}

#[test]
fn sound_rules_validate_and_compile_once_for_many_numbers() {
    for rules in [
        moscow(),
        moscow_open(),
        moscow_restricted(),
        warsaw(),
        new_york(),
        Rules::default(),
    ] {
        assert_eq!(rules.validate(), Ok(()), "{rules:?}");
    }
    let plan = Plan::new(&moscow()).unwrap();
    let ru: Region = "RU".parse().unwrap();
    assert_eq!(
        plan.evaluate(ru, "8 916 123 45 67").dial(),
        Some("89161234567")
    );
    assert_eq!(plan.evaluate(ru, "123 45 67").e164(), Some("+74951234567"));
}

#[test]
fn extensions_and_local_numbers_of_one_length_are_refused_as_ambiguous() {
    let rules = Rules {
        local_length: Some(5),
        extension_length: 5,
        ..Rules::default()
    };
    let errors = rules.validate().unwrap_err();
    assert_eq!(errors[0].field, "local_length");
    let rules = Rules {
        area_prefix: "495".into(),
        ..Rules::default()
    };
    assert_eq!(rules.validate().unwrap_err()[0].field, "area_prefix");
}

#[test]
fn defaults_allow_everything_but_premium_and_special() {
    let allowed = Allowed::default();
    for class in [Internal, Local, National, Mobile, International] {
        assert!(allowed.permits(class), "{class}");
    }
    assert!(!allowed.permits(Premium));
    assert!(!allowed.permits(Special));
    assert_eq!(Rules::default().extension_length, 3);
}

#[test]
fn rules_and_verdicts_travel_as_json() {
    let rules = moscow_restricted();
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(serde_json::from_str::<Rules>(&json).unwrap(), rules);
    // A stored document from before a field existed still reads.
    let old: Rules =
        serde_json::from_str(r#"{"autocorrect": ["^\\+7/8"], "allowed": {"premium": true}}"#)
            .unwrap();
    assert_eq!(old.autocorrect, [r"^\+7/8"]);
    assert!(old.allowed.premium && old.allowed.mobile && !old.allowed.special);
    assert_eq!(old.extension_length, 3);

    let v = evaluate(&moscow(), "RU".parse().unwrap(), "8 809 505 12 34");
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["outcome"]["kind"], "refused");
    assert_eq!(json["outcome"]["class"], "premium");
    let v = evaluate(&moscow(), "RU".parse().unwrap(), "101");
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(
        json["outcome"],
        serde_json::json!({"kind": "allowed", "dial": "101", "e164": null, "class": "internal"})
    );
}

#[test]
fn comma_lists_are_read_as_admins_type_them() {
    assert_eq!(parse_list("+7,8"), ["+7", "8"]);
    assert_eq!(
        parse_list(" +7 495 ; 8809,\n PL ,, "),
        ["+7495", "8809", "PL"]
    );
    assert!(parse_list(" , ").is_empty());
}

#[test]
fn a_number_typed_with_plus_is_never_an_extension_or_a_local_number() {
    // `^\+7/8` turns the fragment `+7 916 123` into seven digits, the local
    // length; the `+` says it was meant as a complete number.
    let v = evaluate(&moscow(), "RU".parse().unwrap(), "+7 916 123");
    assert!(!v.is_allowed());
    let rules = Rules {
        autocorrect: vec![r"^\+//".into()],
        ..Rules::default()
    };
    assert!(!evaluate(&rules, "RU".parse().unwrap(), "+101").is_allowed());
}

#[test]
fn emergency_numbers_win_over_extensions_of_the_same_length() {
    let mut rules = moscow_open();
    rules.extension_length = 3;
    let v = evaluate(&rules, "RU".parse().unwrap(), "112");
    assert_eq!(v.class(), Some(Special));
    assert!(callcard_shared::dialplan::special::is_special(
        "911",
        "RU".parse().unwrap()
    ));
    assert!(!callcard_shared::dialplan::special::is_special(
        "101",
        "RU".parse().unwrap()
    ));
}
