//! The masking page: per access group, how its members see phone numbers
//! (none, hidden, the first N digits as `*`, only the last N shown), each
//! group edited and saved on its own.

use std::rc::Rc;

use callcard_shared::api::AccessGroup;
use callcard_shared::masking::Masking;
use yew::Reducible;

use super::Load;
use crate::i18n::{t, tr};

/// A number to show what a masking does.
pub const SAMPLE_NUMBER: &str = "+7 495 123-45-67";
/// Most digits a count may name (E.164 numbers have at most 15).
pub const MAX_DIGITS: u8 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskKind {
    None,
    Hidden,
    MaskFirst,
    ShowLast,
}

impl MaskKind {
    pub const ALL: [MaskKind; 4] = [
        MaskKind::None,
        MaskKind::Hidden,
        MaskKind::MaskFirst,
        MaskKind::ShowLast,
    ];

    /// The API's `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            MaskKind::None => "none",
            MaskKind::Hidden => "hidden",
            MaskKind::MaskFirst => "mask_first",
            MaskKind::ShowLast => "show_last",
        }
    }

    pub fn parse(s: &str) -> Option<MaskKind> {
        MaskKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> String {
        match self {
            MaskKind::None => t("masking-kind-none"),
            MaskKind::Hidden => t("masking-kind-hidden"),
            MaskKind::MaskFirst => t("masking-kind-mask-first"),
            MaskKind::ShowLast => t("masking-kind-show-last"),
        }
    }

    pub fn takes_count(self) -> bool {
        matches!(self, MaskKind::MaskFirst | MaskKind::ShowLast)
    }
}

/// One group's masking as edited: the kind, and N as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskingDraft {
    pub kind: MaskKind,
    pub n: String,
}

impl MaskingDraft {
    pub fn from_masking(masking: Masking) -> MaskingDraft {
        let (kind, n) = match masking {
            Masking::None => (MaskKind::None, 4),
            Masking::Hidden => (MaskKind::Hidden, 4),
            Masking::MaskFirst { n } => (MaskKind::MaskFirst, n),
            Masking::ShowLast { n } => (MaskKind::ShowLast, n),
        };
        MaskingDraft {
            kind,
            n: n.to_string(),
        }
    }

    /// The API's masking, or why N will not do.
    pub fn to_masking(&self) -> Result<Masking, String> {
        let n = || {
            self.n
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=MAX_DIGITS).contains(n))
                .ok_or_else(|| {
                    tr(
                        "masking-n-invalid",
                        &[("max", u32::from(MAX_DIGITS).into())],
                    )
                })
        };
        Ok(match self.kind {
            MaskKind::None => Masking::None,
            MaskKind::Hidden => Masking::Hidden,
            MaskKind::MaskFirst => Masking::MaskFirst { n: n()? },
            MaskKind::ShowLast => Masking::ShowLast { n: n()? },
        })
    }

    /// [`SAMPLE_NUMBER`] as the group would see it (`None` while N is wrong).
    pub fn sample(&self) -> Option<String> {
        let masking = self.to_masking().ok()?;
        Some(match masking.apply(SAMPLE_NUMBER) {
            s if s.is_empty() => t("masking-sample-hidden"),
            s => s,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub group: AccessGroup,
    pub draft: MaskingDraft,
    pub saving: bool,
    pub error: Option<String>,
    /// Set by a save, cleared by the next edit.
    pub saved: bool,
    /// The automatic telephony users switch while its change is sent.
    pub telephony_pending: Option<bool>,
    pub telephony_error: Option<String>,
}

impl GroupRow {
    fn new(group: AccessGroup) -> GroupRow {
        GroupRow {
            draft: MaskingDraft::from_masking(group.masking),
            group,
            saving: false,
            error: None,
            saved: false,
            telephony_pending: None,
            telephony_error: None,
        }
    }

    /// Whether the "telephony user for every member" switch shows on.
    pub fn auto_telephony(&self) -> bool {
        self.telephony_pending.unwrap_or(self.group.auto_telephony)
    }

    /// Whether the draft differs from what is stored.
    pub fn dirty(&self) -> bool {
        self.draft.to_masking().ok() != Some(self.group.masking)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MaskingState {
    pub load: Load,
    pub rows: Vec<GroupRow>,
    pub attempt: u32,
}

impl Default for MaskingState {
    fn default() -> Self {
        MaskingState {
            load: Load::Loading,
            rows: Vec::new(),
            attempt: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum MaskingAction {
    Retry,
    Loaded(Vec<AccessGroup>),
    LoadFailed(String),
    SetKind(i64, MaskKind),
    SetCount(i64, String),
    Invalid(i64, String),
    SaveStarted(i64),
    Saved(AccessGroup),
    SaveFailed(i64, String),
    /// `PUT /api/groups/{id}/telephony` sent with this value.
    TelephonyStarted(i64, bool),
    TelephonySaved(AccessGroup),
    TelephonyFailed(i64, String),
}

impl Reducible for MaskingState {
    type Action = MaskingAction;

    fn reduce(self: Rc<Self>, action: MaskingAction) -> Rc<Self> {
        let mut next = (*self).clone();
        let row = |next: &mut MaskingState, id: i64| -> Option<usize> {
            next.rows.iter().position(|r| r.group.id == id)
        };
        match action {
            MaskingAction::Retry => {
                next.load = Load::Loading;
                next.attempt = self.attempt.wrapping_add(1);
            }
            MaskingAction::Loaded(groups) => {
                next.rows = groups.into_iter().map(GroupRow::new).collect();
                next.load = Load::Loaded;
            }
            MaskingAction::LoadFailed(message) => next.load = Load::Failed(message),
            MaskingAction::SetKind(id, kind) => {
                let Some(i) = row(&mut next, id) else {
                    return self;
                };
                let r = &mut next.rows[i];
                r.draft.kind = kind;
                r.error = None;
                r.saved = false;
            }
            MaskingAction::SetCount(id, n) => {
                let Some(i) = row(&mut next, id) else {
                    return self;
                };
                let r = &mut next.rows[i];
                r.draft.n = n;
                r.error = None;
                r.saved = false;
            }
            MaskingAction::Invalid(id, message) | MaskingAction::SaveFailed(id, message) => {
                let Some(i) = row(&mut next, id) else {
                    return self;
                };
                next.rows[i].saving = false;
                next.rows[i].error = Some(message);
            }
            MaskingAction::SaveStarted(id) => {
                let Some(i) = row(&mut next, id) else {
                    return self;
                };
                if next.rows[i].saving {
                    return self;
                }
                next.rows[i].saving = true;
                next.rows[i].error = None;
            }
            MaskingAction::Saved(group) => {
                let Some(i) = row(&mut next, group.id) else {
                    return self;
                };
                next.rows[i] = GroupRow {
                    saved: true,
                    telephony_pending: next.rows[i].telephony_pending,
                    telephony_error: next.rows[i].telephony_error.clone(),
                    ..GroupRow::new(group)
                };
            }
            MaskingAction::TelephonyStarted(id, on) => {
                let Some(i) = row(&mut next, id) else {
                    return self;
                };
                if next.rows[i].telephony_pending.is_some() {
                    return self;
                }
                next.rows[i].telephony_pending = Some(on);
                next.rows[i].telephony_error = None;
            }
            MaskingAction::TelephonySaved(group) => {
                let Some(i) = row(&mut next, group.id) else {
                    return self;
                };
                // Only the switch: a masking draft being edited stays.
                let r = &mut next.rows[i];
                r.group.auto_telephony = group.auto_telephony;
                r.telephony_pending = None;
            }
            MaskingAction::TelephonyFailed(id, message) => {
                let Some(i) = row(&mut next, id) else {
                    return self;
                };
                next.rows[i].telephony_pending = None;
                next.rows[i].telephony_error = Some(message);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: i64, masking: Masking) -> AccessGroup {
        // Through JSON, as the page gets it (fields it does not use default).
        serde_json::from_value(serde_json::json!({
            "id": id,
            "name": format!("group {id}"),
            "is_admin": false,
            "masking": masking,
        }))
        .unwrap()
    }

    fn reduce(state: MaskingState, actions: Vec<MaskingAction>) -> MaskingState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn every_kind_round_trips_through_the_draft() {
        for masking in [
            Masking::None,
            Masking::Hidden,
            Masking::MaskFirst { n: 4 },
            Masking::ShowLast { n: 2 },
        ] {
            assert_eq!(
                MaskingDraft::from_masking(masking).to_masking(),
                Ok(masking)
            );
        }
        for kind in MaskKind::ALL {
            assert_eq!(MaskKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn the_count_must_be_1_to_15_only_where_it_is_used() {
        let mut draft = MaskingDraft {
            kind: MaskKind::ShowLast,
            n: "0".into(),
        };
        assert!(draft.to_masking().is_err());
        draft.n = "16".into();
        assert!(draft.to_masking().is_err());
        draft.n = " 3 ".into();
        assert_eq!(draft.to_masking(), Ok(Masking::ShowLast { n: 3 }));
        draft.kind = MaskKind::Hidden;
        draft.n = "x".into();
        assert_eq!(draft.to_masking(), Ok(Masking::Hidden));
    }

    #[test]
    fn the_sample_shows_what_members_will_see() {
        let draft = MaskingDraft {
            kind: MaskKind::MaskFirst,
            n: "4".into(),
        };
        assert_eq!(draft.sample().as_deref(), Some("+* *** 123-45-67"));
        let hidden = MaskingDraft::from_masking(Masking::Hidden);
        assert!(hidden.sample().unwrap().contains("hidden"));
    }

    #[test]
    fn each_group_is_edited_and_saved_on_its_own() {
        let state = reduce(
            MaskingState::default(),
            vec![
                MaskingAction::Loaded(vec![group(1, Masking::None), group(2, Masking::Hidden)]),
                MaskingAction::SetKind(2, MaskKind::ShowLast),
                MaskingAction::SetCount(2, "2".into()),
                MaskingAction::SaveStarted(2),
            ],
        );
        assert!(!state.rows[0].dirty());
        assert!(state.rows[1].dirty());
        assert!(state.rows[1].saving);
        let state = reduce(
            state,
            vec![MaskingAction::Saved(group(2, Masking::ShowLast { n: 2 }))],
        );
        assert!(!state.rows[1].dirty());
        assert!(state.rows[1].saved);
        assert!(!state.rows[1].saving);
        let state = reduce(
            state,
            vec![MaskingAction::SaveFailed(1, "no group 1".into())],
        );
        assert_eq!(state.rows[0].error.as_deref(), Some("no group 1"));
    }

    #[test]
    fn the_telephony_switch_is_saved_apart_from_the_masking_draft() {
        let state = reduce(
            MaskingState::default(),
            vec![
                MaskingAction::Loaded(vec![group(1, Masking::None), group(2, Masking::Hidden)]),
                MaskingAction::SetKind(2, MaskKind::None),
                MaskingAction::TelephonyStarted(2, true),
            ],
        );
        assert!(state.rows[1].auto_telephony(), "shown on while sent");
        assert!(!state.rows[1].group.auto_telephony);
        let mut answer = group(2, Masking::Hidden);
        answer.auto_telephony = true;
        let state = reduce(state, vec![MaskingAction::TelephonySaved(answer)]);
        assert!(state.rows[1].auto_telephony());
        assert_eq!(state.rows[1].telephony_pending, None);
        assert_eq!(state.rows[1].draft.kind, MaskKind::None, "the draft stays");
        assert!(state.rows[1].dirty());
        assert!(!state.rows[0].auto_telephony());

        let state = reduce(
            state,
            vec![
                MaskingAction::TelephonyStarted(2, false),
                MaskingAction::TelephonyFailed(2, "no group 2".into()),
            ],
        );
        assert!(state.rows[1].auto_telephony(), "back to what is stored");
        assert_eq!(state.rows[1].telephony_error.as_deref(), Some("no group 2"));
    }
}
