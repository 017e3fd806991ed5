//! Which bytes a `Range` request header asks for (RFC 9110 §14.1.2), for
//! bodies served from a store that reads ranges itself (recordings): one
//! range in its three forms (`bytes=10-19`, `bytes=10-`, `bytes=-10`). A
//! header that is not one well-formed bytes range is ignored, as the RFC
//! allows — the whole body is sent; several ranges are answered with the
//! whole body too (players ask for one).

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// 200 with the whole body.
    Whole,
    /// 206 with these bytes.
    Part(Range<u64>),
    /// 416: the range lies outside a body of this size.
    Unsatisfiable,
}

/// What `header` (the Range header's value, if any) asks of a body of
/// `size` bytes.
pub fn wanted(header: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = header
        .map(str::trim)
        .and_then(|h| h.strip_prefix("bytes="))
        .map(str::trim)
    else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| -> Option<Option<u64>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok().map(Some)
        } else {
            None
        }
    };
    let (Some(first), Some(last)) = (number(first), number(last)) else {
        return Wanted::Whole;
    };
    match (first, last) {
        (None, None) => Wanted::Whole,
        (None, Some(0)) => Wanted::Unsatisfiable,
        (None, Some(_)) if size == 0 => Wanted::Unsatisfiable,
        (None, Some(suffix)) => Wanted::Part(size.saturating_sub(suffix)..size),
        (Some(first), last) => {
            if last.is_some_and(|last| last < first) {
                return Wanted::Whole;
            }
            if first >= size {
                return Wanted::Unsatisfiable;
            }
            let end = last.map_or(size, |last| last.saturating_add(1).min(size));
            Wanted::Part(first..end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_range_in_each_form_is_the_bytes_a_player_asked_for() {
        assert_eq!(wanted(Some("bytes=0-"), 100), Wanted::Part(0..100));
        assert_eq!(wanted(Some("bytes=10-19"), 100), Wanted::Part(10..20));
        assert_eq!(wanted(Some("bytes=90-199"), 100), Wanted::Part(90..100));
        assert_eq!(wanted(Some("bytes=-10"), 100), Wanted::Part(90..100));
        assert_eq!(wanted(Some("bytes=-500"), 100), Wanted::Part(0..100));
        assert_eq!(wanted(Some(" bytes= 5 - 5 "), 100), Wanted::Part(5..6));
    }

    #[test]
    fn a_range_past_the_end_is_unsatisfiable_and_a_malformed_one_is_ignored() {
        assert_eq!(wanted(Some("bytes=100-"), 100), Wanted::Unsatisfiable);
        assert_eq!(
            wanted(Some("bytes=999999-1000000"), 100),
            Wanted::Unsatisfiable
        );
        assert_eq!(wanted(Some("bytes=-0"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=0-"), 0), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=-5"), 0), Wanted::Unsatisfiable);
        for ignored in [
            "items=0-5",
            "bytes=5-1",
            "bytes=a-b",
            "bytes=-",
            "bytes=1",
            "bytes=0-1,5-9",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(wanted(Some(ignored), 100), Wanted::Whole, "{ignored}");
        }
        assert_eq!(wanted(None, 100), Wanted::Whole);
    }
}
