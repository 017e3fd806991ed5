//! Relay settings: CLI flags, each with a `CALLCARD_*` environment variable, over
//! an optional TOML file (`CALLCARD_CONFIG`), over built-in defaults.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use callcard_shared::api::TrunkInput;
use callcard_shared::phone::Region;
use clap::Parser;
use serde::Deserialize;

use crate::media::MediaConfig;

/// Command line of `callcard-relay`. A flag or variable beats the TOML file,
/// which beats the default.
#[derive(Debug, Parser)]
#[command(
    name = "callcard-relay",
    version,
    about = "Callcard relay: CRM telephony server"
)]
pub struct Cli {
    /// HTTP address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "CALLCARD_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory for the SQLite file and recordings [default: data].
    #[arg(long, env = "CALLCARD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL; overrides the SQLite file under the data directory.
    #[arg(long, env = "CALLCARD_DATABASE_URL")]
    pub database_url: Option<String>,
    /// TOML file with any of these settings (same names, snake_case).
    #[arg(long, env = "CALLCARD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory of the built frontend (Trunk's dist) [default: dist].
    #[arg(long, env = "CALLCARD_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Region for numbers written without `+` (ISO 3166 code) [default: RU].
    #[arg(long, env = "CALLCARD_DEFAULT_REGION")]
    pub default_region: Option<String>,
    /// Fill an empty database with demo users, contacts and deals.
    #[arg(long, env = "CALLCARD_DEMO")]
    pub demo: bool,
    /// Mark the session cookie Secure (set this when a TLS proxy fronts the relay).
    #[arg(long, env = "CALLCARD_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "CALLCARD_LOG_JSON")]
    pub log_json: bool,
    /// SIP address for trunks and desk phones, UDP [default: 0.0.0.0:5060].
    #[arg(long, env = "CALLCARD_SIP_LISTEN")]
    pub sip_listen: Option<SocketAddr>,
    /// Seconds an inbound call rings the users before it is missed [default: 15].
    #[arg(long, env = "CALLCARD_DIAL_TIMEOUT")]
    pub dial_timeout: Option<u64>,
    /// PEM file of CA certificates TLS trunks trust besides the system roots
    /// (a provider's private CA).
    #[arg(long, env = "CALLCARD_SIP_TLS_CA")]
    pub sip_tls_ca: Option<PathBuf>,
    /// Number an unanswered inbound call is forwarded to after the dial timeout
    /// (through a trunk); unset: the call is missed.
    #[arg(long, env = "CALLCARD_FORWARD_TO")]
    pub forward_to: Option<String>,
    /// Record no call on this relay, whatever the recording settings say.
    #[arg(long, env = "CALLCARD_NO_RECORDING")]
    pub no_recording: bool,
    /// UDP ports for call media, FIRST-LAST [default: 10000-20000].
    #[arg(long, env = "CALLCARD_RTP_PORTS")]
    pub rtp_ports: Option<String>,
    /// Address written into media SDP when the relay sits behind NAT
    /// [default: the SIP listen address].
    #[arg(long, env = "CALLCARD_PUBLIC_IP")]
    pub public_ip: Option<IpAddr>,
}

/// The TOML file's shape; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `[[trunks]]`: trunks to create or bring in line at every start (by name).
    #[serde(default)]
    pub trunks: Vec<TrunkEntry>,
    /// `[[sip_users]]`: telephony users to create or bring in line (by CRM login).
    #[serde(default)]
    pub sip_users: Vec<SipUserEntry>,
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub static_dir: Option<PathBuf>,
    pub default_region: Option<String>,
    pub demo: Option<bool>,
    pub secure_cookies: Option<bool>,
    pub log_json: Option<bool>,
    pub sip_listen: Option<SocketAddr>,
    pub dial_timeout: Option<u64>,
    pub sip_tls_ca: Option<PathBuf>,
    pub forward_to: Option<String>,
    /// `[recording]`: the recording settings, written at every start
    /// (the file wins over what the admin page saved).
    pub recording: Option<callcard_shared::api::RecordingSettings>,
    pub rtp_ports: Option<String>,
    pub public_ip: Option<IpAddr>,
}

/// Resolved settings the relay runs with. `Debug` shows no trunk or SIP password.
#[derive(Debug, Clone)]
pub struct Config {
    /// Applied by `Relay::start` (see `provision`).
    pub trunks: Vec<TrunkEntry>,
    pub sip_users: Vec<SipUserEntry>,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub static_dir: PathBuf,
    pub default_region: Region,
    pub demo: bool,
    pub secure_cookies: bool,
    pub log_json: bool,
    /// UDP address of the SIP side; each trunk also gets its own port on this IP.
    pub sip_listen: SocketAddr,
    /// How long an inbound call rings the users before it is missed.
    pub dial_timeout: std::time::Duration,
    /// Extra CA certificates (PEM) for TLS trunks, besides the system roots.
    pub sip_tls_ca: Option<PathBuf>,
    /// Where an unanswered inbound call goes after the dial timeout, if anywhere.
    pub forward_to: Option<String>,
    /// False: no call is recorded, whatever the recording settings say
    /// (`--no-recording`). True: as the settings say.
    pub record_calls: bool,
    /// `[recording]` of the config file, applied by `Relay::start`.
    pub recording: Option<callcard_shared::api::RecordingSettings>,
    /// A new call is recorded only while the data directory's disk has this
    /// much room (200 MB).
    pub recording_min_free_bytes: u64,
    /// UDP ports the media bridge hands out to calls.
    pub rtp_ports: RangeInclusive<u16>,
    /// The media address for SDP behind NAT; `None`: the SIP listen IP.
    pub public_ip: Option<IpAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Only the message and the line: the parser's own text quotes the file,
    /// which may hold trunk and SIP passwords.
    #[error("config file {path}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("default_region: {0}")]
    Region(#[from] callcard_shared::phone::PhoneError),
    #[error("forward_to: {0}")]
    ForwardTo(callcard_shared::phone::PhoneError),
    #[error("rtp_ports: {0}")]
    RtpPorts(String),
}

impl Config {
    /// Settings for tests and embedding: everything default, data under `data_dir`.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            trunks: Vec::new(),
            sip_users: Vec::new(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            database_url: None,
            static_dir: PathBuf::from("dist"),
            default_region: "RU".parse().expect("RU is a region"),
            demo: false,
            secure_cookies: false,
            log_json: false,
            sip_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            dial_timeout: std::time::Duration::from_secs(15),
            sip_tls_ca: None,
            forward_to: None,
            record_calls: true,
            recording: None,
            recording_min_free_bytes: 200_000_000,
            // Above the media tests' 23000-23999, below the ephemeral ports.
            rtp_ports: 24000..=24999,
            public_ip: None,
        }
    }

    pub fn resolve(cli: Cli) -> Result<Self, ConfigError> {
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let region = cli
            .default_region
            .or(file.default_region)
            .unwrap_or_else(|| "RU".into());
        Ok(Config {
            trunks: file.trunks,
            sip_users: file.sip_users,
            listen: cli
                .listen
                .or(file.listen)
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir: cli
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| "data".into()),
            database_url: cli.database_url.or(file.database_url),
            static_dir: cli
                .static_dir
                .or(file.static_dir)
                .unwrap_or_else(|| "dist".into()),
            default_region: region.parse()?,
            demo: cli.demo || file.demo.unwrap_or(false),
            secure_cookies: cli.secure_cookies || file.secure_cookies.unwrap_or(false),
            log_json: cli.log_json || file.log_json.unwrap_or(false),
            sip_listen: cli
                .sip_listen
                .or(file.sip_listen)
                .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 5060))),
            dial_timeout: std::time::Duration::from_secs(
                cli.dial_timeout.or(file.dial_timeout).unwrap_or(15).max(1),
            ),
            sip_tls_ca: cli.sip_tls_ca.or(file.sip_tls_ca),
            forward_to: match cli
                .forward_to
                .or(file.forward_to)
                .filter(|n| !n.trim().is_empty())
            {
                Some(n) => Some(
                    callcard_shared::phone::to_e164(&n, region.parse()?)
                        .map_err(ConfigError::ForwardTo)?,
                ),
                None => None,
            },
            record_calls: !cli.no_recording,
            recording: file.recording,
            recording_min_free_bytes: 200_000_000,
            rtp_ports: MediaConfig::parse_ports(
                cli.rtp_ports
                    .or(file.rtp_ports)
                    .as_deref()
                    .unwrap_or("10000-20000"),
            )
            .map_err(ConfigError::RtpPorts)?,
            public_ip: cli.public_ip.or(file.public_ip),
        })
    }

    /// The media bridge's settings: sockets on the SIP listen IP, SDP with
    /// the public address when one is set.
    /// With a wildcard SIP address and no public IP, the SDP carries this
    /// machine's address on its default route (127.0.0.1 without one), so
    /// `cargo xtask run` on a laptop gets media with no setting at all.
    pub fn media(&self) -> MediaConfig {
        let bind = self.sip_listen.ip();
        let public = self
            .public_ip
            .or_else(|| bind.is_unspecified().then(default_route_ip));
        MediaConfig::new(bind, public, self.rtp_ports.clone())
    }

    /// The database the relay opens: the explicit URL, else `<data_dir>/callcard.sqlite`.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("callcard.sqlite").display()
            ),
        }
    }
}

/// The local address of the default route: a UDP "connect" sends nothing, it
/// only picks the source address. 127.0.0.1 when there is no route.
fn default_route_ip() -> std::net::IpAddr {
    std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]))
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e: toml::de::Error| ConfigError::Parse {
        path: path.to_owned(),
        line: e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_string(),
    })
}

/// A `[[trunks]]` entry of the config file: the fields of the API's trunk
/// input (`password` is required when the trunk does not exist yet).
#[derive(Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct TrunkEntry(pub TrunkInput);

impl std::fmt::Debug for TrunkEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = self.0.clone();
        shown.password = shown.password.map(|_| "***".into());
        shown.fmt(f)
    }
}

/// A `[[sip_users]]` entry of the config file: the telephony user of a CRM user.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipUserEntry {
    /// The CRM user's login.
    pub login: String,
    /// 3 to 6 digits (a string or a number in the file).
    #[serde(deserialize_with = "extension")]
    pub extension: String,
    /// A fixed SIP password (for desk phones set up by hand). Omitted: one is
    /// generated when the telephony user is created and then kept; an
    /// administrator sees a new one with `POST /api/sip-users/{id}/password`.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default = "yes")]
    pub accept_incoming: bool,
    #[serde(default = "yes")]
    pub browser_calls: bool,
    #[serde(default)]
    pub forward_to: Option<String>,
}

impl std::fmt::Debug for SipUserEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipUserEntry")
            .field("login", &self.login)
            .field("extension", &self.extension)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("accept_incoming", &self.accept_incoming)
            .field("browser_calls", &self.browser_calls)
            .field("forward_to", &self.forward_to)
            .finish()
    }
}

fn yes() -> bool {
    true
}

fn extension<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Number(u32),
    }
    Ok(match Written::deserialize(d)? {
        Written::Text(s) => s,
        Written::Number(n) => n.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("callcard-relay").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn flags_beat_the_file_and_the_file_beats_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("relay.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/cc\"\ndefault_region = \"PL\"\n",
        )
        .unwrap();
        let config = Config::resolve(cli(&[
            "--config",
            file.to_str().unwrap(),
            "--listen",
            "127.0.0.1:9100",
        ]))
        .unwrap();
        assert_eq!(config.listen.port(), 9100);
        assert_eq!(config.data_dir, PathBuf::from("/srv/cc"));
        assert_eq!(config.default_region.code(), "PL");
        assert_eq!(config.static_dir, PathBuf::from("dist"));
        assert!(config
            .database_url()
            .starts_with("sqlite:///srv/cc/callcard.sqlite"));
    }

    #[test]
    fn a_typo_in_the_file_is_an_error_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("relay.toml");
        std::fs::write(&file, "listn = \"127.0.0.1:9000\"\n").unwrap();
        let err = Config::resolve(cli(&["--config", file.to_str().unwrap()])).unwrap_err();
        assert!(err.to_string().contains("listn"), "{err}");
    }

    #[test]
    fn telephony_entries_are_read_and_their_passwords_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("relay.toml");
        std::fs::write(
            &file,
            r#"
[[trunks]]
name = "main"
number = "+7 495 111-22-33"
username = "u1"
password = "trunk-pw-xyzzy"
domain = "sip.example.net"
host = "sip.example.net:5060"

[[sip_users]]
login = "anna"
extension = 201
password = "desk-pw-plugh-2026"
"#,
        )
        .unwrap();
        let config = Config::resolve(cli(&["--config", file.to_str().unwrap()])).unwrap();
        assert_eq!(config.trunks.len(), 1);
        assert_eq!(
            config.trunks[0].0.expires, 3600,
            "TrunkInput defaults apply"
        );
        assert_eq!(config.sip_users[0].extension, "201");
        assert!(config.sip_users[0].browser_calls);
        let shown = format!("{config:?}");
        assert!(shown.contains("main") && shown.contains("anna"), "{shown}");
        assert!(
            !shown.contains("xyzzy") && !shown.contains("plugh"),
            "{shown}"
        );
    }

    #[test]
    fn a_typo_in_a_trunk_entry_names_the_line_but_never_quotes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("relay.toml");
        std::fs::write(
            &file,
            "[[trunks]]\nname = \"main\"\npasword = \"trunk-pw-xyzzy\"\n",
        )
        .unwrap();
        let err = Config::resolve(cli(&["--config", file.to_str().unwrap()]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("pasword") && err.contains("line 3"), "{err}");
        assert!(!err.contains("xyzzy"), "{err}");
    }

    #[test]
    fn media_ports_and_public_address_come_from_flags_or_the_file() {
        let config = Config::resolve(cli(&[])).unwrap();
        assert_eq!(config.rtp_ports, 10000..=20000);
        assert_eq!(config.public_ip, None);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("relay.toml");
        std::fs::write(
            &file,
            "rtp_ports = \"30000-30999\"\npublic_ip = \"203.0.113.7\"\n",
        )
        .unwrap();
        let config = Config::resolve(cli(&["--config", file.to_str().unwrap()])).unwrap();
        assert_eq!(config.rtp_ports, 30000..=30999);
        assert_eq!(config.public_ip, Some("203.0.113.7".parse().unwrap()));
        assert_eq!(
            config.media().advertised_ip().unwrap().to_string(),
            "203.0.113.7"
        );
        let config = Config::resolve(cli(&[
            "--config",
            file.to_str().unwrap(),
            "--rtp-ports",
            "40000-40100",
        ]))
        .unwrap();
        assert_eq!(config.rtp_ports, 40000..=40100);
        let err = Config::resolve(cli(&["--rtp-ports", "5-2"])).unwrap_err();
        assert!(err.to_string().contains("rtp_ports"), "{err}");
    }

    #[test]
    fn an_unknown_region_is_refused() {
        let err = Config::resolve(cli(&["--default-region", "ZZ"])).unwrap_err();
        assert!(err.to_string().contains("ZZ"), "{err}");
    }
}
