//! Each user's number masking (their access group's), in memory: an inbound
//! INVITE shows every rung phone the caller as that user may see them
//! without asking SQLite. Loaded at start; read again whenever an admin
//! changes a group's masking; a user created since is read once on first
//! use (see [`MaskingCache::masking_of`]).

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

    /// The masking of `user_id`; a user not seen yet is read from the
    /// database once (unknown users see nothing: `Hidden`).
    pub async fn masking_of(&self, db: &SqlitePool, user_id: i64) -> Masking {
        if let Some(masking) = self.by_user.read().expect("masking lock").get(&user_id) {
            return *masking;
        }
        let masking = super::users::masking_of(db, user_id).await;
        self.by_user
            .write()
            .expect("masking lock")
            .insert(user_id, masking);
        masking
    }
}
