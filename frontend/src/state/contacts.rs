//! The contacts list: the committed search text, the page being shown, and the
//! last answer. It lives above the router so that going back from a contact
//! card returns to the same search and page.
//!
//! Answers carry the query and offset they were asked for; an answer for a
//! search the user has already moved past is dropped, so a slow response can
//! never overwrite a newer one.

use std::rc::Rc;

use callcard_shared::api::ContactPage;
use yew::Reducible;

/// Rows per page.
pub const PAGE_SIZE: u32 = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct ContactsState {
    /// The search as sent to the server (trimmed, after the debounce).
    pub query: String,
    pub offset: u32,
    pub limit: u32,
    /// The last page received. While a new one loads it stays on screen,
    /// dimmed, instead of flashing an empty table.
    pub page: Option<ContactPage>,
    pub loading: bool,
    pub error: Option<String>,
    /// Bumped by `Retry` so the page's fetch effect runs again for the same
    /// query and offset.
    pub attempt: u32,
}

impl Default for ContactsState {
    fn default() -> Self {
        ContactsState {
            query: String::new(),
            offset: 0,
            limit: PAGE_SIZE,
            page: None,
            loading: true,
            error: None,
            attempt: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ContactsAction {
    /// The (debounced) search text changed.
    Search(String),
    NextPage,
    PrevPage,
    /// The page (re)starts a request for the current query and offset.
    Started,
    Retry,
    Loaded {
        query: String,
        offset: u32,
        page: ContactPage,
    },
    Failed {
        query: String,
        offset: u32,
        message: String,
    },
    /// Forget everything (on logout, or when another user signs in).
    Reset,
}

impl ContactsState {
    fn is_current(&self, query: &str, offset: u32) -> bool {
        self.query == query && self.offset == offset
    }

    /// Total matches according to the last answer.
    pub fn total(&self) -> Option<u64> {
        self.page
            .as_ref()
            .map(|p| u64::try_from(p.total).unwrap_or(0))
    }

    pub fn has_prev(&self) -> bool {
        self.offset > 0
    }

    pub fn has_next(&self) -> bool {
        match &self.page {
            Some(page) => {
                u64::from(page.offset) + (page.items.len() as u64) < self.total().unwrap_or(0)
            }
            None => false,
        }
    }

    /// Whether to show the "nothing found" state rather than a table.
    pub fn is_empty(&self) -> bool {
        !self.loading
            && self.error.is_none()
            && self.page.as_ref().is_some_and(|p| p.items.is_empty())
    }
}

impl Reducible for ContactsState {
    type Action = ContactsAction;

    fn reduce(self: Rc<Self>, action: ContactsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ContactsAction::Search(text) => {
                let query = text.trim().to_owned();
                if query == self.query {
                    return self;
                }
                next.query = query;
                next.offset = 0;
                next.loading = true;
                next.error = None;
            }
            ContactsAction::NextPage => {
                if !self.has_next() {
                    return self;
                }
                next.offset = self.offset + self.limit;
                next.loading = true;
                next.error = None;
            }
            ContactsAction::PrevPage => {
                if !self.has_prev() {
                    return self;
                }
                next.offset = self.offset.saturating_sub(self.limit);
                next.loading = true;
                next.error = None;
            }
            ContactsAction::Started => {
                if self.loading && self.error.is_none() {
                    return self;
                }
                next.loading = true;
                next.error = None;
            }
            ContactsAction::Retry => {
                next.attempt = self.attempt.wrapping_add(1);
                next.loading = true;
                next.error = None;
            }
            ContactsAction::Loaded {
                query,
                offset,
                page,
            } => {
                if !self.is_current(&query, offset) {
                    return self;
                }
                let total = u32::try_from(page.total.max(0)).unwrap_or(u32::MAX);
                if page.items.is_empty() && offset > 0 && total > 0 {
                    // The list shrank under us (contacts deleted, or a page
                    // remembered from before): go to the last page that exists.
                    next.offset = (total - 1) / self.limit * self.limit;
                    next.loading = true;
                    return Rc::new(next);
                }
                next.page = Some(page);
                next.loading = false;
                next.error = None;
            }
            ContactsAction::Failed {
                query,
                offset,
                message,
            } => {
                if !self.is_current(&query, offset) {
                    return self;
                }
                next.loading = false;
                next.error = Some(message);
            }
            ContactsAction::Reset => next = ContactsState::default(),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callcard_shared::api::{Contact, Phone};

    fn contact(id: i64) -> Contact {
        Contact {
            id,
            name: format!("Contact {id}"),
            company: None,
            status: "active".into(),
            email: None,
            responsible: None,
            phones: vec![Phone {
                id,
                raw: format!("+7 916 000-00-{id:02}"),
                e164: None,
                reference: Phone::reference_of(id),
            }],
        }
    }

    fn page(offset: u32, count: u32, total: i64) -> ContactPage {
        ContactPage {
            items: (offset..offset + count)
                .map(|i| contact(i64::from(i) + 1))
                .collect(),
            total,
            limit: PAGE_SIZE,
            offset,
        }
    }

    fn apply(state: Rc<ContactsState>, action: ContactsAction) -> Rc<ContactsState> {
        state.reduce(action)
    }

    fn loaded(state: Rc<ContactsState>, page: ContactPage) -> Rc<ContactsState> {
        let (query, offset) = (state.query.clone(), state.offset);
        apply(
            state,
            ContactsAction::Loaded {
                query,
                offset,
                page,
            },
        )
    }

    #[test]
    fn paging_walks_forward_and_back_within_the_total() {
        let state = Rc::new(ContactsState::default());
        let state = loaded(state, page(0, 10, 23));
        assert!(!state.has_prev());
        assert!(state.has_next());

        let state = apply(state, ContactsAction::NextPage);
        assert_eq!(state.offset, 10);
        assert!(state.loading);
        let state = loaded(state, page(10, 10, 23));
        let state = apply(state, ContactsAction::NextPage);
        let state = loaded(state, page(20, 3, 23));
        assert_eq!(state.offset, 20);
        assert!(!state.has_next());

        // Next on the last page does nothing; Prev goes back one page.
        let same = apply(state.clone(), ContactsAction::NextPage);
        assert!(Rc::ptr_eq(&same, &state));
        let state = apply(state, ContactsAction::PrevPage);
        assert_eq!(state.offset, 10);
    }

    #[test]
    fn a_new_search_starts_at_the_first_page() {
        let state = loaded(Rc::new(ContactsState::default()), page(0, 10, 30));
        let state = apply(state, ContactsAction::NextPage);
        let state = apply(state, ContactsAction::Search("  ivan ".into()));
        assert_eq!(state.query, "ivan");
        assert_eq!(state.offset, 0);
        assert!(state.loading);
        // The old page stays visible while the new search loads.
        assert!(state.page.is_some());
    }

    #[test]
    fn retyping_the_same_search_does_not_refetch() {
        let state = apply(
            Rc::new(ContactsState::default()),
            ContactsAction::Search("ivan".into()),
        );
        let state = loaded(state, page(0, 1, 1));
        let again = apply(state.clone(), ContactsAction::Search("ivan ".into()));
        assert!(Rc::ptr_eq(&state, &again));
    }

    #[test]
    fn a_stale_answer_is_dropped() {
        let state = apply(
            Rc::new(ContactsState::default()),
            ContactsAction::Search("iv".into()),
        );
        let state = apply(state, ContactsAction::Search("ivan".into()));
        // The answer for "iv" arrives after the user typed "ivan".
        let state = apply(
            state,
            ContactsAction::Loaded {
                query: "iv".into(),
                offset: 0,
                page: page(0, 10, 40),
            },
        );
        assert!(state.loading);
        assert!(state.page.is_none());
        let state = apply(
            state,
            ContactsAction::Failed {
                query: "iv".into(),
                offset: 0,
                message: "boom".into(),
            },
        );
        assert_eq!(state.error, None);

        let state = loaded(state, page(0, 1, 1));
        assert!(!state.loading);
        assert_eq!(state.total(), Some(1));
    }

    #[test]
    fn empty_result_is_reported_only_when_loaded() {
        let state = apply(
            Rc::new(ContactsState::default()),
            ContactsAction::Search("nobody".into()),
        );
        assert!(!state.is_empty());
        let state = loaded(state, page(0, 0, 0));
        assert!(state.is_empty());
    }

    #[test]
    fn empty_page_past_the_end_jumps_to_the_last_page() {
        let mut start = ContactsState {
            offset: 50,
            ..ContactsState::default()
        };
        start.loading = true;
        let state = loaded(Rc::new(start), page(50, 0, 23));
        assert_eq!(state.offset, 20);
        assert!(state.loading);
        assert!(!state.is_empty());
    }

    #[test]
    fn failure_then_retry_asks_again() {
        let state = Rc::new(ContactsState::default());
        let state = apply(
            state,
            ContactsAction::Failed {
                query: String::new(),
                offset: 0,
                message: "Cannot reach the server".into(),
            },
        );
        assert_eq!(state.error.as_deref(), Some("Cannot reach the server"));
        assert!(!state.loading);
        let attempt = state.attempt;
        let state = apply(state, ContactsAction::Retry);
        assert_eq!(state.attempt, attempt + 1);
        assert!(state.loading);
        assert_eq!(state.error, None);
    }

    #[test]
    fn reset_forgets_the_previous_user_s_search() {
        let state = apply(
            Rc::new(ContactsState::default()),
            ContactsAction::Search("acme".into()),
        );
        let state = apply(state, ContactsAction::Reset);
        assert_eq!(*state, ContactsState::default());
    }
}
