//! Extra rules such as `_XXXX`: numbers of exactly that shape are dialled as
//! they are (Asterisk-style letters: `X` any digit, `Z` 1–9, `N` 2–9).

/// Longest extra rule, in digits (E.164 allows 15, exit prefixes add a few).
const MAX_DIGITS: usize = 20;

/// One parsed extra rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraRule {
    source: String,
    shape: Vec<u8>,
}

impl ExtraRule {
    /// Reads `_XXXX` (the leading `_` is required, letters are case-blind).
    pub fn parse(rule: &str) -> Result<Self, String> {
        let source = rule.trim();
        let Some(body) = source.strip_prefix('_') else {
            return Err(format!(
                "`{source}` must start with `_`, e.g. `_XXXX` for numbers of 4 digits"
            ));
        };
        if body.is_empty() || body.len() > MAX_DIGITS {
            return Err(format!(
                "`{source}` must have 1 to {MAX_DIGITS} positions after `_`"
            ));
        }
        let shape = body.to_ascii_uppercase().into_bytes();
        if let Some(bad) = shape
            .iter()
            .find(|b| !matches!(b, b'X' | b'Z' | b'N' | b'0'..=b'9'))
        {
            return Err(format!(
                "`{source}` may hold only `X` (any digit), `Z` (1-9), `N` (2-9) and digits, not `{}`",
                *bad as char
            ));
        }
        Ok(ExtraRule {
            source: source.to_string(),
            shape,
        })
    }

    /// The rule as the admin wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `number` (digits only, no `+`) has exactly this shape.
    pub fn matches(&self, number: &str) -> bool {
        number.len() == self.shape.len()
            && number.bytes().zip(&self.shape).all(|(d, s)| match s {
                b'X' => d.is_ascii_digit(),
                b'Z' => (b'1'..=b'9').contains(&d),
                b'N' => (b'2'..=b'9').contains(&d),
                literal => d == *literal,
            })
    }
}
