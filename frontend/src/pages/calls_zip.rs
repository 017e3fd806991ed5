//! The call log's "Download recordings (zip)" (a part of the calls page):
//! the recordings of the calls the filters show, with a progress bar while
//! the relay streams the zip; a refusal (no recordings match) is shown as
//! the relay words it.

use yew::prelude::*;

use crate::i18n::{t, tr, use_lang};
use crate::services::download::{save_zip, Received};

#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Idle,
    Running {
        received: f64,
        total: f64,
        files: u32,
    },
    Done {
        files: u32,
    },
    Failed(String),
}

#[derive(Properties, PartialEq)]
pub struct ZipDownloadProps {
    /// `/api/calls/recordings.zip?…` with the call log's filters.
    pub href: String,
}

fn megabytes(bytes: f64) -> String {
    let size = format!("{:.1}", bytes / 1_000_000.0);
    tr("zip-megabytes", &[("size", size.into())])
}

#[component]
pub fn ZipDownload(props: &ZipDownloadProps) -> Html {
    use_lang();
    let progress = use_state(|| Progress::Idle);
    let onclick = {
        let progress = progress.clone();
        let href = props.href.clone();
        Callback::from(move |_: MouseEvent| {
            if matches!(*progress, Progress::Running { .. }) {
                return;
            }
            progress.set(Progress::Running {
                received: 0.0,
                total: 0.0,
                files: 0,
            });
            let (progress, href) = (progress.clone(), href.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let shown = progress.clone();
                let result = save_zip(&href, move |r: Received| {
                    shown.set(Progress::Running {
                        received: r.bytes,
                        total: r.total,
                        files: r.files,
                    })
                })
                .await;
                progress.set(match result {
                    Ok(files) => Progress::Done { files },
                    Err(message) => Progress::Failed(message),
                });
            });
        })
    };
    let running = matches!(*progress, Progress::Running { .. });
    let status = match &*progress {
        Progress::Idle => html! {},
        Progress::Running {
            received,
            total,
            files,
        } => html! {
            <span class="zip-progress" role="status">
                <progress id="calls-zip-progress" max={total.max(1.0).to_string()}
                    value={received.to_string()}></progress>
                <span class="small muted">
                    { tr("zip-progress", &[
                        ("received", megabytes(*received).into()),
                        ("total", megabytes(*total).into()),
                        ("files", (*files).into()),
                    ]) }
                </span>
            </span>
        },
        Progress::Done { files } => html! {
            <span id="calls-zip-done" class="small muted" role="status">
                { tr("zip-saved", &[("count", (*files).into())]) }
            </span>
        },
        Progress::Failed(message) => html! {
            <span id="calls-zip-error" class="field-error" role="alert">{ message.clone() }</span>
        },
    };
    html! {
        <span class="zip-download">
            <button type="button" id="calls-zip" class="btn btn-ghost" disabled={running} {onclick}>
                { if running { t("zip-preparing") } else { t("zip-download") } }
            </button>
            { status }
        </span>
    }
}
