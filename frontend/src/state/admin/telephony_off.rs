//! Turning telephony off: a first click opens the confirmation, where the
//! admin types the API's `confirm` words (`turn off`) before the button
//! works; the relay's report is shown afterwards.

use std::rc::Rc;

use callcard_shared::api::{TelephonyOff, TelephonyOffReport};
use yew::Reducible;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TelephonyOffState {
    pub delete_call_records: bool,
    /// The confirmation step is open.
    pub confirming: bool,
    /// What the admin typed there.
    pub confirm: String,
    pub sending: bool,
    pub error: Option<String>,
    pub report: Option<TelephonyOffReport>,
}

impl TelephonyOffState {
    /// Whether the typed words are the ones the relay wants.
    pub fn confirmed(&self) -> bool {
        self.confirm.trim() == TelephonyOff::CONFIRMATION
    }

    /// The request body.
    pub fn request(&self) -> TelephonyOff {
        TelephonyOff {
            confirm: Some(self.confirm.trim().to_owned()),
            delete_call_records: self.delete_call_records,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TelephonyOffAction {
    SetDeleteCallRecords(bool),
    AskConfirm,
    Cancel,
    SetConfirm(String),
    Started,
    Done(TelephonyOffReport),
    Failed(String),
}

impl Reducible for TelephonyOffState {
    type Action = TelephonyOffAction;

    fn reduce(self: Rc<Self>, action: TelephonyOffAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            TelephonyOffAction::SetDeleteCallRecords(on) => next.delete_call_records = on,
            TelephonyOffAction::AskConfirm => {
                next.confirming = true;
                next.confirm.clear();
                next.error = None;
                next.report = None;
            }
            TelephonyOffAction::Cancel => {
                if self.sending {
                    return self;
                }
                next.confirming = false;
                next.confirm.clear();
                next.error = None;
            }
            TelephonyOffAction::SetConfirm(text) => {
                next.confirm = text;
                next.error = None;
            }
            TelephonyOffAction::Started => {
                if self.sending || !self.confirmed() {
                    return self;
                }
                next.sending = true;
                next.error = None;
            }
            TelephonyOffAction::Done(report) => {
                next = TelephonyOffState {
                    report: Some(report),
                    ..TelephonyOffState::default()
                };
            }
            TelephonyOffAction::Failed(message) => {
                next.sending = false;
                next.error = Some(message);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: TelephonyOffState, actions: Vec<TelephonyOffAction>) -> TelephonyOffState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn nothing_is_sent_until_the_words_are_typed() {
        let state = reduce(
            TelephonyOffState::default(),
            vec![
                TelephonyOffAction::SetDeleteCallRecords(true),
                TelephonyOffAction::AskConfirm,
                TelephonyOffAction::SetConfirm("turn of".into()),
                TelephonyOffAction::Started,
            ],
        );
        assert!(state.confirming);
        assert!(!state.sending);
        let state = reduce(
            state,
            vec![
                TelephonyOffAction::SetConfirm(" turn off ".into()),
                TelephonyOffAction::Started,
            ],
        );
        assert!(state.sending);
        assert_eq!(
            state.request(),
            TelephonyOff {
                confirm: Some("turn off".into()),
                delete_call_records: true,
            }
        );
        let report = TelephonyOffReport {
            trunks_removed: 1,
            sip_users_removed: 2,
            ..TelephonyOffReport::default()
        };
        let state = reduce(state, vec![TelephonyOffAction::Done(report.clone())]);
        assert_eq!(state.report, Some(report));
        assert!(!state.confirming && !state.sending && !state.delete_call_records);
    }

    #[test]
    fn a_refusal_keeps_the_confirmation_open_and_cancel_clears_it() {
        let state = reduce(
            TelephonyOffState::default(),
            vec![
                TelephonyOffAction::AskConfirm,
                TelephonyOffAction::SetConfirm("turn off".into()),
                TelephonyOffAction::Started,
                TelephonyOffAction::Failed("confirm: write `turn off`".into()),
            ],
        );
        assert!(state.confirming && !state.sending);
        assert!(state.error.is_some());
        let state = reduce(state, vec![TelephonyOffAction::Cancel]);
        assert!(!state.confirming);
        assert_eq!(state.confirm, "");
        assert_eq!(state.error, None);
    }
}
