//! Installs what the build and the tests need, each only when missing:
//! the wasm32 target, Trunk, wasm-bindgen-cli (at the version Cargo.lock
//! pins), wasm-opt (npm `binaryen`), and Debian packages for the browser and
//! SIP tests (Chromium, SoX, SIPp, Kamailio) and the benchmarks (rtpengine).

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::shell::{self, Cmd};

/// Trunk 0.21.14 is the newest that builds on rustc 1.95 (0.22 needs 1.96).
const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt 132 reads rustc 1.95 output; Debian's binaryen (108) cannot.
const BINARYEN_VERSION: &str = "132.0.0";

/// Debian packages the browser tests use, with a program that proves each present.
const BROWSER_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "chromium"),
    ("chromium-driver", "chromedriver"),
    ("sox", "sox"),
    // `ss -K`: the browser test of a call surviving a dropped connection.
    ("iproute2", "ss"),
];

/// What the product itself runs as programs: espeak-ng speaks the default
/// consent announcement (GPL-3, so run, never linked).
const PRODUCT_PACKAGES: &[(&str, &str)] = &[("espeak-ng", "espeak-ng")];

/// The real SIP peers of the telephony tests and the calls-per-second benchmark.
const SIP_PACKAGES: &[(&str, &str)] = &[
    ("sip-tester", "sipp"),
    // Debian puts it in /usr/sbin, which a non-root PATH may lack.
    ("kamailio", "/usr/sbin/kamailio"),
];

#[derive(Clone, Copy)]
pub struct Needs {
    test_packages: bool,
}

impl Needs {
    pub fn frontend() -> Needs {
        Needs {
            test_packages: false,
        }
    }
    pub fn everything() -> Needs {
        Needs {
            test_packages: true,
        }
    }
}

pub fn ensure_all(needs: Needs) -> Result<()> {
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
    let bindgen = locked_version("wasm-bindgen")?;
    // Without --locked: its lockfile pins a crate version missing from the registry.
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen, false)?;
    ensure_binaryen()?;
    if needs.test_packages {
        ensure_debian_packages(&[BROWSER_PACKAGES, SIP_PACKAGES, PRODUCT_PACKAGES].concat())?;
    }
    Ok(())
}

/// espeak-ng for the product run; without it the relay still runs and the
/// recordings page says why the default announcement is missing.
pub fn ensure_product_packages() {
    if let Err(e) = ensure_debian_packages(PRODUCT_PACKAGES) {
        eprintln!(
            "xtask: espeak-ng is not installed ({e:#}); the default consent announcement needs it"
        );
    }
}

/// Only SIPp and Kamailio (what `cargo xtask bench` needs besides cargo).
pub fn ensure_sip_peers() -> Result<()> {
    ensure_debian_packages(SIP_PACKAGES)
}

/// rtpengine, the anchor of the media bridge benchmark. Without recommends:
/// the `rtpengine` meta-package and the recommended recording daemon are not
/// needed (the former pulls DKMS and kernel headers); the userspace daemon is.
pub fn ensure_rtpengine() -> Result<()> {
    ensure_debian_packages_with(
        &[("rtpengine-daemon", "rtpengine")],
        &["--no-install-recommends"],
    )
}

/// PATH with cargo's bin directory and the cached wasm-opt first, so Trunk
/// (offline) finds exactly the tools installed here.
pub fn tool_path() -> OsString {
    let mut dirs = vec![binaryen_bin(), cargo_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
        .join("bin")
}

fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache"))
        .join("callcard")
}

fn binaryen_bin() -> PathBuf {
    cache_dir().join("binaryen/node_modules/.bin")
}

fn ensure_wasm_target() -> Result<()> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output_if_ok()
        .unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    shell::timed("installing the wasm32-unknown-unknown target", || {
        Cmd::new("rustup")
            .args(["target", "add", "wasm32-unknown-unknown"])
            .status_ok()
    })
}

/// The version of `package` in Cargo.lock.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(shell::repo_root().join("Cargo.lock"))
        .context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_string());
            }
        }
    }
    bail!("{package} is not in Cargo.lock")
}

fn installed_version(program: &str) -> Option<String> {
    let path = cargo_bin().join(program);
    let program = if path.is_file() {
        path.into_os_string()
    } else {
        program.into()
    };
    let out = Cmd::new(program).arg("--version").output_if_ok()?;
    out.split_whitespace().nth(1).map(str::to_string)
}

fn ensure_cargo_tool(program: &str, krate: &str, version: &str, locked: bool) -> Result<()> {
    if installed_version(program).as_deref() == Some(version) {
        return Ok(());
    }
    shell::timed(
        &format!("installing {krate} {version} (a few minutes, once)"),
        || {
            let mut cmd = shell::cargo(&["install", krate, "--version", version]);
            if locked {
                cmd = cmd.arg("--locked");
            }
            cmd.status_ok()
        },
    )
}

fn ensure_binaryen() -> Result<()> {
    let wasm_opt = binaryen_bin().join("wasm-opt");
    let have = Cmd::new(&wasm_opt)
        .arg("--version")
        .output_if_ok()
        .unwrap_or_default();
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    if have.contains(&format!("version {major}")) {
        return Ok(());
    }
    let prefix = cache_dir().join("binaryen");
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    shell::timed(
        &format!("installing wasm-opt (npm binaryen@{BINARYEN_VERSION})"),
        || {
            Cmd::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&prefix)
                .arg(format!("binaryen@{BINARYEN_VERSION}"))
                .status_ok()
        },
    )
}

fn ensure_debian_packages(packages: &[(&str, &str)]) -> Result<()> {
    ensure_debian_packages_with(packages, &[])
}

/// Installs the `packages` whose program is missing, passing `options` to
/// `apt-get install`.
fn ensure_debian_packages_with(packages: &[(&str, &str)], options: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, program)| shell::which(program).is_none())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root = Cmd::new("id")
        .arg("-u")
        .output_if_ok()
        .is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let cmd = if root {
            Cmd::new("apt-get")
        } else if shell::which("sudo").is_some() {
            Cmd::new("sudo").arg("apt-get")
        } else {
            bail!(
                "the tests need the Debian packages {} and this user cannot install them; \
                 install them as root and run again",
                missing.join(" ")
            );
        };
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status_ok()
    };
    shell::timed(
        &format!("installing Debian packages: {}", missing.join(" ")),
        || {
            let mut install = vec!["install", "-y", "-q"];
            install.extend(options);
            install.extend(&missing);
            if apt(&install).is_err() {
                apt(&["update", "-q"])?;
                apt(&install)?;
            }
            Ok(())
        },
    )
}

/// The fuzz crate needs nightly; install a minimal one when missing.
pub fn ensure_nightly() -> Result<()> {
    if Cmd::new("cargo")
        .args(["+nightly", "--version"])
        .output_if_ok()
        .is_some()
    {
        return Ok(());
    }
    shell::timed(
        "installing a nightly toolchain (for the fuzz targets)",
        || {
            Cmd::new("rustup")
                .args(["toolchain", "install", "nightly", "--profile", "minimal"])
                .status_ok()
        },
    )
}

pub fn ensure_cargo_fuzz() -> Result<()> {
    ensure_nightly()?;
    if Cmd::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .output_if_ok()
        .is_some()
    {
        return Ok(());
    }
    shell::timed("installing cargo-fuzz", || {
        shell::cargo(&["install", "cargo-fuzz", "--locked"]).status_ok()
    })
}
