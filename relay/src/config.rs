//! Relay settings: CLI flags, each with a `CALLCARD_*` environment variable, over
//! an optional TOML file (`CALLCARD_CONFIG`), over built-in defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use callcard_shared::phone::Region;
use clap::Parser;
use serde::Deserialize;

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
}

/// The TOML file's shape; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub static_dir: Option<PathBuf>,
    pub default_region: Option<String>,
    pub demo: Option<bool>,
    pub secure_cookies: Option<bool>,
    pub log_json: Option<bool>,
}

/// Resolved settings the relay runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub static_dir: PathBuf,
    pub default_region: Region,
    pub demo: bool,
    pub secure_cookies: bool,
    pub log_json: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("default_region: {0}")]
    Region(#[from] callcard_shared::phone::PhoneError),
}

impl Config {
    /// Settings for tests and embedding: everything default, data under `data_dir`.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            database_url: None,
            static_dir: PathBuf::from("dist"),
            default_region: "RU".parse().expect("RU is a region"),
            demo: false,
            secure_cookies: false,
            log_json: false,
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
        })
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

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.to_owned(),
        source,
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
    fn an_unknown_region_is_refused() {
        let err = Config::resolve(cli(&["--default-region", "ZZ"])).unwrap_err();
        assert!(err.to_string().contains("ZZ"), "{err}");
    }
}
