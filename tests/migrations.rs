//! Migrations on a real SQLite file: from an empty database, idempotent on
//! restart, and a relay killed mid-call leaves a record that says so.

use callcard_relay::config::Config;
use callcard_relay::Relay;
use sqlx::sqlite::SqlitePoolOptions;

async fn tables(url: &str) -> Vec<String> {
    let pool = SqlitePoolOptions::new().connect(url).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows.into_iter().map(|(n,)| n).collect()
}

#[tokio::test]
async fn an_empty_database_is_created_and_migrated_and_a_restart_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("fresh/data");
    let config = Config::with_data_dir(&data_dir);
    let url = format!("sqlite://{}", data_dir.join("callcard.sqlite").display());

    let relay = Relay::start(config.clone()).await.unwrap();
    assert!(!relay.seeded, "no demo data unless asked");
    drop(relay);
    let first = tables(&url).await;
    for table in [
        "_sqlx_migrations",
        "access_groups",
        "call_records",
        "contact_phones",
        "contacts",
        "deals",
        "notes",
        "sessions",
        "settings",
        "tasks",
        "users",
    ] {
        assert!(
            first.iter().any(|t| t == table),
            "{table} missing from {first:?}"
        );
    }

    let relay = Relay::start(config).await.unwrap();
    drop(relay);
    assert_eq!(tables(&url).await, first);
}

#[tokio::test]
async fn demo_data_is_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::with_data_dir(dir.path());
    config.demo = true;
    let relay = Relay::start(config.clone()).await.unwrap();
    assert!(relay.seeded);
    drop(relay);
    let relay = Relay::start(config).await.unwrap();
    assert!(!relay.seeded);
    let (contacts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM contacts")
        .fetch_one(&relay.state.db)
        .await
        .unwrap();
    assert_eq!(contacts, 50);
}

#[tokio::test]
async fn a_call_left_open_by_a_killed_relay_is_marked_interrupted_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::with_data_dir(dir.path());
    let relay = Relay::start(config.clone()).await.unwrap();
    sqlx::query(
        "INSERT INTO call_records (started_at, direction, number_dialled, status)
         VALUES ('2026-11-25T10:00:00Z', 'outbound', '+74951234567', 'in_progress')",
    )
    .execute(&relay.state.db)
    .await
    .unwrap();
    drop(relay);

    let relay = Relay::start(config).await.unwrap();
    let (status, cause, ended): (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT status, end_cause, ended_at FROM call_records")
            .fetch_one(&relay.state.db)
            .await
            .unwrap();
    assert_eq!(status, "interrupted");
    assert_eq!(cause.as_deref(), Some("relay_restart"));
    assert!(ended.is_some());
}
