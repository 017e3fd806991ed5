//! One contact: details and phones, deals, tasks, its calls (with what was
//! noted after each), and notes with an add-note form.

use callcard_shared::api::{ContactCard, NewNote};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::call_table::CallTable;
use crate::components::click_to_call::ClickToCall;
use crate::components::deals::DealList;
use crate::components::notes::{NoteForm, NoteList};
use crate::components::status::{Badge, ErrorNotice, Loading};
use crate::components::tasks::TaskList;
use crate::hooks::{use_phone, use_session, use_title};
use crate::i18n::{t, tr, use_lang};
use crate::services::api;
use crate::services::error::ApiFailure;
use crate::state::card::{CardAction, CardLoad, CardState, DraftProblem};

#[derive(Properties, PartialEq)]
pub struct ContactCardPageProps {
    pub id: i64,
}

/// Up to two initials for the avatar circle.
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

#[component]
pub fn ContactCardPage(props: &ContactCardPageProps) -> Html {
    use_lang();
    let state = use_reducer(|| CardState::new(props.id));
    let session = use_session();
    let phone = use_phone();
    use_title(match &state.load {
        CardLoad::Loaded(card) => card.contact.name.clone(),
        CardLoad::NotFound => t("card-not-found-title"),
        _ => t("card-title"),
    });

    {
        let state = state.clone();
        use_effect_with(props.id, move |id| state.dispatch(CardAction::Open(*id)));
    }
    {
        let state = state.clone();
        let session = session.clone();
        use_effect_with((state.id, state.attempt), move |(id, _)| {
            let id = *id;
            wasm_bindgen_futures::spawn_local(async move {
                let action = match api::contact_card(id).await {
                    Ok(card) => CardAction::Loaded(id, card),
                    Err(ApiFailure::NotFound(_)) => CardAction::NotFound(id),
                    Err(failure) => {
                        if session.check(&failure) {
                            return;
                        }
                        CardAction::Failed(id, failure.message())
                    }
                };
                state.dispatch(action);
            });
        });
    }

    // The contact's calls, newest first (refreshed when a call here ends).
    let calls = use_state(|| None::<Result<Vec<callcard_shared::api::CallRecord>, String>>);
    let call_ended = phone.state().wrap_up.as_ref().map(|r| r.id);
    {
        let calls = calls.clone();
        use_effect_with((props.id, call_ended), move |(id, _)| {
            let filters = crate::services::url::CallFilters {
                contact_id: Some(*id),
                ..Default::default()
            };
            wasm_bindgen_futures::spawn_local(async move {
                calls.set(Some(
                    api::calls(&filters, 20, 0)
                        .await
                        .map(|page| page.items)
                        .map_err(|f| f.message()),
                ));
            });
        });
    }

    let on_submit = {
        let state = state.clone();
        let session = session.clone();
        Callback::from(move |()| {
            if !state.can_save() {
                return;
            }
            let id = state.id;
            let note = NewNote {
                body: state.draft.trim().to_owned(),
            };
            state.dispatch(CardAction::SaveStarted);
            let state = state.clone();
            let session = session.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::add_note(id, &note).await {
                    Ok(note) => state.dispatch(CardAction::NoteSaved(note)),
                    Err(failure) => {
                        if !session.check(&failure) {
                            state.dispatch(CardAction::NoteRejected(failure.message()));
                        }
                    }
                }
            });
        })
    };
    let on_input = {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(CardAction::EditDraft(text)))
    };
    let on_retry = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(CardAction::Retry))
    };

    let back = html! {
        <nav class="breadcrumbs">
            <Link<Route> to={Route::Contacts}>{ t("card-back") }</Link<Route>>
        </nav>
    };

    let card: &ContactCard = match &state.load {
        CardLoad::Loading => {
            return html! { <section class="page">{ back }<Loading label={t("card-loading")} /></section> }
        }
        CardLoad::NotFound => {
            return html! {
                <section class="page">
                    { back }
                    <div class="empty" id="contact-not-found">
                        <h1>{ t("card-not-found-title") }</h1>
                        <p>{ t("card-not-found-text") }</p>
                    </div>
                </section>
            }
        }
        CardLoad::Failed(message) => {
            return html! {
                <section class="page">{ back }<ErrorNotice message={message.clone()} {on_retry} /></section>
            }
        }
        CardLoad::Loaded(card) => card,
    };

    let contact = &card.contact;
    let phones = contact.phones.iter().map(|p| {
        let normalized = p.e164.as_ref().filter(|e| **e != p.raw).cloned();
        html! {
            <li key={p.id}>
                <ClickToCall phone={p.clone()} on_call={phone.dial()} />
                if let Some(e164) = normalized {
                    <span class="muted small">{ e164 }</span>
                }
            </li>
        }
    });
    let note_error = state
        .note_error
        .clone()
        .or_else(|| state.draft_problem().and_then(DraftProblem::message))
        .map(AttrValue::from);
    let open_tasks = card.tasks.iter().filter(|t| !t.done).count();

    html! {
        <article id="contact-card" class="page card-page">
            { back }
            <header class="card-head">
                <div class="avatar" aria-hidden="true">{ initials(&contact.name) }</div>
                <div>
                    <h1 class="contact-name">{ contact.name.clone() }</h1>
                    <div class="card-sub">
                        if let Some(company) = &contact.company {
                            <span class="company">{ company.clone() }</span>
                        }
                        <Badge text={contact.status.clone()} />
                    </div>
                </div>
            </header>
            <div class="card-grid">
                <section class="panel details">
                    <h2>{ t("card-details") }</h2>
                    <dl>
                        <dt>{ t("card-phones") }</dt>
                        <dd>
                            if contact.phones.is_empty() {
                                <span class="muted">{ t("card-no-phones") }</span>
                            } else {
                                <ul class="card-phones">{ for phones }</ul>
                            }
                        </dd>
                        <dt>{ t("card-email") }</dt>
                        <dd>
                            if let Some(email) = &contact.email {
                                <a href={format!("mailto:{email}")}>{ email.clone() }</a>
                            } else {
                                <span class="muted">{ "—" }</span>
                            }
                        </dd>
                        <dt>{ t("card-responsible") }</dt>
                        <dd>
                            { contact.responsible.as_ref().map(|u| u.display_name.clone()).unwrap_or_else(|| "—".into()) }
                        </dd>
                    </dl>
                    if let Some(about) = card.about.as_ref().filter(|a| !a.trim().is_empty()) {
                        <h3>{ t("card-about") }</h3>
                        <p class="about">{ about.clone() }</p>
                    }
                </section>
                <section class="panel">
                    <h2>{ t("card-deals") }<span class="count-pill"
                        title={tr("card-deals-count", &[("count", card.deals.len().into())])}>
                        { card.deals.len() }</span></h2>
                    <DealList deals={card.deals.clone()} />
                </section>
                <section class="panel">
                    <h2>{ t("card-tasks") }<span class="count-pill"
                        title={tr("card-open-tasks-count", &[("count", open_tasks.into())])}>
                        { open_tasks }</span></h2>
                    <TaskList tasks={card.tasks.clone()} />
                </section>
                <section class="panel calls-panel" id="contact-calls">
                    <h2>{ t("card-calls") }</h2>
                    { match &*calls {
                        None => html! { <Loading label={t("card-calls-loading")} /> },
                        Some(Err(message)) => html! { <p class="form-error">{ message.clone() }</p> },
                        Some(Ok(list)) => html! {
                            <CallTable calls={list.clone()} on_call={phone.dial()} without_contact=true />
                        },
                    } }
                </section>
                <section class="panel notes-panel">
                    <h2>{ t("card-notes") }<span class="count-pill"
                        title={tr("card-notes-count", &[("count", card.notes.len().into())])}>
                        { card.notes.len() }</span></h2>
                    <NoteForm draft={state.draft.clone()} saving={state.saving} can_save={state.can_save()}
                        error={note_error} {on_input} {on_submit} />
                    <NoteList notes={card.notes.clone()} />
                </section>
            </div>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_the_first_two_words() {
        assert_eq!(initials("Ivan Petrovich Sidorov"), "IP");
        assert_eq!(initials("acme"), "A");
        assert_eq!(initials("  "), "");
    }
}
