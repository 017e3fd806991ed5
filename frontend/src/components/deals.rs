//! A contact's deals: title, amount, stage, owner and dates.

use callcard_shared::api::Deal;
use yew::prelude::*;

use crate::components::status::Badge;
use crate::format::{date, money};
use crate::i18n::{t, tr, use_lang};

#[derive(Properties, PartialEq)]
pub struct DealListProps {
    pub deals: Vec<Deal>,
}

#[component]
pub fn DealList(props: &DealListProps) -> Html {
    use_lang();
    let items = props.deals.iter().map(|d| {
        let dates = match &d.closed_at {
            Some(closed) => tr(
                "deals-opened-closed",
                &[
                    ("opened", date(&d.created_at).into()),
                    ("closed", date(closed).into()),
                ],
            ),
            None => tr("deals-opened", &[("opened", date(&d.created_at).into())]),
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
                <p class="empty-inline">{ t("deals-empty") }</p>
            }
        </>
    }
}
