//! `/admin/number-rules`: the rules every outbound call goes through, edited
//! as a form and saved as a whole (the relay names the wrong field in a
//! 422), with a "try a number" box that asks the relay about the draft.

use callcard_shared::api::TryNumber;
use callcard_shared::dialplan::{DestinationClass, Verdict};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::{field_error, load_notice, CheckField, TextField};
use crate::hooks::{use_phone, use_session, use_title};
use crate::i18n::{t, tr, use_lang};
use crate::services::{admin, api};
use crate::state::admin::number_rules::{
    class_allowed, outcome_text, NumberRulesState, RulesAction, RulesField,
};
use crate::state::phone::PhoneAction;

/// The DOM id of a field (its error is `{id}-error`).
fn dom_id(field: RulesField) -> &'static str {
    match field {
        RulesField::Autocorrect => "rules-autocorrect",
        RulesField::AreaPrefix => "rules-area-prefix",
        RulesField::ExitPrefix => "rules-exit-prefix",
        RulesField::LocalLength => "rules-local-length",
        RulesField::ExtensionLength => "rules-extension-length",
        RulesField::Extra => "rules-extra",
        RulesField::ForbiddenCodes => "rules-forbidden-codes",
        RulesField::Allowed => "rules-allowed",
        RulesField::InternationalCountries => "rules-countries",
    }
}

#[component]
pub fn NumberRulesPage() -> Html {
    use_lang();
    let state = use_reducer(NumberRulesState::default);
    let session = use_session();
    let phone = use_phone();
    use_title(t("rules-title"));

    {
        let state = state.clone();
        let session = session.clone();
        use_effect_with(state.attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::dialplan().await {
                    Ok(view) => state.dispatch(RulesAction::Loaded(view)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(RulesAction::LoadFailed(failure.message()));
                        }
                    }
                }
            });
        });
    }

    let on_save = {
        let state = state.clone();
        let session = session.clone();
        let phone = phone.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if state.saving {
                return;
            }
            let rules = match state.form.to_rules() {
                Ok(rules) => rules,
                Err(error) => return state.dispatch(RulesAction::Invalid(error)),
            };
            state.dispatch(RulesAction::SaveStarted);
            let (state, session, phone) = (state.clone(), session.clone(), phone.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match admin::save_dialplan(&rules).await {
                    Ok(view) => {
                        // This tab's own dial pad previews the new rules at once.
                        phone.act().emit(PhoneAction::RulesChanged);
                        state.dispatch(RulesAction::Saved(view));
                    }
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(RulesAction::SaveFailed {
                                field: failure.field().map(str::to_owned),
                                message: failure.message(),
                            });
                        }
                    }
                }
            });
        })
    };
    let on_try = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if state.trying {
                return;
            }
            let rules = match state.form.to_rules() {
                Ok(rules) => rules,
                Err(error) => return state.dispatch(RulesAction::Invalid(error)),
            };
            let request = TryNumber {
                number: state.try_number.trim().to_owned(),
                rules: Some(rules),
            };
            state.dispatch(RulesAction::TryStarted);
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match admin::try_number(&request).await {
                    Ok(verdict) => state.dispatch(RulesAction::Tried(verdict)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(RulesAction::TryFailed {
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
        Callback::from(move |action: RulesAction| state.dispatch(action))
    };

    let head = html! { <div class="page-head"><h1>{ t("rules-title") }</h1></div> };
    if let Some(notice) = load_notice(
        &state.load,
        t("rules-loading"),
        act.reform(|()| RulesAction::Retry),
    ) {
        return html! { <>{ head }{ notice }</> };
    }

    let form = &state.form;
    let set = |field: RulesField| act.reform(move |value: String| RulesAction::Set(field, value));
    let error = |field: RulesField| {
        state
            .error_for(field)
            .map(|e| AttrValue::from(e.to_owned()))
    };
    let textarea =
        |field: RulesField, label: String, value: &str, hint: String, placeholder: &'static str| {
            let id = dom_id(field);
            let oninput = act.reform(move |e: InputEvent| {
                RulesAction::Set(
                    field,
                    e.target_unchecked_into::<HtmlTextAreaElement>().value(),
                )
            });
            let message = state.error_for(field);
            html! {
                <div class="field field-wide">
                    <label for={id}>{ label }</label>
                    <textarea id={id} rows="4" spellcheck="false" value={value.to_owned()} {oninput}
                        {placeholder} aria-invalid={message.is_some().to_string()}
                        aria-describedby={format!("{id}-error")} />
                    <p class="field-hint">{ hint }</p>
                    { field_error(id, message) }
                </div>
            }
        };
    let classes = DestinationClass::ALL.iter().map(|&class| {
        html! {
            <CheckField id={format!("rules-allow-{}", class.as_str())}
                label={capitalise(&crate::i18n::class_words(class))}
                checked={class_allowed(&form.allowed, class)}
                on_change={act.reform(move |on| RulesAction::SetClass(class, on))} />
        }
    });
    let dirty = state.dirty();

    html! {
        <>
            { head }
            <p class="muted page-intro">
                { tr("rules-intro", &[("region", (&state.default_region).into())]) }
            </p>
            <div class="rules-layout">
                <form id="rules-form" class="panel admin-form" onsubmit={on_save} novalidate=true>
                    { textarea(RulesField::Autocorrect, t("rules-autocorrect-label"), &form.autocorrect,
                        t("rules-autocorrect-hint"), "^\\+7/8") }
                    <div class="form-grid">
                        <TextField id={dom_id(RulesField::AreaPrefix)} label={t("rules-area-prefix-label")}
                            value={form.area_prefix.clone()} on_input={set(RulesField::AreaPrefix)}
                            error={error(RulesField::AreaPrefix)} placeholder="495"
                            hint={t("rules-area-prefix-hint")} />
                        <TextField id={dom_id(RulesField::LocalLength)} label={t("rules-local-length-label")}
                            value={form.local_length.clone()} on_input={set(RulesField::LocalLength)}
                            error={error(RulesField::LocalLength)} placeholder="7"
                            hint={t("rules-local-length-hint")} />
                        <TextField id={dom_id(RulesField::ExitPrefix)} label={t("rules-exit-prefix-label")}
                            value={form.exit_prefix.clone()} on_input={set(RulesField::ExitPrefix)}
                            error={error(RulesField::ExitPrefix)} placeholder="810"
                            hint={t("rules-exit-prefix-hint")} />
                        <TextField id={dom_id(RulesField::ExtensionLength)} label={t("rules-extension-length-label")}
                            value={form.extension_length.clone()} on_input={set(RulesField::ExtensionLength)}
                            error={error(RulesField::ExtensionLength)}
                            hint={t("rules-extension-length-hint")} />
                    </div>
                    { textarea(RulesField::Extra, t("rules-extra-label"), &form.extra,
                        t("rules-extra-hint"), "_XXXX") }
                    <TextField id={dom_id(RulesField::ForbiddenCodes)} label={t("rules-forbidden-codes-label")}
                        value={form.forbidden_codes.clone()} on_input={set(RulesField::ForbiddenCodes)}
                        error={error(RulesField::ForbiddenCodes)} placeholder="+375, 8809"
                        hint={t("rules-forbidden-codes-hint")} />
                    <fieldset class="field field-wide" id={dom_id(RulesField::Allowed)}>
                        <legend>{ t("rules-allowed-label") }</legend>
                        <div class="check-grid">{ for classes }</div>
                        { field_error(dom_id(RulesField::Allowed), state.error_for(RulesField::Allowed)) }
                    </fieldset>
                    <TextField id={dom_id(RulesField::InternationalCountries)} label={t("rules-countries-label")}
                        value={form.countries.clone()} on_input={set(RulesField::InternationalCountries)}
                        error={error(RulesField::InternationalCountries)} placeholder="PL, DE, +48"
                        hint={t("rules-countries-hint")} />
                    if let Some(message) = state.general_error() {
                        <p id="rules-error" class="form-error" role="alert">{ message.to_owned() }</p>
                    }
                    if let Some(notice) = &state.notice {
                        <p id="rules-notice" class="form-notice" role="status">{ notice.clone() }</p>
                    }
                    <div class="form-actions">
                        <button type="submit" id="rules-save" class="btn btn-primary" disabled={state.saving || !dirty}>
                            { if state.saving { t("rules-saving") } else { t("rules-save") } }
                        </button>
                        <button type="button" id="rules-discard" class="btn" disabled={state.saving || !dirty}
                            onclick={act.reform(|_| RulesAction::Discard)}>{ t("rules-discard") }</button>
                        if dirty {
                            <span class="muted small" id="rules-dirty">{ t("rules-unsaved") }</span>
                        }
                    </div>
                </form>
                <TryBox number={state.try_number.clone()} trying={state.trying}
                    verdict={state.verdict.clone()} error={state.try_error.clone()} {dirty}
                    on_input={act.reform(RulesAction::SetTryNumber)} on_submit={on_try} />
            </div>
        </>
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Properties, PartialEq)]
struct TryBoxProps {
    number: AttrValue,
    trying: bool,
    verdict: Option<Verdict>,
    error: Option<String>,
    /// Whether the draft differs from the saved rules.
    dirty: bool,
    on_input: Callback<String>,
    on_submit: Callback<SubmitEvent>,
}

/// "Try a number": every step of the pipeline and the verdict, from the relay.
#[component]
fn TryBox(props: &TryBoxProps) -> Html {
    use_lang();
    let result = props.verdict.as_ref().map(|verdict| {
        let steps = verdict.steps.iter().map(|step| {
            html! {
                <li class="try-step">
                    <span class="step-name">{ step.name.clone() }</span>
                    <span class="step-change">
                        <code>{ step.before.clone() }</code>{ " → " }<code>{ step.after.clone() }</code>
                    </span>
                </li>
            }
        });
        let (allowed, text) = outcome_text(verdict);
        html! {
            <div id="try-result">
                if verdict.steps.is_empty() {
                    <p class="muted small">{ t("rules-try-no-change") }</p>
                } else {
                    <ol id="try-steps">{ for steps }</ol>
                }
                <p id="try-verdict" class={classes!("dial-preview", if allowed { "ok" } else { "refused" })}>
                    { text }
                </p>
            </div>
        }
    });
    html! {
        <aside class="panel try-box">
            <h2>{ t("rules-try-title") }</h2>
            <p class="muted small">
                { if props.dirty { t("rules-try-uses-draft") } else { t("rules-try-uses-saved") } }
            </p>
            <form id="try-form" onsubmit={props.on_submit.clone()} novalidate=true>
                <label for="try-number" class="visually-hidden">{ t("rules-try-number-label") }</label>
                <div class="try-row">
                    <input id="try-number" type="tel" placeholder="+7 495 123-45-67"
                        value={props.number.clone()} oninput={props.on_input.reform(super::input_value)} />
                    <button type="submit" id="try-submit" class="btn" disabled={props.trying}>
                        { if props.trying { t("rules-trying") } else { t("rules-try") } }
                    </button>
                </div>
            </form>
            if let Some(error) = &props.error {
                <p id="try-error" class="field-error" role="alert">{ error.clone() }</p>
            }
            { for result }
        </aside>
    }
}
