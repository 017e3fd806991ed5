//! `/admin/trunks`: the SIP accounts at providers, each with its live
//! registration status (from the list, then `trunk_status` events), and the
//! form to add, change or delete one. The password is write-only.

use callcard_shared::api::{SipTransport, Trunk};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{field_error, load_notice, CheckField, TextField};
use crate::hooks::{use_session, use_title};
use crate::i18n::{t, use_lang};
use crate::services::admin;
use crate::state::admin::trunks::{
    status_icon, transport_name, TrunkEditor, TrunkField, TrunksAction, TrunksState,
};

#[component]
pub fn TrunksPage() -> Html {
    use_lang();
    let state = use_reducer(TrunksState::default);
    let session = use_session();
    use_title(t("trunks-title"));

    {
        let state = state.clone();
        let session = session.clone();
        use_effect_with(state.attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match admin::trunks().await {
                    Ok(trunks) => state.dispatch(TrunksAction::Loaded(trunks)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(TrunksAction::LoadFailed(failure.message()));
                        }
                    }
                }
            });
        });
    }
    {
        // Live status while the page is open.
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let feed = admin::TrunkStatusFeed::open(Callback::from(move |(id, status)| {
                dispatcher.dispatch(TrunksAction::Status(id, status))
            }));
            move || drop(feed)
        });
    }

    let on_save = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |()| {
            let Some(editor) = state.editor.as_ref().filter(|e| !e.saving) else {
                return;
            };
            let input = match editor.form.to_input(editor.creating()) {
                Ok(input) => input,
                Err(error) => return state.dispatch(TrunksAction::Invalid(error)),
            };
            let target = editor.target;
            state.dispatch(TrunksAction::SaveStarted);
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let saved = match target {
                    None => admin::create_trunk(&input).await,
                    Some(id) => admin::update_trunk(id, &input).await,
                };
                match saved {
                    Ok(trunk) => state.dispatch(TrunksAction::Saved(trunk)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(TrunksAction::SaveFailed {
                                field: failure.field().map(str::to_owned),
                                message: failure.message(),
                            });
                        }
                    }
                }
            });
        })
    };
    let on_delete = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |id: i64| {
            state.dispatch(TrunksAction::DeleteStarted(id));
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match admin::delete_trunk(id).await {
                    Ok(()) => state.dispatch(TrunksAction::Deleted(id)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(TrunksAction::DeleteFailed(failure.message()));
                        }
                    }
                }
            });
        })
    };
    let on_register = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |id: i64| {
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(failure) = admin::register_trunk(id).await {
                    if !session.check(&failure) {
                        state.dispatch(TrunksAction::RegisterFailed(failure.message()));
                    }
                }
            });
        })
    };
    let act = {
        let state = state.clone();
        Callback::from(move |action: TrunksAction| state.dispatch(action))
    };

    let head = html! {
        <div class="page-head">
            <h1>{ t("trunks-title") }</h1>
            <button type="button" id="trunk-new" class="btn btn-primary btn-small"
                disabled={state.editor.as_ref().is_some_and(TrunkEditor::creating)}
                onclick={act.reform(|_| TrunksAction::New)}>{ t("trunks-add") }</button>
        </div>
    };
    if let Some(notice) = load_notice(
        &state.load,
        t("trunks-loading"),
        act.reform(|()| TrunksAction::Retry),
    ) {
        return html! { <>{ head }{ notice }</> };
    }

    let rows = state.trunks.iter().map(|trunk| {
        html! {
            <TrunkRow key={trunk.id} trunk={trunk.clone()}
                confirming={state.confirm_delete == Some(trunk.id)}
                deleting={state.deleting == Some(trunk.id)}
                act={act.clone()} on_delete={on_delete.clone()} on_register={on_register.clone()} />
        }
    });
    html! {
        <>
            { head }
            <p class="muted page-intro">
                { t("trunks-intro") }
            </p>
            if let Some(editor) = &state.editor {
                <TrunkFormView editor={editor.clone()} act={act.clone()} on_save={on_save.clone()} />
            }
            if let Some(error) = &state.error {
                <p id="trunks-error" class="form-error" role="alert">{ error.clone() }</p>
            }
            if state.trunks.is_empty() {
                <p class="empty" id="trunks-empty">{ t("trunks-empty") }</p>
            } else {
                <div class="table-wrap">
                    <table id="trunks-table" class="admin-table">
                        <thead>
                            <tr>
                                <th>{ t("trunks-col-status") }</th><th>{ t("trunks-col-name") }</th>
                                <th>{ t("trunks-col-number") }</th><th>{ t("trunks-col-account") }</th>
                                <th>{ t("trunks-col-server") }</th><th>{ t("trunks-col-priority") }</th>
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
struct TrunkRowProps {
    trunk: Trunk,
    confirming: bool,
    deleting: bool,
    act: Callback<TrunksAction>,
    on_delete: Callback<i64>,
    on_register: Callback<i64>,
}

#[component]
fn TrunkRow(props: &TrunkRowProps) -> Html {
    use_lang();
    let trunk = &props.trunk;
    let id = trunk.id;
    let icon = status_icon(&trunk.status);
    let server = format!(
        "{} ({})",
        trunk.host,
        transport_name(trunk.transport).to_uppercase()
    );
    let actions = if props.confirming {
        html! {
            <>
                <span class="confirm-text">{ t("trunks-delete-question") }</span>
                <button type="button" class="btn btn-small btn-danger trunk-delete-confirm"
                    disabled={props.deleting} onclick={props.on_delete.reform(move |_| id)}>
                    { if props.deleting { t("trunks-deleting") } else { t("trunks-delete") } }
                </button>
                <button type="button" class="btn btn-small trunk-delete-keep"
                    onclick={props.act.reform(|_| TrunksAction::KeepTrunk)}>{ t("trunks-keep") }</button>
            </>
        }
    } else {
        html! {
            <>
                if trunk.enabled && trunk.register {
                    <button type="button" class="btn btn-small trunk-register"
                        title={t("trunks-register-now-title")}
                        onclick={props.on_register.reform(move |_| id)}>{ t("trunks-register-now") }</button>
                }
                <button type="button" class="btn btn-small trunk-edit"
                    onclick={props.act.reform(move |_| TrunksAction::Edit(id))}>{ t("trunks-edit") }</button>
                <button type="button" class="btn btn-small btn-ghost trunk-delete"
                    onclick={props.act.reform(move |_| TrunksAction::AskDelete(id))}>{ t("trunks-delete") }</button>
            </>
        }
    };
    html! {
        <tr class={classes!("trunk-row", (!trunk.enabled).then_some("disabled"))} data-id={id.to_string()}>
            <td>
                <span class={classes!("trunk-status", format!("status-{}", icon.class))}
                    title={icon.title.clone()} data-state={icon.class}>
                    <span class="status-dot" aria-hidden="true"></span>
                    { icon.label.clone() }
                </span>
            </td>
            <td class="trunk-name">
                { trunk.name.clone() }
                if !trunk.enabled {
                    <span class="muted small">{ t("trunks-row-disabled") }</span>
                }
            </td>
            <td>{ trunk.number.clone() }</td>
            <td>{ format!("{}@{}", trunk.username, trunk.domain) }</td>
            <td>{ server }</td>
            <td>{ trunk.priority }</td>
            <td class="row-actions">{ actions }</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct TrunkFormProps {
    editor: TrunkEditor,
    act: Callback<TrunksAction>,
    on_save: Callback<()>,
}

#[component]
fn TrunkFormView(props: &TrunkFormProps) -> Html {
    use_lang();
    let editor = &props.editor;
    let form = &editor.form;
    let act = &props.act;
    let text =
        |field: TrunkField| act.reform(move |value: String| TrunksAction::SetText(field, value));
    let flag = |field: TrunkField| act.reform(move |on: bool| TrunksAction::SetFlag(field, on));
    let error = |field: TrunkField| {
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
    let on_transport = act.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        TrunksAction::SetText(TrunkField::Transport, select.value())
    });
    let transports = [SipTransport::Udp, SipTransport::Tcp, SipTransport::Tls]
        .into_iter()
        .map(|t| {
            let name = transport_name(t);
            html! {
                <option value={name} selected={form.transport == t}>{ name.to_uppercase() }</option>
            }
        });
    let password_hint = match (editor.creating(), editor.has_password) {
        (true, _) => t("trunks-password-hint-new"),
        (false, true) => t("trunks-password-hint-stored"),
        (false, false) => t("trunks-password-hint-none"),
    };
    html! {
        <form id="trunk-form" class="panel admin-form" {onsubmit} novalidate=true>
            <h2>{ if editor.creating() { t("trunks-form-new") } else { t("trunks-form-edit") } }</h2>
            <div class="form-grid">
                <TextField id="trunk-name" label={t("trunks-field-name")} value={form.name.clone()}
                    on_input={text(TrunkField::Name)} error={error(TrunkField::Name)} />
                <TextField id="trunk-number" label={t("trunks-field-number")} value={form.number.clone()}
                    on_input={text(TrunkField::Number)} error={error(TrunkField::Number)}
                    hint={t("trunks-field-number-hint")} />
                <TextField id="trunk-username" label={t("trunks-field-username")} value={form.username.clone()}
                    on_input={text(TrunkField::Username)} error={error(TrunkField::Username)}
                    autocomplete="off" />
                <TextField id="trunk-password" label={t("trunks-field-password")} kind="password"
                    value={form.password.clone()} on_input={text(TrunkField::Password)}
                    error={error(TrunkField::Password)} hint={password_hint}
                    autocomplete="new-password" />
                <TextField id="trunk-domain" label={t("trunks-field-domain")} value={form.domain.clone()}
                    on_input={text(TrunkField::Domain)} error={error(TrunkField::Domain)}
                    hint={t("trunks-field-domain-hint")} />
                <TextField id="trunk-host" label={t("trunks-field-server")} value={form.host.clone()}
                    on_input={text(TrunkField::Host)} error={error(TrunkField::Host)}
                    placeholder="sip.provider.example:5060" />
                <div class="field">
                    <label for="trunk-transport">{ t("trunks-field-transport") }</label>
                    <select id="trunk-transport" onchange={on_transport}>{ for transports }</select>
                    { field_error("trunk-transport", editor.error_for(TrunkField::Transport)) }
                </div>
                <TextField id="trunk-outbound-proxy" label={t("trunks-field-outbound-proxy")}
                    value={form.outbound_proxy.clone()} on_input={text(TrunkField::OutboundProxy)}
                    error={error(TrunkField::OutboundProxy)} hint={t("trunks-field-outbound-proxy-hint")} />
                <TextField id="trunk-expires" label={t("trunks-field-expires")} kind="number"
                    value={form.expires.clone()} on_input={text(TrunkField::Expires)}
                    error={error(TrunkField::Expires)} />
                <TextField id="trunk-priority" label={t("trunks-field-priority")} kind="number"
                    value={form.priority.clone()} on_input={text(TrunkField::Priority)}
                    error={error(TrunkField::Priority)} hint={t("trunks-field-priority-hint")} />
            </div>
            <div class="form-checks">
                <CheckField id="trunk-register" label={t("trunks-field-register")}
                    checked={form.register} on_change={flag(TrunkField::Register)} />
                <CheckField id="trunk-enabled" label={t("trunks-field-enabled")}
                    checked={form.enabled} on_change={flag(TrunkField::Enabled)} />
            </div>
            if let Some(message) = editor.general_error() {
                <p id="trunk-form-error" class="form-error" role="alert">{ message.to_owned() }</p>
            }
            <div class="form-actions">
                <button type="submit" id="trunk-save" class="btn btn-primary" disabled={editor.saving}>
                    { if editor.saving { t("trunks-saving") } else if editor.creating() { t("trunks-add") } else { t("trunks-save") } }
                </button>
                <button type="button" id="trunk-cancel" class="btn"
                    onclick={act.reform(|_| TrunksAction::Cancel)}>{ t("trunks-cancel") }</button>
            </div>
        </form>
    }
}
