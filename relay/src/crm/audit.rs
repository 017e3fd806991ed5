//! The audit log: who played or downloaded which call's recording, when.

use callcard_shared::api::{AuditEntry, AuditPage, UserRef};
use sqlx::SqlitePool;

use crate::time::now_rfc3339;

/// Writes one line: `user_id` did `action` to call `call_id` now.
pub async fn record(
    db: &SqlitePool,
    user_id: i64,
    action: &str,
    call_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO audit_log (at, user_id, action, call_id) VALUES ($1, $2, $3, $4)")
        .bind(now_rfc3339())
        .bind(user_id)
        .bind(action)
        .bind(call_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Writes one line per call of `call_ids`, in one transaction.
pub async fn record_each(
    db: &SqlitePool,
    user_id: i64,
    action: &str,
    call_ids: &[i64],
) -> sqlx::Result<()> {
    let at = now_rfc3339();
    let mut tx = db.begin().await?;
    for &call_id in call_ids {
        sqlx::query("INSERT INTO audit_log (at, user_id, action, call_id) VALUES ($1, $2, $3, $4)")
            .bind(&at)
            .bind(user_id)
            .bind(action)
            .bind(call_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// A page of the log, newest first.
pub async fn page(db: &SqlitePool, limit: u32, offset: u32) -> sqlx::Result<AuditPage> {
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(db)
        .await?;
    let rows: Vec<(i64, String, i64, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT a.id, a.at, a.user_id, u.display_name, a.action, a.call_id
           FROM audit_log a JOIN users u ON u.id = a.user_id
          ORDER BY a.id DESC LIMIT $1 OFFSET $2",
    )
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(db)
    .await?;
    let items = rows
        .into_iter()
        .map(
            |(id, at, user_id, display_name, action, call_id)| AuditEntry {
                id,
                at,
                user: UserRef {
                    id: user_id,
                    display_name,
                },
                action,
                call_id,
            },
        )
        .collect();
    Ok(AuditPage { total, items })
}
