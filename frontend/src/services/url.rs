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

/// The call log's filters as the user set them (empty: no filter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilters {
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive (the query's `to` is the next day).
    pub to: String,
    pub user_id: Option<i64>,
    pub direction: String,
    pub status: String,
    pub contact_id: Option<i64>,
}

impl CallFilters {
    /// The query string shared by the list and the CSV export.
    fn query(&self) -> String {
        let mut parts = Vec::new();
        let mut push = |key: &str, value: &str| {
            let value = value.trim();
            if !value.is_empty() {
                parts.push(format!("{key}={}", encode_component(value)));
            }
        };
        push("from", &self.from);
        push(
            "to",
            &next_day(self.to.trim()).unwrap_or_else(|| self.to.clone()),
        );
        push("direction", &self.direction);
        push("status", &self.status);
        if let Some(id) = self.user_id {
            push("user_id", &id.to_string());
        }
        if let Some(id) = self.contact_id {
            push("contact_id", &id.to_string());
        }
        parts.join("&")
    }
}

/// `YYYY-MM-DD` plus one day (an inclusive "to" date as an exclusive bound).
fn next_day(date: &str) -> Option<String> {
    let mut it = date.splitn(3, '-');
    let (y, m, d): (i32, u32, u32) = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > days {
        return None;
    }
    let (y, m, d) = match (m, d) {
        (12, 31) => (y + 1, 1, 1),
        (m, d) if d == days => (y, m + 1, 1),
        (m, d) => (y, m, d + 1),
    };
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// `GET /api/calls` with the filters and a page.
pub fn calls(filters: &CallFilters, limit: u32, offset: u32) -> String {
    let query = filters.query();
    let mut url = format!("/api/calls?limit={limit}&offset={offset}");
    if !query.is_empty() {
        url.push('&');
        url.push_str(&query);
    }
    url
}

/// The same calls as a CSV download.
/// The recordings of the calls the filters show, as one zip.
pub fn calls_zip(filters: &CallFilters) -> String {
    with_filters("/api/calls/recordings.zip", filters)
}

pub fn calls_csv(filters: &CallFilters) -> String {
    with_filters("/api/calls/export.csv", filters)
}

fn with_filters(path: &str, filters: &CallFilters) -> String {
    let query = filters.query();
    if query.is_empty() {
        path.into()
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_log_filters_become_the_query_with_an_inclusive_end_date() {
        let filters = CallFilters {
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            direction: "inbound".into(),
            user_id: Some(3),
            ..Default::default()
        };
        assert_eq!(
            calls(&filters, 50, 100),
            "/api/calls?limit=50&offset=100&from=2026-11-01&to=2026-12-01&direction=inbound&user_id=3"
        );
        assert_eq!(
            calls_csv(&filters),
            "/api/calls/export.csv?from=2026-11-01&to=2026-12-01&direction=inbound&user_id=3"
        );
        assert_eq!(
            calls(&CallFilters::default(), 50, 0),
            "/api/calls?limit=50&offset=0"
        );
        assert_eq!(calls_csv(&CallFilters::default()), "/api/calls/export.csv");
    }

    #[test]
    fn the_day_after_crosses_months_years_and_leap_days() {
        assert_eq!(next_day("2026-12-31").as_deref(), Some("2027-01-01"));
        assert_eq!(next_day("2028-02-28").as_deref(), Some("2028-02-29"));
        assert_eq!(next_day("2026-02-28").as_deref(), Some("2026-03-01"));
        assert_eq!(next_day("2026-04-30").as_deref(), Some("2026-05-01"));
        assert_eq!(next_day("2026-13-01"), None);
        assert_eq!(next_day("soon"), None);
    }

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
