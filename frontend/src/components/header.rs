//! The top bar: product name, navigation, the signed-in user and "Log out".

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub display_name: AttrValue,
    /// Login and group, shown on hover.
    pub detail: AttrValue,
    /// True while the logout request is on its way.
    pub logging_out: bool,
    pub on_logout: Callback<()>,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let on_logout = props.on_logout.clone();
    html! {
        <header class="topbar">
            <Link<Route> to={Route::Contacts} classes="brand">
                <span class="brand-mark" aria-hidden="true">{ "☎" }</span>
                { "Callcard" }
            </Link<Route>>
            <nav class="topnav" aria-label="Main">
                <Link<Route> to={Route::Contacts} classes="topnav-link">{ "Contacts" }</Link<Route>>
                <Link<Route> to={Route::Calls} classes="topnav-link">{ "Calls" }</Link<Route>>
            </nav>
            <div class="topbar-user">
                <span id="current-user" title={props.detail.clone()}>{ props.display_name.clone() }</span>
                <button type="button" id="logout" class="btn btn-ghost" disabled={props.logging_out}
                    onclick={move |_| on_logout.emit(())}>
                    { if props.logging_out { "Logging out…" } else { "Log out" } }
                </button>
            </div>
        </header>
    }
}
