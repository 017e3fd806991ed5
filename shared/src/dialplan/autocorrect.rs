//! Autocorrect rules written `pattern/replacement`: a regular expression and
//! what its first match becomes (`^\+7/8`, `^(\d{10})$/8$1`).

use regex::{Regex, RegexBuilder};

/// Longest pattern text accepted; phone rules are short, and this bounds the
/// work an admin's rule can cost per call.
const MAX_PATTERN: usize = 200;
/// Compiled-program size limit per rule (bytes).
const SIZE_LIMIT: usize = 256 * 1024;

/// One parsed and compiled autocorrect rule.
#[derive(Debug, Clone)]
pub struct Autocorrect {
    source: String,
    pattern: Regex,
    replacement: String,
}

impl Autocorrect {
    /// Reads `pattern/replacement`. The first `/` not preceded by `\` splits
    /// the two; `\/` in the pattern is a literal slash. The replacement holds
    /// digits, `+` and group references (`$1`, `${1}` or `\1`).
    /// The error says what is wrong with the rule, quoting it.
    pub fn parse(rule: &str) -> Result<Self, String> {
        let source = rule.trim();
        let split = find_separator(source).ok_or_else(|| {
            format!(
                "`{source}` has no `/` between the pattern and the replacement (e.g. `^\\+7/8`)"
            )
        })?;
        let pattern_text = source[..split].replace("\\/", "/");
        let replacement_text = &source[split + 1..];
        if pattern_text.is_empty() {
            return Err(format!("`{source}` has an empty pattern"));
        }
        if pattern_text.len() > MAX_PATTERN {
            return Err(format!(
                "the pattern of `{source}` is longer than {MAX_PATTERN} characters"
            ));
        }
        let pattern = RegexBuilder::new(&pattern_text)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| {
                format!(
                    "`{source}`: invalid regular expression: {}",
                    one_line(&e.to_string())
                )
            })?;
        let groups = pattern.captures_len() - 1;
        let replacement = replacement(replacement_text, groups)
            .map_err(|why| format!("`{source}`: the replacement {why}"))?;
        Ok(Autocorrect {
            source: source.to_string(),
            pattern,
            replacement,
        })
    }

    /// The rule as the admin wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The number with the first match replaced, or `None` when the pattern
    /// does not match.
    pub fn apply(&self, number: &str) -> Option<String> {
        self.pattern.is_match(number).then(|| {
            self.pattern
                .replace(number, self.replacement.as_str())
                .into_owned()
        })
    }
}

/// Index of the first `/` not escaped by a backslash.
fn find_separator(rule: &str) -> Option<usize> {
    let bytes = rule.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'/' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Checks the replacement and rewrites it in the `regex` crate's syntax
/// (`${1}`), so `\1` works as in sed and `$1` cannot swallow a following digit.
fn replacement(text: &str, groups: usize) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let group = match c {
            '$' | '\\' => {
                let braced = c == '$' && chars.peek() == Some(&'{');
                if braced {
                    chars.next();
                }
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                    if !braced && c == '\\' {
                        break; // `\12` is group 1 then the digit 2, as in sed
                    }
                }
                if braced && chars.next() != Some('}') {
                    return Err(format!("has an unclosed `${{` in `{text}`"));
                }
                if digits.is_empty() {
                    return Err(format!(
                        "has a `{c}` that is not a group reference such as `$1` in `{text}`"
                    ));
                }
                digits
                    .parse::<usize>()
                    .map_err(|_| format!("refers to a group too large in `{text}`"))?
            }
            '0'..='9' | '+' => {
                out.push(c);
                continue;
            }
            other => {
                return Err(format!(
                    "may hold only digits, `+` and group references, not `{other}`"
                ))
            }
        };
        if group > groups {
            return Err(format!(
                "refers to group {group}, but the pattern has {groups} group{}",
                if groups == 1 { "" } else { "s" }
            ));
        }
        out.push_str(&format!("${{{group}}}"));
    }
    Ok(out)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sed_and_regex_crate_group_syntax_both_work() {
        for rule in [r"^(\d{10})$/8$1", r"^(\d{10})$/8\1", r"^(\d{10})$/8${1}"] {
            let r = Autocorrect::parse(rule).unwrap();
            assert_eq!(
                r.apply("9161234567").as_deref(),
                Some("89161234567"),
                "{rule}"
            );
        }
        // `$10` is not group 1 followed by 0 in the regex crate's syntax, but `${1}0` is.
        let r = Autocorrect::parse(r"^(\d)/${1}0").unwrap();
        assert_eq!(r.apply("5").as_deref(), Some("50"));
    }

    #[test]
    fn the_separator_is_the_first_unescaped_slash() {
        let r = Autocorrect::parse(r"^a\/b/1").unwrap();
        assert_eq!(r.apply("a/b").as_deref(), Some("1"));
        assert_eq!(find_separator(r"^\+7/8"), Some(4));
    }

    #[test]
    fn an_empty_replacement_deletes_the_match() {
        let r = Autocorrect::parse(r"^\+/").unwrap();
        assert_eq!(r.apply("+48221234567").as_deref(), Some("48221234567"));
        assert_eq!(r.apply("48221234567"), None);
    }
}
