//! Turning telephony off: the trunks, telephony users and telephony
//! settings go, and the space they took in the database file is overwritten
//! so no old SIP password survives in it.

use sqlx::SqlitePool;

/// The `settings` keys that belong to telephony.
const SETTINGS: [&str; 2] = [super::dialplan::KEY, super::limits::KEY];

/// Deletes every trunk and telephony user, the number rules and limits, and
/// switches automatic telephony users off in every group. Returns (trunks,
/// telephony users) removed. Deleted rows are zeroed (`secure_delete`).
pub async fn remove_configuration(db: &SqlitePool) -> sqlx::Result<(u64, u64)> {
    let mut conn = db.acquire().await?;
    // SQLite-only: overwrite deleted content with zeros on this connection.
    sqlx::query("PRAGMA secure_delete = ON")
        .execute(&mut *conn)
        .await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let sip_users = sqlx::query("DELETE FROM sip_users")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let trunks = sqlx::query("DELETE FROM trunks")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    for key in SETTINGS {
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE access_groups SET auto_telephony = FALSE")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((trunks, sip_users))
}

/// Deletes every call record (notes and tasks keep their text, without the call).
pub async fn delete_call_records(db: &SqlitePool) -> sqlx::Result<u64> {
    let mut conn = db.acquire().await?;
    sqlx::query("PRAGMA secure_delete = ON")
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query("DELETE FROM call_records")
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Rewrites the database file without its free space (older versions of
/// rows, e.g. a password before it was rotated, can linger there) and
/// empties the write-ahead log. SQLite-only maintenance; failures are
/// logged, the data is already deleted.
pub async fn erase_freed_space(db: &SqlitePool) {
    let result: sqlx::Result<(i64, i64, i64)> = async {
        let mut conn = db.acquire().await?;
        sqlx::query("VACUUM").execute(&mut *conn).await?;
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await
    }
    .await;
    match result {
        Ok((0, _, _)) => {}
        Ok((_, log, done)) => tracing::warn!(
            log,
            done,
            "the write-ahead log could not be emptied yet (readers); it is on the next checkpoint"
        ),
        Err(e) => tracing::error!("erasing the deleted telephony data from the file: {e}"),
    }
}
