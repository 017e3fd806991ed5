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
    /// Shows the "Admin" entry (the admin pages check the role themselves).
    #[prop_or_default]
    pub is_admin: bool,
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
                if props.is_admin {
                    <Link<Route> to={Route::AdminTrunks} classes="topnav-link">
                        <span id="nav-admin">{ "Admin" }</span>
                    </Link<Route>>
                }
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
