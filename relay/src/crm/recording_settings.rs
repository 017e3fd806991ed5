//! Which calls are recorded and for how long recordings are kept
//! (`callcard_shared::api::RecordingSettings`), stored as JSON in
//! `settings.recording`; no row: the defaults (everything recorded, 30 days).
//! Also the in-memory policy the switch asks at answer time — the settings
//! and every user's group — so deciding costs no database read on the call.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use callcard_shared::api::RecordingSettings;
use sqlx::SqlitePool;

pub const KEY: &str = "recording";

/// The stored settings (the defaults when none were saved).
pub async fn load(db: &SqlitePool) -> anyhow::Result<RecordingSettings> {
    super::settings::load(db, KEY).await
}

/// Replaces the settings (already validated).
pub async fn save(db: &SqlitePool, settings: &RecordingSettings) -> anyhow::Result<()> {
    super::settings::save(db, KEY, settings).await
}

/// Checks every value against what exists; the error names the first bad
/// field (`retention_days`, `groups_not_recorded[1]`, `users[0].user_id`).
pub async fn validate(
    db: &SqlitePool,
    settings: &RecordingSettings,
) -> anyhow::Result<Result<(), (String, String)>> {
    let max = RecordingSettings::MAX_RETENTION_DAYS;
    if !(1..=max).contains(&settings.retention_days) {
        return Ok(Err((
            "retention_days".into(),
            format!(
                "must be between 1 and {max}, not {}",
                settings.retention_days
            ),
        )));
    }
    let groups: HashSet<i64> = sqlx::query_scalar("SELECT id FROM access_groups")
        .fetch_all(db)
        .await?
        .into_iter()
        .collect();
    for (i, id) in settings.groups_not_recorded.iter().enumerate() {
        if !groups.contains(id) {
            return Ok(Err((
                format!("groups_not_recorded[{i}]"),
                format!("there is no access group {id}"),
            )));
        }
    }
    let users: HashSet<i64> = sqlx::query_scalar("SELECT id FROM users")
        .fetch_all(db)
        .await?
        .into_iter()
        .collect();
    let mut seen = HashSet::new();
    for (i, choice) in settings.users.iter().enumerate() {
        if !users.contains(&choice.user_id) {
            return Ok(Err((
                format!("users[{i}].user_id"),
                format!("there is no user {}", choice.user_id),
            )));
        }
        if !seen.insert(choice.user_id) {
            return Ok(Err((
                format!("users[{i}].user_id"),
                format!("user {} appears twice", choice.user_id),
            )));
        }
    }
    Ok(Ok(()))
}

/// What the switch asks when a call is answered: recorded or not.
#[derive(Default)]
pub struct RecordingPolicy {
    inner: RwLock<Policy>,
}

#[derive(Default)]
struct Policy {
    settings: RecordingSettings,
    group_of: HashMap<i64, i64>,
}

impl RecordingPolicy {
    /// Reads the settings and every user's group again.
    pub async fn reload(&self, db: &SqlitePool) -> anyhow::Result<RecordingSettings> {
        let settings = load(db).await?;
        let group_of: HashMap<i64, i64> = sqlx::query_as("SELECT id, group_id FROM users")
            .fetch_all(db)
            .await?
            .into_iter()
            .collect();
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        *inner = Policy {
            settings: settings.clone(),
            group_of,
        };
        Ok(settings)
    }

    /// Whether a call in `direction` of `user` is recorded.
    pub fn records(&self, direction: &str, user: Option<i64>) -> bool {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let group = user.and_then(|u| inner.group_of.get(&u).copied());
        inner.settings.records(direction, user, group)
    }

    /// Whether the client hears the consent announcement first.
    pub fn announces(&self) -> bool {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.settings.enabled && inner.settings.consent_announcement
    }

    pub fn retention_days(&self) -> u32 {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.settings.retention_days
    }
}
