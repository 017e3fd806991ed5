//! Reading a complete number: its E.164 form, region and number type.
//!
//! Numbers typed without `+` go through [`crate::phone::to_valid_e164`] first.
//! The `phonenumber` crate (0.3.10) has a parsing bug, though: after taking
//! the national prefix off it strips a leading national-prefix digit once
//! more, and for numbers with `+` it strips the *default region's* prefix from
//! a foreign number (whisperfish/rust-phonenumber#76: `+7 812…`, `8 800…`,
//! `8 809…`, and `+48 801…` read in RU, all come out a digit short). So a
//! number with `+` is read here from the crate's metadata (it is already
//! E.164; only its country, validity and type are looked up), and a national
//! number falls back to the same reading (national prefix off, country code
//! on) when the crate's answer is not a valid number. The number type is
//! computed from the metadata in the crate's own order, since
//! `PhoneNumber::number_type` would need the buggy parse.

use phonenumber::{metadata::DATABASE, Metadata, Type};

use crate::phone::{self, Region};

/// A valid number with what the numbering plan says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reading {
    pub e164: String,
    /// ISO region (`PL`); `None` for non-geographic codes such as +800.
    pub region: Option<String>,
    pub country_code: u16,
    pub kind: Type,
}

/// Reads `number` (digits with an optional leading `+`), numbers without `+`
/// in `region`. `None` when it is not a valid number.
pub(crate) fn read(number: &str, region: Region) -> Option<Reading> {
    if let Some(digits) = number.strip_prefix('+') {
        return international(digits);
    }
    phone::to_valid_e164(number, region)
        .and_then(|e164| international(e164.trim_start_matches('+')))
        .or_else(|| national(number, region))
}

/// Reads the digits of an E.164 number (country code first).
fn international(digits: &str) -> Option<Reading> {
    if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Country codes are prefix-free: the first known one is the only reading.
    let (code, nsn) = (1..=3.min(digits.len())).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        DATABASE.region(&code).map(|_| (code, &digits[len..]))
    })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ru() -> Region {
        "RU".parse().unwrap()
    }

    #[test]
    fn numbers_whose_area_code_starts_with_the_national_prefix_keep_it() {
        for raw in ["+78121234567", "88121234567", "8121234567"] {
            let r = read(raw, ru()).unwrap();
            assert_eq!(r.e164, "+78121234567", "{raw}");
            assert_eq!(r.region.as_deref(), Some("RU"));
        }
        assert_eq!(read("88005553535", ru()).unwrap().kind, Type::TollFree);
    }

    #[test]
    fn a_foreign_number_is_not_read_through_the_default_regions_prefix() {
        let r = read("+48801234567", ru()).unwrap();
        assert_eq!(
            (r.e164.as_str(), r.kind),
            ("+48801234567", Type::SharedCost)
        );
    }

    #[test]
    fn shared_country_codes_resolve_to_their_region() {
        assert_eq!(
            read("+77011234567", ru()).unwrap().region.as_deref(),
            Some("KZ")
        );
        let toronto = read("+14163610000", ru()).unwrap();
        assert_eq!(toronto.region.as_deref(), Some("CA"));
        let new_york = read("+12127365000", ru()).unwrap();
        assert_eq!(new_york.region.as_deref(), Some("US"));
    }

    #[test]
    fn fragments_and_unknown_codes_are_not_numbers() {
        assert_eq!(read("+7916123", ru()), None);
        assert_eq!(read("+0123", ru()), None);
        assert_eq!(read("12345", ru()), None);
    }
}
