//! The number rules (`callcard_shared::dialplan::Rules`), stored as JSON in
//! `settings.dialplan`. No row yet: the defaults (everything but premium and
//! special numbers allowed).

use callcard_shared::dialplan::Rules;
use sqlx::SqlitePool;

pub const KEY: &str = "dialplan";

/// The stored rules. A row that no longer reads as rules (written by another
/// version) is an error, never silently replaced by the permissive defaults.
pub async fn load(db: &SqlitePool) -> anyhow::Result<Rules> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(KEY)
        .fetch_optional(db)
        .await?;
    match row {
        None => Ok(Rules::default()),
        Some((json,)) => serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("settings.dialplan is not readable: {e}")),
    }
}

/// Replaces the rules (already validated).
pub async fn save(db: &SqlitePool, rules: &Rules) -> anyhow::Result<()> {
    let json = serde_json::to_string(rules)?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(KEY)
    .bind(json)
    .execute(db)
    .await?;
    Ok(())
}
