//! Who is signed in. The app starts in `Checking` (asking `GET /api/me`); any
//! 401 from any call moves it to `SignedOut`, which shows the login page.

use std::rc::Rc;

use callcard_shared::api::Me;
use yew::Reducible;

use crate::i18n::t;

/// Why nobody is signed in; decides what the login page says and whether it
/// should send the user back to where they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutReason {
    /// No session when the app opened (or it was never there).
    Anonymous,
    /// A call answered 401 while the user was working.
    Expired,
    /// The user pressed "Log out".
    LoggedOut,
}

impl SignedOutReason {
    /// The notice the login page shows above the form, if any.
    pub fn notice(self) -> Option<String> {
        match self {
            SignedOutReason::Expired => Some(t("login-session-ended")),
            SignedOutReason::LoggedOut => Some(t("login-signed-out")),
            SignedOutReason::Anonymous => None,
        }
    }

    /// Whether, after signing in, the user should return to the page they were on.
    pub fn keeps_location(self) -> bool {
        !matches!(self, SignedOutReason::LoggedOut)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    Checking,
    SignedOut(SignedOutReason),
    SignedIn(Me),
}

#[derive(Debug, Clone, PartialEq)]
pub enum SessionAction {
    /// `GET /api/me` or `POST /api/login` answered with the user.
    SignedIn(Me),
    /// `GET /api/me` answered 401 on start.
    NoSession,
    /// Any other call answered 401.
    Expired,
    LoggedOut,
}

impl SessionState {
    pub fn me(&self) -> Option<&Me> {
        match self {
            SessionState::SignedIn(me) => Some(me),
            _ => None,
        }
    }
}

impl Reducible for SessionState {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let next = match (&*self, action) {
            (_, SessionAction::SignedIn(me)) => SessionState::SignedIn(me),
            (_, SessionAction::LoggedOut) => SessionState::SignedOut(SignedOutReason::LoggedOut),
            // A late 401 from a request sent before logging out must not turn
            // "you have signed out" into "your session has ended".
            (SessionState::SignedOut(_), SessionAction::Expired | SessionAction::NoSession) => {
                return self
            }
            (SessionState::Checking, SessionAction::Expired | SessionAction::NoSession) => {
                SessionState::SignedOut(SignedOutReason::Anonymous)
            }
            (SessionState::SignedIn(_), SessionAction::Expired | SessionAction::NoSession) => {
                SessionState::SignedOut(SignedOutReason::Expired)
            }
        };
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Me {
        Me {
            id: 7,
            login: "anna".into(),
            display_name: "Anna Petrova".into(),
            group: "manager".into(),
            is_admin: false,
        }
    }

    fn reduce(state: SessionState, action: SessionAction) -> SessionState {
        (*Rc::new(state).reduce(action)).clone()
    }

    #[test]
    fn start_without_cookie_shows_login_without_notice() {
        let state = reduce(SessionState::Checking, SessionAction::NoSession);
        assert_eq!(state, SessionState::SignedOut(SignedOutReason::Anonymous));
        assert_eq!(SignedOutReason::Anonymous.notice(), None);
    }

    #[test]
    fn a_401_while_working_means_the_session_expired() {
        let state = reduce(SessionState::SignedIn(me()), SessionAction::Expired);
        assert_eq!(state, SessionState::SignedOut(SignedOutReason::Expired));
        assert!(SignedOutReason::Expired.notice().is_some());
        assert!(SignedOutReason::Expired.keeps_location());
    }

    #[test]
    fn late_401_after_logout_keeps_the_logout_reason() {
        let state = reduce(SessionState::SignedIn(me()), SessionAction::LoggedOut);
        let state = reduce(state, SessionAction::Expired);
        assert_eq!(state, SessionState::SignedOut(SignedOutReason::LoggedOut));
        assert!(!SignedOutReason::LoggedOut.keeps_location());
    }

    #[test]
    fn signing_in_from_any_state_stores_the_user() {
        for start in [
            SessionState::Checking,
            SessionState::SignedOut(SignedOutReason::Expired),
        ] {
            let state = reduce(start, SessionAction::SignedIn(me()));
            assert_eq!(
                state.me().map(|m| m.display_name.as_str()),
                Some("Anna Petrova")
            );
        }
    }
}
