//! Running commands with clear progress lines and errors that name the command.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// The repository root. Cargo's run-time `CARGO_MANIFEST_DIR` first: a binary
/// reused from a shared target directory may have been built in another clone.
pub fn repo_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    Path::new(&manifest_dir)
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

pub fn step(what: &str) {
    eprintln!("xtask: {what}");
}

/// Runs `f`, printing what it does and how long it took.
pub fn timed(what: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    step(&format!("{what} ..."));
    let started = Instant::now();
    f().with_context(|| format!("{what} failed"))?;
    eprintln!("xtask: {what}: ok in {:.1?}", started.elapsed());
    Ok(())
}

pub struct Cmd {
    inner: Command,
    shown: String,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let shown = program.as_ref().to_string_lossy().into_owned();
        let mut inner = Command::new(program);
        inner.current_dir(repo_root());
        Cmd { inner, shown }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.inner.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Cmd {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cmd {
        self.inner.env(key, value);
        self
    }

    pub fn dir(mut self, dir: &Path) -> Cmd {
        self.inner.current_dir(dir);
        self
    }

    /// Runs with inherited output; an error names the command and its status.
    pub fn status_ok(mut self) -> Result<()> {
        let status = self
            .inner
            .status()
            .with_context(|| format!("cannot start `{}`", self.shown))?;
        if !status.success() {
            bail!("`{}` exited with {status}", self.shown);
        }
        Ok(())
    }

    /// Runs quietly and returns stdout when the command succeeds.
    pub fn output_if_ok(mut self) -> Option<String> {
        let out = self.inner.output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// `cargo` as the toolchain that runs xtask sees it.
pub fn cargo(args: &[&str]) -> Cmd {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Cmd::new(cargo).args(args)
}

/// Is `program` on PATH (or an absolute path that exists)?
pub fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return path.is_file().then_some(path);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}
