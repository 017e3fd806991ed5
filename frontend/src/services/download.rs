//! Saving a file the relay streams, with progress: the recordings zip is
//! read chunk by chunk (the relay says how many bytes and files are
//! coming), then handed to the browser's downloads under the relay's name.

use gloo_net::http::Request;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, ReadableStreamDefaultReader, Url};

use crate::i18n::{t, tr};

/// How far a download is: bytes received, bytes coming, files coming.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Received {
    pub bytes: f64,
    pub total: f64,
    pub files: u32,
}

fn header_number(response: &gloo_net::http::Response, name: &str) -> f64 {
    response
        .headers()
        .get(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// `attachment; filename="recordings-2026-12-07.zip"` → the name.
fn file_name(disposition: Option<String>) -> String {
    disposition
        .and_then(|d| {
            d.split("filename=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "recordings.zip".into())
}

fn js_error(e: wasm_bindgen::JsValue) -> String {
    e.as_string().unwrap_or_else(|| t("zip-interrupted"))
}

/// Fetches `href` (with the session), reporting progress at each whole
/// percent, and saves it; returns how many files the relay said it holds.
pub async fn save_zip(href: &str, progress: impl Fn(Received)) -> Result<u32, String> {
    let response = Request::get(href)
        .credentials(web_sys::RequestCredentials::Include)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        let text = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<callcard_shared::api::ApiError>(&text)
            .map(|e| e.error)
            .unwrap_or_else(|_| {
                tr(
                    "zip-relay-answered",
                    &[("status", response.status().to_string().into())],
                )
            });
        return Err(message);
    }
    let total = header_number(&response, "x-recordings-bytes");
    let files = header_number(&response, "x-recordings") as u32;
    let name = file_name(response.headers().get("content-disposition"));
    let body = response.body().ok_or_else(|| t("zip-no-body"))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let chunks = Array::new();
    let (mut received, mut shown) = (0.0, -1.0);
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(js_error)?;
        let done = Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let chunk: Uint8Array = Reflect::get(&step, &"value".into())
            .map_err(js_error)?
            .unchecked_into();
        received += f64::from(chunk.length());
        chunks.push(&chunk);
        // Redrawn at each whole percent, not at each chunk.
        let percent = if total > 0.0 {
            (received / total * 100.0).floor()
        } else {
            0.0
        };
        if percent != shown {
            shown = percent;
            progress(Received {
                bytes: received,
                total,
                files,
            });
        }
    }
    let options = BlobPropertyBag::new();
    options.set_type("application/zip");
    let blob = Blob::new_with_u8_array_sequence_and_options(&chunks, &options).map_err(js_error)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| t("zip-no-document"))?;
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_error)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(&name);
    link.click();
    // The browser has taken the file once the click is handled.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(files)
}
