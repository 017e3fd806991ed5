//! The limits on outbound calls (`callcard_shared::api::Limits`), stored as
//! JSON in `settings.limits` like the number rules; no row: no limits. Also
//! today's international talk time read back from the call records, which
//! the switch's counters start from.

use std::collections::HashMap;
use std::time::Duration;

use callcard_shared::api::{CallLimits, Limits};
use callcard_shared::dialplan::{DestinationClass, Outcome, Plan};
use callcard_shared::phone::Region;
use sqlx::SqlitePool;

pub const KEY: &str = "limits";

/// The largest value each limit takes (a typo, not a policy, beyond these).
pub const MAX_CONCURRENT: u32 = 10_000;
pub const MAX_ATTEMPTS_PER_MINUTE: u32 = 100_000;
pub const MAX_INTERNATIONAL_MINUTES: u32 = 1_000_000;

/// The stored limits (none when none were saved); a row that no longer
/// reads is an error (the switch then refuses outbound calls rather than
/// lifting the limits).
pub async fn load(db: &SqlitePool) -> anyhow::Result<Limits> {
    super::settings::load(db, KEY).await
}

/// Replaces the limits (already validated).
pub async fn save(db: &SqlitePool, limits: &Limits) -> anyhow::Result<()> {
    super::settings::save(db, KEY, limits).await
}

/// Checks every value; the error names the first bad field
/// (`per_user.concurrent_calls`, `overall.international_minutes_per_day`, …).
pub fn validate(limits: &Limits) -> Result<(), (String, String)> {
    for (scope, set) in [("per_user", &limits.per_user), ("overall", &limits.overall)] {
        check_set(set).map_err(|(field, message)| (format!("{scope}.{field}"), message))?;
    }
    Ok(())
}

fn check_set(set: &CallLimits) -> Result<(), (&'static str, String)> {
    for (field, value, max) in [
        ("concurrent_calls", set.concurrent_calls, MAX_CONCURRENT),
        (
            "attempts_per_minute",
            set.attempts_per_minute,
            MAX_ATTEMPTS_PER_MINUTE,
        ),
        (
            "international_minutes_per_day",
            set.international_minutes_per_day,
            MAX_INTERNATIONAL_MINUTES,
        ),
    ] {
        match value {
            Some(0) => {
                return Err((
                    field,
                    "must be at least 1 (leave it out for no limit; the number rules turn a kind of call off)"
                        .into(),
                ))
            }
            Some(v) if v > max => return Err((field, format!("must be at most {max}, not {v}"))),
            _ => {}
        }
    }
    Ok(())
}

/// Today's date (UTC), `YYYY-MM-DD`: the day the talk time counts in.
pub fn today() -> String {
    let now = crate::time::now_rfc3339();
    now.get(..10).unwrap_or(&now).to_string()
}

/// Midnight UTC of `today` (`YYYY-MM-DD`) as stored timestamps write it.
pub fn day_start(today: &str) -> String {
    format!("{today}T00:00:00Z")
}

/// Talk time of outbound calls to international numbers (as `plan` classes
/// them now) that ended since `today` began (UTC), per user.
pub async fn international_talk_today(
    db: &SqlitePool,
    plan: &Plan,
    region: Region,
    today: &str,
) -> sqlx::Result<HashMap<i64, Duration>> {
    let rows: Vec<(Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT user_id, number_dialled, talk_seconds FROM call_records
          WHERE direction = 'outbound' AND talk_seconds > 0 AND ended_at >= $1",
    )
    .bind(day_start(today))
    .fetch_all(db)
    .await?;
    let mut used: HashMap<i64, Duration> = HashMap::new();
    for (user, number, seconds) in rows {
        let class = match plan.evaluate(region, &number).outcome {
            Outcome::Allowed { class, .. } => Some(class),
            Outcome::Refused { class, .. } => class,
        };
        if class == Some(DestinationClass::International) {
            *used.entry(user.unwrap_or_default()).or_default() +=
                Duration::from_secs(seconds.max(0) as u64);
        }
    }
    Ok(used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_their_field() {
        let mut limits = Limits::default();
        assert!(validate(&limits).is_ok());
        limits.per_user.concurrent_calls = Some(3);
        limits.overall.international_minutes_per_day = Some(0);
        let (field, _) = validate(&limits).unwrap_err();
        assert_eq!(field, "overall.international_minutes_per_day");
        limits.overall.international_minutes_per_day = Some(60);
        limits.per_user.attempts_per_minute = Some(MAX_ATTEMPTS_PER_MINUTE + 1);
        let (field, message) = validate(&limits).unwrap_err();
        assert_eq!(field, "per_user.attempts_per_minute");
        assert!(message.contains("at most"), "{message}");
    }
}
