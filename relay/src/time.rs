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

fn format(t: OffsetDateTime) -> String {
    // Whole seconds with a fixed width keep text order equal to time order.
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}
