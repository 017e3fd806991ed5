//! CRM users and their access groups.

use callcard_shared::api::UserSummary;
use sqlx::SqlitePool;

use crate::auth::hash_password;
use crate::time::now_rfc3339;

pub async fn list(db: &SqlitePool) -> sqlx::Result<Vec<UserSummary>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.login, u.display_name, g.name
           FROM users u JOIN access_groups g ON g.id = u.group_id ORDER BY u.login",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, login, display_name, group)| UserSummary {
            id,
            login,
            display_name,
            group,
        })
        .collect())
}

/// Creates a user in the named access group; the password is stored only as
/// an argon2 hash. In a group with automatic telephony the user also gets a
/// telephony user (the next free extension).
pub async fn create(
    db: &SqlitePool,
    login: &str,
    password: &str,
    display_name: &str,
    group: &str,
) -> anyhow::Result<i64> {
    let password = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (login, password_hash, display_name, group_id, created_at)
         VALUES ($1, $2, $3, (SELECT id FROM access_groups WHERE name = $4), $5) RETURNING id",
    )
    .bind(login)
    .bind(hash)
    .bind(display_name)
    .bind(group)
    .bind(now_rfc3339())
    .fetch_one(db)
    .await?;
    super::sip_users::create_if_automatic(db, id).await?;
    Ok(id)
}

pub async fn id_by_login(db: &SqlitePool, login: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// How numbers are shown to `user_id` (their group's masking). An unreadable
/// setting or a missing user hides numbers.
pub async fn masking_of(db: &SqlitePool, user_id: i64) -> callcard_shared::masking::Masking {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT g.masking FROM users u JOIN access_groups g ON g.id = u.group_id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await
    .ok()
    .flatten();
    row.and_then(|(json,)| serde_json::from_str(&json).ok())
        .unwrap_or(callcard_shared::masking::Masking::Hidden)
}
