//! Opening the database: the data directory is checked first, so a bad path
//! stops start-up with an error naming it; then migrations from `migrations/`.

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::config::Config;

/// The migrations, embedded in the binary at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

pub async fn connect(config: &Config) -> anyhow::Result<SqlitePool> {
    if config.database_url.is_none() {
        ensure_writable_dir(&config.data_dir)?;
    }
    let url = config.database_url();
    if !url.starts_with("sqlite:") {
        anyhow::bail!(
            "database URL {}: only sqlite: URLs are supported by this build",
            redact(&url)
        );
    }
    let options = SqliteConnectOptions::from_str(&url)
        .with_context(|| format!("database URL {}", redact(&url)))?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(std::time::Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&url)))?;
    MIGRATOR
        .run(&pool)
        .await
        .context("cannot apply the database migrations")?;
    Ok(pool)
}

/// Creates the data directory if needed and proves it is writable.
pub fn ensure_writable_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok")
        .with_context(|| format!("the data directory {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// A database URL fit for logs: any password is replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_never_shown() {
        assert_eq!(
            redact("postgres://cc:s3cret@db:5432/cc"),
            "postgres://cc:***@db:5432/cc"
        );
        assert_eq!(redact("sqlite://data/x.sqlite"), "sqlite://data/x.sqlite");
    }
}
