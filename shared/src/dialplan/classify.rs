//! The classification of an E.164 number by the `phonenumber` crate's number
//! type and region, against the caller's home region and area prefix.

use phonenumber::Type;

use super::class::DestinationClass;
use super::number::Reading;

/// The class of a valid number and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Classified {
    pub class: DestinationClass,
    /// ISO region of the number (`PL`), when it has one.
    pub region: Option<String>,
    /// Its country calling code (`48`).
    pub country_code: u16,
    /// Whether it lies outside the caller's region.
    pub foreign: bool,
    /// The number type, in words (`mobile`, `premium rate`).
    pub kind: &'static str,
}

/// Classifies a valid number for a caller in `home` (ISO region) whose area
/// prefix is `area` (the first digits of the national significant number;
/// may be empty).
pub(crate) fn classify(number: &Reading, home: &str, area: &str) -> Classified {
    let foreign = number.region.as_deref() != Some(home);
    let national = number
        .e164
        .trim_start_matches('+')
        .get(number.country_code.to_string().len()..)
        .unwrap_or_default();
    let class = match number.kind {
        Type::PremiumRate | Type::SharedCost => DestinationClass::Premium,
        _ if foreign => DestinationClass::International,
        Type::Mobile => DestinationClass::Mobile,
        Type::FixedLine | Type::FixedLineOrMobile
            if !area.is_empty() && national.starts_with(area) =>
        {
            DestinationClass::Local
        }
        _ => DestinationClass::National,
    };
    Classified {
        class,
        region: number.region.clone(),
        country_code: number.country_code,
        foreign,
        kind: kind_words(number.kind),
    }
}
fn kind_words(kind: Type) -> &'static str {
    match kind {
        Type::FixedLine => "fixed line",
        Type::Mobile => "mobile",
        Type::FixedLineOrMobile => "fixed line or mobile",
        Type::TollFree => "toll free",
        Type::PremiumRate => "premium rate",
        Type::SharedCost => "shared cost",
        Type::PersonalNumber => "personal number",
        Type::Voip => "VoIP",
        Type::Pager => "pager",
        Type::Uan => "universal access number",
        Type::Emergency => "emergency",
        Type::Voicemail => "voicemail",
        Type::ShortCode => "short code",
        Type::StandardRate => "standard rate",
        Type::Carrier => "carrier",
        Type::NoInternational => "not reachable from abroad",
        Type::Unknown => "unknown type",
    }
}
