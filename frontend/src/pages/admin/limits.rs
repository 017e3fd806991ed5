//! `/admin/limits`: the limits on outbound calls — at the same time, attempts
//! per minute, international minutes per day — for each user and for
//! everyone together. An empty field is no limit; the relay's refusal is
//! shown under the field it names.

use yew::prelude::*;

use super::{load_notice, TextField};
use crate::hooks::{use_session, use_title};
use crate::i18n::{t, use_lang};
use crate::services::admin;
use crate::state::admin::limits::{LimitField, LimitKind, LimitScope, LimitsAction, LimitsState};

#[component]
pub fn LimitsPage() -> Html {
    use_lang();
    let state = use_reducer(LimitsState::default);
    let session = use_session();
    use_title(t("limits-title"));

    {
        let state = state.clone();
        let session = session.clone();
        use_effect_with(state.attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match admin::limits().await {
                    Ok(limits) => state.dispatch(LimitsAction::Loaded(limits)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(LimitsAction::LoadFailed(failure.message()));
                        }
                    }
                }
            });
        });
    }

    let onsubmit = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if state.saving {
                return;
            }
            let limits = match state.form.to_limits() {
                Ok(limits) => limits,
                Err(error) => return state.dispatch(LimitsAction::Invalid(error)),
            };
            state.dispatch(LimitsAction::SaveStarted);
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match admin::save_limits(&limits).await {
                    Ok(saved) => state.dispatch(LimitsAction::Saved(saved)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(LimitsAction::SaveFailed {
                                field: failure.field().map(str::to_owned),
                                message: failure.message(),
                            });
                        }
                    }
                }
            });
        })
    };
    let act = {
        let state = state.clone();
        Callback::from(move |action: LimitsAction| state.dispatch(action))
    };

    let head = html! { <div class="page-head"><h1>{ t("limits-title") }</h1></div> };
    if let Some(notice) = load_notice(
        &state.load,
        t("limits-loading"),
        act.reform(|()| LimitsAction::Retry),
    ) {
        return html! { <>{ head }{ notice }</> };
    }
    let scope = |scope: LimitScope| {
        let fields = LimitKind::ALL.into_iter().map(|kind| {
            let field = LimitField { scope, kind };
            html! {
                <TextField id={field.dom_id()} label={kind.label()} kind="number"
                    value={state.form.text(field).to_owned()}
                    on_input={act.reform(move |value: String| LimitsAction::SetText(field, value))}
                    error={state.error_for(field).map(|e| AttrValue::from(e.to_owned()))}
                    hint={kind.hint()} placeholder={t("limits-no-limit")} />
            }
        });
        html! {
            <fieldset id={format!("limits-{}", scope.as_api().replace('_', "-"))} class="limits-scope">
                <legend>{ scope.label() }</legend>
                <div class="form-grid">{ for fields }</div>
            </fieldset>
        }
    };
    html! {
        <>
            { head }
            <p class="muted page-intro">
                { t("limits-intro") }
            </p>
            <form id="limits-form" class="panel admin-form" {onsubmit} novalidate=true>
                { scope(LimitScope::PerUser) }
                { scope(LimitScope::Overall) }
                if let Some(message) = state.general_error() {
                    <p id="limits-error" class="form-error" role="alert">{ message.to_owned() }</p>
                }
                <div class="form-actions">
                    <button type="submit" id="limits-save" class="btn btn-primary"
                        disabled={state.saving || !state.dirty()}>
                        { if state.saving { t("limits-saving") } else { t("limits-save") } }
                    </button>
                    if state.saved {
                        <span id="limits-saved" class="saved-mark" role="status">{ t("limits-saved") }</span>
                    }
                </div>
            </form>
        </>
    }
}
