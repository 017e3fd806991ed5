//! API paths with their query strings, built without the browser so the
//! encoding (a `+` in a phone number must not turn into a space) is tested natively.

use std::fmt::Write;

/// Percent-encodes everything but RFC 3986 unreserved characters, so the value
/// survives any query parser (`application/x-www-form-urlencoded` reads `+` as space).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `GET /api/contacts?q=&limit=&offset=`; an empty search sends no `q`.
pub fn contacts(query: &str, limit: u32, offset: u32) -> String {
    let mut url = format!("/api/contacts?limit={limit}&offset={offset}");
    let query = query.trim();
    if !query.is_empty() {
        url.push_str("&q=");
        url.push_str(&encode_component(query));
    }
    url
}

pub fn contact(id: i64) -> String {
    format!("/api/contacts/{id}")
}

pub fn contact_notes(id: i64) -> String {
    format!("/api/contacts/{id}/notes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_queries_keep_their_plus_and_spaces() {
        assert_eq!(
            contacts("+7 (916) 123-45-67", 10, 20),
            "/api/contacts?limit=10&offset=20&q=%2B7%20%28916%29%20123-45-67"
        );
    }

    #[test]
    fn names_in_any_script_are_utf8_encoded() {
        assert_eq!(encode_component("Иван"), "%D0%98%D0%B2%D0%B0%D0%BD");
        assert_eq!(encode_component("a&b=c"), "a%26b%3Dc");
    }

    #[test]
    fn blank_search_sends_no_q() {
        assert_eq!(contacts("   ", 10, 0), "/api/contacts?limit=10&offset=0");
    }

    #[test]
    fn contact_paths() {
        assert_eq!(contact(42), "/api/contacts/42");
        assert_eq!(contact_notes(42), "/api/contacts/42/notes");
    }
}
