//! Serving the built Yew app (Trunk's `dist/`): files as they are, and
//! `index.html` for every other path so client-side routes survive a reload.

use std::path::Path;

use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

pub fn router(dist: &Path) -> Router<AppState> {
    let index = dist.join("index.html");
    if !index.is_file() {
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
    }
    Router::new().fallback_service(ServeDir::new(dist).fallback(ServeFile::new(index)))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
