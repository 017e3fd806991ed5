//! `/admin/telephony-users`: which CRM users can call, on which extension,
//! whether they take incoming calls and in the browser or on a desk phone,
//! and where unanswered calls go. The generated SIP password is shown once.

use callcard_shared::api::{SipCredentials, SipUser, SipUserInput};
use web_sys::HtmlSelectElement;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{field_error, load_notice, CheckField, TextField};
use crate::app::Route;
use crate::hooks::{use_session, use_title};
use crate::i18n::{t, tr, use_lang};
use crate::services::error::ApiFailure;
use crate::services::{admin, api};
use crate::state::admin::telephony_users::{
    candidates, Confirm, SipUserEditor, SipUserField, TelephonyUsersAction as A,
    TelephonyUsersState,
};

#[component]
pub fn TelephonyUsersPage() -> Html {
    use_lang();
    let state = use_reducer(TelephonyUsersState::default);
    let session = use_session();
    use_title(t("tusers-title"));

    {
        let state = state.clone();
        let session = session.clone();
        use_effect_with(state.attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let loaded =
                    async { Ok::<_, ApiFailure>((admin::sip_users().await?, api::users().await?)) };
                match loaded.await {
                    Ok((sip_users, users)) => state.dispatch(A::Loaded { sip_users, users }),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(A::LoadFailed(failure.message()));
                        }
                    }
                }
            });
        });
    }

    let on_save = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |()| {
            let Some(editor) = state.editor.as_ref().filter(|e| !e.saving) else {
                return;
            };
            let input: SipUserInput = match editor.form.to_input() {
                Ok(input) => input,
                Err(error) => return state.dispatch(A::Invalid(error)),
            };
            let target = editor.target;
            state.dispatch(A::SaveStarted);
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = match target {
                    None => admin::create_sip_user(&input).await.map(A::Created),
                    Some(id) => admin::update_sip_user(id, &input).await.map(A::Updated),
                };
                match result {
                    Ok(action) => state.dispatch(action),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(A::SaveFailed {
                                field: failure.field().map(str::to_owned),
                                message: failure.message(),
                            });
                        }
                    }
                }
            });
        })
    };
    let on_confirm = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |(id, what): (i64, Confirm)| {
            state.dispatch(A::Started(id));
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = match what {
                    Confirm::Rotate => admin::rotate_sip_password(id).await.map(A::Rotated),
                    Confirm::Delete => admin::delete_sip_user(id).await.map(|()| A::Deleted(id)),
                };
                match result {
                    Ok(action) => state.dispatch(action),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(A::Failed(failure.message()));
                        }
                    }
                }
            });
        })
    };
    let act = {
        let state = state.clone();
        Callback::from(move |action: A| state.dispatch(action))
    };

    let creating = state.editor.as_ref().is_some_and(|e| e.target.is_none());
    let head = html! {
        <div class="page-head">
            <h1>{ t("tusers-title") }</h1>
            <button type="button" id="sip-user-new" class="btn btn-primary btn-small"
                disabled={creating} onclick={act.reform(|_| A::New)}>{ t("tusers-add") }</button>
        </div>
    };
    if let Some(notice) = load_notice(&state.load, t("tusers-loading"), act.reform(|()| A::Retry)) {
        return html! { <>{ head }{ notice }</> };
    }

    let rows = state.sip_users.iter().map(|user| {
        let confirm = state.confirm.filter(|(id, _)| *id == user.id).map(|(_, what)| what);
        html! {
            <SipUserRow key={user.id} user={user.clone()} {confirm}
                busy={state.busy == Some(user.id)} act={act.clone()} on_confirm={on_confirm.clone()} />
        }
    });
    let choices: Vec<(i64, String)> = candidates(&state.users, &state.sip_users)
        .into_iter()
        .map(|u| {
            (
                u.id,
                format!("{} ({}, {})", u.display_name, u.login, u.group),
            )
        })
        .collect();
    html! {
        <>
            { head }
            <p class="muted page-intro">
                // The link sits inside the sentence: the text before and
                // after it are messages of their own, so each language
                // puts the tab's name where its word order wants it.
                { t("tusers-intro-before-link") }
                <Link<Route> to={Route::AdminMasking}>{ t("admin-tab-masking") }</Link<Route>>
                { t("tusers-intro-after-link") }
            </p>
            if let Some(credentials) = &state.credentials {
                <CredentialsBox credentials={credentials.clone()} on_dismiss={act.reform(|()| A::DismissCredentials)} />
            }
            if let Some(editor) = &state.editor {
                <SipUserFormView editor={editor.clone()} {choices} act={act.clone()} on_save={on_save.clone()} />
            }
            if let Some(error) = &state.error {
                <p id="sip-users-error" class="form-error" role="alert">{ error.clone() }</p>
            }
            if state.sip_users.is_empty() {
                <p class="empty" id="sip-users-empty">{ t("tusers-empty") }</p>
            } else {
                <div class="table-wrap">
                    <table id="sip-users-table" class="admin-table">
                        <thead>
                            <tr>
                                <th>{ t("tusers-col-extension") }</th><th>{ t("tusers-col-user") }</th>
                                <th>{ t("tusers-col-sip-login") }</th><th>{ t("tusers-col-incoming") }</th>
                                <th>{ t("tusers-col-phone") }</th><th>{ t("tusers-col-forward-to") }</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct CredentialsProps {
    credentials: SipCredentials,
    on_dismiss: Callback<()>,
}

/// The one-time box with the generated login and password.
#[component]
fn CredentialsBox(props: &CredentialsProps) -> Html {
    use_lang();
    let c = &props.credentials;
    html! {
        <section id="sip-credentials" class="panel credentials-box" role="status">
            <h2>{ tr("tusers-credentials-title", &[("name", (&c.sip_user.user.display_name).into())]) }</h2>
            <dl>
                <dt>{ t("tusers-credentials-login") }</dt>
                <dd><code id="sip-credentials-login">{ c.sip_login.clone() }</code></dd>
                <dt>{ t("tusers-credentials-password") }</dt>
                <dd><code id="sip-credentials-password">{ c.sip_password.clone() }</code></dd>
                <dt>{ t("tusers-credentials-realm") }</dt>
                <dd><code>{ c.realm.clone() }</code></dd>
                <dt>{ t("tusers-credentials-extension") }</dt>
                <dd>{ c.sip_user.extension.clone() }</dd>
            </dl>
            <p class="notice">
                { t("tusers-credentials-once") }
            </p>
            <button type="button" id="sip-credentials-dismiss" class="btn"
                onclick={props.on_dismiss.reform(|_| ())}>{ t("tusers-credentials-dismiss") }</button>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct SipUserRowProps {
    user: SipUser,
    confirm: Option<Confirm>,
    busy: bool,
    act: Callback<A>,
    on_confirm: Callback<(i64, Confirm)>,
}

#[component]
fn SipUserRow(props: &SipUserRowProps) -> Html {
    use_lang();
    let user = &props.user;
    let id = user.id;
    let actions = match props.confirm {
        Some(what) => {
            let (question, button) = match what {
                Confirm::Rotate => (t("tusers-rotate-question"), t("tusers-new-password")),
                Confirm::Delete => (t("tusers-delete-question"), t("tusers-delete")),
            };
            html! {
                <>
                    <span class="confirm-text">{ question }</span>
                    <button type="button" class={classes!("btn", "btn-small", "sip-user-confirm",
                            (what == Confirm::Delete).then_some("btn-danger"))}
                        disabled={props.busy} onclick={props.on_confirm.reform(move |_| (id, what))}>
                        { if props.busy { t("tusers-working") } else { button } }
                    </button>
                    <button type="button" class="btn btn-small sip-user-keep"
                        onclick={props.act.reform(|_| A::Dismiss)}>{ t("tusers-cancel") }</button>
                </>
            }
        }
        None => html! {
            <>
                <button type="button" class="btn btn-small sip-user-edit"
                    onclick={props.act.reform(move |_| A::Edit(id))}>{ t("tusers-edit") }</button>
                <button type="button" class="btn btn-small sip-user-rotate"
                    onclick={props.act.reform(move |_| A::Ask(id, Confirm::Rotate))}>{ t("tusers-new-password") }</button>
                <button type="button" class="btn btn-small btn-ghost sip-user-delete"
                    onclick={props.act.reform(move |_| A::Ask(id, Confirm::Delete))}>{ t("tusers-delete") }</button>
            </>
        },
    };
    let registered = if user.registered {
        html! { <span class="reg-dot online" title={t("tusers-registered-title")} aria-label={t("tusers-registered")}></span> }
    } else {
        html! { <span class="reg-dot" title={t("tusers-not-registered-title")} aria-label={t("tusers-not-registered")}></span> }
    };
    html! {
        <tr class="sip-user-row" data-id={id.to_string()} data-extension={user.extension.clone()}>
            <td class="sip-user-extension">{ user.extension.clone() }</td>
            <td>{ registered }{ user.user.display_name.clone() }</td>
            <td><code class="sip-user-login">{ user.sip_login.clone() }</code></td>
            <td>{ if user.accept_incoming { t("tusers-incoming-yes") } else { t("tusers-incoming-no") } }</td>
            <td>{ if user.browser_calls { t("tusers-phone-browser") } else { t("tusers-phone-desk") } }</td>
            <td>{ user.forward_to.clone().unwrap_or_else(|| "—".into()) }</td>
            <td class="row-actions">{ actions }</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct SipUserFormProps {
    editor: SipUserEditor,
    /// CRM users without a telephony user: id and label.
    choices: Vec<(i64, String)>,
    act: Callback<A>,
    on_save: Callback<()>,
}

#[component]
fn SipUserFormView(props: &SipUserFormProps) -> Html {
    use_lang();
    let editor = &props.editor;
    let form = &editor.form;
    let act = &props.act;
    let error = |field: SipUserField| {
        editor
            .error_for(field)
            .map(|e| AttrValue::from(e.to_owned()))
    };
    let onsubmit = {
        let on_save = props.on_save.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_save.emit(());
        })
    };
    let on_pick = act.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        A::PickUser(select.value().parse().ok())
    });
    let user_field = if editor.target.is_some() {
        html! {
            <div class="field">
                <span class="label">{ t("tusers-field-user") }</span>
                <p class="static-value">{ t("tusers-field-user-fixed") }</p>
            </div>
        }
    } else {
        let options = props.choices.iter().map(|(id, label)| {
            html! { <option value={id.to_string()} selected={form.user_id == Some(*id)}>{ label.clone() }</option> }
        });
        html! {
            <div class="field">
                <label for="sip-user-user">{ t("tusers-field-user") }</label>
                <select id="sip-user-user" onchange={on_pick}>
                    <option value="" selected={form.user_id.is_none()}>{ t("tusers-field-user-pick") }</option>
                    { for options }
                </select>
                if props.choices.is_empty() {
                    <p class="field-hint">{ t("tusers-field-user-none-left") }</p>
                }
                { field_error("sip-user-user", editor.error_for(SipUserField::User)) }
            </div>
        }
    };
    html! {
        <form id="sip-user-form" class="panel admin-form" {onsubmit} novalidate=true>
            <h2>{ if editor.target.is_none() { t("tusers-form-new") } else { t("tusers-form-edit") } }</h2>
            <div class="form-grid">
                { user_field }
                <TextField id="sip-user-extension" label={t("tusers-field-extension")} value={form.extension.clone()}
                    on_input={act.reform(A::SetExtension)} error={error(SipUserField::Extension)}
                    hint={t("tusers-field-extension-hint")} />
                <TextField id="sip-user-forward-to" label={t("tusers-field-forward-to")} value={form.forward_to.clone()}
                    on_input={act.reform(A::SetForwardTo)} error={error(SipUserField::ForwardTo)}
                    hint={t("tusers-field-forward-to-hint")}
                    kind="tel" />
            </div>
            <div class="form-checks">
                <CheckField id="sip-user-accept-incoming" label={t("tusers-field-accept-incoming")}
                    checked={form.accept_incoming} on_change={act.reform(A::SetAcceptIncoming)} />
                <CheckField id="sip-user-browser-calls" label={t("tusers-field-browser-calls")}
                    checked={form.browser_calls} on_change={act.reform(A::SetBrowserCalls)}
                    hint={t("tusers-field-browser-calls-hint")} />
            </div>
            if let Some(message) = editor.general_error() {
                <p id="sip-user-form-error" class="form-error" role="alert">{ message.to_owned() }</p>
            }
            <div class="form-actions">
                <button type="submit" id="sip-user-save" class="btn btn-primary" disabled={editor.saving}>
                    { if editor.saving { t("tusers-saving") } else if editor.target.is_none() { t("tusers-create") } else { t("tusers-save") } }
                </button>
                <button type="button" id="sip-user-cancel" class="btn"
                    onclick={act.reform(|_| A::Cancel)}>{ t("tusers-cancel") }</button>
            </div>
        </form>
    }
}
