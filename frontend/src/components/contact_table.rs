//! The contacts list as a table: name (a link to the card), company, phones
//! as click-to-call buttons, status and the responsible manager.

use callcard_shared::api::Contact;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::click_to_call::ClickToCall;
use crate::components::status::Badge;
use crate::i18n::{t, use_lang};

#[derive(Properties, PartialEq)]
pub struct ContactTableProps {
    pub contacts: Vec<Contact>,
    /// Dimmed while a newer page or search is loading.
    #[prop_or_default]
    pub stale: bool,
    pub on_call: Callback<String>,
}

#[component]
pub fn ContactTable(props: &ContactTableProps) -> Html {
    use_lang();
    let rows = props.contacts.iter().map(|c| {
        let phones = c.phones.iter().map(|phone| {
            html! { <ClickToCall key={phone.id} phone={phone.clone()} on_call={props.on_call.clone()} /> }
        });
        html! {
            <tr class="contact-row" key={c.id}>
                <td class="col-name">
                    <Link<Route> to={Route::Contact { id: c.id }} classes="contact-link">
                        { c.name.clone() }
                    </Link<Route>>
                    if let Some(email) = &c.email {
                        <div class="muted small">{ email.clone() }</div>
                    }
                </td>
                <td class="col-company">{ c.company.clone().unwrap_or_default() }</td>
                <td class="col-phones">
                    if c.phones.is_empty() {
                        <span class="muted">{ "—" }</span>
                    } else {
                        <div class="phone-list">{ for phones }</div>
                    }
                </td>
                <td class="col-status"><Badge text={c.status.clone()} /></td>
                <td class="col-owner">
                    { c.responsible.as_ref().map(|u| u.display_name.clone()).unwrap_or_default() }
                </td>
            </tr>
        }
    });
    html! {
        <div class={classes!("table-wrap", props.stale.then_some("stale"))} aria-busy={props.stale.to_string()}>
            <table class="contacts-table">
                <thead>
                    <tr>
                        <th scope="col">{ t("contacts-col-name") }</th>
                        <th scope="col">{ t("contacts-col-company") }</th>
                        <th scope="col">{ t("contacts-col-phones") }</th>
                        <th scope="col">{ t("contacts-col-status") }</th>
                        <th scope="col">{ t("contacts-col-responsible") }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
