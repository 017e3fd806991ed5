//! Call records written straight into the database, as the SIP runtime
//! writes them, for tests of what is built on the call log.

use callcard_relay::crm::calls;
use sqlx::SqlitePool;

/// Writes a finished call as the SIP runtime would, started at `started_at`.
pub async fn logged_call(
    db: &SqlitePool,
    direction: &'static str,
    user_id: Option<i64>,
    status: &str,
    started_at: &str,
) -> i64 {
    let id = calls::start(
        db,
        calls::NewCall {
            direction,
            user_id,
            number_dialled: "8 (495) 123-45-67".into(),
            number_e164: Some("+74951234567".into()),
            contact_id: None,
            trunk_id: None,
        },
    )
    .await
    .unwrap();
    if status == "answered" {
        calls::answered(db, id, None).await.unwrap();
    }
    assert!(calls::finish(db, id, status, None, Some("caller"))
        .await
        .unwrap());
    sqlx::query("UPDATE call_records SET started_at = $1 WHERE id = $2")
        .bind(started_at)
        .bind(id)
        .execute(db)
        .await
        .unwrap();
    id
}
