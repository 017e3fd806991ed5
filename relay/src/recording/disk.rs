//! The recordings' disk: a new call is recorded only while the data
//! directory's file system has room ([`Config::recording_min_free_bytes`],
//! 200 MB by default); below it recording stops for new calls — the calls
//! themselves go on — and administrators see why until there is room again.
//!
//! [`Config::recording_min_free_bytes`]: crate::config::Config

use std::path::Path;
use std::sync::Mutex;

/// Bytes free for unprivileged writers on `dir`'s file system.
pub fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    let stat = rustix::fs::statvfs(dir).map_err(std::io::Error::from)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Why recording is stopped right now, for administrators (None: it runs).
#[derive(Default)]
pub struct DiskAlert(Mutex<Option<String>>);

impl DiskAlert {
    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Raises (`Some`) or clears (`None`) the alert; logs when it changes.
    pub fn set(&self, alert: Option<String>) {
        let mut current = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if *current != alert {
            match &alert {
                Some(why) => tracing::error!("recording stopped for new calls: {why}"),
                None => tracing::info!("recording resumed: the data directory has room again"),
            }
            *current = alert;
        }
    }
}

/// Whether a new call may be recorded into `data_dir`; raises or clears
/// `alert` accordingly and says why not.
pub fn room_for_a_recording(
    data_dir: &Path,
    min_free: u64,
    alert: &DiskAlert,
) -> Result<(), String> {
    let free = free_bytes(data_dir).or_else(|_| free_bytes(data_dir.parent().unwrap_or(data_dir)));
    let verdict = match free {
        Ok(free) if free >= min_free => Ok(()),
        Ok(free) => Err(format!(
            "the data directory's disk is full ({} MB free, recording needs {} MB)",
            free / 1_000_000,
            min_free.div_ceil(1_000_000)
        )),
        Err(e) => Err(format!(
            "the data directory's free space cannot be read: {e}"
        )),
    };
    alert.set(verdict.clone().err());
    verdict
}
