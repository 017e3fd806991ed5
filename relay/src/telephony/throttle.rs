//! Wrong SIP passwords counted per source address, across every socket and
//! transport it opens: after too many in a window the address is refused for
//! a while without the password even being checked (password guessing over
//! thousands of short-lived connections gets nowhere).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use callcard_shared::Instant;

/// When an address is locked out.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Wrong passwords allowed within `window`…
    pub failures: u32,
    pub window: Duration,
    /// …before the address is refused for this long.
    pub lockout: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            failures: 10,
            window: Duration::from_secs(600),
            lockout: Duration::from_secs(900),
        }
    }
}

#[derive(Debug)]
struct Entry {
    window_start: Instant,
    failures: u32,
    locked_until: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct CredentialThrottle {
    policy: ThrottlePolicy,
    by_source: HashMap<IpAddr, Entry>,
}

impl CredentialThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        CredentialThrottle {
            policy,
            by_source: HashMap::new(),
        }
    }

    /// Whether `source` is refused right now.
    pub fn is_locked(&self, source: IpAddr, now: Instant) -> bool {
        self.by_source
            .get(&source)
            .and_then(|e| e.locked_until)
            .is_some_and(|until| until > now)
    }

    /// Counts a wrong password from `source`; true when this locks it out.
    pub fn failed(&mut self, source: IpAddr, now: Instant) -> bool {
        let policy = self.policy;
        let entry = self.by_source.entry(source).or_insert(Entry {
            window_start: now,
            failures: 0,
            locked_until: None,
        });
        if now.saturating_duration_since(entry.window_start) > policy.window {
            entry.window_start = now;
            entry.failures = 0;
        }
        entry.failures += 1;
        if entry.failures >= policy.failures && entry.locked_until.is_none_or(|u| u <= now) {
            entry.locked_until = Some(now + policy.lockout);
            entry.failures = 0;
            entry.window_start = now;
            return true;
        }
        false
    }

    /// Forgets addresses whose window and lockout are over.
    pub fn sweep(&mut self, now: Instant) {
        let window = self.policy.window;
        self.by_source.retain(|_, e| {
            e.locked_until.is_some_and(|u| u > now)
                || now.saturating_duration_since(e.window_start) <= window
        });
    }

    pub fn tracked(&self) -> usize {
        self.by_source.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            failures: 3,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(300),
        }
    }

    #[test]
    fn an_address_is_locked_after_too_many_failures_and_released_later() {
        let mut t = CredentialThrottle::new(policy());
        let t0 = Instant::now();
        let guesser: IpAddr = "192.0.2.7".parse().unwrap();
        let colleague: IpAddr = "192.0.2.8".parse().unwrap();
        assert!(!t.failed(guesser, t0));
        assert!(!t.failed(guesser, t0 + Duration::from_secs(1)));
        assert!(!t.is_locked(guesser, t0 + Duration::from_secs(1)));
        assert!(t.failed(guesser, t0 + Duration::from_secs(2)));
        assert!(t.is_locked(guesser, t0 + Duration::from_secs(3)));
        assert!(!t.is_locked(colleague, t0 + Duration::from_secs(3)));
        assert!(t.is_locked(guesser, t0 + Duration::from_secs(301)));
        assert!(!t.is_locked(guesser, t0 + Duration::from_secs(303)));
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let mut t = CredentialThrottle::new(policy());
        let t0 = Instant::now();
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        for i in 0..10 {
            assert!(!t.failed(ip, t0 + Duration::from_secs(40 * i)));
        }
        assert!(!t.is_locked(ip, t0 + Duration::from_secs(400)));
    }

    #[test]
    fn sweeping_forgets_quiet_addresses_only() {
        let mut t = CredentialThrottle::new(policy());
        let t0 = Instant::now();
        let quiet: IpAddr = "192.0.2.1".parse().unwrap();
        let locked: IpAddr = "192.0.2.2".parse().unwrap();
        t.failed(quiet, t0);
        for _ in 0..3 {
            t.failed(locked, t0);
        }
        t.sweep(t0 + Duration::from_secs(120));
        assert_eq!(t.tracked(), 1);
        assert!(t.is_locked(locked, t0 + Duration::from_secs(120)));
    }
}
