//! Timestamps as the database stores them: RFC 3339 UTC strings, which sort
//! chronologically as text in SQLite and PostgreSQL alike.

use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn now_rfc3339() -> String {
    format(OffsetDateTime::now_utc())
}

pub fn rfc3339_in(after: Duration) -> String {
    format(OffsetDateTime::now_utc() + after)
}

pub fn rfc3339_ago(before: Duration) -> String {
    format(OffsetDateTime::now_utc() - before)
}

/// A bound of a period as a user writes it — RFC 3339 with any offset, or a
/// date `YYYY-MM-DD` meaning its midnight UTC — in the stored form, so it
/// compares with stored timestamps as text. `None` when it is neither.
pub fn parse_bound(s: &str) -> Option<String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(format(t.to_offset(time::UtcOffset::UTC)));
    }
    let date =
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    Some(format(date.midnight().assume_utc()))
}

/// Whole seconds from `start` to `end` (stored timestamps); 0 when either is
/// unreadable or `end` is earlier.
pub fn seconds_between(start: &str, end: &str) -> i64 {
    match (
        OffsetDateTime::parse(start, &Rfc3339),
        OffsetDateTime::parse(end, &Rfc3339),
    ) {
        (Ok(a), Ok(b)) => (b - a).whole_seconds().max(0),
        _ => 0,
    }
}

fn format(t: OffsetDateTime) -> String {
    // Whole seconds with a fixed width keep text order equal to time order.
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_bounds_in_any_offset_or_as_dates_compare_with_stored_times() {
        assert_eq!(
            parse_bound("2026-11-25T13:00:00+03:00").as_deref(),
            Some("2026-11-25T10:00:00Z")
        );
        assert_eq!(
            parse_bound(" 2026-11-25 ").as_deref(),
            Some("2026-11-25T00:00:00Z")
        );
        for bad in ["yesterday", "2026-13-01", "2026-11-25 10:00", ""] {
            assert_eq!(parse_bound(bad), None, "{bad}");
        }
        let stored = "2026-11-25T09:59:59Z".to_string();
        assert!(stored < parse_bound("2026-11-25T13:00:00+03:00").unwrap());
    }

    #[test]
    fn talk_time_is_whole_seconds_and_never_negative() {
        assert_eq!(
            seconds_between("2026-11-25T10:00:00Z", "2026-11-25T10:01:30Z"),
            90
        );
        assert_eq!(
            seconds_between("2026-11-25T10:01:30Z", "2026-11-25T10:00:00Z"),
            0
        );
        assert_eq!(seconds_between("garbage", "2026-11-25T10:00:00Z"), 0);
    }
}
