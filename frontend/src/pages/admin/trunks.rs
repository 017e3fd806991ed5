//! `/admin/trunks`: the SIP accounts at providers, each with its live
//! registration status (from the list, then `trunk_status` events), and the
//! form to add, change or delete one. The password is write-only.

use callcard_shared::api::{SipTransport, Trunk};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{field_error, load_notice, CheckField, TextField};
use crate::hooks::{use_session, use_title};
use crate::services::admin;
use crate::state::admin::trunks::{
    status_icon, transport_name, TrunkEditor, TrunkField, TrunksAction, TrunksState,
};

#[component]
pub fn TrunksPage() -> Html {
    let state = use_reducer(TrunksState::default);
    let session = use_session();
    use_title("SIP accounts".to_owned());

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
            <h1>{ "SIP accounts" }</h1>
            <button type="button" id="trunk-new" class="btn btn-primary btn-small"
                disabled={state.editor.as_ref().is_some_and(TrunkEditor::creating)}
                onclick={act.reform(|_| TrunksAction::New)}>{ "Add trunk" }</button>
        </div>
    };
    if let Some(notice) = load_notice(
        &state.load,
        "Loading SIP accounts…",
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
                { "The provider accounts calls go out through, tried by priority (lower first). \
                   The status follows registration live." }
            </p>
            if let Some(editor) = &state.editor {
                <TrunkFormView editor={editor.clone()} act={act.clone()} on_save={on_save.clone()} />
            }
            if let Some(error) = &state.error {
                <p id="trunks-error" class="form-error" role="alert">{ error.clone() }</p>
            }
            if state.trunks.is_empty() {
                <p class="empty" id="trunks-empty">{ "No SIP accounts yet. Add the one your provider gave you." }</p>
            } else {
                <div class="table-wrap">
                    <table id="trunks-table" class="admin-table">
                        <thead>
                            <tr>
                                <th>{ "Status" }</th><th>{ "Name" }</th><th>{ "Number" }</th>
                                <th>{ "Account" }</th><th>{ "Server" }</th><th>{ "Priority" }</th>
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
                <span class="confirm-text">{ "Delete this trunk?" }</span>
                <button type="button" class="btn btn-small btn-danger trunk-delete-confirm"
                    disabled={props.deleting} onclick={props.on_delete.reform(move |_| id)}>
                    { if props.deleting { "Deleting…" } else { "Delete" } }
                </button>
                <button type="button" class="btn btn-small trunk-delete-keep"
                    onclick={props.act.reform(|_| TrunksAction::KeepTrunk)}>{ "Keep" }</button>
            </>
        }
    } else {
        html! {
            <>
                if trunk.enabled && trunk.register {
                    <button type="button" class="btn btn-small trunk-register"
                        title="Send a REGISTER to the provider now"
                        onclick={props.on_register.reform(move |_| id)}>{ "Register now" }</button>
                }
                <button type="button" class="btn btn-small trunk-edit"
                    onclick={props.act.reform(move |_| TrunksAction::Edit(id))}>{ "Edit" }</button>
                <button type="button" class="btn btn-small btn-ghost trunk-delete"
                    onclick={props.act.reform(move |_| TrunksAction::AskDelete(id))}>{ "Delete" }</button>
            </>
        }
    };
    html! {
        <tr class={classes!("trunk-row", (!trunk.enabled).then_some("disabled"))} data-id={id.to_string()}>
            <td>
                <span class={classes!("trunk-status", format!("status-{}", icon.class))}
                    title={icon.title.clone()} data-state={icon.class}>
                    <span class="status-dot" aria-hidden="true"></span>
                    { icon.label }
                </span>
            </td>
            <td class="trunk-name">
                { trunk.name.clone() }
                if !trunk.enabled {
                    <span class="muted small">{ " (disabled)" }</span>
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
        (true, _) => "Required. It is stored and never shown again.",
        (false, true) => {
            "A password is stored. Leave empty to keep it; type a new one to replace it."
        }
        (false, false) => "No password is stored yet.",
    };
    html! {
        <form id="trunk-form" class="panel admin-form" {onsubmit} novalidate=true>
            <h2>{ if editor.creating() { "New trunk" } else { "Edit trunk" } }</h2>
            <div class="form-grid">
                <TextField id="trunk-name" label="Name" value={form.name.clone()}
                    on_input={text(TrunkField::Name)} error={error(TrunkField::Name)} />
                <TextField id="trunk-number" label="Number" value={form.number.clone()}
                    on_input={text(TrunkField::Number)} error={error(TrunkField::Number)}
                    hint="The number this account receives calls on, any format." />
                <TextField id="trunk-username" label="User name" value={form.username.clone()}
                    on_input={text(TrunkField::Username)} error={error(TrunkField::Username)}
                    autocomplete="off" />
                <TextField id="trunk-password" label="Password" kind="password"
                    value={form.password.clone()} on_input={text(TrunkField::Password)}
                    error={error(TrunkField::Password)} hint={password_hint}
                    autocomplete="new-password" />
                <TextField id="trunk-domain" label="Domain" value={form.domain.clone()}
                    on_input={text(TrunkField::Domain)} error={error(TrunkField::Domain)}
                    hint="The SIP domain of the account (the part after @)." />
                <TextField id="trunk-host" label="Server" value={form.host.clone()}
                    on_input={text(TrunkField::Host)} error={error(TrunkField::Host)}
                    placeholder="sip.provider.example:5060" />
                <div class="field">
                    <label for="trunk-transport">{ "Transport" }</label>
                    <select id="trunk-transport" onchange={on_transport}>{ for transports }</select>
                    { field_error("trunk-transport", editor.error_for(TrunkField::Transport)) }
                </div>
                <TextField id="trunk-outbound-proxy" label="Outbound proxy"
                    value={form.outbound_proxy.clone()} on_input={text(TrunkField::OutboundProxy)}
                    error={error(TrunkField::OutboundProxy)} hint="Optional, host or host:port." />
                <TextField id="trunk-expires" label="Registration expiry (s)" kind="number"
                    value={form.expires.clone()} on_input={text(TrunkField::Expires)}
                    error={error(TrunkField::Expires)} />
                <TextField id="trunk-priority" label="Priority" kind="number"
                    value={form.priority.clone()} on_input={text(TrunkField::Priority)}
                    error={error(TrunkField::Priority)} hint="Lower is tried first." />
            </div>
            <div class="form-checks">
                <CheckField id="trunk-register" label="Register with the provider"
                    checked={form.register} on_change={flag(TrunkField::Register)} />
                <CheckField id="trunk-enabled" label="Enabled (used for calls)"
                    checked={form.enabled} on_change={flag(TrunkField::Enabled)} />
            </div>
            if let Some(message) = editor.general_error() {
                <p id="trunk-form-error" class="form-error" role="alert">{ message.to_owned() }</p>
            }
            <div class="form-actions">
                <button type="submit" id="trunk-save" class="btn btn-primary" disabled={editor.saving}>
                    { if editor.saving { "Saving…" } else if editor.creating() { "Add trunk" } else { "Save" } }
                </button>
                <button type="button" id="trunk-cancel" class="btn"
                    onclick={act.reform(|_| TrunksAction::Cancel)}>{ "Cancel" }</button>
            </div>
        </form>
    }
}
