//! The admin's number rules as they are stored (JSON) and edited, and their
//! validation with errors that name the offending field.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::class::DestinationClass;
#[cfg(feature = "numbers")]
use super::pipeline::Plan;

/// The number rules of a company, in the order the pipeline applies them.
///
/// Stored as JSON by the relay and returned by the API; every field has a
/// default so an older stored document still reads. Nothing is checked on
/// deserialization: [`Rules::validate`] names every mistake for the admin, and
/// evaluating invalid rules refuses every number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct Rules {
    /// Autocorrect rules written `pattern/replacement` (a regular expression,
    /// then its replacement; `$1` or `\1` refer to groups; `\/` is a slash in
    /// the pattern), applied in order, each to the result of the previous one.
    /// Example: `^\+7/8` turns `+79161234567` into `89161234567`.
    pub autocorrect: Vec<String>,
    /// Digits put in front of a local number (one of exactly `local_length`
    /// digits), e.g. `495`. Empty: local numbers are dialled as typed.
    pub area_prefix: String,
    /// International exit prefix as dialled to the trunk (`810`, `00`, `011`);
    /// a number starting with it is read as `+` and the rest. Empty: none.
    pub exit_prefix: String,
    /// Length of a local number (e.g. 7 in Moscow). `None`: no local numbers.
    pub local_length: Option<u8>,
    /// Extra rules such as `_XXXX`: a number of exactly that shape is dialled as
    /// is (no area prefix, no exit prefix). `X` is any digit, `Z` 1–9, `N` 2–9,
    /// a digit is itself.
    pub extra: Vec<String>,
    /// Forbidden codes such as `+7` or `8`. With `+`, a prefix of the E.164
    /// form (`+375` forbids Belarus however the number was typed); without, a
    /// prefix of the string sent to the trunk (`8` forbids everything dialled
    /// with 8 after the autocorrect rules). See [`parse_list`] for `+7,8`.
    pub forbidden_codes: Vec<String>,
    /// Which destination classes may be called.
    pub allowed: Allowed,
    /// Length of internal extensions, 3 to 6 digits.
    pub extension_length: u8,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            autocorrect: Vec::new(),
            area_prefix: String::new(),
            exit_prefix: String::new(),
            local_length: None,
            extra: Vec::new(),
            forbidden_codes: Vec::new(),
            allowed: Allowed::default(),
            extension_length: 3,
        }
    }
}

/// The destination classes that may be called. By default everything but
/// premium-rate and special (emergency and service) numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct Allowed {
    pub internal: bool,
    pub local: bool,
    pub national: bool,
    pub mobile: bool,
    pub international: bool,
    /// When not empty, international calls only to these countries: calling
    /// codes (`+48`, `48`) or ISO regions (`PL`). See [`parse_list`].
    pub international_countries: Vec<String>,
    pub premium: bool,
    pub special: bool,
}

impl Default for Allowed {
    fn default() -> Self {
        Allowed {
            internal: true,
            local: true,
            national: true,
            mobile: true,
            international: true,
            international_countries: Vec::new(),
            premium: false,
            special: false,
        }
    }
}

impl Allowed {
    /// Whether the class is switched on (the country list is checked apart).
    pub fn permits(&self, class: DestinationClass) -> bool {
        match class {
            DestinationClass::Internal => self.internal,
            DestinationClass::Local => self.local,
            DestinationClass::National => self.national,
            DestinationClass::Mobile => self.mobile,
            DestinationClass::International => self.international,
            DestinationClass::Premium => self.premium,
            DestinationClass::Special => self.special,
        }
    }
}

/// One mistake in the rules: `field` is the JSON path (`autocorrect[2]`,
/// `allowed.international_countries[0]`), `message` says what is wrong and
/// quotes the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[error("{field}: {message}")]
pub struct RuleError {
    pub field: String,
    pub message: String,
}

#[cfg(feature = "numbers")]
impl RuleError {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        RuleError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[cfg(feature = "numbers")]
impl Rules {
    /// Every mistake in the rules, each naming its field; `Ok` when the rules
    /// can be used. The same check [`Plan::new`] does before compiling.
    pub fn validate(&self) -> Result<(), Vec<RuleError>> {
        Plan::new(self).map(|_| ())
    }
}

/// Splits a list as an admin types it (`+7, 8`, `PL;DE`, one per line) into
/// its items, spaces inside an item dropped (`+7 495` is `+7495`).
pub fn parse_list(s: &str) -> Vec<String> {
    s.split([',', ';', '\n'])
        .map(|item| {
            item.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        })
        .filter(|item| !item.is_empty())
        .collect()
}
