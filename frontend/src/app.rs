//! The root component: shared state providers, the routes, and the gate that
//! sends signed-out users to `/login` and signed-in users into the main layout
//! (header, page, softphone dock).

use callcard_shared::api::Me;
use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::header::Header;
use crate::components::softphone::SoftphoneDock;
use crate::components::status::{ErrorNotice, Loading};
use crate::hooks::{
    use_contacts_state, use_phone, use_session, ContactsContext, PhoneContext, SessionContext,
};
use crate::i18n::{t, LangContext};
use crate::pages::admin::AdminArea;
use crate::pages::calls::CallsPage;
use crate::pages::contact_card::ContactCardPage;
use crate::pages::contacts::ContactsPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::services::api;
use crate::softphone::Engine;
use crate::state::contacts::{ContactsAction, ContactsState};
use crate::state::phone::{PhoneAction, PhoneState};
use crate::state::session::{SessionAction, SessionState};

#[derive(Routable, Debug, Clone, PartialEq, Eq)]
pub enum Route {
    #[at("/login")]
    Login,
    #[at("/")]
    Home,
    #[at("/contacts")]
    Contacts,
    #[at("/contacts/:id")]
    Contact { id: i64 },
    #[at("/calls")]
    Calls,
    #[at("/admin/trunks")]
    AdminTrunks,
    #[at("/admin/telephony-users")]
    AdminTelephonyUsers,
    #[at("/admin/number-rules")]
    AdminNumberRules,
    #[at("/admin/masking")]
    AdminMasking,
    #[at("/admin/limits")]
    AdminLimits,
    #[at("/admin/recordings")]
    AdminRecordings,
    #[at("/admin/audit")]
    AdminAudit,
    #[at("/admin/telephony")]
    AdminTelephonyOff,
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// `/login?next=/contacts/5`: where to go after signing in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl LoginQuery {
    /// The page to open after signing in: `next` if it names one of our
    /// routes (never another site), else the contacts list.
    pub fn target(&self) -> Route {
        self.next
            .as_deref()
            .filter(|p| p.starts_with('/') && !p.starts_with("//"))
            .and_then(Route::recognize)
            .filter(|r| !matches!(r, Route::Login | Route::NotFound))
            .unwrap_or(Route::Contacts)
    }
}

#[component]
pub fn App() -> Html {
    let lang: LangContext = use_state(crate::i18n::initial);
    let session = use_reducer(|| SessionState::Checking);
    let phone = use_reducer(PhoneState::default);
    let contacts = use_reducer(ContactsState::default);
    // Set when `GET /api/me` could not be answered at all (not a 401).
    let boot_error = use_state(|| None::<String>);
    let boot_attempt = use_state(|| 0u32);

    {
        let session = session.clone();
        let boot_error = boot_error.clone();
        use_effect_with(*boot_attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::me().await {
                    Ok(me) => session.dispatch(SessionAction::SignedIn(me)),
                    Err(failure) if failure.is_unauthorized() => {
                        session.dispatch(SessionAction::NoSession)
                    }
                    Err(failure) => boot_error.set(Some(failure.message())),
                }
            });
        });
    }

    if let Some(message) = &*boot_error {
        let on_retry = {
            let (boot_error, boot_attempt) = (boot_error.clone(), boot_attempt.clone());
            Callback::from(move |()| {
                boot_error.set(None);
                boot_attempt.set(*boot_attempt + 1);
            })
        };
        return html! {
            <main class="splash">
                <ErrorNotice message={message.clone()} {on_retry} />
            </main>
        };
    }

    html! {
        <ContextProvider<LangContext> context={lang}>
        <ContextProvider<SessionContext> context={session}>
            <ContextProvider<PhoneContext> context={phone}>
                <ContextProvider<ContactsContext> context={contacts}>
                    <BrowserRouter>
                        <Switch<Route> render={|route| html! { <Gate {route} /> }} />
                    </BrowserRouter>
                </ContextProvider<ContactsContext>>
            </ContextProvider<PhoneContext>>
        </ContextProvider<SessionContext>>
        </ContextProvider<LangContext>>
    }
}

#[derive(Properties, PartialEq)]
struct GateProps {
    route: Route,
}

/// Decides, for the current route and session, what to render.
#[component]
fn Gate(props: &GateProps) -> Html {
    crate::i18n::use_lang();
    let session = use_session();
    match (session.state(), &props.route) {
        (SessionState::Checking, _) => html! {
            <main class="splash"><Loading label={t("app-loading")} /></main>
        },
        (SessionState::SignedOut(_), Route::Login) => html! { <LoginPage /> },
        (SessionState::SignedOut(reason), _) => {
            let next = reason.keeps_location().then(|| props.route.to_path());
            html! { <ToLogin {next} /> }
        }
        (SessionState::SignedIn(_), Route::Login) => html! { <AfterLogin /> },
        (SessionState::SignedIn(me), route) => {
            let page = match route {
                Route::Home | Route::Contacts => html! { <ContactsPage /> },
                Route::Contact { id } => html! { <ContactCardPage id={*id} /> },
                Route::Calls => html! { <CallsPage /> },
                Route::AdminTrunks
                | Route::AdminTelephonyUsers
                | Route::AdminNumberRules
                | Route::AdminMasking
                | Route::AdminLimits
                | Route::AdminRecordings
                | Route::AdminAudit
                | Route::AdminTelephonyOff => html! { <AdminArea route={route.clone()} /> },
                Route::NotFound | Route::Login => html! { <NotFoundPage /> },
            };
            html! { <Shell me={me.clone()}>{ page }</Shell> }
        }
    }
}

#[derive(Properties, PartialEq)]
struct ToLoginProps {
    next: Option<String>,
}

/// Replaces the current history entry with `/login?next=…`, so Back does not
/// bounce between a protected page and the login form.
#[component]
fn ToLogin(props: &ToLoginProps) -> Html {
    let navigator = use_navigator();
    let next = props.next.clone().filter(|p| p != "/" && p != "/contacts");
    use_effect_with(next, move |next| {
        if let Some(navigator) = navigator {
            let query = LoginQuery { next: next.clone() };
            if navigator.replace_with_query(&Route::Login, &query).is_err() {
                navigator.replace(&Route::Login);
            }
        }
    });
    Html::default()
}

/// Leaves `/login` for the page named in `?next=` (or the contacts list).
#[component]
fn AfterLogin() -> Html {
    let navigator = use_navigator();
    let location = use_location();
    let target = location
        .and_then(|l| l.query::<LoginQuery>().ok())
        .unwrap_or_default()
        .target();
    use_effect_with(target, move |target| {
        if let Some(navigator) = navigator {
            navigator.replace(target);
        }
    });
    Html::default()
}

#[derive(Properties, PartialEq)]
struct ShellProps {
    me: Me,
    children: Html,
}

/// The signed-in layout: header on top, the page, and the softphone dock.
#[component]
fn Shell(props: &ShellProps) -> Html {
    let session = use_session();
    let phone = use_phone();
    let contacts = use_contacts_state();
    let logging_out = use_state(|| false);

    let on_logout = {
        let logging_out = logging_out.clone();
        let phone = phone.clone();
        Callback::from(move |()| {
            if *logging_out {
                return;
            }
            logging_out.set(true);
            let (session, phone, contacts) = (session.clone(), phone.clone(), contacts.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // Whatever the answer, this tab forgets the user; a failed request
                // at worst leaves a server session that expires by itself.
                let _ = api::logout().await;
                phone.act().emit(PhoneAction::Clear);
                contacts.dispatch(ContactsAction::Reset);
                session.logged_out();
            });
        })
    };

    // The browser phone lives as long as the signed-in layout: it starts
    // here and unregisters when the user signs out.
    let engine = {
        let act = phone.act();
        use_state(move || Engine::new(act))
    };
    {
        let engine = (*engine).clone();
        use_effect_with((), move |_| {
            engine.start();
            move || engine.stop()
        });
    }

    let detail = format!("{} · {}", props.me.login, props.me.group);
    let state = phone.state();
    html! {
        <div class="shell">
            <Header display_name={props.me.display_name.clone()} {detail}
                logging_out={*logging_out} {on_logout} is_admin={props.me.is_admin} />
            <ContextProvider<Engine> context={(*engine).clone()}>
                <div class="shell-body">
                    <main class="content">{ props.children.clone() }</main>
                    <SoftphoneDock state={state.clone()} engine={Some((*engine).clone())}
                        on_action={phone.act()} />
                </div>
            </ContextProvider<Engine>>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(next: Option<&str>) -> Route {
        LoginQuery {
            next: next.map(str::to_owned),
        }
        .target()
    }

    #[test]
    fn routes_match_the_documented_paths() {
        assert_eq!(Route::recognize("/"), Some(Route::Home));
        assert_eq!(Route::recognize("/contacts"), Some(Route::Contacts));
        assert_eq!(
            Route::recognize("/contacts/42"),
            Some(Route::Contact { id: 42 })
        );
        assert_eq!(Route::recognize("/login"), Some(Route::Login));
        assert_eq!(Route::Contact { id: 7 }.to_path(), "/contacts/7");
        assert_eq!(Route::recognize("/admin/trunks"), Some(Route::AdminTrunks));
        assert_eq!(
            Route::recognize("/admin/telephony-users"),
            Some(Route::AdminTelephonyUsers)
        );
        assert_eq!(
            Route::recognize("/admin/number-rules"),
            Some(Route::AdminNumberRules)
        );
        assert_eq!(
            Route::recognize("/admin/masking"),
            Some(Route::AdminMasking)
        );
        assert_eq!(Route::recognize("/admin/limits"), Some(Route::AdminLimits));
        assert_eq!(
            Route::recognize("/admin/recordings"),
            Some(Route::AdminRecordings)
        );
        assert_eq!(Route::recognize("/admin/audit"), Some(Route::AdminAudit));
        assert_eq!(
            Route::recognize("/admin/telephony"),
            Some(Route::AdminTelephonyOff)
        );
    }

    #[test]
    fn after_login_goes_back_to_a_known_page_only() {
        assert_eq!(target(Some("/contacts/5")), Route::Contact { id: 5 });
        assert_eq!(target(None), Route::Contacts);
        assert_eq!(target(Some("//evil.example/contacts/5")), Route::Contacts);
        assert_eq!(target(Some("https://evil.example/")), Route::Contacts);
        assert_eq!(target(Some("/login")), Route::Contacts);
        assert_eq!(target(Some("/nowhere")), Route::Contacts);
    }
}
