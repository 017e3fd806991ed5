//! The project's commands, so that a fresh machine needs only the Rust
//! toolchain, gcc, Python, Node and npm:
//!
//! - `cargo xtask run [-- relay flags]` — install what is missing, build the
//!   frontend, start the relay with demo data on `data/callcard.sqlite`.
//! - `cargo xtask test` — install what the tests need, then formatting,
//!   clippy, the frontend build and every test (unit, integration, browser).
//! - `cargo xtask bench` — the benchmarks (SIP parsing, WebSocket registrations,
//!   screen-pop latency in Chromium,
//!   inbound calls per second against Kamailio, concurrent calls through the
//!   media bridge against rtpengine); figures land in `target/bench-figures/`.
//! - `cargo xtask fuzz [--seconds N]` — every fuzz target for N seconds (nightly).
//! - `cargo xtask screenshots` — the README's screenshots into `docs/screenshots/`.
//! - `cargo xtask setup` — only the installs.
//!
//! Every install step checks first and is skipped when already satisfied.

mod compress;
mod frontend;
mod shell;
mod tools;

use std::time::Instant;

use anyhow::{bail, Context, Result};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("bench") => bench(),
        Some("fuzz") => fuzz(&args[1..]),
        Some("screenshots") => screenshots(),
        Some("setup") => tools::ensure_all(tools::Needs::everything()),
        Some("frontend") => tools::ensure_all(tools::Needs::frontend()).and_then(|_| {
            frontend::build(true)?;
            Ok(())
        }),
        _ => {
            eprintln!("usage: cargo xtask <run|test|bench|fuzz|screenshots|setup|frontend>");
            return std::process::ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => {
            if !matches!(args.first().map(String::as_str), Some("run")) {
                eprintln!("xtask: done in {:.0?}", started.elapsed());
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(relay_args: &[String]) -> Result<()> {
    tools::ensure_all(tools::Needs::frontend())?;
    tools::ensure_product_packages();
    let dist = frontend::build(false)?;
    shell::step(
        "building and starting the relay in release (the first build takes a few minutes; \
         Ctrl-C stops it)",
    );
    let relay_args: Vec<&str> = relay_args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--")
        .collect();
    let mut args = vec![
        "run",
        "--quiet",
        "--release",
        "-p",
        "callcard-relay",
        "--",
        "--demo",
    ];
    args.extend(relay_args);
    shell::cargo(&args)
        .env("CALLCARD_STATIC_DIR", &dist)
        .status_ok()
        .context("the relay stopped with an error")
}

fn test(extra: &[String]) -> Result<()> {
    if let Some(arg) = extra.first() {
        bail!("`cargo xtask test` takes no arguments (got {arg:?}); use cargo test for one test");
    }
    tools::ensure_all(tools::Needs::everything())?;
    shell::timed("formatting (cargo fmt --check)", || {
        shell::cargo(&["fmt", "--all", "--check"]).status_ok()
    })?;
    shell::timed("clippy, native", || {
        shell::cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ])
        .status_ok()
    })?;
    shell::timed("clippy, wasm32 frontend", || {
        shell::cargo(&[
            "clippy",
            "-p",
            "callcard-frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ])
        .status_ok()
    })?;
    let dist = frontend::build(false)?;
    shell::timed("every test (unit, integration, browser)", || {
        shell::cargo(&["test", "--workspace", "--no-fail-fast"])
            .env("CALLCARD_DIST", &dist)
            .status_ok()
    })?;
    // The fuzz targets must keep compiling; `cargo xtask fuzz` runs them.
    tools::ensure_nightly()?;
    shell::timed("fuzz targets build (nightly)", || {
        shell::Cmd::new("cargo")
            .args(["+nightly", "build", "--quiet", "--manifest-path"])
            .arg(shell::repo_root().join("fuzz/Cargo.toml"))
            .status_ok()
    })
}

/// The README's screenshots (`docs/screenshots/`), from the real app.
fn screenshots() -> Result<()> {
    tools::ensure_all(tools::Needs::everything())?;
    frontend::build(false)?;
    shell::timed("screenshots of the main screens", || {
        shell::cargo(&[
            "run",
            "--quiet",
            "-p",
            "callcard-tests",
            "--bin",
            "screenshots",
        ])
        .status_ok()
    })
}

fn bench() -> Result<()> {
    shell::timed("SIP parser and serializer benchmark", || {
        shell::cargo(&["bench", "-p", "callcard-shared", "--bench", "sip_parse"]).status_ok()
    })?;
    shell::timed(
        "SIP endpoint: cost of a new INVITE beside 0 … 10 000 idle transactions",
        || shell::cargo(&["bench", "-p", "callcard-shared", "--bench", "sip_endpoint"]).status_ok(),
    )?;
    shell::timed("building the release relay", || {
        shell::cargo(&["build", "--release", "--quiet", "-p", "callcard-relay"]).status_ok()
    })?;
    shell::timed("10 000 WebSocket registrations held by one relay", || {
        shell::cargo(&[
            "run",
            "--quiet",
            "-p",
            "callcard-tests",
            "--bin",
            "ws-registrations-load",
        ])
        .status_ok()
    })?;
    tools::ensure_all(tools::Needs::everything())?;
    let dist = frontend::build(false)?;
    first_load_figure(&dist)?;
    shell::timed(
        "screen pop: INVITE to the caller's card in Chromium, 100 000 contacts",
        || {
            shell::cargo(&[
                "run",
                "--quiet",
                "-p",
                "callcard-tests",
                "--bin",
                "screen-pop-load",
            ])
            .status_ok()
        },
    )?;
    tools::ensure_sip_peers()?;
    shell::timed(
        "inbound calls per second: relay vs Kamailio under the same SIPp load",
        || {
            shell::cargo(&[
                "run",
                "--quiet",
                "-p",
                "callcard-tests",
                "--bin",
                "inbound-cps-load",
            ])
            .status_ok()
        },
    )?;
    tools::ensure_rtpengine()?;
    shell::timed(
        "concurrent bridged calls: the media bridge vs rtpengine under the same load, \
         and with every call recorded",
        || {
            // Release: the bridge's CPU per call is the figure.
            shell::cargo(&[
                "run",
                "--release",
                "--quiet",
                "-p",
                "callcard-tests",
                "--bin",
                "media-bridge-load",
                "--",
                "--recording",
            ])
            .status_ok()
        },
    )?;
    let figures = shell::repo_root().join("target/bench-figures");
    eprintln!("xtask: figures are in {}", figures.display());
    if let Ok(entries) = std::fs::read_dir(&figures) {
        for entry in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                println!("== {}\n{text}", entry.path().display());
            }
        }
    }
    Ok(())
}

fn fuzz(args: &[String]) -> Result<()> {
    let mut seconds = 60u32;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .context("--seconds needs a number")?
                    .parse()
                    .context("--seconds needs a whole number")?
            }
            other => bail!("unknown fuzz option {other:?} (known: --seconds N)"),
        }
    }
    tools::ensure_cargo_fuzz()?;
    let fuzz_dir = shell::repo_root().join("fuzz");
    shell::Cmd::new("sh")
        .arg("seed.sh")
        .dir(&fuzz_dir)
        .status_ok()
        .context("seeding the fuzz corpora")?;
    for target in ["sip_parse", "sdp_parse"] {
        shell::timed(&format!("fuzzing {target} for {seconds} s"), || {
            shell::Cmd::new("cargo")
                .args(["+nightly", "fuzz", "run", target, "--"])
                .arg(format!("-max_total_time={seconds}"))
                .dir(&fuzz_dir)
                .status_ok()
        })?;
    }
    Ok(())
}

/// `target/bench-figures/first_load.md`: what the app's first load
/// transfers (every compressible file of `dist/`), against the target.
fn first_load_figure(dist: &std::path::Path) -> Result<()> {
    let sizes = frontend::precompress(dist)?;
    let dir = shell::repo_root().join("target/bench-figures");
    std::fs::create_dir_all(&dir)?;
    let verdict = |b: u64| if b < 400_000 { "met" } else { "NOT met" };
    let text = format!(
        "# The app's first load\n\nEvery file of `dist/` a first visit fetches (HTML, JS, \
         WebAssembly, CSS), as served.\n\n| encoding | bytes | target < 400 KB |\n|---|---|---|\n\
         | none | {} | {} |\n| brotli | {} | {} |\n| gzip | {} | {} |\n",
        sizes.raw,
        verdict(sizes.raw),
        sizes.brotli,
        verdict(sizes.brotli),
        sizes.gzip,
        verdict(sizes.gzip)
    );
    std::fs::write(dir.join("first_load.md"), &text)?;
    print!("{text}");
    Ok(())
}
