//! Live trunk registration status, written by the registration task and read
//! by `GET /api/trunks`; every change is also broadcast (admin event stream).

use std::collections::HashMap;
use std::sync::RwLock;

use callcard_shared::api::{TrunkState, TrunkStatus};
use tokio::sync::broadcast;

use crate::time::now_rfc3339;

pub struct TrunkStatusBoard {
    statuses: RwLock<HashMap<i64, TrunkStatus>>,
    changes: broadcast::Sender<(i64, TrunkStatus)>,
}

impl Default for TrunkStatusBoard {
    fn default() -> Self {
        TrunkStatusBoard {
            statuses: RwLock::new(HashMap::new()),
            changes: broadcast::channel(256).0,
        }
    }
}

impl TrunkStatusBoard {
    /// The status of trunk `id`; `pending` when nothing is known yet.
    pub fn get(&self, id: i64) -> TrunkStatus {
        self.statuses
            .read()
            .expect("status lock")
            .get(&id)
            .cloned()
            .unwrap_or_else(|| TrunkStatus {
                state: TrunkState::Pending,
                reason: None,
                since: now_rfc3339(),
            })
    }

    /// Records a new state; unchanged states keep their `since`.
    pub fn set(&self, id: i64, state: TrunkState, reason: Option<String>) {
        let mut statuses = self.statuses.write().expect("status lock");
        if let Some(old) = statuses.get(&id) {
            if old.state == state && old.reason == reason {
                return;
            }
        }
        let status = TrunkStatus {
            state,
            reason,
            since: now_rfc3339(),
        };
        statuses.insert(id, status.clone());
        let _ = self.changes.send((id, status));
    }

    pub fn remove(&self, id: i64) {
        self.statuses.write().expect("status lock").remove(&id);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<(i64, TrunkStatus)> {
        self.changes.subscribe()
    }
}
