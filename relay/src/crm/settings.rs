//! The `settings` table: one JSON value per key — the number rules, the
//! call limits, the recording settings. No row: the type's defaults. A row
//! that no longer reads (written by another version) is an error, never
//! silently replaced by the defaults.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::SqlitePool;

/// The value stored under `key`, or `T::default()` when there is none.
pub async fn load<T: DeserializeOwned + Default>(db: &SqlitePool, key: &str) -> anyhow::Result<T> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await?;
    match row {
        None => Ok(T::default()),
        Some((json,)) => serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("settings.{key} is not readable: {e}")),
    }
}

/// Replaces the value under `key` (already validated).
pub async fn save<T: Serialize>(db: &SqlitePool, key: &str, value: &T) -> anyhow::Result<()> {
    let json = serde_json::to_string(value)?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(json)
    .execute(db)
    .await?;
    Ok(())
}
