//! Notes on a contact: the add-note form and the list, newest first.

use callcard_shared::api::Note;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::format::timestamp;
use crate::i18n::{t, use_lang};

#[derive(Properties, PartialEq)]
pub struct NoteListProps {
    pub notes: Vec<Note>,
}

#[component]
pub fn NoteList(props: &NoteListProps) -> Html {
    use_lang();
    let items = props.notes.iter().map(|n| {
        let author = n
            .author
            .as_ref()
            .map(|a| a.display_name.clone())
            .unwrap_or_else(|| t("notes-unknown-author"));
        html! {
            <li class="note" key={n.id}>
                <div class="note-meta">
                    <span class="note-author">{ author }</span>
                    <time datetime={n.created_at.clone()}>{ timestamp(&n.created_at) }</time>
                </div>
                <div class="note-body">{ n.body.clone() }</div>
            </li>
        }
    });
    html! {
        <>
            <ul id="contact-notes" class="note-list">{ for items }</ul>
            if props.notes.is_empty() {
                <p class="empty-inline">{ t("notes-empty") }</p>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct NoteFormProps {
    pub draft: AttrValue,
    pub saving: bool,
    pub can_save: bool,
    /// A problem to show under the field (from the server or the length check).
    pub error: Option<AttrValue>,
    pub on_input: Callback<String>,
    pub on_submit: Callback<()>,
}

#[component]
pub fn NoteForm(props: &NoteFormProps) -> Html {
    use_lang();
    let oninput = {
        let on_input = props.on_input.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_input.emit(area.value());
        })
    };
    let onsubmit = {
        let on_submit = props.on_submit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_submit.emit(());
        })
    };
    // Ctrl+Enter (or Cmd+Enter) saves, as in most CRMs and chat tools.
    let onkeydown = {
        let on_submit = props.on_submit.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                on_submit.emit(());
            }
        })
    };
    html! {
        <form class="note-form" {onsubmit}>
            <label for="note-body" class="visually-hidden">{ t("notes-new-label") }</label>
            <textarea id="note-body" rows="3" placeholder={t("notes-placeholder")}
                value={props.draft.clone()} {oninput} {onkeydown}
                aria-invalid={props.error.is_some().to_string()}
                aria-describedby="note-error" />
            if let Some(error) = &props.error {
                <p id="note-error" class="field-error" role="alert">{ error.clone() }</p>
            }
            <div class="note-form-actions">
                <span class="muted small">{ t("notes-shortcut-hint") }</span>
                <button type="submit" id="note-add" class="btn btn-primary" disabled={!props.can_save}>
                    { if props.saving { t("notes-saving") } else { t("notes-add") } }
                </button>
            </div>
        </form>
    }
}
