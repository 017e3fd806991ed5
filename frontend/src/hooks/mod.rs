//! Hooks that give pages the shared state (session, phone, contacts list) and
//! small browser helpers (debounce, page title).

mod debounce;
mod phone;
mod session;
mod title;

pub use debounce::use_debounced;
pub use phone::{use_phone, PhoneContext, PhoneHandle};
pub use session::{use_session, SessionContext, SessionHandle};
pub use title::use_title;

use yew::prelude::*;

use crate::state::contacts::ContactsState;

/// The contacts list state, provided above the router so it survives navigation.
pub type ContactsContext = UseReducerHandle<ContactsState>;

#[hook]
pub fn use_contacts_state() -> ContactsContext {
    use_context::<ContactsContext>().expect("ContactsContext is provided by App")
}
