//! The call limits page: for each user and for everyone together, the most
//! outbound calls at once, call attempts per minute and international
//! minutes per day. An empty field is no limit (`None`); the relay checks the
//! ranges and names the field it refuses (`per_user.concurrent_calls`, …).

use std::rc::Rc;

use callcard_shared::api::{CallLimits, Limits};
use yew::Reducible;

use super::{FormError, Load};
use crate::i18n::t;

/// Whose calls a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitScope {
    PerUser,
    Overall,
}

impl LimitScope {
    pub const ALL: [LimitScope; 2] = [LimitScope::PerUser, LimitScope::Overall];

    /// The key in [`Limits`] (and the prefix of the relay's `field`).
    pub fn as_api(self) -> &'static str {
        match self {
            LimitScope::PerUser => "per_user",
            LimitScope::Overall => "overall",
        }
    }

    pub fn label(self) -> String {
        match self {
            LimitScope::PerUser => t("limits-scope-per-user"),
            LimitScope::Overall => t("limits-scope-overall"),
        }
    }
}

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    ConcurrentCalls,
    AttemptsPerMinute,
    InternationalMinutesPerDay,
}

impl LimitKind {
    pub const ALL: [LimitKind; 3] = [
        LimitKind::ConcurrentCalls,
        LimitKind::AttemptsPerMinute,
        LimitKind::InternationalMinutesPerDay,
    ];

    /// The key in [`CallLimits`].
    pub fn as_api(self) -> &'static str {
        match self {
            LimitKind::ConcurrentCalls => "concurrent_calls",
            LimitKind::AttemptsPerMinute => "attempts_per_minute",
            LimitKind::InternationalMinutesPerDay => "international_minutes_per_day",
        }
    }

    pub fn label(self) -> String {
        match self {
            LimitKind::ConcurrentCalls => t("limits-concurrent"),
            LimitKind::AttemptsPerMinute => t("limits-attempts"),
            LimitKind::InternationalMinutesPerDay => t("limits-international"),
        }
    }

    pub fn hint(self) -> String {
        match self {
            LimitKind::ConcurrentCalls => t("limits-concurrent-hint"),
            LimitKind::AttemptsPerMinute => t("limits-attempts-hint"),
            LimitKind::InternationalMinutesPerDay => t("limits-international-hint"),
        }
    }

    fn get(self, set: &CallLimits) -> Option<u32> {
        match self {
            LimitKind::ConcurrentCalls => set.concurrent_calls,
            LimitKind::AttemptsPerMinute => set.attempts_per_minute,
            LimitKind::InternationalMinutesPerDay => set.international_minutes_per_day,
        }
    }

    fn set(self, set: &mut CallLimits, value: Option<u32>) {
        match self {
            LimitKind::ConcurrentCalls => set.concurrent_calls = value,
            LimitKind::AttemptsPerMinute => set.attempts_per_minute = value,
            LimitKind::InternationalMinutesPerDay => set.international_minutes_per_day = value,
        }
    }
}

/// One field of the form: a scope and a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LimitField {
    pub scope: LimitScope,
    pub kind: LimitKind,
}

impl LimitField {
    /// Every field, per user first.
    pub fn all() -> impl Iterator<Item = LimitField> {
        LimitScope::ALL.into_iter().flat_map(|scope| {
            LimitKind::ALL
                .into_iter()
                .map(move |kind| LimitField { scope, kind })
        })
    }

    /// `per_user.concurrent_calls` and so on, as the relay names it.
    pub fn from_api(field: &str) -> Option<LimitField> {
        let (scope, kind) = field.split_once('.')?;
        let scope = LimitScope::ALL.into_iter().find(|s| s.as_api() == scope)?;
        let kind = LimitKind::ALL.into_iter().find(|k| k.as_api() == kind)?;
        Some(LimitField { scope, kind })
    }

    pub fn as_api(self) -> String {
        format!("{}.{}", self.scope.as_api(), self.kind.as_api())
    }

    /// The input's id: `limits-per-user-concurrent-calls`.
    pub fn dom_id(self) -> String {
        format!("limits-{}-{}", self.scope.as_api(), self.kind.as_api()).replace('_', "-")
    }
}

/// The form as typed: one text per field, empty for no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitsForm {
    pub per_user: [String; 3],
    pub overall: [String; 3],
}

fn index(kind: LimitKind) -> usize {
    match kind {
        LimitKind::ConcurrentCalls => 0,
        LimitKind::AttemptsPerMinute => 1,
        LimitKind::InternationalMinutesPerDay => 2,
    }
}

impl LimitsForm {
    pub fn from_limits(limits: &Limits) -> LimitsForm {
        let mut form = LimitsForm::default();
        for field in LimitField::all() {
            let set = match field.scope {
                LimitScope::PerUser => &limits.per_user,
                LimitScope::Overall => &limits.overall,
            };
            *form.text_mut(field) = field
                .kind
                .get(set)
                .map(|v| v.to_string())
                .unwrap_or_default();
        }
        form
    }

    pub fn text(&self, field: LimitField) -> &str {
        match field.scope {
            LimitScope::PerUser => &self.per_user[index(field.kind)],
            LimitScope::Overall => &self.overall[index(field.kind)],
        }
    }

    fn text_mut(&mut self, field: LimitField) -> &mut String {
        match field.scope {
            LimitScope::PerUser => &mut self.per_user[index(field.kind)],
            LimitScope::Overall => &mut self.overall[index(field.kind)],
        }
    }

    /// The request body: empty is `None`, anything else a whole number
    /// (spaces between digit groups allowed). The relay checks the ranges.
    pub fn to_limits(&self) -> Result<Limits, FormError<LimitField>> {
        let mut limits = Limits::default();
        for field in LimitField::all() {
            let text: String = self
                .text(field)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let value = if text.is_empty() {
                None
            } else {
                Some(
                    text.parse::<u32>()
                        .map_err(|_| FormError::at(field, t("limits-not-a-number")))?,
                )
            };
            let set = match field.scope {
                LimitScope::PerUser => &mut limits.per_user,
                LimitScope::Overall => &mut limits.overall,
            };
            field.kind.set(set, value);
        }
        Ok(limits)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LimitsState {
    pub load: Load,
    /// What the relay holds.
    pub stored: Limits,
    pub form: LimitsForm,
    pub saving: bool,
    /// Set by a save, cleared by the next edit.
    pub saved: bool,
    pub error: Option<FormError<LimitField>>,
    pub attempt: u32,
}

impl Default for LimitsState {
    fn default() -> Self {
        LimitsState {
            load: Load::Loading,
            stored: Limits::default(),
            form: LimitsForm::default(),
            saving: false,
            saved: false,
            error: None,
            attempt: 0,
        }
    }
}

impl LimitsState {
    /// The error to show under `field`.
    pub fn error_for(&self, field: LimitField) -> Option<&str> {
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

    /// The relay's limits, in the form as well.
    fn take(&mut self, limits: Limits, saved: bool) {
        self.form = LimitsForm::from_limits(&limits);
        self.stored = limits;
        self.load = Load::Loaded;
        self.saving = false;
        self.saved = saved;
        self.error = None;
    }

    /// Whether the form differs from what is stored.
    pub fn dirty(&self) -> bool {
        self.form.to_limits().ok().as_ref() != Some(&self.stored)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LimitsAction {
    Retry,
    Loaded(Limits),
    LoadFailed(String),
    SetText(LimitField, String),
    /// The form did not convert; shown without asking the relay.
    Invalid(FormError<LimitField>),
    SaveStarted,
    Saved(Limits),
    /// The relay refused: `field` as it named it, and its sentence.
    SaveFailed {
        field: Option<String>,
        message: String,
    },
}

impl Reducible for LimitsState {
    type Action = LimitsAction;

    fn reduce(self: Rc<Self>, action: LimitsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            LimitsAction::Retry => {
                next.load = Load::Loading;
                next.attempt = self.attempt.wrapping_add(1);
            }
            LimitsAction::Loaded(limits) => next.take(limits, false),
            LimitsAction::Saved(limits) => next.take(limits, true),
            LimitsAction::LoadFailed(message) => next.load = Load::Failed(message),
            LimitsAction::SetText(field, value) => {
                *next.form.text_mut(field) = value;
                next.saved = false;
                if next.error.as_ref().is_some_and(|e| e.field == Some(field)) {
                    next.error = None;
                }
            }
            LimitsAction::Invalid(error) => {
                next.saving = false;
                next.error = Some(error);
            }
            LimitsAction::SaveStarted => {
                if self.saving {
                    return self;
                }
                next.saving = true;
                next.saved = false;
                next.error = None;
            }
            LimitsAction::SaveFailed { field, message } => {
                next.saving = false;
                next.error = Some(match field.as_deref().and_then(LimitField::from_api) {
                    // Under the field, the relay's `per_user.…: ` prefix says
                    // nothing the field does not.
                    Some(field) => FormError::at(
                        field,
                        message
                            .strip_prefix(&format!("{}: ", field.as_api()))
                            .unwrap_or(&message),
                    ),
                    None => FormError::general(match field {
                        Some(field) => format!("{field}: {message}"),
                        None => message,
                    }),
                });
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: LimitsState, actions: Vec<LimitsAction>) -> LimitsState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    const PER_USER_CONCURRENT: LimitField = LimitField {
        scope: LimitScope::PerUser,
        kind: LimitKind::ConcurrentCalls,
    };
    const OVERALL_INTERNATIONAL: LimitField = LimitField {
        scope: LimitScope::Overall,
        kind: LimitKind::InternationalMinutesPerDay,
    };

    #[test]
    fn empty_fields_are_no_limit_and_back() {
        let form = LimitsForm::default();
        assert_eq!(form.to_limits(), Ok(Limits::default()));
        assert_eq!(LimitsForm::from_limits(&Limits::default()), form);
        // Through JSON, as the relay sends them: absent and null are None.
        let limits: Limits = serde_json::from_value(serde_json::json!({
            "per_user": { "concurrent_calls": 2, "attempts_per_minute": null },
        }))
        .unwrap();
        let form = LimitsForm::from_limits(&limits);
        assert_eq!(form.text(PER_USER_CONCURRENT), "2");
        assert_eq!(
            form.text(LimitField {
                scope: LimitScope::PerUser,
                kind: LimitKind::AttemptsPerMinute
            }),
            ""
        );
        assert_eq!(form.text(OVERALL_INTERNATIONAL), "");
        assert_eq!(form.to_limits(), Ok(limits));
    }

    #[test]
    fn numbers_are_parsed_and_words_refused_under_their_field() {
        let mut form = LimitsForm::default();
        form.per_user[0] = " 1 ".into();
        form.per_user[1] = "".into();
        form.overall[2] = "10 000".into();
        let limits = form.to_limits().unwrap();
        assert_eq!(limits.per_user.concurrent_calls, Some(1));
        assert_eq!(limits.per_user.attempts_per_minute, None);
        assert_eq!(limits.overall.international_minutes_per_day, Some(10_000));
        assert_eq!(limits.overall.concurrent_calls, None);
        // Zero passes the browser: the relay says why it is refused.
        form.per_user[0] = "0".into();
        assert_eq!(form.to_limits().unwrap().per_user.concurrent_calls, Some(0));
        form.overall[2] = "lots".into();
        let error = form.to_limits().unwrap_err();
        assert_eq!(error.field, Some(OVERALL_INTERNATIONAL));
        form.overall[2] = "-5".into();
        assert_eq!(
            form.to_limits().unwrap_err().field,
            Some(OVERALL_INTERNATIONAL)
        );
    }

    #[test]
    fn the_relays_field_names_map_to_the_form_and_back() {
        for field in LimitField::all() {
            assert_eq!(LimitField::from_api(&field.as_api()), Some(field));
        }
        assert_eq!(LimitField::all().count(), 6);
        assert_eq!(
            LimitField::from_api("per_user.concurrent_calls"),
            Some(PER_USER_CONCURRENT)
        );
        assert_eq!(LimitField::from_api("per_user"), None);
        assert_eq!(LimitField::from_api("everyone.concurrent_calls"), None);
        assert_eq!(
            PER_USER_CONCURRENT.dom_id(),
            "limits-per-user-concurrent-calls"
        );
    }

    #[test]
    fn a_422_is_shown_under_the_field_it_names_until_that_field_changes() {
        let state = reduce(
            LimitsState::default(),
            vec![
                LimitsAction::Loaded(Limits::default()),
                LimitsAction::SetText(PER_USER_CONCURRENT, "0".into()),
                LimitsAction::SaveStarted,
                LimitsAction::SaveFailed {
                    field: Some("per_user.concurrent_calls".into()),
                    message: "per_user.concurrent_calls: must be at least 1".into(),
                },
            ],
        );
        assert!(!state.saving);
        assert_eq!(
            state.error_for(PER_USER_CONCURRENT),
            Some("must be at least 1")
        );
        assert_eq!(state.general_error(), None);
        // Another field's edit keeps it; its own clears it.
        let state = reduce(
            state,
            vec![LimitsAction::SetText(OVERALL_INTERNATIONAL, "5".into())],
        );
        assert!(state.error_for(PER_USER_CONCURRENT).is_some());
        let state = reduce(
            state,
            vec![LimitsAction::SetText(PER_USER_CONCURRENT, "1".into())],
        );
        assert_eq!(state.error, None);

        // A field the form does not know goes above the form, named.
        let state = reduce(
            state,
            vec![
                LimitsAction::SaveStarted,
                LimitsAction::SaveFailed {
                    field: Some("per_user.other".into()),
                    message: "unknown".into(),
                },
            ],
        );
        assert_eq!(state.general_error(), Some("per_user.other: unknown"));
    }

    #[test]
    fn a_save_stores_what_the_relay_answered() {
        let state = reduce(
            LimitsState::default(),
            vec![
                LimitsAction::Loaded(Limits::default()),
                LimitsAction::SetText(PER_USER_CONCURRENT, "1".into()),
            ],
        );
        assert!(state.dirty());
        assert!(!state.saved);
        let answer = state.form.to_limits().unwrap();
        let state = reduce(
            state,
            vec![
                LimitsAction::SaveStarted,
                LimitsAction::Saved(answer.clone()),
            ],
        );
        assert_eq!(state.stored, answer);
        assert!(state.saved);
        assert!(!state.saving);
        assert!(!state.dirty());
        let state = reduce(
            state,
            vec![LimitsAction::SetText(PER_USER_CONCURRENT, "".into())],
        );
        assert!(!state.saved);
        assert!(state.dirty());
    }
}
