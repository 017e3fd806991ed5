//! Why the relay refused a call, in a stable form the browser translates:
//! a kebab-case kind (`forbidden-code`, `limit-concurrent`) and named
//! arguments (`prefix=+375`, `n=3`, `scope=overall`). The relay's English
//! sentence travels beside it (the verdict's `reason`, the SIP reason
//! phrase); the code is for the other languages.
//!
//! On SIP it is an RFC 3326 `Reason` header of the 403 with the protocol
//! `callcard`: `Reason: callcard;cause=403;text="limit-concurrent";n=3;scope=overall`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RefusalCode {
    /// `not-dialable`, `autocorrect-undialable`, `rules-invalid`,
    /// `not-a-number`, `forbidden-code`, `international-off`,
    /// `country-not-allowed`, `class-not-allowed`, `limit-concurrent`,
    /// `limit-attempts`, `limit-international-minutes`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
}

/// The SIP `Reason` protocol token of our codes.
const PROTOCOL: &str = "callcard";

impl RefusalCode {
    pub fn new(kind: &str) -> RefusalCode {
        RefusalCode {
            kind: kind.to_owned(),
            args: BTreeMap::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl ToString) -> RefusalCode {
        self.args.insert(name.to_owned(), value.to_string());
        self
    }

    /// The `Reason` header value for a response with status `code`.
    /// Argument values are tokens or quoted (quotes and backslashes escaped).
    pub fn to_reason_header(&self, status: u16) -> String {
        let mut out = format!("{PROTOCOL};cause={status};text=\"{}\"", self.kind);
        for (name, value) in &self.args {
            let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
            out.push_str(&format!(";{name}=\"{quoted}\""));
        }
        out
    }

    /// Reads our `Reason` header value; `None` for another protocol's
    /// (`SIP`, `Q.850`) or anything malformed.
    pub fn from_reason_header(value: &str) -> Option<RefusalCode> {
        let mut params = split_params(value).into_iter();
        let protocol = params.next()?;
        if !protocol.trim().eq_ignore_ascii_case(PROTOCOL) {
            return None;
        }
        let mut code = RefusalCode::default();
        for param in params {
            let (name, raw) = param.split_once('=')?;
            let name = name.trim().to_ascii_lowercase();
            let value = unquote(raw.trim())?;
            match name.as_str() {
                "cause" => {}
                "text" => code.kind = value,
                _ => {
                    code.args.insert(name, value);
                }
            }
        }
        let valid_kind = !code.kind.is_empty()
            && code
                .kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-');
        valid_kind.then_some(code)
    }
}

/// Splits at `;` outside quotes.
fn split_params(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
}

fn unquote(raw: &str) -> Option<String> {
    let Some(inner) = raw.strip_prefix('"') else {
        return Some(raw.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next()? } else { c });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_survives_the_reason_header() {
        let code = RefusalCode::new("forbidden-code")
            .with("prefix", "+375")
            .with("note", "a \"quoted\" ; semicolon");
        let header = code.to_reason_header(403);
        assert!(header.starts_with("callcard;cause=403;text=\"forbidden-code\""));
        assert_eq!(RefusalCode::from_reason_header(&header), Some(code));
    }

    #[test]
    fn other_protocols_and_garbage_are_not_codes() {
        assert_eq!(
            RefusalCode::from_reason_header("SIP;cause=200;text=\"Call completed elsewhere\""),
            None
        );
        assert_eq!(
            RefusalCode::from_reason_header("callcard;text=\"Bad Kind!\""),
            None
        );
        assert_eq!(
            RefusalCode::from_reason_header("callcard;text=\"open"),
            None
        );
        assert_eq!(RefusalCode::from_reason_header(""), None);
        let bare = RefusalCode::from_reason_header("CallCard ; text=limit-concurrent ; n=3");
        assert_eq!(
            bare,
            Some(RefusalCode::new("limit-concurrent").with("n", "3"))
        );
    }
}
