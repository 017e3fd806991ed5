//! Who is asking: password hashing (argon2), cookie sessions stored as hashes,
//! the extractors every `/api` route uses, and the brake on password guessing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use callcard_shared::api::Me;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::error::AppError;
use crate::state::AppState;
use crate::time::{now_rfc3339, rfc3339_in};

pub const SESSION_COOKIE: &str = "callcard_session";
pub const SESSION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
        .to_string())
}

/// Checks a password against a stored hash. Also spends the same time when the
/// user does not exist (`stored` = None), so timing does not reveal logins.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
    let Ok(parsed) = PasswordHash::new(stored.unwrap_or(dummy)) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && stored.is_some()
}

/// A new random session token (the cookie value) and the hash stored for it.
pub fn new_session_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn create_session(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let (token, hash) = new_session_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&hash)
    .bind(user_id)
    .bind(now_rfc3339())
    .bind(rfc3339_in(SESSION_TTL))
    .execute(&state.db)
    .await?;
    Ok(token)
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        SESSION_TTL.as_secs()
    )
}

pub fn expired_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The session token from the request's Cookie header, if any.
pub fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// The signed-in user. Extracting it answers 401 when there is no valid session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub group: String,
    pub is_admin: bool,
    /// The group may see every call in the log and hear every recording
    /// (administrators always may).
    pub hears_all_calls: bool,
    /// How phone numbers are shown to this user's group.
    pub masking: callcard_shared::masking::Masking,
}

impl CurrentUser {
    pub fn me(&self) -> Me {
        Me {
            id: self.id,
            login: self.login.clone(),
            display_name: self.display_name.clone(),
            group: self.group.clone(),
            is_admin: self.is_admin,
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = session_token(&parts.headers).ok_or(AppError::Unauthorized("sign in first"))?;
        let row: Option<(i64, String, String, String, bool, bool, String)> = sqlx::query_as(
            "SELECT u.id, u.login, u.display_name, g.name, g.is_admin, g.hears_all_calls, g.masking
               FROM sessions s
               JOIN users u ON u.id = s.user_id
               JOIN access_groups g ON g.id = u.group_id
              WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
        )
        .bind(token_hash(&token))
        .bind(now_rfc3339())
        .fetch_optional(&state.db)
        .await?;
        let (id, login, display_name, group, is_admin, hears_all_calls, masking) = row.ok_or(
            AppError::Unauthorized("the session has ended; sign in again"),
        )?;
        // A setting that does not read fails closed: numbers hidden.
        let masking = serde_json::from_str(&masking).unwrap_or_else(|e| {
            tracing::error!(group = %group, "unreadable masking setting, hiding numbers: {e}");
            callcard_shared::masking::Masking::Hidden
        });
        Ok(CurrentUser {
            id,
            login,
            display_name,
            group,
            is_admin,
            hears_all_calls,
            masking,
        })
    }
}

/// A signed-in administrator: 401 without a session, 403 for everyone else.
#[derive(Debug, Clone)]
pub struct AdminUser(pub CurrentUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if !user.is_admin {
            return Err(AppError::Forbidden("only administrators may do this"));
        }
        Ok(AdminUser(user))
    }
}

/// Slows, then refuses, repeated failed logins per client address and per login.
///
/// Failures 1–3 cost nothing; from the 4th each failed answer is delayed
/// (0.25 s doubling up to 4 s); at the 10th within the window the key is locked
/// out for the lock-out period. A success clears the login's record.
#[derive(Debug, Clone)]
pub struct LoginLimiter {
    inner: Arc<Mutex<HashMap<String, Attempts>>>,
    policy: LimiterPolicy,
}

#[derive(Debug, Clone, Copy)]
pub struct LimiterPolicy {
    pub free_failures: u32,
    pub lock_after: u32,
    pub window: Duration,
    pub lockout: Duration,
}

impl Default for LimiterPolicy {
    fn default() -> Self {
        LimiterPolicy {
            free_failures: 3,
            lock_after: 10,
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Attempts {
    failures: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

impl LoginLimiter {
    pub fn new(policy: LimiterPolicy) -> Self {
        LoginLimiter {
            inner: Arc::default(),
            policy,
        }
    }

    fn keys(ip: IpAddr, login: &str) -> [String; 2] {
        [
            format!("ip:{ip}"),
            format!("login:{}", login.to_lowercase()),
        ]
    }

    /// Refuses the attempt outright when the address or the login is locked out.
    pub fn check(&self, ip: IpAddr, login: &str) -> Result<(), AppError> {
        let now = Instant::now();
        let map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for key in Self::keys(ip, login) {
            if let Some(until) = map.get(&key).and_then(|a| a.locked_until) {
                if until > now {
                    return Err(AppError::TooManyRequests {
                        message: "too many failed sign-ins; try again later".into(),
                        retry_after_secs: (until - now).as_secs().max(1),
                    });
                }
            }
        }
        Ok(())
    }

    /// Records a failure; returns how long to hold the failed answer back.
    pub fn failed(&self, ip: IpAddr, login: &str) -> Duration {
        let now = Instant::now();
        let policy = self.policy;
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, a| now.duration_since(a.first) < policy.window);
        }
        let mut worst = 0;
        for key in Self::keys(ip, login) {
            let entry = map.entry(key).or_insert(Attempts {
                failures: 0,
                first: now,
                locked_until: None,
            });
            if now.duration_since(entry.first) >= policy.window
                && entry.locked_until.is_none_or(|u| u <= now)
            {
                *entry = Attempts {
                    failures: 0,
                    first: now,
                    locked_until: None,
                };
            }
            entry.failures += 1;
            if entry.failures >= policy.lock_after {
                entry.locked_until = Some(now + policy.lockout);
            }
            worst = worst.max(entry.failures);
        }
        match worst.checked_sub(policy.free_failures + 1) {
            None => Duration::ZERO,
            Some(extra) => Duration::from_millis(250u64 << extra.min(4)),
        }
    }

    pub fn succeeded(&self, ip: IpAddr, login: &str) {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let [_, login_key] = Self::keys(ip, login);
        map.remove(&login_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("demo").unwrap();
        assert!(verify_password("demo", Some(&hash)));
        assert!(!verify_password("Demo", Some(&hash)));
        assert!(!verify_password("demo", None));
    }

    #[tokio::test(start_paused = true)]
    async fn failures_slow_down_then_lock_out_then_expire() {
        let limiter = LoginLimiter::new(LimiterPolicy::default());
        let ip: IpAddr = [10, 0, 0, 1].into();
        let delays: Vec<_> = (0..9).map(|_| limiter.failed(ip, "anna")).collect();
        assert_eq!(delays[..3], [Duration::ZERO; 3]);
        assert!(delays[3] > Duration::ZERO && delays[8] > delays[3]);
        assert!(limiter.check(ip, "anna").is_ok());
        limiter.failed(ip, "anna");
        assert!(matches!(
            limiter.check(ip, "anna"),
            Err(AppError::TooManyRequests { .. })
        ));
        // Another address guessing the same login is refused too.
        assert!(limiter.check([10, 0, 0, 2].into(), "ANNA").is_err());
        tokio::time::advance(Duration::from_secs(16 * 60)).await;
        assert!(limiter.check(ip, "anna").is_ok());
    }
}
