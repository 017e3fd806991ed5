//! Turning API values into text for people: money, timestamps, page ranges.

use crate::i18n::tr;

/// `41–50 of 53` for rows `offset+1 ..= offset+shown` out of `total`.
pub fn page_info(offset: u32, shown: usize, total: u64) -> String {
    // Passed as text, not numbers: no digit grouping, whatever the language.
    if shown == 0 || total == 0 {
        return tr("pager-range-empty", &[("total", total.to_string().into())]);
    }
    let first = u64::from(offset) + 1;
    let last = u64::from(offset) + shown as u64;
    tr(
        "pager-range",
        &[
            ("first", first.to_string().into()),
            ("last", last.to_string().into()),
            ("total", total.to_string().into()),
        ],
    )
}

/// Groups the digits of `n` by three with thin spaces: `1 234 567`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    out
}

/// An amount in minor units as `12 345.67 RUB`. Currencies are assumed to
/// have two decimals; the relay stores kopecks and cents.
pub fn money(amount_minor: i64, currency: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(local) = crate::i18n::local_money(amount_minor, currency) {
        return local;
    }
    money_plain(amount_minor, currency)
}

/// [`money`] without the browser: `12 345.67 RUB`.
pub fn money_plain(amount_minor: i64, currency: &str) -> String {
    let sign = if amount_minor < 0 { "−" } else { "" };
    let abs = amount_minor.unsigned_abs();
    let (major, minor) = (abs / 100, abs % 100);
    let number = format!("{sign}{}.{minor:02}", group_thousands(major));
    if currency.is_empty() {
        number
    } else {
        format!("{number} {currency}")
    }
}

/// An RFC 3339 UTC timestamp for people. Anything that does not
/// look like one is shown as it is rather than hidden.
pub fn timestamp(rfc3339: &str) -> String {
    // In the browser: local time, in the language's style (`Intl`).
    #[cfg(target_arch = "wasm32")]
    return crate::i18n::local_timestamp(rfc3339);
    #[cfg(not(target_arch = "wasm32"))]
    timestamp_plain(rfc3339)
}

/// [`timestamp`] without the browser: `2026-11-25 19:40` (UTC).
pub fn timestamp_plain(rfc3339: &str) -> String {
    let bytes = rfc3339.as_bytes();
    let looks_right = bytes.len() >= 16
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't' | b' ')
        && bytes[13] == b':';
    if looks_right {
        format!("{} {}", &rfc3339[..10], &rfc3339[11..16])
    } else {
        rfc3339.to_owned()
    }
}

/// Just the date part, for due dates and deal dates.
pub fn date(rfc3339: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return crate::i18n::local_date(rfc3339);
    #[cfg(not(target_arch = "wasm32"))]
    date_plain(rfc3339)
}

/// [`date`] without the browser.
pub fn date_plain(rfc3339: &str) -> String {
    let stamp = timestamp_plain(rfc3339);
    match stamp.split_once(' ') {
        Some((day, _)) if day.len() == 10 => day.to_owned(),
        _ => stamp,
    }
}

/// Talk time as `m:ss` (or `h:mm:ss`).
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(duration(0), "0:00");
        assert_eq!(duration(75), "1:15");
        assert_eq!(duration(3725), "1:02:05");
    }

    #[test]
    fn page_info_shows_the_range_and_total() {
        assert_eq!(page_info(40, 10, 53), "41–50 of 53");
        assert_eq!(page_info(50, 3, 53), "51–53 of 53");
        assert_eq!(page_info(0, 1, 1), "1–1 of 1");
        assert_eq!(page_info(0, 0, 0), "0 of 0");
    }

    #[test]
    fn money_groups_thousands_and_keeps_cents() {
        assert_eq!(money_plain(1_234_567, "RUB"), "12\u{202F}345.67 RUB");
        assert_eq!(money_plain(5, "USD"), "0.05 USD");
        assert_eq!(money_plain(100_000_000, ""), "1\u{202F}000\u{202F}000.00");
        assert_eq!(money_plain(-250, "EUR"), "−2.50 EUR");
    }

    #[test]
    fn timestamps_drop_seconds_and_zone() {
        assert_eq!(timestamp_plain("2026-11-25T19:40:12Z"), "2026-11-25 19:40");
        assert_eq!(
            timestamp_plain("2026-11-25T19:40:12.123+00:00"),
            "2026-11-25 19:40"
        );
        assert_eq!(timestamp_plain("yesterday"), "yesterday");
        assert_eq!(date_plain("2026-11-25T19:40:12Z"), "2026-11-25");
        assert_eq!(date_plain("soon"), "soon");
    }
}
