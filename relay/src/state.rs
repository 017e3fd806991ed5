//! The one `Clone` state every handler receives.

use std::sync::Arc;

use sqlx::SqlitePool;

use crate::auth::LoginLimiter;
use crate::config::Config;
use crate::recording::RecordingStore;
use crate::telephony::Telephony;

#[derive(Clone)]
pub struct AppState {
    pub db: SqlitePool,
    pub config: Arc<Config>,
    pub limiter: LoginLimiter,
    pub telephony: Arc<Telephony>,
    /// Where finished recordings are read from.
    pub recordings: RecordingStore,
}
