//! The contacts list: search as you type (name, company or any phone format),
//! paging, and click-to-call on every number.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::contact_table::ContactTable;
use crate::components::pager::Pager;
use crate::components::status::{ErrorNotice, Loading};
use crate::hooks::{use_contacts_state, use_debounced, use_phone, use_session, use_title};
use crate::i18n::{t, tr, use_lang};
use crate::services::api;
use crate::state::contacts::ContactsAction;

/// Wait this long after the last keystroke before searching.
const SEARCH_DEBOUNCE_MS: u32 = 250;

#[component]
pub fn ContactsPage() -> Html {
    use_lang();
    let state = use_contacts_state();
    let session = use_session();
    let phone = use_phone();
    // What is in the box right now; `state.query` is what was last searched.
    let text = use_state(|| state.query.clone());
    use_title(t("contacts-title"));

    // Fetch whenever the search, the page or a retry asks for it (and on mount,
    // so coming back to the list shows fresh data).
    {
        let state = state.clone();
        let session = session.clone();
        let deps = (
            state.query.clone(),
            state.offset,
            state.limit,
            state.attempt,
        );
        use_effect_with(deps, move |(query, offset, limit, _)| {
            state.dispatch(ContactsAction::Started);
            let (query, offset, limit) = (query.clone(), *offset, *limit);
            wasm_bindgen_futures::spawn_local(async move {
                match api::contacts(&query, limit, offset).await {
                    Ok(page) => state.dispatch(ContactsAction::Loaded {
                        query,
                        offset,
                        page,
                    }),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(ContactsAction::Failed {
                                query,
                                offset,
                                message: failure.message(),
                            });
                        }
                    }
                }
            });
        });
    }

    let search = {
        let state = state.clone();
        Callback::from(move |q: String| state.dispatch(ContactsAction::Search(q)))
    };
    let search_later = use_debounced(SEARCH_DEBOUNCE_MS, search.clone());
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let value = input.value();
            text.set(value.clone());
            search_later.emit(value);
        })
    };
    // Enter searches at once; Escape clears the box.
    let onkeydown = {
        let text = text.clone();
        let search = search.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                search.emit((*text).clone());
            }
            "Escape" => {
                text.set(String::new());
                search.emit(String::new());
            }
            _ => {}
        })
    };
    let on_prev = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(ContactsAction::PrevPage))
    };
    let on_next = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(ContactsAction::NextPage))
    };
    let on_retry = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(ContactsAction::Retry))
    };

    let count = state.total().map(|total| {
        let text = if state.query.is_empty() {
            tr("contacts-count", &[("count", total.into())])
        } else {
            tr("contacts-found", &[("count", total.into())])
        };
        html! { <span class="muted count">{ text }</span> }
    });

    let body = if let Some(message) = &state.error {
        html! { <ErrorNotice message={message.clone()} on_retry={on_retry} /> }
    } else if state.is_empty() {
        let message = if state.query.is_empty() {
            t("contacts-empty")
        } else {
            tr("contacts-no-match", &[("query", (&state.query).into())])
        };
        html! { <div id="contacts-empty" class="empty">{ message }</div> }
    } else if let Some(page) = state.page.as_ref().filter(|p| !p.items.is_empty()) {
        html! {
            <>
                <ContactTable contacts={page.items.clone()} stale={state.loading} on_call={phone.dial()} />
                <Pager offset={page.offset} shown={page.items.len()} total={state.total().unwrap_or(0)}
                    has_prev={state.has_prev()} has_next={state.has_next()} {on_prev} {on_next} />
            </>
        }
    } else {
        html! { <Loading label={t("contacts-loading")} /> }
    };

    html! {
        <section class="page contacts-page">
            <div class="page-head">
                <h1>{ t("contacts-title") }</h1>
                { for count }
            </div>
            <div class="search-box">
                <input id="contact-search" type="search" autocomplete="off" spellcheck="false"
                    aria-label={t("contacts-search-label")}
                    placeholder={t("contacts-search-placeholder")}
                    value={(*text).clone()} {oninput} {onkeydown} />
                if state.loading && state.page.is_some() {
                    <span class="spinner search-spinner" role="status" aria-label={t("contacts-searching")}></span>
                }
            </div>
            { body }
        </section>
    }
}
