//! Conventions checked by a test (after rust-analyzer's `tidy`): the shared
//! crate stays sans-IO, and every source file says what it is for.

use std::path::{Path, PathBuf};

use callcard_tests::repo_root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// Lines of code, without comments (doc examples may show a driver's clock).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
}

#[test]
fn the_shared_crate_reads_no_clock_and_opens_no_socket() {
    let mut files = Vec::new();
    rust_files(&repo_root().join("shared/src"), &mut files);
    assert!(files.len() > 10, "found the shared sources");
    let forbidden = [
        "Instant::now",
        "SystemTime::now",
        "std::net::UdpSocket",
        "std::net::TcpStream",
        "tokio",
        "std::thread",
        "thread_rng",
    ];
    let mut offences = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in code_lines(&text) {
            for word in forbidden {
                if line.contains(word) {
                    offences.push(format!("{}:{n}: {word}", file.display()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "shared/ is sans-IO: time and randomness come from the caller\n{}",
        offences.join("\n")
    );
}

#[test]
fn every_source_file_opens_with_a_line_saying_what_it_is_for() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in [
        "shared/src",
        "relay/src",
        "frontend/src",
        "xtask/src",
        "tests",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` first line:\n{}",
        missing.join("\n")
    );
}
