//! A contact's deals: title, amount, stage, owner and dates.

use callcard_shared::api::Deal;
use yew::prelude::*;

use crate::components::status::Badge;
use crate::format::{date, money};

#[derive(Properties, PartialEq)]
pub struct DealListProps {
    pub deals: Vec<Deal>,
}

#[component]
pub fn DealList(props: &DealListProps) -> Html {
    let items = props.deals.iter().map(|d| {
        let dates = match &d.closed_at {
            Some(closed) => format!("Opened {} · closed {}", date(&d.created_at), date(closed)),
            None => format!("Opened {}", date(&d.created_at)),
        };
        html! {
            <li class="deal" key={d.id}>
                <div class="deal-main">
                    <span class="deal-title">{ d.title.clone() }</span>
                    <span class="deal-amount">{ money(d.amount_minor, &d.currency) }</span>
                </div>
                <div class="deal-meta">
                    <Badge text={d.stage.clone()} />
                    if let Some(owner) = &d.owner {
                        <span>{ owner.display_name.clone() }</span>
                    }
                    <span class="muted">{ dates }</span>
                </div>
            </li>
        }
    });
    html! {
        <>
            <ul id="contact-deals" class="deal-list">{ for items }</ul>
            if props.deals.is_empty() {
                <p class="empty-inline">{ "No deals with this contact yet." }</p>
            }
        </>
    }
}
