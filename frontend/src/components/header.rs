//! The top bar: product name, navigation, the language, the signed-in user
//! and "Log out".

use wasm_bindgen::JsCast;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::i18n::{t, use_lang, use_set_lang, Lang};

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub display_name: AttrValue,
    /// Login and group, shown on hover.
    pub detail: AttrValue,
    /// True while the logout request is on its way.
    pub logging_out: bool,
    pub on_logout: Callback<()>,
    /// Shows the "Admin" entry (the admin pages check the role themselves).
    #[prop_or_default]
    pub is_admin: bool,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    use_lang();
    let on_logout = props.on_logout.clone();
    html! {
        <header class="topbar">
            <Link<Route> to={Route::Contacts} classes="brand">
                <span class="brand-mark" aria-hidden="true">{ "☎" }</span>
                { "Callcard" }
            </Link<Route>>
            <nav class="topnav" aria-label={t("nav-main")}>
                <Link<Route> to={Route::Contacts} classes="topnav-link">{ t("nav-contacts") }</Link<Route>>
                <Link<Route> to={Route::Calls} classes="topnav-link">{ t("nav-calls") }</Link<Route>>
                if props.is_admin {
                    <Link<Route> to={Route::AdminTrunks} classes="topnav-link">
                        <span id="nav-admin">{ t("nav-admin") }</span>
                    </Link<Route>>
                }
            </nav>
            <div class="topbar-user">
                <LanguagePicker />
                <span id="current-user" title={props.detail.clone()}>{ props.display_name.clone() }</span>
                <button type="button" id="logout" class="btn btn-ghost" disabled={props.logging_out}
                    onclick={move |_| on_logout.emit(())}>
                    { if props.logging_out { t("logging-out") } else { t("log-out") } }
                </button>
            </div>
        </header>
    }
}

/// The language of the interface, each named in itself.
#[component]
pub fn LanguagePicker() -> Html {
    let lang = use_lang();
    let set_lang = use_set_lang();
    let onchange = Callback::from(move |e: Event| {
        let picked = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .and_then(|select| Lang::from_code(&select.value()));
        if let Some(picked) = picked {
            set_lang.emit(picked);
        }
    });
    html! {
        <select id="language" class="language-picker" title={t("language")}
            aria-label={t("language")} {onchange}>
            { for Lang::ALL.into_iter().map(|l| html! {
                <option value={l.code()} selected={l == lang}>{ l.native_name() }</option>
            }) }
        </select>
    }
}
