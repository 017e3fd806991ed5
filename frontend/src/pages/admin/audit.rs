//! `/admin/audit`: who played or downloaded which call's recording, and
//! when — newest first, a page at a time.

use callcard_shared::api::AuditPage;
use yew::prelude::*;

use super::load_notice;
use crate::hooks::{use_session, use_title};
use crate::services::admin;
use crate::state::admin::Load;

/// Lines per page.
const PAGE: u32 = 50;

fn action_label(action: &str) -> &str {
    match action {
        "recording_played" => "played the recording",
        "recording_downloaded" => "downloaded the recording",
        other => other,
    }
}

#[component]
pub fn AuditPageView() -> Html {
    let session = use_session();
    use_title("Audit log".to_owned());
    let offset = use_state(|| 0u32);
    let attempt = use_state(|| 0u32);
    let load = use_state(|| Load::Loading);
    let page = use_state(|| None::<AuditPage>);
    {
        let (load, page, session) = (load.clone(), page.clone(), session.clone());
        use_effect_with((*offset, *attempt), move |&(offset, _)| {
            load.set(Load::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                match admin::audit(PAGE, offset).await {
                    Ok(p) => {
                        page.set(Some(p));
                        load.set(Load::Loaded);
                    }
                    Err(failure) => {
                        if !session.check(&failure) {
                            load.set(Load::Failed(failure.message()));
                        }
                    }
                }
            });
        });
    }
    let head = html! { <div class="page-head"><h1>{ "Audit log" }</h1></div> };
    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |()| attempt.set(*attempt + 1))
    };
    if let Some(notice) = load_notice(&load, "Loading the audit log…", retry) {
        return html! { <>{ head }{ notice }</> };
    }
    let Some(page) = (*page).clone() else {
        return head;
    };
    let rows = page.items.iter().map(|e| {
        html! {
            <tr class="audit-row" data-action={e.action.clone()}>
                <td>{ crate::format::timestamp(&e.at) }</td>
                <td class="audit-user">{ e.user.display_name.clone() }</td>
                <td>{ action_label(&e.action) }</td>
                <td class="audit-call">{ e.call_id.map(|id| format!("call {id}")).unwrap_or_default() }</td>
            </tr>
        }
    });
    let at = *offset;
    let total = u32::try_from(page.total).unwrap_or(u32::MAX);
    let newer = {
        let offset = offset.clone();
        Callback::from(move |_: MouseEvent| offset.set(at.saturating_sub(PAGE)))
    };
    let older = {
        let offset = offset.clone();
        Callback::from(move |_: MouseEvent| offset.set(at + PAGE))
    };
    html! {
        <>
            { head }
            <p class="muted page-intro">
                { "Every play and download of a call's recording, with who did it." }
            </p>
            if page.items.is_empty() {
                <p id="audit-empty" class="empty">{ "Nobody has played or downloaded a recording yet." }</p>
            } else {
                <div class="table-wrap">
                    <table id="audit-table" class="admin-table">
                        <thead><tr><th>{ "When" }</th><th>{ "Who" }</th><th>{ "What" }</th><th>{ "Call" }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
                <div class="pager">
                    <button type="button" id="audit-newer" class="btn btn-small" disabled={at == 0}
                        onclick={newer}>{ "Newer" }</button>
                    <span class="muted small">
                        { format!("{}–{} of {}", at + 1, (at + PAGE).min(total), total) }
                    </span>
                    <button type="button" id="audit-older" class="btn btn-small"
                        disabled={at + PAGE >= total} onclick={older}>{ "Older" }</button>
                </div>
            }
        </>
    }
}
