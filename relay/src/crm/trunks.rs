//! Trunks (SIP accounts at providers): the validation the API and the config
//! file share, the admin's view (never the password), and the full
//! configuration the SIP runtime registers and dials with.

use std::fmt;
use std::net::Ipv6Addr;
use std::ops::RangeInclusive;

use callcard_shared::api::{SipTransport, Trunk, TrunkInput};
use callcard_shared::phone::{self, Region};
use sqlx::SqlitePool;

use super::{is_unique_violation, WriteError};
use crate::telephony::status::TrunkStatusBoard;
use crate::time::now_rfc3339;

/// Registration expiry an admin may ask for, in seconds.
pub const EXPIRES: RangeInclusive<u32> = 60..=86_400;
pub const MAX_NAME_CHARS: usize = 100;

/// Everything the SIP runtime needs to register and dial through a trunk,
/// password included. Its `Debug` shows the password as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct TrunkConfig {
    pub id: i64,
    pub name: String,
    /// E.164.
    pub number: String,
    pub username: String,
    pub password: String,
    pub domain: String,
    /// `host` or `host:port`.
    pub host: String,
    pub transport: SipTransport,
    /// `host` or `host:port`.
    pub outbound_proxy: Option<String>,
    pub register: bool,
    pub expires: u32,
    pub priority: i32,
}

impl fmt::Debug for TrunkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrunkConfig")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("number", &self.number)
            .field("username", &self.username)
            .field("password", &"***")
            .field("domain", &self.domain)
            .field("host", &self.host)
            .field("transport", &self.transport)
            .field("outbound_proxy", &self.outbound_proxy)
            .field("register", &self.register)
            .field("expires", &self.expires)
            .field("priority", &self.priority)
            .finish()
    }
}

/// A trunk as validated input: text trimmed, the number in E.164.
/// `password: None` keeps the stored one on update. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct TrunkFields {
    pub name: String,
    pub number: String,
    pub username: String,
    pub password: Option<String>,
    pub domain: String,
    pub host: String,
    pub transport: SipTransport,
    pub outbound_proxy: Option<String>,
    pub register: bool,
    pub expires: u32,
    pub priority: i32,
    pub enabled: bool,
}

impl fmt::Debug for TrunkFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrunkFields")
            .field("name", &self.name)
            .field("number", &self.number)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("domain", &self.domain)
            .field("host", &self.host)
            .field("transport", &self.transport)
            .field("outbound_proxy", &self.outbound_proxy)
            .field("register", &self.register)
            .field("expires", &self.expires)
            .field("priority", &self.priority)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// Checks a trunk as the admin or the config file wrote it; numbers without
/// `+` are read in `region`. The error names the first field at fault.
pub fn validate(input: &TrunkInput, region: Region) -> Result<TrunkFields, WriteError> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(WriteError::invalid("name", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(WriteError::invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(WriteError::invalid(
            "name",
            "must not contain control characters",
        ));
    }
    let number = phone::to_e164(&input.number, region)
        .map_err(|e| WriteError::invalid("number", e.to_string()))?;
    let username = input.username.trim();
    if username.is_empty()
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(WriteError::invalid(
            "username",
            "must be a SIP user name without spaces",
        ));
    }
    if let Some(password) = &input.password {
        if password.is_empty() {
            return Err(WriteError::invalid("password", "must not be empty"));
        }
        if password.chars().any(char::is_control) {
            return Err(WriteError::invalid(
                "password",
                "must not contain control characters",
            ));
        }
    }
    let domain = input.domain.trim();
    check_host(domain).map_err(|m| WriteError::invalid("domain", m))?;
    let host = input.host.trim();
    check_host_port(host).map_err(|m| WriteError::invalid("host", m))?;
    let outbound_proxy = match input.outbound_proxy.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(proxy) => {
            check_host_port(proxy).map_err(|m| WriteError::invalid("outbound_proxy", m))?;
            Some(proxy.to_string())
        }
    };
    if !EXPIRES.contains(&input.expires) {
        return Err(WriteError::invalid(
            "expires",
            format!(
                "must be between {} and {} seconds",
                EXPIRES.start(),
                EXPIRES.end()
            ),
        ));
    }
    Ok(TrunkFields {
        name: name.to_string(),
        number,
        username: username.to_string(),
        password: input.password.clone(),
        domain: domain.to_string(),
        host: host.to_string(),
        transport: input.transport,
        outbound_proxy,
        register: input.register,
        expires: input.expires,
        priority: input.priority,
        enabled: input.enabled,
    })
}

/// A host name, an IPv4 address or a bracketed IPv6 address.
fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("must not be empty".into());
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .map(|_| ())
            .map_err(|_| format!("`{host}` is not an IPv6 address"));
    }
    if host.contains(':') {
        return Err(format!(
            "`{host}`: write an IPv6 address in brackets, e.g. [2001:db8::1]"
        ));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.len() > 253 || !host.trim_end_matches('.').split('.').all(label_ok) {
        return Err(format!("`{host}` is not a host name or IP address"));
    }
    Ok(())
}

/// `host` or `host:port`, the port 1 to 65535.
fn check_host_port(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    let (host, port) = if s.starts_with('[') {
        match s.find(']') {
            Some(end) => match &s[end + 1..] {
                "" => (s, None),
                rest => match rest.strip_prefix(':') {
                    Some(port) => (&s[..=end], Some(port)),
                    None => return Err(format!("`{s}`: expected `:port` after `]`")),
                },
            },
            None => return Err(format!("`{s}`: the IPv6 address needs its closing `]`")),
        }
    } else if s.matches(':').count() == 1 {
        let (host, port) = s.split_once(':').unwrap_or((s, ""));
        (host, Some(port))
    } else {
        (s, None)
    };
    check_host(host)?;
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p >= 1 && port.chars().all(|c| c.is_ascii_digit()) => {}
            _ => {
                return Err(format!(
                    "`{port}`: the port must be a number from 1 to 65535"
                ))
            }
        }
    }
    Ok(())
}

fn transport_str(t: SipTransport) -> &'static str {
    match t {
        SipTransport::Udp => "udp",
        SipTransport::Tcp => "tcp",
        SipTransport::Tls => "tls",
    }
}

fn transport_from(s: &str) -> SipTransport {
    match s {
        "tcp" => SipTransport::Tcp,
        "tls" => SipTransport::Tls,
        _ => SipTransport::Udp,
    }
}

/// `config_columns!(" WHERE …")`: the query as one `&'static str`.
macro_rules! config_columns {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, number, username, password, domain, host, transport,
        outbound_proxy, register, expires, priority, enabled FROM trunks",
            $tail
        )
    };
}

#[derive(sqlx::FromRow)]
struct ConfigRow {
    id: i64,
    name: String,
    number: String,
    username: String,
    password: String,
    domain: String,
    host: String,
    transport: String,
    outbound_proxy: Option<String>,
    register: bool,
    expires: i64,
    priority: i64,
    enabled: bool,
}

impl ConfigRow {
    fn config(self) -> TrunkConfig {
        TrunkConfig {
            id: self.id,
            name: self.name,
            number: self.number,
            username: self.username,
            password: self.password,
            domain: self.domain,
            host: self.host,
            transport: transport_from(&self.transport),
            outbound_proxy: self.outbound_proxy,
            register: self.register,
            expires: u32::try_from(self.expires).unwrap_or(*EXPIRES.end()),
            priority: i32::try_from(self.priority).unwrap_or(i32::MAX),
        }
    }

    fn fields(self) -> TrunkFields {
        let enabled = self.enabled;
        let c = self.config();
        TrunkFields {
            name: c.name,
            number: c.number,
            username: c.username,
            password: Some(c.password),
            domain: c.domain,
            host: c.host,
            transport: c.transport,
            outbound_proxy: c.outbound_proxy,
            register: c.register,
            expires: c.expires,
            priority: c.priority,
            enabled,
        }
    }
}

/// The enabled trunks, in the order calls try them (priority, then id).
pub async fn enabled(db: &SqlitePool) -> sqlx::Result<Vec<TrunkConfig>> {
    let rows: Vec<ConfigRow> =
        sqlx::query_as(config_columns!(" WHERE enabled ORDER BY priority, id"))
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(ConfigRow::config).collect())
}

/// The enabled trunk receiving calls on `e164` (the first by priority, then
/// id, when several share the number); disabled trunks are never returned.
pub async fn by_number(db: &SqlitePool, e164: &str) -> sqlx::Result<Option<TrunkConfig>> {
    let row: Option<ConfigRow> = sqlx::query_as(config_columns!(
        " WHERE enabled AND number = $1 ORDER BY priority, id LIMIT 1"
    ))
    .bind(e164)
    .fetch_optional(db)
    .await?;
    Ok(row.map(ConfigRow::config))
}

async fn stored(db: &SqlitePool, id: i64) -> sqlx::Result<Option<TrunkFields>> {
    let row: Option<ConfigRow> = sqlx::query_as(config_columns!(" WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(ConfigRow::fields))
}

/// The admin's view: no password column is read at all.
/// `api_columns!(" WHERE …")`: the query as one `&'static str`.
macro_rules! api_columns {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, number, username, password <> '' AS has_password,
        domain, host, transport, outbound_proxy, register, expires, priority, enabled FROM trunks",
            $tail
        )
    };
}

#[derive(sqlx::FromRow)]
struct ApiRow {
    id: i64,
    name: String,
    number: String,
    username: String,
    has_password: bool,
    domain: String,
    host: String,
    transport: String,
    outbound_proxy: Option<String>,
    register: bool,
    expires: i64,
    priority: i64,
    enabled: bool,
}

impl ApiRow {
    fn trunk(self, board: &TrunkStatusBoard) -> Trunk {
        Trunk {
            status: board.get(self.id),
            id: self.id,
            name: self.name,
            number: self.number,
            username: self.username,
            domain: self.domain,
            host: self.host,
            transport: transport_from(&self.transport),
            outbound_proxy: self.outbound_proxy,
            register: self.register,
            expires: u32::try_from(self.expires).unwrap_or(*EXPIRES.end()),
            priority: i32::try_from(self.priority).unwrap_or(i32::MAX),
            enabled: self.enabled,
            has_password: self.has_password,
        }
    }
}

/// Every trunk with its live status, by priority then name.
pub async fn list(db: &SqlitePool, board: &TrunkStatusBoard) -> sqlx::Result<Vec<Trunk>> {
    let rows: Vec<ApiRow> = sqlx::query_as(api_columns!(" ORDER BY priority, name, id"))
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|r| r.trunk(board)).collect())
}

pub async fn get(
    db: &SqlitePool,
    id: i64,
    board: &TrunkStatusBoard,
) -> sqlx::Result<Option<Trunk>> {
    let row: Option<ApiRow> = sqlx::query_as(api_columns!(" WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.trunk(board)))
}

pub async fn id_by_name(db: &SqlitePool, name: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM trunks WHERE name = $1")
        .bind(name)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(id,)| id))
}

fn name_taken(name: &str) -> WriteError {
    WriteError::conflict("name", format!("a trunk named `{name}` already exists"))
}

/// Inserts a validated trunk; the password is required here.
pub async fn create(db: &SqlitePool, fields: &TrunkFields) -> Result<i64, WriteError> {
    let Some(password) = &fields.password else {
        return Err(WriteError::invalid("password", "required for a new trunk"));
    };
    if id_by_name(db, &fields.name).await?.is_some() {
        return Err(name_taken(&fields.name));
    }
    let now = now_rfc3339();
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO trunks (name, number, username, password, domain, host, transport,
                             outbound_proxy, register, expires, priority, enabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(&fields.name)
    .bind(&fields.number)
    .bind(&fields.username)
    .bind(password)
    .bind(&fields.domain)
    .bind(&fields.host)
    .bind(transport_str(fields.transport))
    .bind(&fields.outbound_proxy)
    .bind(fields.register)
    .bind(i64::from(fields.expires))
    .bind(i64::from(fields.priority))
    .bind(fields.enabled)
    .bind(&now)
    .fetch_one(db)
    .await;
    match inserted {
        Ok((id,)) => Ok(id),
        Err(e) if is_unique_violation(&e, "trunks", "name") => Err(name_taken(&fields.name)),
        Err(e) => Err(e.into()),
    }
}

/// Replaces trunk `id` with `fields` (`password: None` keeps the stored one).
/// `None`: no such trunk; `Some(changed)`: whether anything differed.
pub async fn update(
    db: &SqlitePool,
    id: i64,
    fields: &TrunkFields,
) -> Result<Option<bool>, WriteError> {
    let Some(old) = stored(db, id).await? else {
        return Ok(None);
    };
    if id_by_name(db, &fields.name)
        .await?
        .is_some_and(|other| other != id)
    {
        return Err(name_taken(&fields.name));
    }
    let mut new = fields.clone();
    if new.password.is_none() {
        new.password = old.password.clone();
    }
    if new == old {
        return Ok(Some(false));
    }
    let updated = sqlx::query(
        "UPDATE trunks SET name = $1, number = $2, username = $3, password = $4, domain = $5,
                host = $6, transport = $7, outbound_proxy = $8, register = $9, expires = $10,
                priority = $11, enabled = $12, updated_at = $13
          WHERE id = $14",
    )
    .bind(&new.name)
    .bind(&new.number)
    .bind(&new.username)
    .bind(&new.password)
    .bind(&new.domain)
    .bind(&new.host)
    .bind(transport_str(new.transport))
    .bind(&new.outbound_proxy)
    .bind(new.register)
    .bind(i64::from(new.expires))
    .bind(i64::from(new.priority))
    .bind(new.enabled)
    .bind(now_rfc3339())
    .bind(id)
    .execute(db)
    .await;
    match updated {
        Ok(done) => Ok(Some(done.rows_affected() > 0)),
        Err(e) if is_unique_violation(&e, "trunks", "name") => Err(name_taken(&fields.name)),
        Err(e) => Err(e.into()),
    }
}

/// Deletes trunk `id`; its call records keep their data with no trunk.
pub async fn delete(db: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM trunks WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TrunkInput {
        TrunkInput {
            name: " Main line ".into(),
            number: "8 (495) 123-45-67".into(),
            username: "user1".into(),
            password: Some("pw-secret".into()),
            domain: "sip.example.net".into(),
            host: "sip.example.net:5080".into(),
            transport: SipTransport::Udp,
            outbound_proxy: Some("  ".into()),
            register: true,
            expires: 3600,
            priority: 0,
            enabled: true,
        }
    }

    fn field_of(input: &TrunkInput) -> Option<&'static str> {
        match validate(input, "RU".parse().unwrap()) {
            Ok(_) => None,
            Err(WriteError::Invalid { field, .. }) => Some(field),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_valid_trunk_is_trimmed_and_its_number_stored_as_e164() {
        let fields = validate(&input(), "RU".parse().unwrap()).unwrap();
        assert_eq!(fields.name, "Main line");
        assert_eq!(fields.number, "+74951234567");
        assert_eq!(fields.outbound_proxy, None);
    }

    #[test]
    fn hosts_take_an_optional_port_from_1_to_65535() {
        for good in [
            "sip.example.net",
            "10.0.0.1:5060",
            "[2001:db8::1]",
            "[2001:db8::1]:5061",
            "pbx:65535",
        ] {
            assert_eq!(check_host_port(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "pbx:0",
            "pbx:65536",
            "pbx:",
            "pbx:+5",
            "sip:pbx",
            "2001:db8::1",
            "[2001:db8::1",
            "bad host",
            "user@pbx",
            "-pbx",
        ] {
            assert!(check_host_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut TrunkInput);
        let cases: [(&str, Spoil); 9] = [
            ("name", |t| t.name = "  ".into()),
            ("number", |t| t.number = "call me".into()),
            ("username", |t| t.username = "a b".into()),
            ("password", |t| t.password = Some(String::new())),
            ("domain", |t| t.domain = String::new()),
            ("host", |t| t.host = "pbx:99999".into()),
            ("outbound_proxy", |t| t.outbound_proxy = Some("p:0".into())),
            ("expires", |t| t.expires = 59),
            ("expires", |t| t.expires = 86_401),
        ];
        for (field, spoil) in cases {
            let mut t = input();
            spoil(&mut t);
            assert_eq!(field_of(&t), Some(field));
        }
        let mut t = input();
        t.expires = 86_400;
        t.password = None;
        assert_eq!(field_of(&t), None, "no password on input means keep it");
    }

    #[test]
    fn debug_output_never_shows_a_password() {
        let fields = validate(&input(), "RU".parse().unwrap()).unwrap();
        assert!(!format!("{fields:?}").contains("pw-secret"));
        let config = TrunkConfig {
            id: 1,
            name: fields.name,
            number: fields.number,
            username: fields.username,
            password: "pw-secret".into(),
            domain: fields.domain,
            host: fields.host,
            transport: fields.transport,
            outbound_proxy: None,
            register: true,
            expires: 3600,
            priority: 0,
        };
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("pw-secret") && shown.contains("***"),
            "{shown}"
        );
    }
}
