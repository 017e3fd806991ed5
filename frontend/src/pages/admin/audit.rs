//! `/admin/audit`: who played or downloaded which call's recording, and
//! when — newest first, a page at a time.

use callcard_shared::api::AuditPage;
use yew::prelude::*;

use super::load_notice;
use crate::hooks::{use_session, use_title};
use crate::i18n::{t, tr, use_lang};
use crate::services::admin;
use crate::state::admin::Load;

/// Lines per page.
const PAGE: u32 = 50;

fn action_label(action: &str) -> String {
    match action {
        "recording_played" => t("audit-played"),
        "recording_downloaded" => t("audit-downloaded"),
        other => other.to_owned(),
    }
}

#[component]
pub fn AuditPageView() -> Html {
    use_lang();
    let session = use_session();
    use_title(t("audit-title"));
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
    let head = html! { <div class="page-head"><h1>{ t("audit-title") }</h1></div> };
    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |()| attempt.set(*attempt + 1))
    };
    if let Some(notice) = load_notice(&load, t("audit-loading"), retry) {
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
                <td class="audit-call">{ e.call_id.map(|id| tr("audit-call", &[("id", id.to_string().into())])).unwrap_or_default() }</td>
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
                { t("audit-intro") }
            </p>
            if page.items.is_empty() {
                <p id="audit-empty" class="empty">{ t("audit-empty") }</p>
            } else {
                <div class="table-wrap">
                    <table id="audit-table" class="admin-table">
                        <thead>
                            <tr>
                                <th>{ t("audit-col-when") }</th><th>{ t("audit-col-who") }</th>
                                <th>{ t("audit-col-what") }</th><th>{ t("audit-col-call") }</th>
                            </tr>
                        </thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
                <div class="pager">
                    <button type="button" id="audit-newer" class="btn btn-small" disabled={at == 0}
                        onclick={newer}>{ t("audit-newer") }</button>
                    <span class="muted small">
                        { tr("audit-range", &[
                            ("from", (at + 1).into()),
                            ("to", (at + PAGE).min(total).into()),
                            ("total", total.into()),
                        ]) }
                    </span>
                    <button type="button" id="audit-older" class="btn btn-small"
                        disabled={at + PAGE >= total} onclick={older}>{ t("audit-older") }</button>
                </div>
            }
        </>
    }
}
