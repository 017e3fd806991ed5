//! Forbidden codes (`+7,8`): with `+` a prefix of the E.164 form, without a
//! prefix of the string sent to the trunk.

/// One parsed forbidden code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForbiddenCode {
    /// As the admin wrote it (trimmed).
    pub source: String,
    /// `true` for `+…`: matched against the E.164 form.
    pub international: bool,
    /// The digits after the optional `+`.
    pub digits: String,
}

impl ForbiddenCode {
    pub fn parse(code: &str) -> Result<Self, String> {
        let source: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let (international, digits) = match source.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, source.as_str()),
        };
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{code}` is not a code: write digits, with a leading `+` for a country code (`+375`) or without for a dialled prefix (`8`)"
            ));
        }
        Ok(ForbiddenCode {
            digits: digits.to_string(),
            international,
            source,
        })
    }

    /// Whether the call is caught: `dial` is the string for the trunk, `e164`
    /// the number's E.164 form when it has one.
    pub fn matches(&self, dial: &str, e164: Option<&str>) -> bool {
        if self.international {
            e164.and_then(|e| e.strip_prefix('+'))
                .is_some_and(|e| e.starts_with(&self.digits))
        } else {
            dial.starts_with(&self.digits)
        }
    }
}
