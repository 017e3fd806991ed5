//! Serving the built Yew app (Trunk's `dist/`): files as they are, and
//! `index.html` for every other path so client-side routes survive a reload.
//!
//! - The xtask writes `.br` and `.gz` copies beside every file at build
//!   time; they are served by content negotiation (`Accept-Encoding`), so
//!   nothing is compressed while serving.
//! - Files whose names carry Trunk's content hash are cached for a year
//!   (`immutable`); `index.html` is revalidated every time, so a new build
//!   is picked up at once.
//! - Every page carries a Content-Security-Policy: scripts only from us (and
//!   Trunk's inline loader, by its SHA-256 read from `index.html` at
//!   start), WebAssembly compiled (`wasm-unsafe-eval`), no framing
//!   (`frame-ancestors 'none'`), plus `Referrer-Policy` and
//!   `X-Content-Type-Options`.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

pub fn router(dist: &Path) -> Router<AppState> {
    let index = dist.join("index.html");
    let Ok(page) = std::fs::read_to_string(&index) else {
        tracing::warn!(dir = %dist.display(), "no built frontend; `cargo xtask run` builds it");
        let page = format!(
            "<!doctype html><title>Callcard</title><h1>The frontend is not built</h1>\
             <p>No <code>index.html</code> in <code>{}</code>. Run <code>cargo xtask run</code>, \
             which builds it, or point <code>--static-dir</code> at a built <code>dist</code>.</p>",
            html_escape(&dist.display().to_string())
        );
        return Router::new().fallback(get(move || async move {
            (StatusCode::SERVICE_UNAVAILABLE, Html(page.clone()))
        }));
    };
    let policy = content_security_policy(&page);
    let policy = HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let policy = policy.clone();
                async move {
                    let hashed = has_content_hash(request.uri().path());
                    let mut response = next.run(request).await;
                    headers(&mut response, policy, hashed);
                    response
                }
            },
        ))
}

fn headers(response: &mut Response, policy: HeaderValue, hashed: bool) {
    let ok = response.status().is_success();
    let headers = response.headers_mut();
    let cache = if hashed && ok {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// Whether a path's file name carries Trunk's content hash
/// (`callcard-frontend-0123456789abcdef_bg.wasm`, `style-0123….css`).
fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split(['-', '_', '.'])
        .any(|part| part.len() >= 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The policy for the app's pages: our own scripts and the inline ones of
/// `page` (Trunk's loader) by hash, never `unsafe-inline` scripts.
pub fn content_security_policy(page: &str) -> String {
    let hashes: String = inline_scripts(page)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of the `<script>` elements of `page` without a `src`.
fn inline_scripts(page: &str) -> impl Iterator<Item = &str> {
    page.split("<script").skip(1).filter_map(|rest| {
        let (tag, body) = rest.split_once('>')?;
        if tag.contains("src=") {
            return None;
        }
        let (body, _) = body.split_once("</script>")?;
        Some(body)
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inline_loader_is_allowed_by_its_hash_and_nothing_else_inline() {
        let page = "<html><head><script type=\"module\">import init from '/a.js';init();</script>\
                    <script src=\"/b.js\"></script></head></html>";
        let policy = content_security_policy(page);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/a.js';init();"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert_eq!(policy.matches("'sha256-").count(), 1, "{policy}");
        let scripts = policy
            .split(';')
            .find(|d| d.contains("script-src"))
            .unwrap();
        assert!(!scripts.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn only_trunks_hashed_names_are_cached_for_good() {
        assert!(has_content_hash(
            "/callcard-frontend-4a1b2c3d4e5f6a7b_bg.wasm"
        ));
        assert!(has_content_hash("/style-0123456789abcdef.css"));
        assert!(!has_content_hash("/index.html"));
        assert!(!has_content_hash("/calls"));
        assert!(!has_content_hash("/contacts/12"));
    }
}
