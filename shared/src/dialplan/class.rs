//! Destination classes (internal, local, national, mobile, international,
//! premium, special) and the classification of an E.164 number by the
//! `phonenumber` crate's number type and region.

use std::fmt;

use phonenumber::Type;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::number::Reading;

/// What kind of destination a call goes to; the admin allows or forbids each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DestinationClass {
    /// An extension of this company (never leaves the relay).
    Internal,
    /// A short local number, or a fixed line in the home area (`area_prefix`).
    Local,
    /// Any other number of the home country that is not mobile or premium
    /// (fixed lines, toll-free, numbers that may be either, like in the US).
    National,
    /// A mobile number of the home country.
    Mobile,
    /// A number of another country (mobile or fixed).
    International,
    /// Premium-rate and shared-cost numbers, at home or abroad.
    Premium,
    /// Emergency and short service numbers.
    Special,
}

impl DestinationClass {
    /// The field of [`super::Allowed`] that switches this class.
    pub fn as_str(self) -> &'static str {
        match self {
            DestinationClass::Internal => "internal",
            DestinationClass::Local => "local",
            DestinationClass::National => "national",
            DestinationClass::Mobile => "mobile",
            DestinationClass::International => "international",
            DestinationClass::Premium => "premium",
            DestinationClass::Special => "special",
        }
    }

    /// What people call such numbers, for refusal messages.
    pub fn describe(self) -> &'static str {
        match self {
            DestinationClass::Internal => "internal extensions",
            DestinationClass::Local => "local numbers",
            DestinationClass::National => "national numbers",
            DestinationClass::Mobile => "mobile numbers",
            DestinationClass::International => "international numbers",
            DestinationClass::Premium => "premium-rate numbers",
            DestinationClass::Special => "special and emergency numbers",
        }
    }
}

impl fmt::Display for DestinationClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
