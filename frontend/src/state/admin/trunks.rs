//! The SIP accounts page: the trunks with their live registration status
//! (the list, then `trunk_status` events), and the add/edit form. The
//! password is write-only: the form never holds the stored one, and an empty
//! password field on edit keeps it.

use std::collections::HashMap;
use std::rc::Rc;

use callcard_shared::api::{SipTransport, Trunk, TrunkInput, TrunkState, TrunkStatus};
use yew::Reducible;

use super::{FormError, Load};
use crate::i18n::{t, tr};

/// The fields of the trunk form; their API names are the JSON keys of
/// [`TrunkInput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrunkField {
    Name,
    Number,
    Username,
    Password,
    Domain,
    Host,
    Transport,
    OutboundProxy,
    Register,
    Expires,
    Priority,
    Enabled,
}

impl TrunkField {
    pub fn from_api(field: &str) -> Option<TrunkField> {
        Some(match field {
            "name" => TrunkField::Name,
            "number" => TrunkField::Number,
            "username" => TrunkField::Username,
            "password" => TrunkField::Password,
            "domain" => TrunkField::Domain,
            "host" => TrunkField::Host,
            "transport" => TrunkField::Transport,
            "outbound_proxy" => TrunkField::OutboundProxy,
            "register" => TrunkField::Register,
            "expires" => TrunkField::Expires,
            "priority" => TrunkField::Priority,
            "enabled" => TrunkField::Enabled,
            _ => return None,
        })
    }
}

/// The form as typed. `password` starts empty even when one is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrunkForm {
    pub name: String,
    pub number: String,
    pub username: String,
    pub password: String,
    pub domain: String,
    pub host: String,
    pub transport: SipTransport,
    pub outbound_proxy: String,
    pub register: bool,
    pub expires: String,
    pub priority: String,
    pub enabled: bool,
}

impl Default for TrunkForm {
    /// A new trunk, with the API's defaults.
    fn default() -> Self {
        TrunkForm {
            name: String::new(),
            number: String::new(),
            username: String::new(),
            password: String::new(),
            domain: String::new(),
            host: String::new(),
            transport: SipTransport::Udp,
            outbound_proxy: String::new(),
            register: true,
            expires: "3600".into(),
            priority: "0".into(),
            enabled: true,
        }
    }
}

impl TrunkForm {
    pub fn from_trunk(trunk: &Trunk) -> TrunkForm {
        TrunkForm {
            name: trunk.name.clone(),
            number: trunk.number.clone(),
            username: trunk.username.clone(),
            password: String::new(),
            domain: trunk.domain.clone(),
            host: trunk.host.clone(),
            transport: trunk.transport,
            outbound_proxy: trunk.outbound_proxy.clone().unwrap_or_default(),
            register: trunk.register,
            expires: trunk.expires.to_string(),
            priority: trunk.priority.to_string(),
            enabled: trunk.enabled,
        }
    }

    /// The request body. `creating`: a password is required; otherwise an
    /// empty one keeps the stored password. The relay checks the rest.
    pub fn to_input(&self, creating: bool) -> Result<TrunkInput, FormError<TrunkField>> {
        let expires = self
            .expires
            .trim()
            .parse::<u32>()
            .map_err(|_| FormError::at(TrunkField::Expires, t("trunks-error-expires")))?;
        let priority = self
            .priority
            .trim()
            .parse::<i32>()
            .map_err(|_| FormError::at(TrunkField::Priority, t("trunks-error-priority")))?;
        let password = (!self.password.is_empty()).then(|| self.password.clone());
        if creating && password.is_none() {
            return Err(FormError::at(
                TrunkField::Password,
                t("trunks-error-password"),
            ));
        }
        let proxy = self.outbound_proxy.trim();
        Ok(TrunkInput {
            name: self.name.trim().to_owned(),
            number: self.number.trim().to_owned(),
            username: self.username.trim().to_owned(),
            password,
            domain: self.domain.trim().to_owned(),
            host: self.host.trim().to_owned(),
            transport: self.transport,
            outbound_proxy: (!proxy.is_empty()).then(|| proxy.to_owned()),
            register: self.register,
            expires,
            priority,
            enabled: self.enabled,
        })
    }

    fn set_text(&mut self, field: TrunkField, value: String) {
        match field {
            TrunkField::Name => self.name = value,
            TrunkField::Number => self.number = value,
            TrunkField::Username => self.username = value,
            TrunkField::Password => self.password = value,
            TrunkField::Domain => self.domain = value,
            TrunkField::Host => self.host = value,
            TrunkField::OutboundProxy => self.outbound_proxy = value,
            TrunkField::Expires => self.expires = value,
            TrunkField::Priority => self.priority = value,
            TrunkField::Transport => {
                if let Some(t) = parse_transport(&value) {
                    self.transport = t;
                }
            }
            TrunkField::Register | TrunkField::Enabled => {}
        }
    }

    fn set_flag(&mut self, field: TrunkField, on: bool) {
        match field {
            TrunkField::Register => self.register = on,
            TrunkField::Enabled => self.enabled = on,
            _ => {}
        }
    }
}

pub fn transport_name(t: SipTransport) -> &'static str {
    match t {
        SipTransport::Udp => "udp",
        SipTransport::Tcp => "tcp",
        SipTransport::Tls => "tls",
    }
}

pub fn parse_transport(s: &str) -> Option<SipTransport> {
    match s {
        "udp" => Some(SipTransport::Udp),
        "tcp" => Some(SipTransport::Tcp),
        "tls" => Some(SipTransport::Tls),
        _ => None,
    }
}

/// How a status is drawn: the CSS modifier (`registered` green, `failed`
/// red, `pending` and `off` grey), a short label, and the hover text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusIcon {
    pub class: &'static str,
    pub label: String,
    pub title: String,
}

pub fn status_icon(status: &TrunkStatus) -> StatusIcon {
    let since = crate::format::timestamp(&status.since);
    match status.state {
        TrunkState::Registered => StatusIcon {
            class: "registered",
            label: t("trunks-status-registered"),
            title: tr("trunks-status-registered-title", &[("since", since.into())]),
        },
        TrunkState::Failed => StatusIcon {
            class: "failed",
            label: t("trunks-status-failed"),
            title: match &status.reason {
                Some(reason) => {
                    let args = [("reason", reason.into()), ("since", since.into())];
                    tr("trunks-status-failed-reason-title", &args)
                }
                None => tr("trunks-status-failed-title", &[("since", since.into())]),
            },
        },
        TrunkState::Pending => StatusIcon {
            class: "pending",
            label: t("trunks-status-pending"),
            title: t("trunks-status-pending-title"),
        },
        TrunkState::NotRegistering => StatusIcon {
            class: "off",
            label: t("trunks-status-off"),
            title: t("trunks-status-off-title"),
        },
    }
}

/// The open form: a new trunk (`target: None`) or trunk `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrunkEditor {
    pub target: Option<i64>,
    /// Whether the trunk being edited has a stored password.
    pub has_password: bool,
    pub form: TrunkForm,
    pub saving: bool,
    pub error: Option<FormError<TrunkField>>,
}

impl TrunkEditor {
    pub fn creating(&self) -> bool {
        self.target.is_none()
    }

    /// The error to show under `field`.
    pub fn error_for(&self, field: TrunkField) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == Some(field))
            .map(|e| e.message.as_str())
    }

    /// The error that belongs to no field.
    pub fn general_error(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field.is_none())
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrunksState {
    pub load: Load,
    /// By priority, as the API lists them.
    pub trunks: Vec<Trunk>,
    pub editor: Option<TrunkEditor>,
    /// The trunk whose "Delete" asks for confirmation.
    pub confirm_delete: Option<i64>,
    pub deleting: Option<i64>,
    /// A failed delete, above the list.
    pub error: Option<String>,
    /// Bumped by `Retry` so the page loads again.
    pub attempt: u32,
    /// The last `trunk_status` event per trunk since the last request was
    /// sent. It is newer than that request's answer, which may arrive after
    /// it (a trunk registers at a fast provider before its `POST` answer is
    /// read), and also holds events for trunks not in the list yet.
    pub live: HashMap<i64, TrunkStatus>,
}

impl Default for TrunksState {
    fn default() -> Self {
        TrunksState {
            load: Load::Loading,
            trunks: Vec::new(),
            editor: None,
            confirm_delete: None,
            deleting: None,
            error: None,
            attempt: 0,
            live: HashMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TrunksAction {
    Retry,
    Loaded(Vec<Trunk>),
    LoadFailed(String),
    /// A `trunk_status` event.
    Status(i64, TrunkStatus),
    New,
    Edit(i64),
    Cancel,
    SetText(TrunkField, String),
    SetFlag(TrunkField, bool),
    /// The form did not convert; shown without asking the relay.
    Invalid(FormError<TrunkField>),
    SaveStarted,
    Saved(Trunk),
    /// The relay refused: `field` as it named it, and its sentence.
    SaveFailed {
        field: Option<String>,
        message: String,
    },
    AskDelete(i64),
    KeepTrunk,
    DeleteStarted(i64),
    Deleted(i64),
    DeleteFailed(String),
    /// "Register now" was refused (the trunk is disabled, or gone).
    RegisterFailed(String),
}

fn sort(trunks: &mut [Trunk]) {
    trunks.sort_by_key(|t| (t.priority, t.id));
}

impl Reducible for TrunksState {
    type Action = TrunksAction;

    fn reduce(self: Rc<Self>, action: TrunksAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            TrunksAction::Retry => {
                next.load = Load::Loading;
                next.attempt = self.attempt.wrapping_add(1);
                next.live.clear();
            }
            TrunksAction::Loaded(mut trunks) => {
                for trunk in &mut trunks {
                    if let Some(status) = self.live.get(&trunk.id) {
                        trunk.status = status.clone();
                    }
                }
                sort(&mut trunks);
                next.trunks = trunks;
                next.load = Load::Loaded;
            }
            TrunksAction::LoadFailed(message) => next.load = Load::Failed(message),
            TrunksAction::Status(id, status) => {
                if let Some(trunk) = next.trunks.iter_mut().find(|t| t.id == id) {
                    trunk.status = status.clone();
                }
                next.live.insert(id, status);
            }
            TrunksAction::New => {
                next.editor = Some(TrunkEditor {
                    target: None,
                    has_password: false,
                    form: TrunkForm::default(),
                    saving: false,
                    error: None,
                });
            }
            TrunksAction::Edit(id) => {
                let Some(trunk) = self.trunks.iter().find(|t| t.id == id) else {
                    return self;
                };
                next.editor = Some(TrunkEditor {
                    target: Some(id),
                    has_password: trunk.has_password,
                    form: TrunkForm::from_trunk(trunk),
                    saving: false,
                    error: None,
                });
            }
            TrunksAction::Cancel => next.editor = None,
            TrunksAction::SetText(field, value) => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                editor.form.set_text(field, value);
                if editor
                    .error
                    .as_ref()
                    .is_some_and(|e| e.field == Some(field))
                {
                    editor.error = None;
                }
            }
            TrunksAction::SetFlag(field, on) => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                editor.form.set_flag(field, on);
            }
            TrunksAction::Invalid(error) => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                editor.error = Some(error);
            }
            TrunksAction::SaveStarted => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                if editor.saving {
                    return self;
                }
                editor.saving = true;
                editor.error = None;
                if let Some(id) = editor.target {
                    next.live.remove(&id);
                }
            }
            TrunksAction::Saved(mut trunk) => {
                if let Some(status) = self.live.get(&trunk.id) {
                    trunk.status = status.clone();
                }
                next.trunks.retain(|t| t.id != trunk.id);
                next.trunks.push(trunk);
                sort(&mut next.trunks);
                next.editor = None;
            }
            TrunksAction::SaveFailed { field, message } => {
                let Some(editor) = next.editor.as_mut() else {
                    return self;
                };
                editor.saving = false;
                editor.error = Some(FormError {
                    field: field.as_deref().and_then(TrunkField::from_api),
                    message,
                });
            }
            TrunksAction::AskDelete(id) => next.confirm_delete = Some(id),
            TrunksAction::KeepTrunk => next.confirm_delete = None,
            TrunksAction::DeleteStarted(id) => {
                next.deleting = Some(id);
                next.error = None;
            }
            TrunksAction::Deleted(id) => {
                next.trunks.retain(|t| t.id != id);
                next.deleting = None;
                next.confirm_delete = None;
                if next.editor.as_ref().is_some_and(|e| e.target == Some(id)) {
                    next.editor = None;
                }
            }
            TrunksAction::RegisterFailed(message) => next.error = Some(message),
            TrunksAction::DeleteFailed(message) => {
                next.deleting = None;
                next.confirm_delete = None;
                next.error = Some(message);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: TrunkState, reason: Option<&str>, since: &str) -> TrunkStatus {
        TrunkStatus {
            state,
            reason: reason.map(str::to_owned),
            since: since.into(),
        }
    }

    fn trunk(id: i64, priority: i32) -> Trunk {
        Trunk {
            id,
            name: format!("Provider {id}"),
            number: "+74950000000".into(),
            username: "user".into(),
            domain: "sip.example".into(),
            host: "sip.example:5060".into(),
            transport: SipTransport::Udp,
            outbound_proxy: None,
            register: true,
            expires: 3600,
            priority,
            enabled: true,
            has_password: true,
            status: status(TrunkState::Pending, None, "2025-01-01T00:00:00Z"),
        }
    }

    fn reduce(state: TrunksState, actions: Vec<TrunksAction>) -> TrunksState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn the_icon_is_green_red_or_grey_and_a_failure_says_why_on_hover() {
        let ok = status_icon(&status(
            TrunkState::Registered,
            None,
            "2025-01-01T00:00:00Z",
        ));
        assert_eq!(ok.class, "registered");
        let failed = status_icon(&status(
            TrunkState::Failed,
            Some("wrong credentials (403)"),
            "2025-01-01T00:00:00Z",
        ));
        assert_eq!(failed.class, "failed");
        assert!(
            failed.title.contains("wrong credentials (403)"),
            "{failed:?}"
        );
        let pending = status_icon(&status(TrunkState::Pending, None, "2025-01-01T00:00:00Z"));
        assert_eq!(pending.class, "pending");
        assert_eq!(
            status_icon(&status(TrunkState::NotRegistering, None, "x")).class,
            "off"
        );
    }

    #[test]
    fn an_edited_trunk_keeps_its_password_unless_a_new_one_is_typed() {
        let form = TrunkForm::from_trunk(&trunk(1, 0));
        assert_eq!(
            form.password, "",
            "the stored password is never in the form"
        );
        let input = form.to_input(false).unwrap();
        assert_eq!(input.password, None);
        assert_eq!(input.outbound_proxy, None);
        assert_eq!(input.expires, 3600);

        let mut form = form;
        form.password = "s3cret".into();
        form.outbound_proxy = " proxy.example:5060 ".into();
        let input = form.to_input(false).unwrap();
        assert_eq!(input.password.as_deref(), Some("s3cret"));
        assert_eq!(input.outbound_proxy.as_deref(), Some("proxy.example:5060"));
    }

    #[test]
    fn a_new_trunk_needs_a_password_and_numbers_where_numbers_go() {
        let form = TrunkForm::default();
        assert_eq!(
            form.to_input(true).unwrap_err().field,
            Some(TrunkField::Password)
        );
        let mut form = TrunkForm {
            password: "p".into(),
            expires: "soon".into(),
            ..TrunkForm::default()
        };
        assert_eq!(
            form.to_input(true).unwrap_err().field,
            Some(TrunkField::Expires)
        );
        form.expires = "120".into();
        form.priority = "first".into();
        assert_eq!(
            form.to_input(true).unwrap_err().field,
            Some(TrunkField::Priority)
        );
    }

    #[test]
    fn the_relays_field_lands_under_the_form_field() {
        let state = reduce(
            TrunksState::default(),
            vec![
                TrunksAction::Loaded(vec![]),
                TrunksAction::New,
                TrunksAction::SaveStarted,
                TrunksAction::SaveFailed {
                    field: Some("host".into()),
                    message: "`x y` is not a host".into(),
                },
            ],
        );
        let editor = state.editor.unwrap();
        assert!(!editor.saving);
        assert_eq!(
            editor.error_for(TrunkField::Host),
            Some("`x y` is not a host")
        );
        assert_eq!(editor.general_error(), None);

        let state = reduce(
            TrunksState::default(),
            vec![
                TrunksAction::New,
                TrunksAction::SaveFailed {
                    field: None,
                    message: "server down".into(),
                },
            ],
        );
        assert_eq!(state.editor.unwrap().general_error(), Some("server down"));
    }

    #[test]
    fn typing_in_the_blamed_field_clears_its_error() {
        let state = reduce(
            TrunksState::default(),
            vec![
                TrunksAction::New,
                TrunksAction::SaveFailed {
                    field: Some("name".into()),
                    message: "taken".into(),
                },
                TrunksAction::SetText(TrunkField::Host, "h".into()),
            ],
        );
        assert!(state.editor.as_ref().unwrap().error.is_some());
        let state = reduce(
            state,
            vec![TrunksAction::SetText(TrunkField::Name, "n".into())],
        );
        assert!(state.editor.unwrap().error.is_none());
    }

    #[test]
    fn live_status_events_update_the_row() {
        let state = reduce(
            TrunksState::default(),
            vec![
                TrunksAction::Loaded(vec![trunk(2, 5), trunk(1, 0)]),
                TrunksAction::Status(
                    2,
                    status(TrunkState::Registered, None, "2025-01-01T00:00:04Z"),
                ),
                TrunksAction::Status(
                    2,
                    status(TrunkState::Failed, Some("timeout"), "2025-01-01T00:00:05Z"),
                ),
            ],
        );
        assert_eq!(
            state.trunks.iter().map(|t| t.id).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(state.trunks[1].status.state, TrunkState::Failed);
        // An answer read after the event (sent before it) does not undo it.
        let state = reduce(state, vec![TrunksAction::Loaded(vec![trunk(2, 5)])]);
        assert_eq!(state.trunks[0].status.state, TrunkState::Failed);
        // A reload asks afresh.
        let state = reduce(
            state,
            vec![TrunksAction::Retry, TrunksAction::Loaded(vec![trunk(2, 5)])],
        );
        assert_eq!(state.trunks[0].status.state, TrunkState::Pending);
    }

    #[test]
    fn a_new_trunk_that_registered_before_its_answer_arrived_shows_registered() {
        let state = reduce(
            TrunksState::default(),
            vec![
                TrunksAction::Loaded(vec![]),
                TrunksAction::New,
                TrunksAction::SaveStarted,
                TrunksAction::Status(
                    7,
                    status(TrunkState::Registered, None, "2025-01-01T00:00:01Z"),
                ),
                TrunksAction::Saved(trunk(7, 0)),
            ],
        );
        assert_eq!(state.trunks[0].status.state, TrunkState::Registered);
    }

    #[test]
    fn saving_replaces_the_row_and_deleting_asks_first() {
        let mut changed = trunk(1, 9);
        changed.name = "Renamed".into();
        let state = reduce(
            TrunksState::default(),
            vec![
                TrunksAction::Loaded(vec![trunk(1, 0), trunk(2, 5)]),
                TrunksAction::Edit(1),
                TrunksAction::Saved(changed),
            ],
        );
        assert!(state.editor.is_none());
        assert_eq!(state.trunks[1].name, "Renamed", "sorted by priority");

        let state = reduce(
            state,
            vec![
                TrunksAction::AskDelete(2),
                TrunksAction::DeleteStarted(2),
                TrunksAction::Deleted(2),
            ],
        );
        assert_eq!(state.trunks.len(), 1);
        assert_eq!(state.confirm_delete, None);
        assert_eq!(state.deleting, None);
    }
}
