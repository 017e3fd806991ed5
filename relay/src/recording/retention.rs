//! Retention: recordings older than the admins' number of days are
//! deleted — the file goes, the record keeps the call and says when its
//! recording was deleted (`recording_deleted_at`). Runs at start and then
//! every [`SWEEP_EVERY`].

use std::time::Duration;

use sqlx::SqlitePool;

use super::RecordingStore;
use crate::time::{now_rfc3339, rfc3339_ago};

pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);
/// Recordings deleted per sweep at most (the next sweep takes the rest).
const BATCH: i64 = 1000;

/// Deletes the recordings of calls that ended more than `days` ago; their
/// records say "deleted after N days". Returns how many were deleted.
pub async fn sweep(db: &SqlitePool, store: &RecordingStore, days: u32) -> sqlx::Result<usize> {
    let before = rfc3339_ago(Duration::from_secs(u64::from(days) * 86_400));
    let note = format!("deleted after {days} days");
    let due: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, recording_path FROM call_records
          WHERE recording_path IS NOT NULL AND recording_deleted_at IS NULL
            AND ended_at IS NOT NULL AND ended_at <= $1
          ORDER BY ended_at LIMIT $2",
    )
    .bind(&before)
    .bind(BATCH)
    .fetch_all(db)
    .await?;
    let mut deleted = 0;
    for (id, path) in due {
        // Already gone is no error: the record says so all the same.
        match store.delete(&path).await {
            Ok(()) => {}
            Err(e) => {
                tracing::error!(call = id, path, "retention: cannot delete a recording: {e}");
                continue;
            }
        }
        sqlx::query(
            "UPDATE call_records SET recording_deleted_at = $1, recording_error = $2 WHERE id = $3",
        )
        .bind(now_rfc3339())
        .bind(&note)
        .bind(id)
        .execute(db)
        .await?;
        deleted += 1;
    }
    if deleted > 0 {
        tracing::info!(
            deleted,
            keep_days = days,
            "retention: recordings older than the kept days deleted"
        );
    }
    Ok(deleted)
}

/// Sweeps now and then every [`SWEEP_EVERY`], for as long as the relay
/// runs, keeping the days the recording settings say at that moment.
pub async fn run(
    db: SqlitePool,
    store: RecordingStore,
    telephony: std::sync::Arc<crate::telephony::Telephony>,
) {
    loop {
        let days = telephony.recording.retention_days();
        if let Err(e) = sweep(&db, &store, days).await {
            tracing::error!("retention: reading the recordings due: {e}");
        }
        tokio::time::sleep(SWEEP_EVERY).await;
    }
}
