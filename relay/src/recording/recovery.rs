//! After a crash or a kill: the recordings a stopped relay left open. Each
//! call's file was named on its record when recording started and written
//! every second, so it plays up to the last write; at the next start the
//! record gets the file's length and size (or, when the file is gone, says
//! that the recording was lost).

use sqlx::SqlitePool;

use super::recorder::seconds_of;
use super::{RecordingStore, StoreError};

/// Closes every recording left open; returns (recovered, lost).
pub async fn recover(db: &SqlitePool, store: &RecordingStore) -> sqlx::Result<(usize, usize)> {
    let open: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, recording_path FROM call_records
          WHERE recording_path IS NOT NULL AND recording_seconds IS NULL
            AND recording_deleted_at IS NULL",
    )
    .fetch_all(db)
    .await?;
    let (mut recovered, mut lost) = (0, 0);
    for (id, path) in open {
        match store.size(&path).await {
            Ok(size) if size > 0 => {
                sqlx::query(
                    "UPDATE call_records SET recording_seconds = $1, recording_bytes = $2,
                            recording_error = 'the relay stopped during the call: recorded up to then'
                      WHERE id = $3",
                )
                .bind(seconds_of(size))
                .bind(i64::try_from(size).unwrap_or(i64::MAX))
                .bind(id)
                .execute(db)
                .await?;
                recovered += 1;
            }
            Err(StoreError::Other(e)) => {
                // Not known lost: left open for the next start to try.
                tracing::error!(call = id, path, "recovery: cannot read a recording: {e}");
            }
            Ok(_) | Err(StoreError::Missing) => {
                sqlx::query(
                    "UPDATE call_records SET recording_path = NULL,
                            recording_error = 'the recording was lost when the relay stopped'
                      WHERE id = $1",
                )
                .bind(id)
                .execute(db)
                .await?;
                lost += 1;
            }
        }
    }
    if recovered + lost > 0 {
        tracing::warn!(
            recovered,
            lost,
            "recordings left open by a stopped relay closed on their records"
        );
    }
    Ok((recovered, lost))
}
