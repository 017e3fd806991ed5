//! CRM storage: contacts with their phones, deals, notes and users, as SQL over
//! the pool; telephony users, trunks and call records. Routes, the config-file
//! provisioning and the SIP runtime share these functions.

pub mod audit;
pub mod calls;
pub mod contacts;
pub mod dialplan;
pub mod limits;
pub mod masking_cache;
pub mod number_index;
pub mod recording_settings;
pub mod settings;
pub mod sip_directory;
pub mod sip_users;
pub mod telephony;
pub mod trunks;
pub mod users;

/// Why a write was refused: bad input, or a clash with what is stored (both
/// naming the field), or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{field}: {message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl WriteError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        WriteError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        WriteError::Conflict {
            field,
            message: message.into(),
        }
    }
}

/// Whether `e` is a UNIQUE violation on `table.column` (SQLite names the
/// column in the message; PostgreSQL names the constraint `<table>_<column>_key`).
pub(crate) fn is_unique_violation(e: &sqlx::Error, table: &str, column: &str) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    db.is_unique_violation()
        && (db.message().contains(&format!("{table}.{column}"))
            || db.constraint() == Some(&format!("{table}_{column}_key")))
}
