//! `/admin/telephony`: the danger zone — turning telephony off. It says what
//! goes and what stays, asks for the words `turn off`, then shows what the
//! relay removed.

use callcard_shared::api::{TelephonyOff, TelephonyOffReport};
use yew::prelude::*;

use super::{field_error, input_value, CheckField};
use crate::hooks::{use_session, use_title};
use crate::i18n::{t, use_lang};
use crate::services::admin;
use crate::state::admin::telephony_off::{TelephonyOffAction as A, TelephonyOffState};

#[component]
pub fn TelephonyOffPage() -> Html {
    use_lang();
    let state = use_reducer(TelephonyOffState::default);
    let session = use_session();
    use_title(t("teloff-title"));

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
                        { format!("{} ", t("teloff-confirm-label")) }<code>{ TelephonyOff::CONFIRMATION }</code>
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
                        { if state.sending {
                            t("teloff-turning-off")
                        } else if state.delete_call_records {
                            t("teloff-submit-delete")
                        } else {
                            t("teloff-submit")
                        } }
                    </button>
                    <button type="button" id="telephony-off-cancel" class="btn"
                        disabled={state.sending} onclick={act.reform(|_| A::Cancel)}>{ t("teloff-cancel") }</button>
                </div>
            </form>
        }
    } else {
        html! {
            <div class="form-actions">
                <button type="button" id="telephony-off-start" class="btn btn-danger"
                    onclick={act.reform(|_| A::AskConfirm)}>{ t("teloff-start") }</button>
            </div>
        }
    };
    html! {
        <>
            <div class="page-head"><h1>{ t("teloff-title") }</h1></div>
            if let Some(report) = &state.report {
                <Report report={report.clone()} />
            }
            <section id="danger-zone" class="panel danger-zone" aria-labelledby="danger-zone-title">
                <h2 id="danger-zone-title">{ t("teloff-danger-zone") }</h2>
                <p>{ t("teloff-removes") }</p>
                <ul>
                    <li>{ t("teloff-removes-trunks") }</li>
                    <li>{ t("teloff-removes-users") }</li>
                    <li>{ t("teloff-removes-settings") }</li>
                </ul>
                <p>
                    { t("teloff-stays") }
                </p>
                <CheckField id="telephony-off-delete-calls" label={t("teloff-delete-calls")}
                    checked={state.delete_call_records}
                    on_change={act.reform(A::SetDeleteCallRecords)}
                    hint={t("teloff-delete-calls-hint")} />
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
    use_lang();
    let r = &props.report;
    let line = |id: &'static str, label: String, n: u64| {
        html! { <li>{ format!("{label}: ") }<strong id={id}>{ n }</strong></li> }
    };
    html! {
        <div id="telephony-off-report" class="panel form-notice" role="status">
            <p><strong>{ t("teloff-done") }</strong></p>
            <ul>
                { line("telephony-off-trunks", t("teloff-report-trunks"), r.trunks_removed) }
                { line("telephony-off-sip-users", t("teloff-report-sip-users"), r.sip_users_removed) }
                { line("telephony-off-calls", t("teloff-report-calls"), r.calls_ended) }
                { line("telephony-off-connections", t("teloff-report-connections"), r.connections_closed) }
                { line("telephony-off-records", t("teloff-report-records"), r.call_records_deleted) }
            </ul>
        </div>
    }
}
