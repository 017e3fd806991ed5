//! `/admin/masking`: how each access group sees phone numbers — in full,
//! hidden, the first N digits as `*`, or only the last N — saved per group.
//! The relay masks every answer and event for the group's members. Each row
//! also has the switch that gives every member of the group a telephony
//! user, saved as soon as it is flipped.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::load_notice;
use crate::hooks::{use_session, use_title};
use crate::i18n::{t, tr, use_lang};
use crate::services::admin;
use crate::state::admin::masking::{
    GroupRow, MaskKind, MaskingAction, MaskingState, MAX_DIGITS, SAMPLE_NUMBER,
};

#[component]
pub fn MaskingPage() -> Html {
    use_lang();
    let state = use_reducer(MaskingState::default);
    let session = use_session();
    use_title(t("masking-title"));

    {
        let state = state.clone();
        let session = session.clone();
        use_effect_with(state.attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match admin::groups().await {
                    Ok(groups) => state.dispatch(MaskingAction::Loaded(groups)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(MaskingAction::LoadFailed(failure.message()));
                        }
                    }
                }
            });
        });
    }

    let on_save = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |id: i64| {
            let Some(row) = state.rows.iter().find(|r| r.group.id == id) else {
                return;
            };
            let masking = match row.draft.to_masking() {
                Ok(masking) => masking,
                Err(message) => return state.dispatch(MaskingAction::Invalid(id, message)),
            };
            state.dispatch(MaskingAction::SaveStarted(id));
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match admin::set_masking(id, &masking).await {
                    Ok(group) => state.dispatch(MaskingAction::Saved(group)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(MaskingAction::SaveFailed(id, failure.message()));
                        }
                    }
                }
            });
        })
    };
    let on_telephony = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |(id, on): (i64, bool)| {
            if state
                .rows
                .iter()
                .any(|r| r.group.id == id && r.telephony_pending.is_some())
            {
                return;
            }
            state.dispatch(MaskingAction::TelephonyStarted(id, on));
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match admin::set_group_telephony(id, on).await {
                    Ok(group) => state.dispatch(MaskingAction::TelephonySaved(group)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(MaskingAction::TelephonyFailed(id, failure.message()));
                        }
                    }
                }
            });
        })
    };
    let act = {
        let state = state.clone();
        Callback::from(move |action: MaskingAction| state.dispatch(action))
    };

    let head = html! { <div class="page-head"><h1>{ t("masking-title") }</h1></div> };
    if let Some(notice) = load_notice(
        &state.load,
        t("masking-loading"),
        act.reform(|()| MaskingAction::Retry),
    ) {
        return html! { <>{ head }{ notice }</> };
    }
    let rows = state.rows.iter().map(|row| {
        html! {
            <GroupMasking key={row.group.id} row={row.clone()} act={act.clone()}
                on_save={on_save.clone()} on_telephony={on_telephony.clone()} />
        }
    });
    html! {
        <>
            { head }
            <p class="muted page-intro">
                { tr("masking-intro", &[("sample", SAMPLE_NUMBER.into())]) }
            </p>
            <div class="table-wrap">
                <table id="masking-table" class="admin-table">
                    <thead>
                        <tr>
                            <th>{ t("masking-col-group") }</th><th>{ t("masking-col-numbers") }</th>
                            <th>{ t("masking-col-n") }</th><th>{ t("masking-col-example") }</th><th></th>
                            <th>{ t("masking-col-telephony") }</th>
                        </tr>
                    </thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct GroupMaskingProps {
    row: GroupRow,
    act: Callback<MaskingAction>,
    on_save: Callback<i64>,
    on_telephony: Callback<(i64, bool)>,
}

#[component]
fn GroupMasking(props: &GroupMaskingProps) -> Html {
    use_lang();
    let row = &props.row;
    let id = row.group.id;
    let on_kind = props.act.reform(move |e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        MaskingAction::SetKind(
            id,
            MaskKind::parse(&select.value()).unwrap_or(MaskKind::Hidden),
        )
    });
    let on_count = props
        .act
        .reform(move |e: InputEvent| MaskingAction::SetCount(id, super::input_value(e)));
    let kinds = MaskKind::ALL.iter().map(|&kind| {
        html! {
            <option value={kind.as_str()} selected={row.draft.kind == kind}>{ kind.label() }</option>
        }
    });
    let takes_count = row.draft.kind.takes_count();
    html! {
        <tr class="group-row" data-id={id.to_string()} data-group={row.group.name.clone()}>
            <td class="group-name">
                { row.group.name.clone() }
                if row.group.is_admin {
                    <span class="muted small">{ format!(" {}", t("masking-administrators")) }</span>
                }
            </td>
            <td>
                <label for={format!("masking-kind-{id}")} class="visually-hidden">
                    { tr("masking-kind-label", &[("group", (&row.group.name).into())]) }
                </label>
                <select id={format!("masking-kind-{id}")} class="masking-kind" onchange={on_kind}>{ for kinds }</select>
            </td>
            <td>
                <label for={format!("masking-n-{id}")} class="visually-hidden">{ t("masking-n-label") }</label>
                <input id={format!("masking-n-{id}")} class="masking-n" type="number" min="1"
                    max={MAX_DIGITS.to_string()} value={row.draft.n.clone()} disabled={!takes_count}
                    oninput={on_count} />
            </td>
            <td>
                <code id={format!("masking-sample-{id}")} class="masking-sample">
                    { row.draft.sample().unwrap_or_else(|| "—".into()) }
                </code>
            </td>
            <td class="row-actions">
                <button type="button" id={format!("masking-save-{id}")} class="btn btn-small btn-primary masking-save"
                    disabled={row.saving || !row.dirty()} onclick={props.on_save.reform(move |_| id)}>
                    { if row.saving { t("masking-saving") } else { t("masking-save") } }
                </button>
                if row.saved {
                    <span id={format!("masking-saved-{id}")} class="saved-mark" role="status">{ t("masking-saved") }</span>
                }
                if let Some(error) = &row.error {
                    <p id={format!("masking-error-{id}")} class="field-error" role="alert">{ error.clone() }</p>
                }
            </td>
            <td class="group-telephony">
                <label class="switch">
                    <input type="checkbox" id={format!("group-telephony-{id}")} class="group-telephony-switch"
                        checked={row.auto_telephony()} disabled={row.telephony_pending.is_some()}
                        onchange={props.on_telephony.reform(move |e: Event| (id, super::checked(e)))} />
                    { t("masking-telephony-switch") }
                </label>
                if let Some(error) = &row.telephony_error {
                    <p id={format!("group-telephony-{id}-error")} class="field-error" role="alert">{ error.clone() }</p>
                }
            </td>
        </tr>
    }
}
