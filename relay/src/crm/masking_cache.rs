//! Each user's number masking (their access group's), in memory: an inbound
//! INVITE shows every rung phone the caller as that user may see them
//! without asking SQLite. Loaded at start; read again whenever an admin
//! changes a group's masking; a user created since is read once when their
//! first connection opens (see [`MaskingCache::ensure`]).

use std::collections::HashMap;
use std::sync::RwLock;

use callcard_shared::masking::Masking;
use sqlx::SqlitePool;

#[derive(Default)]
pub struct MaskingCache {
    by_user: RwLock<HashMap<i64, Masking>>,
}

impl MaskingCache {
    /// Reads every user's masking again.
    pub async fn reload(&self, db: &SqlitePool) -> sqlx::Result<usize> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT u.id, g.masking FROM users u JOIN access_groups g ON g.id = u.group_id",
        )
        .fetch_all(db)
        .await?;
        let by_user: HashMap<i64, Masking> = rows
            .into_iter()
            .map(|(id, json)| (id, serde_json::from_str(&json).unwrap_or(Masking::Hidden)))
            .collect();
        let users = by_user.len();
        *self.by_user.write().expect("masking lock") = by_user;
        Ok(users)
    }

    /// Makes sure `user_id`'s masking is known (a user created since the
    /// last reload): read from the database once.
    pub async fn ensure(&self, db: &SqlitePool, user_id: i64) -> Masking {
        if let Some(masking) = self.cached(user_id) {
            return masking;
        }
        let masking = super::users::masking_of(db, user_id).await;
        self.set(user_id, masking);
        masking
    }

    /// The masking of `user_id` as known; a user never seen sees nothing
    /// (`Hidden`): a connection's user is made known when it opens.
    pub fn masking_of(&self, user_id: i64) -> Masking {
        self.cached(user_id).unwrap_or(Masking::Hidden)
    }

    fn cached(&self, user_id: i64) -> Option<Masking> {
        self.by_user
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&user_id)
            .copied()
    }

    /// Sets one user's masking (tests of the switch).
    pub fn set(&self, user_id: i64, masking: Masking) {
        self.by_user
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user_id, masking);
    }
}
