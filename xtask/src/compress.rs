//! Precompressed copies of the built app: every text or WebAssembly file of
//! `dist/` gets a `.br` (Brotli, quality 11) and a `.gz` (gzip, level 9)
//! beside it, which the relay serves by content negotiation — nothing is
//! compressed while serving. A copy newer than its file is kept.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The extensions worth compressing (the rest — images — already are).
const COMPRESSED: &[&str] = &["wasm", "js", "css", "html", "svg", "json", "txt"];

/// What the first load of the app transfers: its files as built and as
/// Brotli and gzip send them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Sizes {
    pub raw: u64,
    pub brotli: u64,
    pub gzip: u64,
}

/// Writes the missing or stale `.br` and `.gz` copies under `dist` and
/// returns the sizes of everything compressible there.
pub fn precompress(dist: &Path) -> Result<Sizes> {
    let mut sizes = Sizes::default();
    for file in files(dist)? {
        let raw = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        sizes.raw += raw.len() as u64;
        sizes.brotli += ensure_copy(&file, "br", &raw, brotli)?;
        sizes.gzip += ensure_copy(&file, "gz", &raw, gzip)?;
    }
    Ok(sizes)
}

fn files(dist: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("listing {}", dist.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files(&path)?);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSED.contains(&e))
        {
            out.push(path);
        }
    }
    Ok(out)
}

/// The copy's size, written first when it is missing or older than `file`.
fn ensure_copy(
    file: &Path,
    extension: &str,
    raw: &[u8],
    compress: fn(&[u8]) -> Result<Vec<u8>>,
) -> Result<u64> {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    let copy = PathBuf::from(name);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(copy_time), Some(file_time)) = (modified(&copy), modified(file)) {
        if copy_time >= file_time {
            return Ok(std::fs::metadata(&copy)?.len());
        }
    }
    let bytes = compress(raw)?;
    std::fs::write(&copy, &bytes).with_context(|| format!("writing {}", copy.display()))?;
    Ok(bytes.len() as u64)
}

fn brotli(raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut std::io::Cursor::new(raw), &mut out, &params).context("brotli")?;
    Ok(out)
}

fn gzip(raw: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(raw.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(raw)?;
    Ok(encoder.finish()?)
}

/// `bytes` as a reader would say it (KB, MB).
pub fn human(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.2} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.0} KB", bytes as f64 / 1e3)
    }
}
