//! `use_session()`: who is signed in, and the one place a 401 turns into
//! "your session has ended".

use callcard_shared::api::Me;
use yew::prelude::*;

use crate::services::error::ApiFailure;
use crate::state::session::{SessionAction, SessionState};

pub type SessionContext = UseReducerHandle<SessionState>;

#[derive(Clone, PartialEq)]
pub struct SessionHandle {
    state: SessionContext,
}

impl SessionHandle {
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    pub fn me(&self) -> Option<&Me> {
        self.state.me()
    }

    pub fn signed_in(&self, me: Me) {
        self.state.dispatch(SessionAction::SignedIn(me));
    }

    pub fn logged_out(&self) {
        self.state.dispatch(SessionAction::LoggedOut);
    }

    /// Call with every failed API call's error: a 401 ends the session and
    /// the app shows the login page. Returns whether it did.
    pub fn check(&self, failure: &ApiFailure) -> bool {
        if failure.is_unauthorized() {
            self.state.dispatch(SessionAction::Expired);
            true
        } else {
            false
        }
    }
}

#[hook]
pub fn use_session() -> SessionHandle {
    let state = use_context::<SessionContext>().expect("SessionContext is provided by App");
    SessionHandle { state }
}
