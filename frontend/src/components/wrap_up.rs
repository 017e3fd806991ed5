//! After a call: a prompt in the dock that never blocks the next call —
//! the outcome (the admins' list), a note (it lands on the contact's card),
//! a follow-up task with a date, and for an unknown caller "create contact"
//! with the call's number. Save or skip.

use callcard_shared::api::{CallRecord, CallWrapUp, FollowUp, NewCallContact};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{t, tr, use_lang};
use crate::services::api;

#[derive(Properties, PartialEq)]
pub struct WrapUpProps {
    pub record: CallRecord,
    /// Saved (with the stored record) or skipped (None).
    pub on_done: Callback<Option<CallRecord>>,
}

#[derive(Clone, Default, PartialEq)]
struct Draft {
    outcome: String,
    note: String,
    follow_up: String,
    due: String,
    contact_name: String,
    company: String,
}

impl Draft {
    fn request(&self, has_contact: bool) -> CallWrapUp {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        CallWrapUp {
            outcome: text(&self.outcome),
            note: text(&self.note),
            follow_up: text(&self.follow_up).map(|title| FollowUp {
                title,
                due: text(&self.due),
            }),
            new_contact: if has_contact {
                None
            } else {
                text(&self.contact_name).map(|name| NewCallContact {
                    name,
                    company: text(&self.company),
                })
            },
        }
    }
}

/// The value of the input, textarea or select an event came from.
fn field_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| {
            e.target_dyn_into::<HtmlTextAreaElement>()
                .map(|t| t.value())
        })
        .or_else(|| e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()))
        .unwrap_or_default()
}

#[component]
pub fn WrapUpPrompt(props: &WrapUpProps) -> Html {
    use_lang();
    let outcomes = use_state(Vec::<String>::new);
    let draft = use_state(Draft::default);
    let saving = use_state(|| false);
    let error = use_state(|| None::<String>);
    {
        let outcomes = outcomes.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(list) = api::call_outcomes().await {
                    outcomes.set(list.outcomes);
                }
            });
        });
    }
    let record = &props.record;
    let has_contact = record.contact_id.is_some();
    // Text fields update on every keystroke (so a click on Save right after
    // typing sends what was typed); the outcome list on change.
    let edit = |change: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let mut next = (*draft).clone();
            change(&mut next, field_value(&e));
            draft.set(next);
        })
    };
    let pick = |change: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let mut next = (*draft).clone();
            change(&mut next, field_value(&e));
            draft.set(next);
        })
    };
    let on_save = {
        let (draft, saving, error) = (draft.clone(), saving.clone(), error.clone());
        let on_done = props.on_done.clone();
        let id = record.id;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *saving {
                return;
            }
            let request = draft.request(has_contact);
            saving.set(true);
            let (saving, error, on_done) = (saving.clone(), error.clone(), on_done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::wrap_up(id, &request).await {
                    Ok(stored) => on_done.emit(Some(stored)),
                    Err(failure) => {
                        let message = match failure.field() {
                            Some(field) => format!("{field}: {}", failure.message()),
                            None => failure.message(),
                        };
                        error.set(Some(message));
                        saving.set(false);
                    }
                }
            });
        })
    };
    let on_skip = {
        let on_done = props.on_done.clone();
        move |_| on_done.emit(None)
    };
    let who = record
        .contact_name
        .clone()
        .or_else(|| record.number_e164.clone().filter(|n| !n.is_empty()));
    let title = match &who {
        Some(who) => tr("wrapup-title", &[("who", who.into())]),
        None => t("wrapup-title-unknown"),
    };
    let choices = outcomes.iter().map(|o| {
        html! { <option value={o.clone()} selected={*o == draft.outcome}>{ o.clone() }</option> }
    });
    html! {
        <form id="wrap-up" class="wrap-up" aria-label={t("wrapup-label")} onsubmit={on_save}>
            <p class="wrap-up-title">{ title }</p>
            if record.recording_seconds.is_some() || record.recording_note.is_some() {
                <div class="wrap-up-recording call-recording">
                    { super::call_table::recording(record) }
                </div>
            }
            <select id="wrap-up-outcome" aria-label={t("wrapup-outcome")} onchange={pick(|d, v| d.outcome = v)}>
                <option value="" selected={draft.outcome.is_empty()}>{ t("wrapup-outcome-choose") }</option>
                { for choices }
            </select>
            <textarea id="wrap-up-note" rows="2" placeholder={t("wrapup-note")} maxlength="4000"
                value={draft.note.clone()} oninput={edit(|d, v| d.note = v)} />
            if !has_contact {
                <input id="wrap-up-contact-name" type="text" placeholder={t("wrapup-contact-name")}
                    value={draft.contact_name.clone()} oninput={edit(|d, v| d.contact_name = v)} />
                <input id="wrap-up-company" type="text" placeholder={t("wrapup-company")}
                    value={draft.company.clone()} oninput={edit(|d, v| d.company = v)} />
            }
            <div class="wrap-up-row">
                <input id="wrap-up-follow-up" type="text" placeholder={t("wrapup-follow-up")}
                    value={draft.follow_up.clone()} oninput={edit(|d, v| d.follow_up = v)} />
                <input id="wrap-up-due" type="date" aria-label={t("wrapup-due")}
                    value={draft.due.clone()} onchange={pick(|d, v| d.due = v)} />
            </div>
            if let Some(message) = &*error {
                <p class="form-error" role="alert">{ message.clone() }</p>
            }
            <div class="wrap-up-row">
                <button type="submit" id="wrap-up-save" class="btn btn-primary" disabled={*saving}>
                    { if *saving { t("wrapup-saving") } else { t("wrapup-save") } }
                </button>
                <button type="button" id="wrap-up-skip" class="btn btn-ghost" onclick={on_skip}>{ t("wrapup-skip") }</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_filled_parts_are_sent_and_a_known_contact_is_not_created_again() {
        let draft = Draft {
            outcome: "Interested".into(),
            note: "  ".into(),
            follow_up: "Send the price list".into(),
            due: "2026-12-01".into(),
            contact_name: "Jan".into(),
            company: String::new(),
        };
        let request = draft.request(true);
        assert_eq!(request.outcome.as_deref(), Some("Interested"));
        assert_eq!(request.note, None);
        assert_eq!(
            request.follow_up,
            Some(FollowUp {
                title: "Send the price list".into(),
                due: Some("2026-12-01".into())
            })
        );
        assert_eq!(request.new_contact, None);
        let request = draft.request(false);
        assert_eq!(
            request.new_contact,
            Some(NewCallContact {
                name: "Jan".into(),
                company: None
            })
        );
    }
}
