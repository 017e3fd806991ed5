//! The number rules (`callcard_shared::dialplan::Rules`), stored as JSON in
//! `settings.dialplan`. No row yet: the defaults (everything but premium and
//! special numbers allowed).

use callcard_shared::dialplan::Rules;
use sqlx::SqlitePool;

pub const KEY: &str = "dialplan";

/// The stored rules (the permissive defaults when none were saved).
pub async fn load(db: &SqlitePool) -> anyhow::Result<Rules> {
    super::settings::load(db, KEY).await
}

/// Replaces the rules (already validated).
pub async fn save(db: &SqlitePool, rules: &Rules) -> anyhow::Result<()> {
    super::settings::save(db, KEY, rules).await
}
