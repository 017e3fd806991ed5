//! One contact card: loading it, and the add-note form under its notes.

use std::rc::Rc;

use callcard_shared::api::{ContactCard, NewNote, Note};
use yew::Reducible;

use crate::i18n::tr;

#[derive(Debug, Clone, PartialEq)]
pub enum CardLoad {
    Loading,
    Loaded(Box<ContactCard>),
    NotFound,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CardState {
    /// The contact this state is about; answers for another id are dropped.
    pub id: i64,
    pub load: CardLoad,
    /// The note being written.
    pub draft: String,
    pub saving: bool,
    pub note_error: Option<String>,
    /// Bumped by `Retry` so the page's fetch effect runs again.
    pub attempt: u32,
}

/// What keeps a note draft from being saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftProblem {
    Empty,
    TooLong { chars: usize },
}

impl DraftProblem {
    /// Words for the user; an empty draft needs none, the button is just disabled.
    pub fn message(self) -> Option<String> {
        match self {
            DraftProblem::Empty => None,
            DraftProblem::TooLong { chars } => Some(tr(
                "notes-too-long",
                &[("chars", chars.into()), ("max", NewNote::MAX_LEN.into())],
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CardAction {
    /// Show contact `id` (first visit, or the route changed).
    Open(i64),
    Retry,
    Loaded(i64, ContactCard),
    NotFound(i64),
    Failed(i64, String),
    EditDraft(String),
    /// The form was submitted and passed [`CardState::draft_problem`].
    SaveStarted,
    NoteSaved(Note),
    NoteRejected(String),
}

impl CardState {
    pub fn new(id: i64) -> Self {
        CardState {
            id,
            load: CardLoad::Loading,
            draft: String::new(),
            saving: false,
            note_error: None,
            attempt: 0,
        }
    }

    /// Why the draft cannot be sent as it is; `None` when it can.
    pub fn draft_problem(&self) -> Option<DraftProblem> {
        let chars = self.draft.trim().chars().count();
        if chars == 0 {
            Some(DraftProblem::Empty)
        } else if chars > NewNote::MAX_LEN {
            Some(DraftProblem::TooLong { chars })
        } else {
            None
        }
    }

    pub fn can_save(&self) -> bool {
        !self.saving && self.draft_problem().is_none() && matches!(self.load, CardLoad::Loaded(_))
    }
}

/// Newest first; ids break ties between notes written in the same second.
pub fn sort_notes(notes: &mut [Note]) {
    notes.sort_by(|a, b| (&b.created_at, b.id).cmp(&(&a.created_at, a.id)));
}

impl Reducible for CardState {
    type Action = CardAction;

    fn reduce(self: Rc<Self>, action: CardAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            CardAction::Open(id) => {
                if id == self.id && !matches!(self.load, CardLoad::Failed(_)) {
                    return self;
                }
                next = CardState::new(id);
            }
            CardAction::Retry => {
                next.load = CardLoad::Loading;
                next.attempt = self.attempt.wrapping_add(1);
            }
            CardAction::Loaded(id, mut card) => {
                if id != self.id {
                    return self;
                }
                sort_notes(&mut card.notes);
                next.load = CardLoad::Loaded(Box::new(card));
            }
            CardAction::NotFound(id) => {
                if id != self.id {
                    return self;
                }
                next.load = CardLoad::NotFound;
            }
            CardAction::Failed(id, message) => {
                if id != self.id {
                    return self;
                }
                next.load = CardLoad::Failed(message);
            }
            CardAction::EditDraft(text) => {
                next.draft = text;
                next.note_error = None;
            }
            CardAction::SaveStarted => {
                if !self.can_save() {
                    return self;
                }
                next.saving = true;
                next.note_error = None;
            }
            CardAction::NoteSaved(note) => {
                if note.contact_id != self.id {
                    return self;
                }
                if let CardLoad::Loaded(card) = &mut next.load {
                    card.notes.retain(|n| n.id != note.id);
                    card.notes.push(note);
                    sort_notes(&mut card.notes);
                }
                next.draft.clear();
                next.saving = false;
                next.note_error = None;
            }
            CardAction::NoteRejected(message) => {
                next.saving = false;
                next.note_error = Some(message);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callcard_shared::api::Contact;

    fn note(id: i64, created_at: &str) -> Note {
        Note {
            id,
            contact_id: 5,
            body: format!("note {id}"),
            author: None,
            created_at: created_at.into(),
        }
    }

    fn card() -> ContactCard {
        ContactCard {
            contact: Contact {
                id: 5,
                name: "Ivan Sidorov".into(),
                company: Some("Acme".into()),
                status: "active".into(),
                email: None,
                responsible: None,
                phones: vec![],
            },
            about: None,
            deals: vec![],
            notes: vec![
                note(1, "2026-11-01T10:00:00Z"),
                note(3, "2026-11-20T09:30:00Z"),
                note(2, "2026-11-20T09:30:00Z"),
            ],
            tasks: vec![],
        }
    }

    fn loaded() -> Rc<CardState> {
        Rc::new(CardState::new(5)).reduce(CardAction::Loaded(5, card()))
    }

    fn note_ids(state: &CardState) -> Vec<i64> {
        match &state.load {
            CardLoad::Loaded(card) => card.notes.iter().map(|n| n.id).collect(),
            other => panic!("not loaded: {other:?}"),
        }
    }

    #[test]
    fn notes_are_shown_newest_first() {
        assert_eq!(note_ids(&loaded()), vec![3, 2, 1]);
    }

    #[test]
    fn an_answer_for_another_contact_is_dropped() {
        let state = Rc::new(CardState::new(6));
        let after = state.clone().reduce(CardAction::Loaded(5, card()));
        assert!(Rc::ptr_eq(&state, &after));
        let after = state.clone().reduce(CardAction::NotFound(5));
        assert_eq!(after.load, CardLoad::Loading);
    }

    #[test]
    fn saving_a_note_adds_it_on_top_and_clears_the_form() {
        let state = loaded().reduce(CardAction::EditDraft("Called, asked for a quote".into()));
        assert!(state.can_save());
        let state = state.reduce(CardAction::SaveStarted);
        assert!(state.saving);
        assert!(!state.can_save(), "no double submit while saving");
        let saved = Note {
            body: "Called, asked for a quote".into(),
            ..note(10, "2026-11-25T19:45:00Z")
        };
        let state = state.reduce(CardAction::NoteSaved(saved));
        assert_eq!(note_ids(&state), vec![10, 3, 2, 1]);
        assert_eq!(state.draft, "");
        assert!(!state.saving);
    }

    #[test]
    fn blank_or_huge_drafts_cannot_be_saved() {
        let state = loaded().reduce(CardAction::EditDraft("   \n ".into()));
        assert_eq!(state.draft_problem(), Some(DraftProblem::Empty));
        assert_eq!(DraftProblem::Empty.message(), None);
        let same = state.clone().reduce(CardAction::SaveStarted);
        assert!(!same.saving);

        let huge = "x".repeat(NewNote::MAX_LEN + 1);
        let state = state.reduce(CardAction::EditDraft(huge));
        let problem = state.draft_problem();
        assert_eq!(
            problem,
            Some(DraftProblem::TooLong {
                chars: NewNote::MAX_LEN + 1
            })
        );
        assert!(problem
            .and_then(DraftProblem::message)
            .is_some_and(|m| m.contains("too long")));
    }

    #[test]
    fn a_rejected_note_keeps_the_draft_and_shows_why() {
        let state = loaded()
            .reduce(CardAction::EditDraft("hello".into()))
            .reduce(CardAction::SaveStarted)
            .reduce(CardAction::NoteRejected("body must not be empty".into()));
        assert_eq!(state.draft, "hello");
        assert!(!state.saving);
        assert_eq!(state.note_error.as_deref(), Some("body must not be empty"));
        // Typing again clears the error.
        let state = state.reduce(CardAction::EditDraft("hello!".into()));
        assert_eq!(state.note_error, None);
    }

    #[test]
    fn opening_another_contact_starts_over() {
        let state = loaded()
            .reduce(CardAction::EditDraft("draft".into()))
            .reduce(CardAction::Open(6));
        assert_eq!(*state, CardState::new(6));
    }
}
