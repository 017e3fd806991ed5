//! Telephony users: a CRM user's extension, SIP login and password, and call
//! switches — the admin's view (never the password), and the accounts the SIP
//! runtime checks digest responses and rings with (password included).

use std::collections::HashSet;
use std::fmt;

use callcard_shared::api::{SipCredentials, SipUser, SipUserInput, UserRef};
use callcard_shared::phone::{self, Region};
use rand::distr::{Alphanumeric, SampleString};
use sqlx::SqlitePool;

use super::{is_unique_violation, WriteError};
use crate::time::now_rfc3339;

/// The digest realm of every telephony user.
pub const SIP_REALM: &str = "callcard";
/// The `settings` key of the account name that prefixes SIP logins.
pub const ACCOUNT_SETTING: &str = "sip_account";
/// The account name when the setting is absent.
pub const DEFAULT_ACCOUNT: &str = "callcard";
/// Extensions handed out when the admin does not choose one start here.
pub const FIRST_EXTENSION: u32 = 101;
/// Length of generated SIP passwords (letters and digits: about 143 bits).
pub const GENERATED_PASSWORD_CHARS: usize = 24;
/// The shortest password a config file may fix for a telephony user.
pub const MIN_FIXED_PASSWORD_CHARS: usize = 12;

/// A telephony user as the SIP runtime needs it, password included; accounts
/// of disabled CRM users are never returned. `Debug` shows the password as `***`.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SipAccount {
    pub id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub extension: String,
    pub sip_login: String,
    pub sip_password: String,
    pub accept_incoming: bool,
    pub browser_calls: bool,
    /// An extension or an E.164 number.
    pub forward_to: Option<String>,
}

impl fmt::Debug for SipAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SipAccount")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("display_name", &self.display_name)
            .field("extension", &self.extension)
            .field("sip_login", &self.sip_login)
            .field("sip_password", &"***")
            .field("accept_incoming", &self.accept_incoming)
            .field("browser_calls", &self.browser_calls)
            .field("forward_to", &self.forward_to)
            .finish()
    }
}

/// `account_columns!(" WHERE …")`: the query as one `&'static str`.
macro_rules! account_columns {
    ($tail:literal) => {
        concat!(
            "SELECT s.id, s.user_id, u.display_name, s.extension, s.sip_login,
        s.sip_password, s.accept_incoming, s.browser_calls, s.forward_to
   FROM sip_users s JOIN users u ON u.id = s.user_id
  WHERE NOT u.disabled",
            $tail
        )
    };
}

/// The account whose digest user name is `login`.
pub async fn by_login(db: &SqlitePool, login: &str) -> sqlx::Result<Option<SipAccount>> {
    sqlx::query_as(account_columns!(" AND s.sip_login = $1"))
        .bind(login)
        .fetch_optional(db)
        .await
}

/// The account of CRM user `user_id`.
pub async fn by_user(db: &SqlitePool, user_id: i64) -> sqlx::Result<Option<SipAccount>> {
    sqlx::query_as(account_columns!(" AND s.user_id = $1"))
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Every account (of enabled users).
pub async fn all_accounts(db: &SqlitePool) -> sqlx::Result<Vec<SipAccount>> {
    sqlx::query_as(account_columns!("")).fetch_all(db).await
}

/// Every account taking incoming calls, by extension.
pub async fn accepting_incoming(db: &SqlitePool) -> sqlx::Result<Vec<SipAccount>> {
    sqlx::query_as(account_columns!(
        " AND s.accept_incoming ORDER BY LENGTH(s.extension), s.extension"
    ))
    .fetch_all(db)
    .await
}

/// The account name prefixing SIP logins (`settings.sip_account`, else `callcard`).
pub async fn account(db: &SqlitePool) -> sqlx::Result<String> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(ACCOUNT_SETTING)
        .fetch_optional(db)
        .await?;
    Ok(row
        .map(|(v,)| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_ACCOUNT.to_string()))
}

pub fn login_for(account: &str, extension: &str) -> String {
    format!("{account}_{extension}")
}

/// A new SIP password from the thread-local CSPRNG (ChaCha, seeded by the OS).
pub fn generate_password() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), GENERATED_PASSWORD_CHARS)
}

/// Checks a password fixed by the config file.
pub fn check_fixed_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_FIXED_PASSWORD_CHARS {
        return Err(format!(
            "must be at least {MIN_FIXED_PASSWORD_CHARS} characters (omit it to have one generated)"
        ));
    }
    if password
        .chars()
        .any(|c| c.is_control() || c.is_whitespace())
    {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(())
}

/// Validated switches of a telephony user. `extension: None`: the next free
/// one on create, the current one on update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUserFields {
    pub extension: Option<String>,
    pub accept_incoming: bool,
    pub browser_calls: bool,
    pub forward_to: Option<String>,
}

fn is_extension(s: &str) -> bool {
    (3..=6).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Checks the input's extension and forwarding target (`user_id` is the
/// caller's business); a forwarding number is stored in E.164.
pub fn validate(input: &SipUserInput, region: Region) -> Result<SipUserFields, WriteError> {
    let extension = match input.extension.as_deref().map(str::trim) {
        None => None,
        Some(ext) if is_extension(ext) => Some(ext.to_string()),
        Some(ext) => {
            return Err(WriteError::invalid(
                "extension",
                format!("`{ext}` is not 3 to 6 digits"),
            ))
        }
    };
    let forward_to = match input.forward_to.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(target) if is_extension(target) => Some(target.to_string()),
        Some(target) => Some(phone::to_e164(target, region).map_err(|_| {
            WriteError::invalid(
                "forward_to",
                format!("`{target}` is neither an extension (3 to 6 digits) nor a phone number"),
            )
        })?),
    };
    if extension.is_some() && extension == forward_to {
        return Err(WriteError::invalid(
            "forward_to",
            "must not be the user's own extension",
        ));
    }
    Ok(SipUserFields {
        extension,
        accept_incoming: input.accept_incoming,
        browser_calls: input.browser_calls,
        forward_to,
    })
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    user_id: i64,
    display_name: String,
    extension: String,
    sip_login: String,
    accept_incoming: bool,
    browser_calls: bool,
    forward_to: Option<String>,
}

impl UserRow {
    fn sip_user(self) -> SipUser {
        SipUser {
            id: self.id,
            user: UserRef {
                id: self.user_id,
                display_name: self.display_name,
            },
            extension: self.extension,
            sip_login: self.sip_login,
            accept_incoming: self.accept_incoming,
            browser_calls: self.browser_calls,
            forward_to: self.forward_to,
            // Live state: the routes fill it from the switch (`Telephony::is_registered`).
            registered: false,
        }
    }
}

/// The admin's view: no password column is read.
/// `user_columns!(" WHERE …")`: the query as one `&'static str`.
macro_rules! user_columns {
    ($tail:literal) => {
        concat!(
            "SELECT s.id, s.user_id, u.display_name, s.extension, s.sip_login,
        s.accept_incoming, s.browser_calls, s.forward_to
   FROM sip_users s JOIN users u ON u.id = s.user_id",
            $tail
        )
    };
}

/// Every telephony user, by extension.
pub async fn list(db: &SqlitePool) -> sqlx::Result<Vec<SipUser>> {
    let rows: Vec<UserRow> =
        sqlx::query_as(user_columns!(" ORDER BY LENGTH(s.extension), s.extension"))
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(UserRow::sip_user).collect())
}

pub async fn get(db: &SqlitePool, id: i64) -> sqlx::Result<Option<SipUser>> {
    let row: Option<UserRow> = sqlx::query_as(user_columns!(" WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(UserRow::sip_user))
}

/// The telephony user of CRM user `user_id`, if there is one.
pub async fn get_by_user(db: &SqlitePool, user_id: i64) -> sqlx::Result<Option<SipUser>> {
    let row: Option<UserRow> = sqlx::query_as(user_columns!(" WHERE s.user_id = $1"))
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(UserRow::sip_user))
}

/// The lowest free extension from [`FIRST_EXTENSION`].
async fn next_free_extension(db: &SqlitePool) -> Result<String, WriteError> {
    let taken: HashSet<String> = sqlx::query_as::<_, (String,)>("SELECT extension FROM sip_users")
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|(e,)| e)
        .collect();
    (FIRST_EXTENSION..1_000_000)
        .map(|n| n.to_string())
        .find(|e| !taken.contains(e))
        .ok_or_else(|| WriteError::conflict("extension", "no free extension is left"))
}

fn extension_taken(extension: &str) -> WriteError {
    WriteError::conflict(
        "extension",
        format!("extension {extension} belongs to another telephony user"),
    )
}

async fn extension_owner(db: &SqlitePool, extension: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM sip_users WHERE extension = $1")
        .bind(extension)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Creates the telephony user of CRM user `user_id` with `password` (a
/// generated one when `None`); the credentials are returned this once.
pub async fn create(
    db: &SqlitePool,
    user_id: i64,
    fields: &SipUserFields,
    password: Option<&str>,
) -> Result<SipCredentials, WriteError> {
    let user: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    if user.is_none() {
        return Err(WriteError::invalid(
            "user_id",
            format!("there is no CRM user {user_id}"),
        ));
    }
    if get_by_user(db, user_id).await?.is_some() {
        return Err(user_has_one(user_id));
    }
    let account = account(db).await?;
    let password = password.map_or_else(generate_password, str::to_string);
    // A chosen extension is tried once; a picked one again if a concurrent
    // request took it first.
    let attempts = if fields.extension.is_some() { 1 } else { 3 };
    for attempt in 1..=attempts {
        let extension = match &fields.extension {
            Some(e) => e.clone(),
            None => next_free_extension(db).await?,
        };
        if fields.forward_to.as_deref() == Some(extension.as_str()) {
            return Err(WriteError::invalid(
                "forward_to",
                "must not be the user's own extension",
            ));
        }
        if extension_owner(db, &extension).await?.is_some() {
            return Err(extension_taken(&extension));
        }
        let now = now_rfc3339();
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO sip_users (user_id, extension, sip_login, sip_password, accept_incoming,
                                    browser_calls, forward_to, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(user_id)
        .bind(&extension)
        .bind(login_for(&account, &extension))
        .bind(&password)
        .bind(fields.accept_incoming)
        .bind(fields.browser_calls)
        .bind(&fields.forward_to)
        .bind(&now)
        .fetch_one(db)
        .await;
        match inserted {
            Ok((id,)) => return credentials(db, id, password).await?.ok_or_else(gone),
            Err(e) if is_unique_violation(&e, "sip_users", "user_id") => {
                return Err(user_has_one(user_id))
            }
            Err(e)
                if is_unique_violation(&e, "sip_users", "extension")
                    || is_unique_violation(&e, "sip_users", "sip_login") =>
            {
                if attempt == attempts {
                    return Err(extension_taken(&extension));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(WriteError::conflict(
        "extension",
        "no free extension is left",
    ))
}

fn user_has_one(user_id: i64) -> WriteError {
    WriteError::conflict(
        "user_id",
        format!("CRM user {user_id} already has a telephony user"),
    )
}

fn gone() -> WriteError {
    WriteError::Db(sqlx::Error::RowNotFound)
}

async fn credentials(
    db: &SqlitePool,
    id: i64,
    password: String,
) -> sqlx::Result<Option<SipCredentials>> {
    Ok(get(db, id).await?.map(|sip_user| SipCredentials {
        sip_login: sip_user.sip_login.clone(),
        sip_user,
        sip_password: password,
        realm: SIP_REALM.to_string(),
    }))
}

/// Changes the switches (and, when given, the extension — the SIP login
/// follows it — and the password). `None`: no such telephony user;
/// `Some((user, changed))`: whether anything differed.
pub async fn update(
    db: &SqlitePool,
    id: i64,
    fields: &SipUserFields,
    password: Option<&str>,
) -> Result<Option<(SipUser, bool)>, WriteError> {
    let old: Option<(String, String, String, bool, bool, Option<String>)> = sqlx::query_as(
        "SELECT extension, sip_login, sip_password, accept_incoming, browser_calls, forward_to
           FROM sip_users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some((old_ext, old_login, old_password, old_incoming, old_browser, old_forward)) = old
    else {
        return Ok(None);
    };
    let extension = fields.extension.clone().unwrap_or_else(|| old_ext.clone());
    if fields.forward_to.as_deref() == Some(extension.as_str()) {
        return Err(WriteError::invalid(
            "forward_to",
            "must not be the user's own extension",
        ));
    }
    let login = if extension == old_ext {
        old_login.clone()
    } else {
        if extension_owner(db, &extension).await?.is_some() {
            return Err(extension_taken(&extension));
        }
        login_for(&account(db).await?, &extension)
    };
    let new_password = password.unwrap_or(&old_password);
    let unchanged = extension == old_ext
        && new_password == old_password
        && fields.accept_incoming == old_incoming
        && fields.browser_calls == old_browser
        && fields.forward_to == old_forward;
    if !unchanged {
        let updated = sqlx::query(
            "UPDATE sip_users SET extension = $1, sip_login = $2, sip_password = $3,
                    accept_incoming = $4, browser_calls = $5, forward_to = $6, updated_at = $7
              WHERE id = $8",
        )
        .bind(&extension)
        .bind(&login)
        .bind(new_password)
        .bind(fields.accept_incoming)
        .bind(fields.browser_calls)
        .bind(&fields.forward_to)
        .bind(now_rfc3339())
        .bind(id)
        .execute(db)
        .await;
        match updated {
            Ok(_) => {}
            Err(e)
                if is_unique_violation(&e, "sip_users", "extension")
                    || is_unique_violation(&e, "sip_users", "sip_login") =>
            {
                return Err(extension_taken(&extension))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let user = get(db, id).await?.ok_or_else(gone)?;
    Ok(Some((user, !unchanged)))
}

/// Replaces the password with a new generated one, returned this once.
pub async fn rotate_password(db: &SqlitePool, id: i64) -> sqlx::Result<Option<SipCredentials>> {
    let password = generate_password();
    let done = sqlx::query("UPDATE sip_users SET sip_password = $1, updated_at = $2 WHERE id = $3")
        .bind(&password)
        .bind(now_rfc3339())
        .bind(id)
        .execute(db)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    credentials(db, id, password).await
}

/// The switches a telephony user made automatically starts with: the next
/// free extension, incoming calls on, calls in the browser, no forwarding.
pub fn automatic_fields() -> SipUserFields {
    SipUserFields {
        extension: None,
        accept_incoming: true,
        browser_calls: true,
        forward_to: None,
    }
}

/// Gives every member of access group `group_id` who has none a telephony
/// user ([`automatic_fields`], a generated password nobody is shown: the
/// browser registers by its web session, an admin rotates it for a desk
/// phone). Returns the CRM user ids that got one.
pub async fn create_for_group(db: &SqlitePool, group_id: i64) -> Result<Vec<i64>, WriteError> {
    let members: Vec<(i64,)> = sqlx::query_as(
        "SELECT u.id FROM users u
          WHERE u.group_id = $1 AND NOT EXISTS (SELECT 1 FROM sip_users s WHERE s.user_id = u.id)
          ORDER BY u.id",
    )
    .bind(group_id)
    .fetch_all(db)
    .await?;
    let mut created = Vec::new();
    for (user_id,) in members {
        match create(db, user_id, &automatic_fields(), None).await {
            Ok(_) => created.push(user_id),
            // Made meanwhile by someone else: just as good.
            Err(WriteError::Conflict {
                field: "user_id", ..
            }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}

/// A new CRM user in a group with automatic telephony gets a telephony user.
/// True when one was made.
pub async fn create_if_automatic(db: &SqlitePool, user_id: i64) -> Result<bool, WriteError> {
    let auto: Option<(bool,)> = sqlx::query_as(
        "SELECT g.auto_telephony FROM users u JOIN access_groups g ON g.id = u.group_id
          WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    if auto != Some((true,)) || get_by_user(db, user_id).await?.is_some() {
        return Ok(false);
    }
    create(db, user_id, &automatic_fields(), None).await?;
    Ok(true)
}

pub async fn delete(db: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM sip_users WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(extension: Option<&str>, forward_to: Option<&str>) -> SipUserInput {
        SipUserInput {
            user_id: 1,
            extension: extension.map(str::to_string),
            accept_incoming: true,
            browser_calls: true,
            forward_to: forward_to.map(str::to_string),
        }
    }

    fn ru() -> Region {
        "RU".parse().unwrap()
    }

    #[test]
    fn generated_passwords_are_long_alphanumeric_and_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.len(), GENERATED_PASSWORD_CHARS);
        assert!(a.len() >= 20 && a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn extensions_are_3_to_6_digits() {
        for good in ["101", "0123", "999999"] {
            assert!(validate(&input(Some(good), None), ru()).is_ok(), "{good}");
        }
        for bad in ["12", "1234567", "10a", "", "+101"] {
            assert!(
                matches!(
                    validate(&input(Some(bad), None), ru()),
                    Err(WriteError::Invalid {
                        field: "extension",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn forwarding_goes_to_an_extension_or_a_number_in_e164() {
        let f = validate(&input(None, Some("8 916 123-45-67")), ru()).unwrap();
        assert_eq!(f.forward_to.as_deref(), Some("+79161234567"));
        let f = validate(&input(None, Some("102")), ru()).unwrap();
        assert_eq!(f.forward_to.as_deref(), Some("102"));
        let f = validate(&input(None, Some("  ")), ru()).unwrap();
        assert_eq!(f.forward_to, None);
        assert!(matches!(
            validate(&input(None, Some("voicemail")), ru()),
            Err(WriteError::Invalid {
                field: "forward_to",
                ..
            })
        ));
        assert!(validate(&input(Some("101"), Some("101")), ru()).is_err());
    }

    #[test]
    fn fixed_passwords_must_be_long_and_printable() {
        assert!(check_fixed_password("short").is_err());
        assert!(check_fixed_password("has a space in it").is_err());
        assert!(check_fixed_password("Desk-Phone-2026!").is_ok());
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let account = SipAccount {
            id: 1,
            user_id: 2,
            display_name: "Anna".into(),
            extension: "101".into(),
            sip_login: "callcard_101".into(),
            sip_password: "hunter2hunter2".into(),
            accept_incoming: true,
            browser_calls: true,
            forward_to: None,
        };
        let shown = format!("{account:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("***"),
            "{shown}"
        );
    }
}
