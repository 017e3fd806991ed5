//! The telephony users page: CRM users with an extension and SIP
//! credentials. The generated password arrives once (create, rotate) and
//! is kept only until the admin dismisses the box.

use std::rc::Rc;

use callcard_shared::api::{SipCredentials, SipUser, SipUserInput, UserSummary};
use yew::Reducible;

use super::{FormError, Load};
use crate::i18n::t;

/// The relay hands out extensions from here up.
pub const FIRST_EXTENSION: u32 = 101;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SipUserField {
    User,
    Extension,
    AcceptIncoming,
    BrowserCalls,
    ForwardTo,
}

impl SipUserField {
    pub fn from_api(field: &str) -> Option<SipUserField> {
        Some(match field {
            "user_id" => SipUserField::User,
            "extension" => SipUserField::Extension,
            "accept_incoming" => SipUserField::AcceptIncoming,
            "browser_calls" => SipUserField::BrowserCalls,
            "forward_to" => SipUserField::ForwardTo,
            _ => return None,
        })
    }
}

/// The lowest extension from [`FIRST_EXTENSION`] no telephony user has, as
/// the relay would pick it.
pub fn next_free_extension(users: &[SipUser]) -> String {
    (FIRST_EXTENSION..)
        .map(|n| n.to_string())
        .find(|e| !users.iter().any(|u| &u.extension == e))
        .unwrap_or_default()
}

/// CRM users who have no telephony user yet, by name.
pub fn candidates<'a>(users: &'a [UserSummary], sip_users: &[SipUser]) -> Vec<&'a UserSummary> {
    let mut free: Vec<&UserSummary> = users
        .iter()
        .filter(|u| !sip_users.iter().any(|s| s.user.id == u.id))
        .collect();
    free.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    free
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUserForm {
    pub user_id: Option<i64>,
    pub extension: String,
    pub accept_incoming: bool,
    pub browser_calls: bool,
    pub forward_to: String,
}

impl SipUserForm {
    pub fn new(extension: String) -> SipUserForm {
        SipUserForm {
            user_id: None,
            extension,
            accept_incoming: true,
            browser_calls: true,
            forward_to: String::new(),
        }
    }

    pub fn from_user(user: &SipUser) -> SipUserForm {
        SipUserForm {
            user_id: Some(user.user.id),
            extension: user.extension.clone(),
            accept_incoming: user.accept_incoming,
            browser_calls: user.browser_calls,
            forward_to: user.forward_to.clone().unwrap_or_default(),
        }
    }

    /// The request body; an empty extension lets the relay pick the next free one.
    pub fn to_input(&self) -> Result<SipUserInput, FormError<SipUserField>> {
        let user_id = self
            .user_id
            .ok_or_else(|| FormError::at(SipUserField::User, t("tusers-error-user")))?;
        let extension = self.extension.trim();
        let well_formed =
            (3..=6).contains(&extension.len()) && extension.bytes().all(|b| b.is_ascii_digit());
        if !extension.is_empty() && !well_formed {
            return Err(FormError::at(
                SipUserField::Extension,
                t("tusers-error-extension"),
            ));
        }
        let forward_to = self.forward_to.trim();
        Ok(SipUserInput {
            user_id,
            extension: (!extension.is_empty()).then(|| extension.to_owned()),
            accept_incoming: self.accept_incoming,
            browser_calls: self.browser_calls,
            forward_to: (!forward_to.is_empty()).then(|| forward_to.to_owned()),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUserEditor {
    /// `None`: a new telephony user.
    pub target: Option<i64>,
    pub form: SipUserForm,
    pub saving: bool,
    pub error: Option<FormError<SipUserField>>,
}

impl SipUserEditor {
    pub fn error_for(&self, field: SipUserField) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == Some(field))
            .map(|e| e.message.as_str())
    }

    pub fn general_error(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field.is_none())
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TelephonyUsersState {
    pub load: Load,
    pub sip_users: Vec<SipUser>,
    /// Every CRM user.
    pub users: Vec<UserSummary>,
    pub editor: Option<SipUserEditor>,
    /// The one-time credentials box (after create or rotate).
    pub credentials: Option<SipCredentials>,
    /// The row whose "Delete" or "New password" asks for confirmation.
    pub confirm: Option<(i64, Confirm)>,
    /// A row with a request on its way.
    pub busy: Option<i64>,
    /// A failed delete or rotate, above the list.
    pub error: Option<String>,
    pub attempt: u32,
}

/// What a row asks to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    Delete,
    Rotate,
}

impl Default for TelephonyUsersState {
    fn default() -> Self {
        TelephonyUsersState {
            load: Load::Loading,
            sip_users: Vec::new(),
            users: Vec::new(),
            editor: None,
            credentials: None,
            confirm: None,
            busy: None,
            error: None,
            attempt: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TelephonyUsersAction {
    Retry,
    Loaded {
        sip_users: Vec<SipUser>,
        users: Vec<UserSummary>,
    },
    LoadFailed(String),
    New,
    Edit(i64),
    Cancel,
    PickUser(Option<i64>),
    SetExtension(String),
    SetAcceptIncoming(bool),
    SetBrowserCalls(bool),
    SetForwardTo(String),
    Invalid(FormError<SipUserField>),
    SaveStarted,
    /// A new telephony user: the row and the password to show once.
    Created(SipCredentials),
    Updated(SipUser),
    SaveFailed {
        field: Option<String>,
        message: String,
    },
    Ask(i64, Confirm),
    Dismiss,
    Started(i64),
    Rotated(SipCredentials),
    Deleted(i64),
    Failed(String),
    /// The admin closed the credentials box: the password is gone for good.
    DismissCredentials,
}

fn sort(users: &mut [SipUser]) {
    users.sort_by(|a, b| (a.extension.len(), &a.extension).cmp(&(b.extension.len(), &b.extension)));
}

fn upsert(users: &mut Vec<SipUser>, user: SipUser) {
    users.retain(|u| u.id != user.id);
    users.push(user);
    sort(users);
}

impl Reducible for TelephonyUsersState {
    type Action = TelephonyUsersAction;

    fn reduce(self: Rc<Self>, action: TelephonyUsersAction) -> Rc<Self> {
        use TelephonyUsersAction as A;
        let mut next = (*self).clone();
        match action {
            A::Retry => {
                next.load = Load::Loading;
                next.attempt = self.attempt.wrapping_add(1);
            }
            A::Loaded {
                mut sip_users,
                users,
            } => {
                sort(&mut sip_users);
                next.sip_users = sip_users;
                next.users = users;
                next.load = Load::Loaded;
            }
            A::LoadFailed(message) => next.load = Load::Failed(message),
            A::New => {
                next.editor = Some(SipUserEditor {
                    target: None,
                    form: SipUserForm::new(next_free_extension(&self.sip_users)),
                    saving: false,
                    error: None,
                });
            }
            A::Edit(id) => {
                let Some(user) = self.sip_users.iter().find(|u| u.id == id) else {
                    return self;
                };
                next.editor = Some(SipUserEditor {
                    target: Some(id),
                    form: SipUserForm::from_user(user),
                    saving: false,
                    error: None,
                });
            }
            A::Cancel => next.editor = None,
            A::PickUser(_)
            | A::SetExtension(_)
            | A::SetAcceptIncoming(_)
            | A::SetBrowserCalls(_)
            | A::SetForwardTo(_) => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                let field = match action {
                    A::PickUser(id) => {
                        if editor.target.is_some() {
                            return self;
                        }
                        editor.form.user_id = id;
                        SipUserField::User
                    }
                    A::SetExtension(s) => {
                        editor.form.extension = s;
                        SipUserField::Extension
                    }
                    A::SetAcceptIncoming(on) => {
                        editor.form.accept_incoming = on;
                        SipUserField::AcceptIncoming
                    }
                    A::SetBrowserCalls(on) => {
                        editor.form.browser_calls = on;
                        SipUserField::BrowserCalls
                    }
                    A::SetForwardTo(s) => {
                        editor.form.forward_to = s;
                        SipUserField::ForwardTo
                    }
                    _ => unreachable!("matched above"),
                };
                if editor
                    .error
                    .as_ref()
                    .is_some_and(|e| e.field == Some(field))
                {
                    editor.error = None;
                }
            }
            A::Invalid(error) => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                editor.error = Some(error);
            }
            A::SaveStarted => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                if editor.saving {
                    return self;
                }
                editor.saving = true;
                editor.error = None;
            }
            A::Created(credentials) => {
                upsert(&mut next.sip_users, credentials.sip_user.clone());
                next.credentials = Some(credentials);
                next.editor = None;
            }
            A::Updated(user) => {
                upsert(&mut next.sip_users, user);
                next.editor = None;
            }
            A::SaveFailed { field, message } => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                editor.saving = false;
                editor.error = Some(FormError {
                    field: field.as_deref().and_then(SipUserField::from_api),
                    message,
                });
            }
            A::Ask(id, what) => next.confirm = Some((id, what)),
            A::Dismiss => next.confirm = None,
            A::Started(id) => {
                next.busy = Some(id);
                next.error = None;
            }
            A::Rotated(credentials) => {
                next.busy = None;
                next.confirm = None;
                upsert(&mut next.sip_users, credentials.sip_user.clone());
                next.credentials = Some(credentials);
            }
            A::Deleted(id) => {
                next.busy = None;
                next.confirm = None;
                next.sip_users.retain(|u| u.id != id);
                if next.editor.as_ref().is_some_and(|e| e.target == Some(id)) {
                    next.editor = None;
                }
                if next
                    .credentials
                    .as_ref()
                    .is_some_and(|c| c.sip_user.id == id)
                {
                    next.credentials = None;
                }
            }
            A::Failed(message) => {
                next.busy = None;
                next.confirm = None;
                next.error = Some(message);
            }
            A::DismissCredentials => next.credentials = None,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callcard_shared::api::UserRef;

    fn sip(id: i64, user_id: i64, extension: &str) -> SipUser {
        SipUser {
            id,
            user: UserRef {
                id: user_id,
                display_name: format!("User {user_id}"),
            },
            extension: extension.into(),
            sip_login: format!("callcard_{extension}"),
            accept_incoming: true,
            browser_calls: true,
            forward_to: None,
            registered: false,
        }
    }

    fn crm(id: i64, name: &str) -> UserSummary {
        UserSummary {
            id,
            login: name.to_lowercase(),
            display_name: name.into(),
            group: "manager".into(),
        }
    }

    fn reduce(
        state: TelephonyUsersState,
        actions: Vec<TelephonyUsersAction>,
    ) -> TelephonyUsersState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn the_default_extension_is_the_lowest_free_one_from_101() {
        assert_eq!(next_free_extension(&[]), "101");
        assert_eq!(
            next_free_extension(&[sip(1, 1, "101"), sip(2, 2, "103"), sip(3, 3, "555")]),
            "102"
        );
    }

    #[test]
    fn only_crm_users_without_a_telephony_user_can_be_picked() {
        let users = [crm(1, "Boris"), crm(2, "Anna"), crm(3, "Admin")];
        let names: Vec<_> = candidates(&users, &[sip(9, 1, "101")])
            .into_iter()
            .map(|u| u.display_name.as_str())
            .collect();
        assert_eq!(names, ["Admin", "Anna"]);
    }

    #[test]
    fn the_form_needs_a_user_and_a_well_formed_extension() {
        let mut form = SipUserForm::new("102".into());
        assert_eq!(form.to_input().unwrap_err().field, Some(SipUserField::User));
        form.user_id = Some(4);
        form.extension = "1a".into();
        assert_eq!(
            form.to_input().unwrap_err().field,
            Some(SipUserField::Extension)
        );
        form.extension = " ".into();
        form.forward_to = " +7 916 123-45-67 ".into();
        form.browser_calls = false;
        let input = form.to_input().unwrap();
        assert_eq!(input.extension, None, "the relay picks one");
        assert_eq!(input.forward_to.as_deref(), Some("+7 916 123-45-67"));
        assert!(!input.browser_calls);
        assert!(input.accept_incoming);
    }

    #[test]
    fn the_password_is_shown_after_create_until_dismissed() {
        let created = SipCredentials {
            sip_user: sip(5, 2, "102"),
            sip_login: "callcard_102".into(),
            sip_password: "Zq9-secret".into(),
            realm: "callcard".into(),
        };
        let state = reduce(
            TelephonyUsersState::default(),
            vec![
                TelephonyUsersAction::Loaded {
                    sip_users: vec![sip(1, 1, "101")],
                    users: vec![crm(1, "Boris"), crm(2, "Anna")],
                },
                TelephonyUsersAction::New,
                TelephonyUsersAction::PickUser(Some(2)),
                TelephonyUsersAction::SaveStarted,
                TelephonyUsersAction::Created(created.clone()),
            ],
        );
        assert!(state.editor.is_none());
        assert_eq!(state.sip_users.len(), 2);
        assert_eq!(state.credentials, Some(created));
        let state = reduce(state, vec![TelephonyUsersAction::DismissCredentials]);
        assert_eq!(state.credentials, None);
    }

    #[test]
    fn a_new_form_proposes_the_next_extension_and_errors_land_on_fields() {
        let state = reduce(
            TelephonyUsersState::default(),
            vec![
                TelephonyUsersAction::Loaded {
                    sip_users: vec![sip(1, 1, "101")],
                    users: vec![],
                },
                TelephonyUsersAction::New,
                TelephonyUsersAction::SaveStarted,
                TelephonyUsersAction::SaveFailed {
                    field: Some("extension".into()),
                    message: "extension 102 belongs to another telephony user".into(),
                },
            ],
        );
        let editor = state.editor.as_ref().unwrap();
        assert_eq!(editor.form.extension, "102");
        assert!(editor
            .error_for(SipUserField::Extension)
            .unwrap()
            .contains("102"));
        let state = reduce(
            state,
            vec![TelephonyUsersAction::SetExtension("104".into())],
        );
        assert_eq!(state.editor.unwrap().error, None);
    }

    #[test]
    fn an_edit_cannot_move_to_another_user() {
        let state = reduce(
            TelephonyUsersState::default(),
            vec![
                TelephonyUsersAction::Loaded {
                    sip_users: vec![sip(1, 1, "101")],
                    users: vec![],
                },
                TelephonyUsersAction::Edit(1),
                TelephonyUsersAction::PickUser(Some(7)),
            ],
        );
        assert_eq!(state.editor.unwrap().form.user_id, Some(1));
    }

    #[test]
    fn deleting_removes_the_row_and_its_credentials_box() {
        let created = SipCredentials {
            sip_user: sip(1, 1, "101"),
            sip_login: "callcard_101".into(),
            sip_password: "pw".into(),
            realm: "callcard".into(),
        };
        let state = reduce(
            TelephonyUsersState::default(),
            vec![
                TelephonyUsersAction::Loaded {
                    sip_users: vec![sip(1, 1, "101")],
                    users: vec![],
                },
                TelephonyUsersAction::Ask(1, Confirm::Rotate),
                TelephonyUsersAction::Started(1),
                TelephonyUsersAction::Rotated(created),
                TelephonyUsersAction::Ask(1, Confirm::Delete),
                TelephonyUsersAction::Started(1),
                TelephonyUsersAction::Deleted(1),
            ],
        );
        assert!(state.sip_users.is_empty());
        assert_eq!(state.credentials, None);
        assert_eq!(state.confirm, None);
        assert_eq!(state.busy, None);
    }
}
