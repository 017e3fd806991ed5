//! The limits on outbound calls, enforced by the switch: concurrent calls,
//! call attempts per minute and international minutes per day, for each user
//! and for everyone together (`callcard_shared::api::Limits`).
//!
//! The counters live here, in memory: the calls the switch let through
//! ([`Limiter::admit`]) until their record is closed ([`Limiter::ended`]),
//! the attempts of the last 60 seconds, and today's international talk time
//! (UTC days) — loaded from the call records at start
//! ([`Limiter::start_day`]), grown by every answered international call as
//! it runs. When a running call uses the budget up, [`Limiter::over_budget`]
//! names it and the switch hangs it up; [`Limiter::next_deadline`] says when.
//! No IO and no clock: `now` and `today` are inputs.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use callcard_shared::api::{CallLimits, Limits};
use callcard_shared::Instant;

/// The window of `attempts_per_minute`.
const MINUTE: Duration = Duration::from_secs(60);

/// A call the limits let through, until its record is closed.
#[derive(Debug, Clone)]
struct Admitted {
    user_id: i64,
    international: bool,
    /// Answered: talk time counts from here (or from midnight, for a call
    /// that crossed it).
    counting_since: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct Limiter {
    limits: Limits,
    calls: HashMap<i64, Admitted>,
    /// Admitted attempts of the last minute: when, and whose.
    attempts: VecDeque<(Instant, i64)>,
    /// The UTC day (`YYYY-MM-DD`) the talk time below belongs to.
    day: String,
    /// International talk time of ended calls today, per user.
    used: HashMap<i64, Duration>,
}

/// Which limit refused a call or ended one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The SIP reason phrase and the record's cause, e.g. `Limit: 3 concurrent calls`.
    pub reason: String,
    /// The same for the browser's languages (`limit-concurrent`, `n=3`, `scope=user`).
    pub code: callcard_shared::refusal::RefusalCode,
}

/// Which limit was hit: the words, the code's kind, the limit.
type Hit = (String, &'static str, u32);

impl Refusal {
    fn new((what, kind, n): Hit, overall: bool) -> Refusal {
        let scope = if overall { " overall" } else { "" };
        Refusal {
            reason: format!("Limit: {what}{scope}"),
            code: callcard_shared::refusal::RefusalCode::new(kind)
                .with("n", n)
                .with("scope", if overall { "overall" } else { "user" }),
        }
    }
}

impl Limiter {
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// New limits apply to the next call (and to running international calls).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Starts the day's talk time from the call records (`used`: ended
    /// international calls of `today` per user).
    pub fn start_day(&mut self, today: &str, used: HashMap<i64, Duration>) {
        self.day = today.to_string();
        self.used = used;
    }

    /// A new UTC day: the talk time starts again from zero, running calls
    /// count from now.
    fn roll(&mut self, now: Instant, today: &str) {
        if self.day == today {
            return;
        }
        self.day = today.to_string();
        self.used.clear();
        for call in self.calls.values_mut() {
            if call.counting_since.is_some() {
                call.counting_since = Some(now);
            }
        }
    }

    fn prune(&mut self, now: Instant) {
        while self
            .attempts
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= MINUTE)
        {
            self.attempts.pop_front();
        }
    }

    /// International talk time today of `user` (None: everyone), running calls included.
    fn talk_today(&self, now: Instant, user: Option<i64>) -> Duration {
        let ended: Duration = match user {
            Some(u) => self.used.get(&u).copied().unwrap_or_default(),
            None => self.used.values().sum(),
        };
        let running: Duration = self
            .calls
            .values()
            .filter(|c| c.international && user.is_none_or(|u| u == c.user_id))
            .filter_map(|c| c.counting_since)
            .map(|since| now.saturating_duration_since(since))
            .sum();
        ended + running
    }

    /// Whether call `record` of `user_id` may go out now; when it may, it is
    /// counted (an attempt, and a call until [`Self::ended`]).
    pub fn admit(
        &mut self,
        now: Instant,
        today: &str,
        record: i64,
        user_id: i64,
        international: bool,
    ) -> Result<(), Refusal> {
        self.roll(now, today);
        self.prune(now);
        for (set, user) in [
            (&self.limits.per_user, Some(user_id)),
            (&self.limits.overall, None),
        ] {
            self.check(now, set, user, international)
                .map_err(|what| Refusal::new(what, user.is_none()))?;
        }
        self.attempts.push_back((now, user_id));
        self.calls.insert(
            record,
            Admitted {
                user_id,
                international,
                counting_since: None,
            },
        );
        Ok(())
    }

    fn check(
        &self,
        now: Instant,
        set: &CallLimits,
        user: Option<i64>,
        international: bool,
    ) -> Result<(), Hit> {
        let mine = |u: i64| user.is_none_or(|me| me == u);
        if let Some(max) = set.concurrent_calls {
            let running = self.calls.values().filter(|c| mine(c.user_id)).count();
            if running >= max as usize {
                let what = format!("{max} concurrent call{}", plural(max));
                return Err((what, "limit-concurrent", max));
            }
        }
        if let Some(max) = set.attempts_per_minute {
            let recent = self.attempts.iter().filter(|(_, u)| mine(*u)).count();
            if recent >= max as usize {
                let what = format!("{max} call attempt{} per minute", plural(max));
                return Err((what, "limit-attempts", max));
            }
        }
        if let (true, Some(minutes)) = (international, set.international_minutes_per_day) {
            if self.talk_today(now, user) >= budget(minutes) {
                return Err(international_minutes(minutes));
            }
        }
        Ok(())
    }

    /// The admitted call `record` was answered now.
    pub fn answered(&mut self, now: Instant, record: i64) {
        if let Some(call) = self.calls.get_mut(&record) {
            call.counting_since.get_or_insert(now);
        }
    }

    /// Call `record` ended (its record was closed): it no longer counts as
    /// running, and its international talk time joins today's.
    pub fn ended(&mut self, now: Instant, record: i64) {
        let Some(call) = self.calls.remove(&record) else {
            return;
        };
        if let (true, Some(since)) = (call.international, call.counting_since) {
            *self.used.entry(call.user_id).or_default() += now.saturating_duration_since(since);
        }
    }

    /// The answered international calls that used up a budget by `now`,
    /// with the limit that ends them (each named once: it no longer counts
    /// as running afterwards, its talk time is kept).
    pub fn over_budget(&mut self, now: Instant, today: &str) -> Vec<(i64, Refusal)> {
        self.roll(now, today);
        let mut over = Vec::new();
        let running: Vec<(i64, i64)> = self
            .calls
            .iter()
            .filter(|(_, c)| c.international && c.counting_since.is_some())
            .map(|(record, c)| (*record, c.user_id))
            .collect();
        for (record, user) in running {
            let per_user = self.limits.per_user.international_minutes_per_day;
            let overall = self.limits.overall.international_minutes_per_day;
            let refusal = if let Some(m) =
                per_user.filter(|m| self.talk_today(now, Some(user)) >= budget(*m))
            {
                Refusal::new(international_minutes(m), false)
            } else if let Some(m) = overall.filter(|m| self.talk_today(now, None) >= budget(*m)) {
                Refusal::new(international_minutes(m), true)
            } else {
                continue;
            };
            over.push((record, refusal));
        }
        for (record, _) in &over {
            self.ended(now, *record);
        }
        over
    }

    /// When the next running international call may use a budget up (the
    /// switch then asks [`Self::over_budget`]); None while none runs under one.
    pub fn next_deadline(&self, now: Instant) -> Option<Instant> {
        let running: Vec<&Admitted> = self
            .calls
            .values()
            .filter(|c| c.international && c.counting_since.is_some())
            .collect();
        let mut earliest: Option<Instant> = None;
        let mut consider = |minutes: Option<u32>, user: Option<i64>| {
            let Some(minutes) = minutes else { return };
            let n = running
                .iter()
                .filter(|c| user.is_none_or(|u| u == c.user_id))
                .count() as u32;
            if n == 0 {
                return;
            }
            let left = budget(minutes).saturating_sub(self.talk_today(now, user));
            let at = now + left / n;
            earliest = Some(earliest.map_or(at, |e| e.min(at)));
        };
        consider(self.limits.overall.international_minutes_per_day, None);
        let mut users: Vec<i64> = running.iter().map(|c| c.user_id).collect();
        users.sort_unstable();
        users.dedup();
        for user in users {
            consider(
                self.limits.per_user.international_minutes_per_day,
                Some(user),
            );
        }
        earliest
    }

    /// Telephony was turned off: no limits, no calls; the day's talk time stays.
    pub fn clear(&mut self) {
        self.limits = Limits::default();
        self.calls.clear();
        self.attempts.clear();
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn international_minutes(minutes: u32) -> Hit {
    (
        format!("{minutes} international minute{} per day", plural(minutes)),
        "limit-international-minutes",
        minutes,
    )
}

fn budget(minutes: u32) -> Duration {
    Duration::from_secs(u64::from(minutes) * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: &str = "2026-11-26";

    fn limiter(per_user: CallLimits, overall: CallLimits) -> Limiter {
        let mut l = Limiter::default();
        l.set_limits(Limits { per_user, overall });
        l.start_day(DAY, HashMap::new());
        l
    }

    #[test]
    fn concurrent_calls_per_user_and_overall() {
        let mut l = limiter(
            CallLimits {
                concurrent_calls: Some(2),
                ..Default::default()
            },
            CallLimits {
                concurrent_calls: Some(3),
                ..Default::default()
            },
        );
        let now = Instant::now();
        assert!(l.admit(now, DAY, 1, 7, false).is_ok());
        assert!(l.admit(now, DAY, 2, 7, false).is_ok());
        let refused = l.admit(now, DAY, 3, 7, false).unwrap_err();
        assert_eq!(refused.reason, "Limit: 2 concurrent calls");
        assert!(l.admit(now, DAY, 4, 8, false).is_ok());
        let refused = l.admit(now, DAY, 5, 8, false).unwrap_err();
        assert_eq!(refused.reason, "Limit: 3 concurrent calls overall");
        l.ended(now, 1);
        assert!(l.admit(now, DAY, 6, 8, false).is_ok());
    }

    #[test]
    fn attempts_count_for_a_minute() {
        let mut l = limiter(
            CallLimits {
                attempts_per_minute: Some(2),
                ..Default::default()
            },
            CallLimits::default(),
        );
        let t0 = Instant::now();
        for record in [1, 2] {
            l.admit(t0, DAY, record, 7, false).unwrap();
            l.ended(t0, record);
        }
        let refused = l.admit(t0 + Duration::from_secs(59), DAY, 3, 7, false);
        assert_eq!(
            refused.unwrap_err().reason,
            "Limit: 2 call attempts per minute"
        );
        assert!(l.admit(t0, DAY, 4, 8, false).is_ok(), "another user");
        assert!(l.admit(t0 + MINUTE, DAY, 5, 7, false).is_ok());
    }

    #[test]
    fn international_minutes_refuse_new_calls_and_end_running_ones() {
        let mut l = limiter(
            CallLimits {
                international_minutes_per_day: Some(2),
                ..Default::default()
            },
            CallLimits::default(),
        );
        l.start_day(DAY, HashMap::from([(7, Duration::from_secs(60))]));
        let t0 = Instant::now();
        l.admit(t0, DAY, 1, 7, true).unwrap();
        l.answered(t0, 1);
        // One minute was used before: the call may run one more.
        assert_eq!(l.next_deadline(t0), Some(t0 + Duration::from_secs(60)));
        assert!(l.over_budget(t0 + Duration::from_secs(59), DAY).is_empty());
        // National calls are not counted nor refused.
        assert!(l.admit(t0, DAY, 2, 7, false).is_ok());
        let over = l.over_budget(t0 + Duration::from_secs(60), DAY);
        assert_eq!(over.len(), 1);
        assert_eq!(over[0].0, 1);
        assert_eq!(over[0].1.reason, "Limit: 2 international minutes per day");
        let t1 = t0 + Duration::from_secs(61);
        assert!(l.admit(t1, DAY, 3, 7, true).is_err());
        assert!(
            l.admit(t1, DAY, 4, 8, true).is_ok(),
            "another user's budget"
        );
        // The next day starts from zero.
        assert!(l.admit(t1, "2026-11-27", 5, 7, true).is_ok());
    }

    #[test]
    fn two_running_calls_share_the_budget() {
        let mut l = limiter(
            CallLimits::default(),
            CallLimits {
                international_minutes_per_day: Some(1),
                ..Default::default()
            },
        );
        let t0 = Instant::now();
        for (record, user) in [(1, 7), (2, 8)] {
            l.admit(t0, DAY, record, user, true).unwrap();
            l.answered(t0, record);
        }
        assert_eq!(l.next_deadline(t0), Some(t0 + Duration::from_secs(30)));
        let over = l.over_budget(t0 + Duration::from_secs(30), DAY);
        assert_eq!(over.len(), 2, "{over:?}");
        assert!(over[0].1.reason.ends_with("overall"));
        assert_eq!(l.next_deadline(t0), None);
    }
}
