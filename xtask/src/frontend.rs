//! Builds the browser app with Trunk into `dist/`, skipped when nothing that
//! goes into it changed since the last build, and precompresses it
//! (`compress.rs`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::shell::{self, Cmd};
use crate::tools;

/// Inputs of the frontend build, relative to the repository root.
const INPUTS: &[&str] = &[
    "frontend",
    "shared/src",
    "shared/Cargo.toml",
    "index.html",
    "Trunk.toml",
    "Cargo.toml",
    "Cargo.lock",
];

/// Builds (release) unless `dist/` is current; `force` always builds.
pub fn build(force: bool) -> Result<PathBuf> {
    let root = shell::repo_root();
    let dist = root.join("dist");
    let stamp_file = root.join("target/xtask/frontend.stamp");
    let stamp = fingerprint(&root)?;
    let current = std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp.as_str());
    if !force && current && dist.join("index.html").is_file() {
        shell::step("frontend: dist/ is up to date");
        precompress(&dist)?;
        return Ok(dist);
    }
    shell::timed("building the frontend (trunk build --release)", || {
        Cmd::new(tools_bin("trunk"))
            .args(["build", "--release"])
            .env("PATH", tools::tool_path())
            .status_ok()
    })?;
    std::fs::create_dir_all(stamp_file.parent().expect("stamp dir"))?;
    std::fs::write(&stamp_file, stamp).context("writing the frontend stamp")?;
    precompress(&dist)?;
    Ok(dist)
}

/// The `.br`/`.gz` copies the relay serves, and what a first load costs.
pub fn precompress(dist: &Path) -> Result<crate::compress::Sizes> {
    let mut sizes = crate::compress::Sizes::default();
    shell::timed("precompressing dist/ (brotli, gzip)", || {
        sizes = crate::compress::precompress(dist)?;
        Ok(())
    })?;
    shell::step(&format!(
        "frontend: the app is {} as built, {} with brotli, {} with gzip",
        crate::compress::human(sizes.raw),
        crate::compress::human(sizes.brotli),
        crate::compress::human(sizes.gzip)
    ));
    Ok(sizes)
}

fn tools_bin(program: &str) -> PathBuf {
    std::env::split_paths(&tools::tool_path())
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(program))
}

/// A hash over the paths, sizes and contents of every input file.
fn fingerprint(root: &Path) -> Result<String> {
    let mut files = Vec::new();
    for input in INPUTS {
        collect(&root.join(input), &mut files)?;
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in &files {
        file.strip_prefix(root).unwrap_or(file).hash(&mut hasher);
        std::fs::read(file)
            .with_context(|| format!("reading {}", file.display()))?
            .hash(&mut hasher);
    }
    Ok(format!("{:016x}\n", hasher.finish()))
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_file() {
        files.push(path.to_path_buf());
    } else if path.is_dir() {
        for entry in
            std::fs::read_dir(path).with_context(|| format!("listing {}", path.display()))?
        {
            let entry = entry?;
            let name = entry.file_name();
            if name == "target" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            collect(&entry.path(), files)?;
        }
    }
    Ok(())
}
