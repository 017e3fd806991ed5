//! Phone number masking per access group (none, hidden, the first N digits as
//! `*`, only the last N shown), and a leak detector for tests: does a byte
//! stream carry a number's digits in any formatting?

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// How numbers are shown to the members of an access group.
///
/// JSON: `{"kind": "none"}`, `{"kind": "hidden"}`,
/// `{"kind": "mask_first", "n": 4}`, `{"kind": "show_last", "n": 2}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Masking {
    /// Numbers are shown as they are.
    #[default]
    None,
    /// No digit and no length is shown: [`Masking::apply`] gives an empty
    /// string, and the interface shows only the call icon. (Where a protocol
    /// needs a value, such as a SIP user part, the relay writes `anonymous`.)
    Hidden,
    /// The first `n` digits become `*`; formatting (`+`, spaces, brackets)
    /// stays where it was.
    MaskFirst { n: u8 },
    /// Only the last `n` digits are shown; every other digit becomes `*`.
    ShowLast { n: u8 },
}

impl Masking {
    /// The number as this group may see it. Only digits are masked, so
    /// `+7 (916) 123-45-67` with `MaskFirst { n: 4 }` is `+* (***) 123-45-67`.
    pub fn apply(&self, number: &str) -> String {
        let total = number.chars().filter(char::is_ascii_digit).count();
        let masked_digits = match *self {
            Masking::None => return number.to_string(),
            Masking::Hidden => return String::new(),
            Masking::MaskFirst { n } => usize::from(n).min(total),
            Masking::ShowLast { n } => total.saturating_sub(usize::from(n)),
        };
        let mut seen = 0;
        number
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    seen += 1;
                    if seen <= masked_digits {
                        return '*';
                    }
                }
                c
            })
            .collect()
    }

    /// Whether this masking shows every digit.
    pub fn is_none(&self) -> bool {
        *self == Masking::None
    }
}

/// How many trailing digits of a number make it recognisable (a subscriber
/// number without its area or country code).
pub const SIGNIFICANT_DIGITS: usize = 7;

/// Whether `haystack` (an HTTP body, a WebSocket frame, a SIP message, a file)
/// holds the significant digits of `number` — its last
/// [`SIGNIFICANT_DIGITS`] digits, or all of them when it has fewer — in any
/// formatting: separated by spaces, dashes, dots, brackets, slashes or `+`,
/// non-breaking or thin spaces, or their URL encodings (`%20`, `%2B`, `%2D`…).
/// Any other byte, a `*` among them, breaks the sequence. A number without
/// digits is in nothing.
pub fn contains_digits_of(haystack: &[u8], number: &str) -> bool {
    let digits: Vec<u8> = number.bytes().filter(u8::is_ascii_digit).collect();
    if digits.is_empty() {
        return false;
    }
    let wanted = &digits[digits.len().saturating_sub(SIGNIFICANT_DIGITS)..];
    // Walk the haystack keeping the current run of digits (separators skipped,
    // anything else ends the run); a match is the wanted digits at a run's end.
    let mut run: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < haystack.len() {
        let b = haystack[i];
        if b.is_ascii_digit() {
            run.push(b);
            if run.ends_with(wanted) {
                return true;
            }
            i += 1;
        } else if let Some(len) = separator_len(&haystack[i..]) {
            i += len;
        } else {
            run.clear();
            i += 1;
        }
    }
    false
}

/// Length of the separator at the start of `bytes`, if one is there.
fn separator_len(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [b' ' | b'\t' | b'-' | b'.' | b'(' | b')' | b'/' | b'+', ..] => Some(1),
        [b'%', hi, lo, ..] => {
            let code = [hi.to_ascii_uppercase(), lo.to_ascii_uppercase()];
            matches!(&code, b"20" | b"2B" | b"2D" | b"28" | b"29" | b"2E" | b"2F").then_some(3)
        }
        // U+00A0 no-break space.
        [0xC2, 0xA0, ..] => Some(2),
        // U+2009 thin space, U+202F narrow no-break space, U+2010..U+2013 dashes.
        [0xE2, 0x80, 0x89 | 0xAF | 0x90..=0x93, ..] => Some(3),
        _ => None,
    }
}
