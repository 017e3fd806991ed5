//! What an unknown address shows.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::i18n::{t, use_lang};

#[component]
pub fn NotFoundPage() -> Html {
    use_lang();
    html! {
        <section class="page">
            <h1>{ t("common-not-found-title") }</h1>
            <p class="muted">{ t("common-not-found-text") }</p>
            <Link<Route> to={Route::Contacts} classes="btn">{ t("common-not-found-link") }</Link<Route>>
        </section>
    }
}
