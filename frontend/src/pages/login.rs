//! The sign-in form. A successful login stores the user in the session; the
//! router then leaves this page for the one the user wanted.

use callcard_shared::api::LoginRequest;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hooks::{use_contacts_state, use_session, use_title};
use crate::i18n::{t, use_lang};
use crate::services::api;
use crate::services::error::ApiFailure;
use crate::state::contacts::ContactsAction;
use crate::state::session::SessionState;

#[component]
pub fn LoginPage() -> Html {
    use_lang();
    let session = use_session();
    let contacts = use_contacts_state();
    let login_ref = use_node_ref();
    let password_ref = use_node_ref();
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    use_title(t("login-title"));

    let notice = match session.state() {
        SessionState::SignedOut(reason) => reason.notice(),
        _ => None,
    };

    let onsubmit = {
        let (login_ref, password_ref) = (login_ref.clone(), password_ref.clone());
        let (busy, error, session) = (busy.clone(), error.clone(), session.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            // Read the fields at submit time: browsers' password managers fill
            // them without always firing input events.
            let value = |node: &NodeRef| {
                node.cast::<HtmlInputElement>()
                    .map(|input| input.value())
                    .unwrap_or_default()
            };
            let request = LoginRequest {
                login: value(&login_ref).trim().to_owned(),
                password: value(&password_ref),
            };
            busy.set(true);
            error.set(None);
            let (busy, error, session, contacts) = (
                busy.clone(),
                error.clone(),
                session.clone(),
                contacts.clone(),
            );
            let password_ref = password_ref.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::login(&request).await {
                    Ok(me) => {
                        // Never show one user's list to the next on a shared machine.
                        contacts.dispatch(ContactsAction::Reset);
                        session.signed_in(me);
                    }
                    Err(failure) => {
                        let message = match &failure {
                            ApiFailure::Unauthorized(None) => t("login-wrong-credentials"),
                            other => other.message(),
                        };
                        error.set(Some(message));
                        busy.set(false);
                        if let Some(input) = password_ref.cast::<HtmlInputElement>() {
                            input.set_value("");
                            let _ = input.focus();
                        }
                    }
                }
            });
        })
    };

    html! {
        <main class="login-page">
            <form class="login-box" {onsubmit} novalidate=true>
                <div class="login-brand">
                    <span class="brand-mark" aria-hidden="true">{ "☎" }</span>{ "Callcard" }
                </div>
                <h1>{ t("login-title") }</h1>
                if let Some(notice) = notice {
                    <p id="login-notice" class="notice">{ notice }</p>
                }
                <label for="login">{ t("login-login-label") }</label>
                <input id="login" name="login" type="text" autocomplete="username"
                    autocapitalize="none" spellcheck="false" autofocus=true ref={login_ref} />
                <label for="password">{ t("login-password-label") }</label>
                <input id="password" name="password" type="password"
                    autocomplete="current-password" ref={password_ref} />
                if let Some(message) = &*error {
                    <p id="login-error" class="form-error" role="alert">{ message.clone() }</p>
                }
                <button type="submit" id="login-submit" class="btn btn-primary btn-block" disabled={*busy}>
                    { if *busy { t("login-signing-in") } else { t("login-submit") } }
                </button>
            </form>
        </main>
    }
}
