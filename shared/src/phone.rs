//! Phone numbers as people type them, turned into E.164 with the `phonenumber`
//! crate (a port of Google's libphonenumber) — never with hand-written rules.

use std::str::FromStr;

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
pub fn to_e164(raw: &str, region: Region) -> Result<String, PhoneError> {
    let trimmed = raw.trim();
    if digits(trimmed).len() < 3 {
        return Err(PhoneError::NotANumber(raw.to_string()));
    }
    let parsed = phonenumber::parse(Some(region.0), trimmed)
        .map_err(|_| PhoneError::NotANumber(raw.to_string()))?;
    Ok(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// Like [`to_e164`], but only for numbers valid in their numbering plan (a
/// complete number, not a fragment such as `123-45`).
pub fn to_valid_e164(raw: &str, region: Region) -> Option<String> {
    let parsed = phonenumber::parse(Some(region.0), raw.trim()).ok()?;
    phonenumber::is_valid(&parsed)
        .then(|| parsed.format().mode(phonenumber::Mode::E164).to_string())
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
