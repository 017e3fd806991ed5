//! The call log: filters (period, user for administrators, direction,
//! status), paging, a CSV download of everything the filters match, and
//! click-to-call on every number.

use callcard_shared::api::{CallPage, UserSummary};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::call_table::CallTable;
use crate::components::pager::Pager;
use crate::components::status::{ErrorNotice, Loading};
use crate::hooks::{use_phone, use_session, use_title};
use crate::i18n::{t, tr, use_lang};
use crate::services::api;
use crate::services::url::{self, CallFilters};
use crate::state::session::SessionState;

const PAGE: u32 = 50;

/// The direction filter's choices: the query value and its words.
fn directions() -> [(&'static str, String); 3] {
    [
        ("", t("calls-log-filter-any-way")),
        ("inbound", t("calls-log-filter-in")),
        ("outbound", t("calls-log-filter-out")),
    ]
}

/// The status filter's choices: the query value and its words.
fn statuses() -> [(&'static str, String); 9] {
    [
        ("", t("calls-log-filter-any-status")),
        ("answered", t("calls-log-filter-answered")),
        ("missed", t("calls-log-filter-missed")),
        ("no_answer", t("calls-log-filter-no-answer")),
        ("busy", t("calls-log-filter-busy")),
        ("failed", t("calls-log-filter-failed")),
        ("cancelled", t("calls-log-filter-cancelled")),
        ("refused", t("calls-log-filter-refused")),
        ("interrupted", t("calls-log-filter-interrupted")),
    ]
}

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(CallPage),
    Failed(String),
}

#[component]
pub fn CallsPage() -> Html {
    use_lang();
    use_title(t("calls-log-title"));
    let session = use_session();
    let phone = use_phone();
    let is_admin = matches!(session.state(), SessionState::SignedIn(me) if me.is_admin);
    let filters = use_state(CallFilters::default);
    let offset = use_state(|| 0u32);
    let attempt = use_state(|| 0u32);
    let load = use_state(|| Load::Loading);
    let users = use_state(Vec::<UserSummary>::new);

    {
        let users = users.clone();
        use_effect_with(is_admin, move |is_admin| {
            if *is_admin {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(list) = api::users().await {
                        users.set(list);
                    }
                });
            }
        });
    }
    {
        let load = load.clone();
        let session = session.clone();
        let deps = ((*filters).clone(), *offset, *attempt);
        use_effect_with(deps, move |(filters, offset, _)| {
            load.set(Load::Loading);
            let (filters, offset) = (filters.clone(), *offset);
            wasm_bindgen_futures::spawn_local(async move {
                match api::calls(&filters, PAGE, offset).await {
                    Ok(page) => load.set(Load::Loaded(page)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            load.set(Load::Failed(failure.message()));
                        }
                    }
                }
            });
        });
    }

    // Every filter change starts again from the first page.
    let set = {
        let (filters, offset) = (filters.clone(), offset.clone());
        move |change: fn(&mut CallFilters, String)| {
            let (filters, offset) = (filters.clone(), offset.clone());
            Callback::from(move |e: Event| {
                let value = e
                    .target_dyn_into::<HtmlInputElement>()
                    .map(|i| i.value())
                    .or_else(|| e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()))
                    .unwrap_or_default();
                let mut next = (*filters).clone();
                change(&mut next, value);
                filters.set(next);
                offset.set(0);
            })
        }
    };
    let options = |list: &[(&'static str, String)], current: &str| {
        list.iter()
            .map(|(value, label)| {
                html! { <option value={*value} selected={*value == current}>{ label.clone() }</option> }
            })
            .collect::<Html>()
    };
    let user_filter = is_admin.then(|| {
        let current = filters.user_id;
        let choices = users.iter().map(|u| {
            html! {
                <option value={u.id.to_string()} selected={Some(u.id) == current}>
                    { u.display_name.clone() }
                </option>
            }
        });
        html! {
            <label>{ t("calls-log-filter-user") }
                <select id="calls-user" onchange={set(|f, v| f.user_id = v.parse().ok())}>
                    <option value="" selected={current.is_none()}>{ t("calls-log-filter-everyone") }</option>
                    { for choices }
                </select>
            </label>
        }
    });

    let body = match &*load {
        Load::Loading => html! { <Loading label={t("calls-log-loading")} /> },
        Load::Failed(message) => {
            let attempt = attempt.clone();
            html! {
                <ErrorNotice message={message.clone()}
                    on_retry={Callback::from(move |()| attempt.set(*attempt + 1))} />
            }
        }
        Load::Loaded(page) => {
            let total = u64::try_from(page.total).unwrap_or_default();
            let shown = page.items.len();
            let on_prev = {
                let offset = offset.clone();
                Callback::from(move |()| offset.set(offset.saturating_sub(PAGE)))
            };
            let on_next = {
                let offset = offset.clone();
                Callback::from(move |()| offset.set(*offset + PAGE))
            };
            html! {
                <>
                    <CallTable calls={page.items.clone()} on_call={phone.dial()} />
                    <Pager offset={*offset} {shown} {total} has_prev={*offset > 0}
                        has_next={u64::from(*offset) + (shown as u64) < total} {on_prev} {on_next} />
                </>
            }
        }
    };

    // How many calls the filters match, once the relay has said.
    let total = match &*load {
        Load::Loaded(page) => Some(u64::try_from(page.total).unwrap_or_default()),
        _ => None,
    };
    let count = total.map(|total| {
        html! {
            <span id="calls-total" class="muted count">
                { tr("calls-count", &[("count", total.into())]) }
            </span>
        }
    });

    html! {
        <section class="page" id="calls-page">
            <div class="page-head">
                <h1>{ t("calls-log-title") }</h1>
                { for count }
                <span class="page-actions">
                    <super::calls_zip::ZipDownload href={url::calls_zip(&filters)} />
                    <a id="calls-csv" class="btn btn-ghost" href={url::calls_csv(&filters)} download="">
                        { t("calls-log-download-csv") }
                    </a>
                </span>
            </div>
            <form class="filters" onsubmit={|e: SubmitEvent| e.prevent_default()}>
                <label>{ t("calls-log-filter-from") }
                    <input id="calls-from" type="date" value={filters.from.clone()}
                        onchange={set(|f, v| f.from = v)} />
                </label>
                <label>{ t("calls-log-filter-to") }
                    <input id="calls-to" type="date" value={filters.to.clone()}
                        onchange={set(|f, v| f.to = v)} />
                </label>
                <label>{ t("calls-log-filter-way") }
                    <select id="calls-direction" onchange={set(|f, v| f.direction = v)}>
                        { options(&directions(), &filters.direction) }
                    </select>
                </label>
                <label>{ t("calls-log-filter-status") }
                    <select id="calls-status" onchange={set(|f, v| f.status = v)}>
                        { options(&statuses(), &filters.status) }
                    </select>
                </label>
                { for user_filter }
            </form>
            { body }
        </section>
    }
}
