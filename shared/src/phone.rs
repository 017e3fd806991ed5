//! Phone numbers as people type them, turned into E.164 with the `phonenumber`
//! crate (a port of Google's libphonenumber) and its metadata — never with
//! hand-written rules.
//!
//! The crate's parser (0.3.10) has a bug (whisperfish/rust-phonenumber#76):
//! after taking the national prefix off it strips a leading national-prefix
//! digit once more, and for a number with `+` it strips the *default
//! region's* prefix from it, even from a foreign number. `+7 812…`, `8 800…`,
//! `8 809…` and, read in RU, `+48 801…` all come out a digit short. So:
//! - a number typed with `+` (formatting, a `tel:` in front or an extension
//!   behind aside) is read from the crate's metadata: it already is E.164,
//!   only its country, validity and type are looked up; if it is not valid
//!   as written, its country's national prefix may be in it (`+44 (0) 20…`);
//! - a national number is the crate's reading when that is a valid number,
//!   else the same metadata reading (national prefix off, country code on);
//! - the number type is computed from the metadata in the crate's own order,
//!   since `PhoneNumber::number_type` would need the buggy parse.
//!
//! The dialplan reads numbers through `read` too, so the relay, the browser
//! and the dialplan have one reading of a number.

use std::str::FromStr;

use phonenumber::{metadata::DATABASE, Metadata, Mode, Type};

/// Why a typed number could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("unknown default region `{0}` (expected an ISO 3166 code such as RU, PL or US)")]
    UnknownRegion(String),
    #[error("`{0}` is not a phone number")]
    NotANumber(String),
}

/// A parsed default region (ISO 3166-1 alpha-2), used for numbers written without `+`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

impl Region {
    pub fn code(&self) -> String {
        self.0.as_ref().to_string()
    }
}

impl FromStr for Region {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        phonenumber::country::Id::from_str(&s.trim().to_ascii_uppercase())
            .map(Region)
            .map_err(|_| PhoneError::UnknownRegion(s.to_string()))
    }
}

/// Normalizes a number as entered (`8 (916) 123 45 67`, `+48 22 123 45 67`) to
/// E.164 (`+79161234567`). Numbers without `+` are read in `region`.
///
/// A number that is not complete (`8 916 123`) is still turned into E.164 as
/// far as it goes (`+7916123`); [`to_valid_e164`] refuses it.
pub fn to_e164(raw: &str, region: Region) -> Result<String, PhoneError> {
    let not_a_number = || PhoneError::NotANumber(raw.to_string());
    let trimmed = raw.trim();
    if digits(trimmed).len() < 3 {
        return Err(not_a_number());
    }
    if let Some(reading) = read(trimmed, region) {
        return Ok(reading.e164);
    }
    // Not a valid number: the crate decides whether it is a number at all,
    // and its reading is kept except where the bug shows.
    let parsed = phonenumber::parse(Some(region.0), trimmed).map_err(|_| not_a_number())?;
    let e164 = parsed.format().mode(Mode::E164).to_string();
    Ok(match typed(trimmed, region) {
        Some((true, digits)) if country_code(&digits).is_some() => format!("+{digits}"),
        Some((false, digits)) => national_prefix_once(&digits, region, &e164).unwrap_or(e164),
        _ => e164,
    })
}

/// Like [`to_e164`], but only for numbers valid in their numbering plan (a
/// complete number, not a fragment such as `123-45`).
pub fn to_valid_e164(raw: &str, region: Region) -> Option<String> {
    read(raw, region).map(|reading| reading.e164)
}

/// A valid number with what the numbering plan says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reading {
    pub e164: String,
    /// ISO region (`PL`); `None` for non-geographic codes such as +800.
    pub region: Option<String>,
    pub country_code: u16,
    pub kind: Type,
}

/// Reads a number as typed (`+7 812 123-45-67`, `88005553535`), numbers
/// without `+` in `region`. `None` when it is not a valid number.
pub(crate) fn read(raw: &str, region: Region) -> Option<Reading> {
    let raw = raw.trim();
    match typed(raw, region) {
        // Already E.164: never handed to the crate, which could strip a digit
        // and land on another valid number.
        Some((true, digits)) => {
            international(&digits).or_else(|| international_with_national_prefix(&digits))
        }
        Some((false, digits)) => {
            by_the_crate(&digits, region).or_else(|| national(&digits, region))
        }
        // Letters (`1-800-FLOWERS`), several numbers: only the crate reads those.
        None => by_the_crate(raw, region),
    }
}

/// Characters people put between the digits of a number.
const FORMATTING: &[char] = &[
    ' ', '\u{a0}', '\u{202f}', '\t', '-', '\u{2010}', '\u{2011}', '\u{2013}', '.', '(', ')', '/',
];

/// The digits of a number written with formatting only, and whether it
/// leads with `+`; `None` when there is anything else in it.
fn plain(raw: &str) -> Option<(bool, String)> {
    let (plus, rest) = match raw.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let digits = digits(rest);
    (!digits.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || FORMATTING.contains(&c)))
    .then_some((plus, digits))
}

/// Like [`plain`], but also past a `tel:` in front and an extension behind
/// (`+7 812 123-45-67 ext. 12`, `tel:+7-812-123-45-67;ext=12`) — the crate's
/// parser has to find that extension too; E.164 leaves it out.
fn typed(raw: &str, region: Region) -> Option<(bool, String)> {
    if let Some(plain) = plain(raw) {
        return Some(plain);
    }
    let body = raw
        .get(..4)
        .filter(|scheme| scheme.eq_ignore_ascii_case("tel:"))
        .map_or(raw, |_| &raw[4..]);
    let start = usize::from(body.starts_with('+'));
    let end = body[start..]
        .find(|c: char| !c.is_ascii_digit() && !FORMATTING.contains(&c))
        .map_or(body.len(), |end| start + end);
    let (number, rest) = body.split_at(end);
    let plain = plain(number)?;
    if rest.is_empty() {
        return Some(plain);
    }
    let parsed = phonenumber::parse(Some(region.0), raw).ok()?;
    let extension = parsed.extension()?;
    (!extension.is_empty() && **extension == digits(rest)).then_some(plain)
}

/// The crate's reading, when it is a valid number.
fn by_the_crate(text: &str, region: Region) -> Option<Reading> {
    let parsed = phonenumber::parse(Some(region.0), text).ok()?;
    if !phonenumber::is_valid(&parsed) {
        return None;
    }
    let e164 = parsed.format().mode(Mode::E164).to_string();
    international(e164.strip_prefix('+')?)
}

/// Splits E.164 digits into the country code and the national significant
/// number. Country codes are prefix-free: the first known one is the only
/// reading.
fn country_code(digits: &str) -> Option<(u16, &str)> {
    if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (1..=3.min(digits.len())).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        DATABASE.region(&code).map(|_| (code, &digits[len..]))
    })
}

/// Reads the digits of an E.164 number (country code first).
fn international(digits: &str) -> Option<Reading> {
    let (code, nsn) = country_code(digits)?;
    let regions = DATABASE.by_code(&code)?;
    // Of the regions sharing a code (+1, +7): the one whose leading digits
    // fit, else the first whose plan knows the number.
    let leads = |meta: &&&Metadata| {
        meta.leading_digits()
            .and_then(|re| re.find(nsn))
            .is_some_and(|m| m.start() == 0)
    };
    let meta = regions
        .iter()
        .filter(leads)
        .chain(regions.iter())
        .find(|meta| kind(meta, nsn) != Type::Unknown)?;
    Some(Reading {
        e164: format!("+{digits}"),
        region: (meta.id() != "001").then(|| meta.id().to_string()),
        country_code: code,
        kind: kind(meta, nsn),
    })
}

/// `+44 (0) 20 7946 0958`, `+7 8 812…`: an international number written with
/// its country's national prefix, which is not dialled from abroad.
fn international_with_national_prefix(digits: &str) -> Option<Reading> {
    let (code, nsn) = country_code(digits)?;
    DATABASE.by_code(&code)?.iter().find_map(|meta| {
        let rest = nsn.strip_prefix(meta.national_prefix()?)?;
        international(&format!("{code}{rest}"))
    })
}

/// Reads a national number of `region`: its own international prefix means
/// `+`; otherwise the national prefix (if any) comes off and the country code
/// goes on.
fn national(number: &str, region: Region) -> Option<Reading> {
    let meta = DATABASE.by_id(region.code().as_str())?;
    if let Some(m) = meta.international_prefix().and_then(|re| re.find(number)) {
        if m.start() == 0 {
            if let Some(reading) = international(&number[m.end()..]) {
                return Some(reading);
            }
        }
    }
    let code = meta.country_code();
    meta.national_prefix()
        .and_then(|prefix| number.strip_prefix(prefix))
        .and_then(|nsn| international(&format!("{code}{nsn}")))
        .or_else(|| international(&format!("{code}{number}")))
}

/// For a national number that is not complete: when the crate took the
/// national prefix off twice (`8 800 555` → `+700555`), the E.164 with it
/// taken off once (`+7800555`).
fn national_prefix_once(digits: &str, region: Region, crates: &str) -> Option<String> {
    let meta = DATABASE.by_id(region.code().as_str())?;
    let prefix = meta.national_prefix()?;
    let once = digits.strip_prefix(prefix)?;
    let twice = once.strip_prefix(prefix)?;
    let code = meta.country_code();
    (crates == format!("+{code}{twice}")).then(|| format!("+{code}{once}"))
}

/// The number type of a national significant number, in the order the
/// `phonenumber` crate's validator uses.
fn kind(meta: &Metadata, nsn: &str) -> Type {
    let d = meta.descriptors();
    if !d.general().is_match(nsn) {
        return Type::Unknown;
    }
    let fits =
        |desc: Option<&phonenumber::metadata::Descriptor>| desc.is_some_and(|d| d.is_match(nsn));
    let ordered = [
        (d.premium_rate(), Type::PremiumRate),
        (d.toll_free(), Type::TollFree),
        (d.shared_cost(), Type::SharedCost),
        (d.voip(), Type::Voip),
        (d.personal_number(), Type::PersonalNumber),
        (d.pager(), Type::Pager),
        (d.uan(), Type::Uan),
        (d.voicemail(), Type::Voicemail),
    ];
    if let Some((_, kind)) = ordered.into_iter().find(|(desc, _)| fits(*desc)) {
        return kind;
    }
    if fits(d.fixed_line()) {
        let same = d.fixed_line().map(|f| f.national_number().as_str())
            == d.mobile().map(|m| m.national_number().as_str());
        return if same || fits(d.mobile()) {
            Type::FixedLineOrMobile
        } else {
            Type::FixedLine
        };
    }
    if fits(d.mobile()) {
        return Type::Mobile;
    }
    Type::Unknown
}

/// Only the digits of `s`, in order — for matching a partly typed number.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Whether a search query looks like (part of) a phone number rather than a name.
pub fn looks_like_phone(q: &str) -> bool {
    let q = q.trim();
    digits(q).len() >= 3
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ru() -> Region {
        "RU".parse().unwrap()
    }

    #[test]
    fn real_formats_normalize_to_e164() {
        let cases = [
            ("+7 495 123-45-67", "+74951234567"),
            ("8 (495) 123-45-67", "+74951234567"),
            ("8 (916) 123 45 67", "+79161234567"),
            ("+48 22 123 45 67", "+48221234567"),
            ("+1 (415) 555-0100", "+14155550100"),
            ("+44 20 7946 0958", "+442079460958"),
        ];
        for (raw, want) in cases {
            assert_eq!(to_e164(raw, ru()).as_deref(), Ok(want), "{raw}");
        }
    }

    fn region(code: &str) -> Region {
        code.parse().unwrap()
    }

    /// Complete numbers, as people write them, in the region they are read in.
    /// Several of them lose a digit in the `phonenumber` crate's own parser
    /// (whisperfish/rust-phonenumber#76).
    const COMPLETE: &[(&str, &str, &str)] = &[
        // Russia: the national prefix 8 comes off once, also when the area
        // code itself starts with 8.
        ("RU", "8 (495) 123-45-67", "+74951234567"),
        ("RU", "+7 812 123 45 67", "+78121234567"),
        ("RU", "+7 (812) 123-45-67", "+78121234567"),
        ("RU", "8 812 123-45-67", "+78121234567"),
        ("RU", "88121234567", "+78121234567"),
        ("RU", "8 800 555 35 35", "+78005553535"),
        ("RU", "+7 800 555-35-35", "+78005553535"),
        ("RU", "8 809 505 05 05", "+78095050505"),
        ("RU", "8 (809) 505-05-05", "+78095050505"),
        ("RU", "8 916 123 45 67", "+79161234567"),
        ("RU", "7 916 123 45 67", "+79161234567"),
        ("RU", "810 48 22 123 45 67", "+48221234567"),
        // Foreign numbers read in RU keep every digit.
        ("RU", "+48 22 123 45 67", "+48221234567"),
        ("RU", "+48 801 123 456", "+48801123456"),
        ("RU", "+1 212 555 0123", "+12125550123"),
        ("RU", "+44 20 7946 0958", "+442079460958"),
        ("RU", "+44 (0) 20 7946 0958", "+442079460958"),
        ("RU", "+7 701 123 45 67", "+77011234567"),
        // Poland (no national prefix).
        ("PL", "22 123 45 67", "+48221234567"),
        ("PL", "801 123 456", "+48801123456"),
        ("PL", "+48 801 123 456", "+48801123456"),
        ("PL", "+7 812 123 45 67", "+78121234567"),
        ("PL", "00 7 800 555 35 35", "+78005553535"),
        // United States (national prefix 1).
        ("US", "(212) 555-0123", "+12125550123"),
        ("US", "1 212 555 0123", "+12125550123"),
        ("US", "+7 800 555 35 35", "+78005553535"),
        ("US", "011 7 812 123 45 67", "+78121234567"),
        ("US", "+48 801 123 456", "+48801123456"),
        ("US", "1-800-FLOWERS", "+18003569377"),
        // An extension or a `tel:` around the number.
        ("RU", "+7 (812) 123-45-67 ext. 12", "+78121234567"),
        ("RU", "8 800 555-35-35 ext 7", "+78005553535"),
        ("RU", "tel:+7-812-123-45-67", "+78121234567"),
        ("RU", "tel:+7-800-555-35-35;ext=12", "+78005553535"),
    ];

    #[test]
    fn complete_numbers_normalize_to_e164() {
        for &(code, raw, want) in COMPLETE {
            assert_eq!(
                to_e164(raw, region(code)).as_deref(),
                Ok(want),
                "{raw} in {code}"
            );
        }
    }

    #[test]
    fn complete_numbers_are_valid() {
        for &(code, raw, want) in COMPLETE {
            assert_eq!(
                to_valid_e164(raw, region(code)).as_deref(),
                Some(want),
                "{raw} in {code}"
            );
        }
    }

    #[test]
    fn incomplete_numbers_keep_their_digits() {
        let cases = [
            ("RU", "8 800 555", "+7800555"),
            ("RU", "8 812 123", "+7812123"),
            ("RU", "+7 812 123", "+7812123"),
            ("RU", "+48 801 12", "+4880112"),
            ("RU", "123-45", "+712345"),
            ("PL", "801 12", "+4880112"),
            ("US", "212 555", "+1212555"),
        ];
        for (code, raw, want) in cases {
            assert_eq!(
                to_e164(raw, region(code)).as_deref(),
                Ok(want),
                "{raw} in {code}"
            );
            assert_eq!(to_valid_e164(raw, region(code)), None, "{raw} in {code}");
        }
    }

    #[test]
    fn readings_carry_region_and_type() {
        let r = read("8 800 555 35 35", ru()).unwrap();
        assert_eq!((r.region.as_deref(), r.kind), (Some("RU"), Type::TollFree));
        let r = read("+48 801 123 456", ru()).unwrap();
        assert_eq!((r.region.as_deref(), r.country_code), (Some("PL"), 48));
        assert_eq!(
            read("+7 701 123 45 67", ru()).unwrap().region.as_deref(),
            Some("KZ")
        );
    }

    #[test]
    fn region_decides_numbers_without_plus() {
        let pl: Region = "pl".parse().unwrap();
        assert_eq!(to_e164("22 123 45 67", pl).as_deref(), Ok("+48221234567"));
    }

    #[test]
    fn garbage_is_refused_with_the_input_named() {
        assert_eq!(
            to_e164("call me", ru()),
            Err(PhoneError::NotANumber("call me".into()))
        );
        assert!(matches!(
            "XX".parse::<Region>(),
            Err(PhoneError::UnknownRegion(_))
        ));
    }

    #[test]
    fn fragments_are_not_valid_numbers() {
        assert_eq!(to_valid_e164("123-45", ru()), None);
        assert_eq!(
            to_valid_e164("8 916 123 45 67", ru()).as_deref(),
            Some("+79161234567")
        );
    }

    #[test]
    fn phone_like_queries_are_told_apart_from_names() {
        assert!(looks_like_phone("8 (916) 123"));
        assert!(!looks_like_phone("Anna 916"));
        assert!(!looks_like_phone("12"));
    }
}
