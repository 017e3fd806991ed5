//! How SIP outcomes become call-record statuses and what the caller is told.

/// The call-record status for a final failure response to the callee leg.
pub fn status_for_failure(code: u16) -> &'static str {
    match code {
        486 | 600 => "busy",
        408 | 480 => "no_answer",
        487 => "cancelled",
        _ => "failed",
    }
}

/// A cause string a person can read, e.g. `busy (486)`.
pub fn cause_for_failure(code: u16, reason: &str) -> String {
    let what = match code {
        486 | 600 => "busy",
        408 => "no answer (timeout)",
        480 => "temporarily unavailable",
        404 | 484 | 604 => "number not found",
        403 => "forbidden by the provider",
        487 => "cancelled",
        503 => "service unavailable",
        _ if code >= 500 => "provider error",
        _ => reason,
    };
    format!("{what} ({code})")
}

/// Whether another trunk should be tried after this answer (RFC 3261 §16.7
/// spirit: timeouts and server failures, not the callee's own refusal).
pub fn fails_over(code: u16) -> bool {
    code == 408 || (500..600).contains(&code)
}

/// The code the browser gets for a callee-side failure: the same class, never
/// the provider's internals (a 401/407 from the trunk becomes 503).
pub fn code_for_caller(code: u16) -> u16 {
    match code {
        401 | 407 => 503,
        300..=699 => code,
        _ => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_no_answer_and_cancel_are_told_apart() {
        assert_eq!(status_for_failure(486), "busy");
        assert_eq!(status_for_failure(480), "no_answer");
        assert_eq!(status_for_failure(408), "no_answer");
        assert_eq!(status_for_failure(487), "cancelled");
        assert_eq!(status_for_failure(404), "failed");
        assert_eq!(cause_for_failure(486, "Busy Here"), "busy (486)");
    }

    #[test]
    fn only_timeouts_and_server_errors_fail_over() {
        assert!(fails_over(503) && fails_over(408) && fails_over(500));
        assert!(!fails_over(486) && !fails_over(404) && !fails_over(487));
        assert_eq!(code_for_caller(407), 503, "trunk credentials stay private");
    }
}
