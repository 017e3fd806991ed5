//! Every telephony account in memory, for the switch: a desk phone's
//! REGISTER names its login, a forward names a user, a transfer an
//! extension — all answered without SQLite. Loaded at start and read again
//! whenever an administrator changes telephony users (see
//! [`crate::telephony::Telephony::accounts_changed`]).

use std::collections::HashMap;
use std::sync::RwLock;

use sqlx::SqlitePool;

use super::sip_users::SipAccount;

#[derive(Default)]
struct Accounts {
    by_user: HashMap<i64, SipAccount>,
    /// Digest user name → user id.
    by_login: HashMap<String, i64>,
}

#[derive(Default)]
pub struct SipDirectory {
    accounts: RwLock<Accounts>,
}

impl SipDirectory {
    /// Reads every account again; returns how many there are.
    pub async fn reload(&self, db: &SqlitePool) -> sqlx::Result<usize> {
        let all = super::sip_users::all_accounts(db).await?;
        let n = all.len();
        self.replace(all);
        Ok(n)
    }

    /// Makes sure `user_id`'s account is known (a user created since the
    /// last reload); returns it.
    pub async fn ensure_user(&self, db: &SqlitePool, user_id: i64) -> Option<SipAccount> {
        if let Some(account) = self.by_user(user_id) {
            return Some(account);
        }
        let account = super::sip_users::by_user(db, user_id)
            .await
            .ok()
            .flatten()?;
        let mut accounts = self.accounts.write().unwrap_or_else(|e| e.into_inner());
        accounts
            .by_login
            .insert(account.sip_login.clone(), account.user_id);
        accounts.by_user.insert(account.user_id, account.clone());
        Some(account)
    }

    pub fn by_user(&self, user_id: i64) -> Option<SipAccount> {
        let accounts = self.accounts.read().unwrap_or_else(|e| e.into_inner());
        accounts.by_user.get(&user_id).cloned()
    }

    pub fn by_login(&self, login: &str) -> Option<SipAccount> {
        let accounts = self.accounts.read().unwrap_or_else(|e| e.into_inner());
        let user = accounts.by_login.get(login)?;
        accounts.by_user.get(user).cloned()
    }

    /// Whether some account has this extension.
    pub fn has_extension(&self, extension: &str) -> bool {
        let accounts = self.accounts.read().unwrap_or_else(|e| e.into_inner());
        accounts.by_user.values().any(|a| a.extension == extension)
    }

    /// Puts `all` in place of what is known.
    pub fn replace(&self, all: Vec<SipAccount>) {
        let mut accounts = Accounts::default();
        for account in all {
            accounts
                .by_login
                .insert(account.sip_login.clone(), account.user_id);
            accounts.by_user.insert(account.user_id, account);
        }
        *self.accounts.write().unwrap_or_else(|e| e.into_inner()) = accounts;
    }
}
