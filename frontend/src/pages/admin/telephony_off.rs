//! `/admin/telephony`: the danger zone — turning telephony off. It says what
//! goes and what stays, asks for the words `turn off`, then shows what the
//! relay removed.

use callcard_shared::api::{TelephonyOff, TelephonyOffReport};
use yew::prelude::*;

use super::{field_error, input_value, CheckField};
use crate::hooks::{use_session, use_title};
use crate::services::admin;
use crate::state::admin::telephony_off::{TelephonyOffAction as A, TelephonyOffState};

#[component]
pub fn TelephonyOffPage() -> Html {
    let state = use_reducer(TelephonyOffState::default);
    let session = use_session();
    use_title("Turn telephony off".to_owned());

    let onsubmit = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if state.sending || !state.confirmed() {
                return;
            }
            let request = state.request();
            state.dispatch(A::Started);
            let (state, session) = (state.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match admin::turn_telephony_off(&request).await {
                    Ok(report) => state.dispatch(A::Done(report)),
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

    let confirmation = if state.confirming {
        html! {
            <form id="telephony-off-form" class="admin-form" {onsubmit} novalidate=true>
                <div class="field">
                    <label for="telephony-off-confirm">
                        { "To go on, type " }<code>{ TelephonyOff::CONFIRMATION }</code>
                    </label>
                    <input id="telephony-off-confirm" type="text" autocomplete="off" spellcheck="false"
                        value={state.confirm.clone()}
                        oninput={act.reform(|e: InputEvent| A::SetConfirm(input_value(e)))}
                        aria-invalid={state.error.is_some().to_string()}
                        aria-describedby="telephony-off-confirm-error" />
                    { field_error("telephony-off-confirm", state.error.as_deref()) }
                </div>
                <div class="form-actions">
                    <button type="submit" id="telephony-off-submit" class="btn btn-danger"
                        disabled={state.sending || !state.confirmed()}>
                        { if state.sending { "Turning off…" } else if state.delete_call_records {
                            "Turn telephony off and delete call records"
                        } else {
                            "Turn telephony off"
                        } }
                    </button>
                    <button type="button" id="telephony-off-cancel" class="btn"
                        disabled={state.sending} onclick={act.reform(|_| A::Cancel)}>{ "Cancel" }</button>
                </div>
            </form>
        }
    } else {
        html! {
            <div class="form-actions">
                <button type="button" id="telephony-off-start" class="btn btn-danger"
                    onclick={act.reform(|_| A::AskConfirm)}>{ "Turn telephony off…" }</button>
            </div>
        }
    };
    html! {
        <>
            <div class="page-head"><h1>{ "Turn telephony off" }</h1></div>
            if let Some(report) = &state.report {
                <Report report={report.clone()} />
            }
            <section id="danger-zone" class="panel danger-zone" aria-labelledby="danger-zone-title">
                <h2 id="danger-zone-title">{ "Danger zone" }</h2>
                <p>{ "Turning telephony off removes, at once and for good:" }</p>
                <ul>
                    <li>{ "every SIP account (trunk) at your providers;" }</li>
                    <li>{ "every telephony user — their extensions and SIP passwords;" }</li>
                    <li>{ "the number rules (back to the defaults), the call limits and the automatic telephony users per group." }</li>
                </ul>
                <p>
                    { "Calls in progress are hung up and every browser phone and desk phone is disconnected. \
                       The CRM — contacts, deals, tasks, notes, users — stays, and so do the call records, \
                       unless you tick the box below." }
                </p>
                <CheckField id="telephony-off-delete-calls" label="Also delete call records"
                    checked={state.delete_call_records}
                    on_change={act.reform(A::SetDeleteCallRecords)}
                    hint="The whole call log. Notes and tasks keep their text, without the call. This cannot be undone." />
                { confirmation }
            </section>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ReportProps {
    report: TelephonyOffReport,
}

/// What the relay removed.
#[component]
fn Report(props: &ReportProps) -> Html {
    let r = &props.report;
    let line = |id: &'static str, label: &'static str, n: u64| {
        html! { <li>{ format!("{label}: ") }<strong id={id}>{ n }</strong></li> }
    };
    html! {
        <div id="telephony-off-report" class="panel form-notice" role="status">
            <p><strong>{ "Telephony is off." }</strong></p>
            <ul>
                { line("telephony-off-trunks", "SIP accounts removed", r.trunks_removed) }
                { line("telephony-off-sip-users", "Telephony users removed", r.sip_users_removed) }
                { line("telephony-off-calls", "Calls hung up", r.calls_ended) }
                { line("telephony-off-connections", "Phone connections closed", r.connections_closed) }
                { line("telephony-off-records", "Call records deleted", r.call_records_deleted) }
            </ul>
        </div>
    }
}
