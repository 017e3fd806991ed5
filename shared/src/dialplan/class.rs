//! Destination classes (internal, local, national, mobile, international,
//! premium, special). How a number gets one is `classify.rs`.

use std::fmt;

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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
    /// Every class, in the order the admin's form lists them.
    pub const ALL: [DestinationClass; 7] = [
        DestinationClass::Internal,
        DestinationClass::Local,
        DestinationClass::National,
        DestinationClass::Mobile,
        DestinationClass::International,
        DestinationClass::Premium,
        DestinationClass::Special,
    ];

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
