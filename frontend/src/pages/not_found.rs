//! What an unknown address shows.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

#[component]
pub fn NotFoundPage() -> Html {
    html! {
        <section class="page">
            <h1>{ "Page not found" }</h1>
            <p class="muted">{ "There is nothing at this address." }</p>
            <Link<Route> to={Route::Contacts} classes="btn">{ "Go to contacts" }</Link<Route>>
        </section>
    }
}
