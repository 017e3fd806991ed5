//! What the softphone dock shows: the line (connected, reconnecting and why,
//! offline), the dial pad — a number put there by typing, by the keypad, or
//! by clicking any phone number in the app — with the preview of how the
//! relay's number rules will treat it, the call in progress, and the card of
//! a caller whose call is about to ring.

use std::rc::Rc;

use callcard_shared::api::{CallRecord, Contact};
use callcard_shared::dialplan::{Outcome, Verdict};
use yew::Reducible;

use crate::i18n::tr;

/// Longest text the dial input keeps; real numbers with extensions fit easily.
pub const MAX_DIAL_LEN: usize = 64;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhoneState {
    /// The text in the dial input, as the user sees it.
    pub dial: String,
    /// Bumped on every click-to-call, so the dock can draw attention to the
    /// new number even when it is the same as before.
    pub dial_requests: u32,
    /// Bumped when this tab saved new number rules, so the preview is asked again.
    pub rules_version: u32,
    /// The browser phone's registration.
    pub line: LineState,
    /// The call on screen.
    pub call: Option<CallView>,
    /// A second call: ringing beside `call` (call waiting) or on hold.
    pub other: Option<CallView>,
    /// The relay's announcement of the inbound call about to ring here,
    /// with the caller's card.
    pub caller: Option<CallerCard>,
    /// Why the last call ended (shown until the next one starts).
    pub last_outcome: Option<String>,
    /// Calls that rang here and nobody took, since the page was opened.
    pub missed: u32,
    /// The record of the call that just ended, for the after-call prompt.
    pub wrap_up: Option<CallRecord>,
}

/// The browser phone's connection to the relay.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LineState {
    /// Not started yet (or signed out).
    #[default]
    Off,
    Connecting,
    /// Registered: calls can be made and taken.
    Online,
    /// The connection dropped; the phone tries again by itself.
    Reconnecting {
        reason: String,
    },
    /// This user cannot use the browser phone (no telephony user, calls on a
    /// desk phone, refused): the reason, for the user.
    Unavailable(String),
}

/// Where a call stands, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CallStatus {
    /// Waiting for the microphone and the media setup before the INVITE.
    Preparing,
    /// Our INVITE is out, no answer yet.
    Calling,
    /// The far end rings.
    Ringing,
    /// An inbound call rings here.
    Incoming,
    /// Answered; accepting an inbound call (media setup) until `Talking`.
    Connecting,
    Talking,
}

/// The call on screen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CallView {
    /// The SIP engine's handle of the call.
    pub id: u64,
    pub inbound: bool,
    /// The other side's number as the relay shows it (masked if so ruled).
    pub number: String,
    pub status: CallStatus,
    /// `Date.now()` at the answer, for the running timer.
    pub answered_at: Option<f64>,
    pub muted: bool,
    pub held: bool,
    /// The relay's recording of this call is paused (card numbers).
    #[serde(default)]
    pub recording_paused: bool,
    /// Audio packets received from the far end so far, and the current level
    /// (0–1): the "hearing the other side" meter.
    pub rx_packets: u64,
    pub rx_level: f64,
}

/// The relay's `incoming_call` event: who is calling, before the phone rings.
#[derive(Debug, Clone, PartialEq)]
pub struct CallerCard {
    /// The call record's id.
    pub call_id: i64,
    pub number: String,
    pub contact: Option<Contact>,
    pub last_call: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PhoneAction {
    /// A click-to-call control asked for this number (raw, as entered).
    Dial(String),
    /// The user edited the dial input.
    Edit(String),
    /// A keypad key: a digit, `*`, `#` or `+`.
    Press(char),
    Backspace,
    Clear,
    /// This tab saved new number rules.
    RulesChanged,
    /// The phone's line changed.
    Line(LineState),
    /// The call on screen appeared or changed.
    Call(CallView),
    /// The call on screen ended, with why (None: ended by this user, or
    /// answered or ended elsewhere, nothing worth telling).
    CallEnded {
        id: u64,
        outcome: Option<String>,
    },
    /// The relay announced an inbound call (the caller's card).
    Caller(CallerCard),
    /// The relay says the announced call stopped ringing here.
    CallerGone {
        call_id: i64,
        status: String,
    },
    /// The after-call prompt opens for this record (None: it closes).
    WrapUp(Option<Box<CallRecord>>),
    /// The open prompt's call now has its recording (or a note why not).
    WrapUpRecording(Box<CallRecord>),
    /// A line for the user under the call panel.
    Notice(String),
    /// The second call appeared, changed or went.
    Other(Option<CallView>),
}

/// The dial pad's preview line: whether the call would go through, as what,
/// or why not — the relay's verdict (`POST /api/dialplan/try`), put into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub allowed: bool,
    pub text: String,
}

pub fn preview(verdict: &Verdict) -> Preview {
    match &verdict.outcome {
        Outcome::Allowed { dial, e164, class } => {
            let class = crate::i18n::class_words(*class);
            Preview {
                allowed: true,
                text: match e164 {
                    Some(e164) if e164 != dial => tr(
                        "dock-preview-dials-e164",
                        &[
                            ("class", class.into()),
                            ("dial", dial.into()),
                            ("e164", e164.into()),
                        ],
                    ),
                    _ => tr(
                        "dock-preview-dials",
                        &[("class", class.into()), ("dial", dial.into())],
                    ),
                },
            }
        }
        // The reason is the number rules' own sentence (as the relay says it).
        Outcome::Refused { reason, code, .. } => Preview {
            allowed: false,
            text: tr(
                "dock-preview-refused",
                &[("reason", crate::i18n::refusal(code, reason).into())],
            ),
        },
    }
}

/// Characters the keypad may add; anything else is ignored.
fn is_keypad_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '*' | '#' | '+')
}

fn clamp(mut s: String) -> String {
    if s.chars().count() > MAX_DIAL_LEN {
        s = s.chars().take(MAX_DIAL_LEN).collect();
    }
    s
}

impl Reducible for PhoneState {
    type Action = PhoneAction;

    fn reduce(self: Rc<Self>, action: PhoneAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PhoneAction::Dial(number) => {
                next.dial = clamp(number.trim().to_owned());
                next.dial_requests = next.dial_requests.wrapping_add(1);
            }
            PhoneAction::Edit(text) => next.dial = clamp(text),
            PhoneAction::Press(c) => {
                if !is_keypad_char(c) || next.dial.chars().count() >= MAX_DIAL_LEN {
                    return self;
                }
                next.dial.push(c);
            }
            PhoneAction::Backspace => {
                next.dial.pop();
            }
            PhoneAction::Clear => next.dial.clear(),
            PhoneAction::RulesChanged => next.rules_version = next.rules_version.wrapping_add(1),
            PhoneAction::Line(line) => next.line = line,
            PhoneAction::Call(call) => {
                if next.call.as_ref().is_none_or(|c| c.id != call.id) {
                    next.last_outcome = None;
                }
                next.call = Some(call);
            }
            PhoneAction::CallEnded { id, outcome } => {
                if next.call.as_ref().is_some_and(|c| c.id == id) {
                    next.call = None;
                    next.caller = None;
                    next.last_outcome = outcome;
                }
            }
            PhoneAction::Caller(card) => next.caller = Some(card),
            PhoneAction::WrapUp(record) => next.wrap_up = record.map(|r| *r),
            PhoneAction::WrapUpRecording(record) => {
                if let Some(open) = next.wrap_up.as_mut().filter(|w| w.id == record.id) {
                    open.recording_seconds = record.recording_seconds;
                    open.recording_note = record.recording_note.clone();
                    open.recording_paused = record.recording_paused.clone();
                }
            }
            PhoneAction::Notice(text) => next.last_outcome = Some(text),
            PhoneAction::Other(call) => next.other = call,
            PhoneAction::CallerGone { call_id, status } => {
                if next.caller.as_ref().is_some_and(|c| c.call_id == call_id) {
                    if status == "missed" {
                        next.missed += 1;
                    }
                    // The card stays on screen while that call is being talked.
                    let talking = next
                        .call
                        .as_ref()
                        .is_some_and(|c| c.inbound && c.status != CallStatus::Incoming);
                    if !talking {
                        next.caller = None;
                    }
                }
            }
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(actions: impl IntoIterator<Item = PhoneAction>) -> PhoneState {
        let mut state = Rc::new(PhoneState::default());
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn dial_puts_the_raw_number_into_the_dial_pad() {
        let state = run([PhoneAction::Dial("  8 (916) 123-45-67 ".into())]);
        assert_eq!(state.dial, "8 (916) 123-45-67");
        assert_eq!(state.dial_requests, 1);
    }

    #[test]
    fn dial_replaces_what_was_typed_and_counts_repeats() {
        let state = run([
            PhoneAction::Press('1'),
            PhoneAction::Dial("+48 22 123 45 67".into()),
            PhoneAction::Dial("+48 22 123 45 67".into()),
        ]);
        assert_eq!(state.dial, "+48 22 123 45 67");
        assert_eq!(state.dial_requests, 2);
    }

    #[test]
    fn keypad_appends_only_dialable_keys() {
        let state = run([
            PhoneAction::Press('+'),
            PhoneAction::Press('7'),
            PhoneAction::Press('x'),
            PhoneAction::Press('#'),
        ]);
        assert_eq!(state.dial, "+7#");
    }

    #[test]
    fn backspace_and_clear_edit_the_number() {
        let state = run([PhoneAction::Edit("123".into()), PhoneAction::Backspace]);
        assert_eq!(state.dial, "12");
        let state = run([PhoneAction::Edit("123".into()), PhoneAction::Clear]);
        assert_eq!(state.dial, "");
        // Backspace on an empty pad is harmless.
        assert_eq!(run([PhoneAction::Backspace]).dial, "");
    }

    #[test]
    fn dial_input_is_capped() {
        let long = "9".repeat(MAX_DIAL_LEN + 10);
        assert_eq!(run([PhoneAction::Edit(long)]).dial.len(), MAX_DIAL_LEN);
        let full = "1".repeat(MAX_DIAL_LEN);
        let state = run([PhoneAction::Edit(full.clone()), PhoneAction::Press('2')]);
        assert_eq!(state.dial, full);
    }

    use callcard_shared::dialplan::DestinationClass;
    use callcard_shared::refusal::RefusalCode;

    fn verdict(outcome: Outcome) -> Verdict {
        Verdict {
            steps: Vec::new(),
            outcome,
        }
    }

    #[test]
    fn the_preview_shows_the_dial_string_or_why_not() {
        let ivan = preview(&verdict(Outcome::Allowed {
            dial: "84951234567".into(),
            e164: Some("+74951234567".into()),
            class: DestinationClass::National,
        }));
        assert!(ivan.allowed, "{ivan:?}");
        assert_eq!(
            ivan.text,
            "national numbers: dials 84951234567 (+74951234567)"
        );
        let extension = preview(&verdict(Outcome::Allowed {
            dial: "102".into(),
            e164: None,
            class: DestinationClass::Internal,
        }));
        assert_eq!(extension.text, "internal extensions: dials 102");
        let minsk = verdict(Outcome::Refused {
            class: Some(DestinationClass::International),
            reason: "forbidden code `+375` (forbidden_codes[0])".into(),
            code: RefusalCode::new("forbidden-code").with("prefix", "+375"),
        });
        let refused = preview(&minsk);
        assert!(!refused.allowed);
        assert_eq!(
            refused.text,
            "Refused: forbidden code `+375` (forbidden_codes[0])"
        );
        // Other languages put the relay's stable code into words.
        crate::i18n::choose(crate::i18n::Lang::Ru);
        let russian = preview(&minsk).text;
        crate::i18n::choose(crate::i18n::Lang::En);
        assert_eq!(
            russian,
            "Запрещено: номера с префиксом +375 запрещены правилами номеров"
        );
    }

    fn call(id: u64, status: CallStatus) -> CallView {
        CallView {
            id,
            inbound: true,
            number: "+74951234567".into(),
            status,
            answered_at: None,
            muted: false,
            recording_paused: false,
            held: false,
            rx_packets: 0,
            rx_level: 0.0,
        }
    }

    fn card(call_id: i64) -> CallerCard {
        CallerCard {
            call_id,
            number: "+74951234567".into(),
            contact: None,
            last_call: None,
        }
    }

    #[test]
    fn a_caller_nobody_took_counts_as_missed_and_leaves_the_screen() {
        let state = run([
            PhoneAction::Caller(card(7)),
            PhoneAction::CallerGone {
                call_id: 7,
                status: "missed".into(),
            },
        ]);
        assert_eq!(state.missed, 1);
        assert_eq!(state.caller, None);
        // The end of some other call leaves the card alone.
        let state = run([
            PhoneAction::Caller(card(8)),
            PhoneAction::CallerGone {
                call_id: 7,
                status: "missed".into(),
            },
        ]);
        assert_eq!(state.caller, Some(card(8)));
    }

    #[test]
    fn the_card_stays_while_its_call_is_talked_and_goes_with_it() {
        let state = run([
            PhoneAction::Caller(card(7)),
            PhoneAction::Call(call(3, CallStatus::Talking)),
            PhoneAction::CallerGone {
                call_id: 7,
                status: "answered_here".into(),
            },
        ]);
        assert_eq!(state.caller, Some(card(7)));
        let state = run([
            PhoneAction::Caller(card(7)),
            PhoneAction::Call(call(3, CallStatus::Talking)),
            PhoneAction::CallEnded {
                id: 3,
                outcome: Some("The other side hung up.".into()),
            },
        ]);
        assert_eq!(state.call, None);
        assert_eq!(state.caller, None);
        assert_eq!(
            state.last_outcome.as_deref(),
            Some("The other side hung up.")
        );
    }

    #[test]
    fn a_new_call_clears_the_last_outcome_but_an_update_does_not() {
        let state = run([
            PhoneAction::Call(call(3, CallStatus::Incoming)),
            PhoneAction::CallEnded {
                id: 3,
                outcome: Some("Missed call: the caller hung up.".into()),
            },
        ]);
        assert!(state.last_outcome.is_some());
        let state = run([
            PhoneAction::Call(call(3, CallStatus::Incoming)),
            PhoneAction::CallEnded {
                id: 3,
                outcome: Some("x".into()),
            },
            PhoneAction::Call(call(4, CallStatus::Calling)),
        ]);
        assert_eq!(state.last_outcome, None);
        // Ending a call that is not the one on screen changes nothing.
        let state = run([
            PhoneAction::Call(call(4, CallStatus::Talking)),
            PhoneAction::CallEnded {
                id: 9,
                outcome: Some("x".into()),
            },
        ]);
        assert_eq!(state.call.map(|c| c.id), Some(4));
    }

    #[test]
    fn unchanged_state_keeps_the_same_rc() {
        let state = Rc::new(PhoneState::default());
        let next = state.clone().reduce(PhoneAction::Press('x'));
        assert!(Rc::ptr_eq(&state, &next));
    }

    fn record(id: i64) -> Box<CallRecord> {
        Box::new(
            serde_json::from_value(serde_json::json!({
                "id": id, "started_at": "2026-12-07T10:00:00Z", "answered_at": "2026-12-07T10:00:05Z",
                "ended_at": "2026-12-07T10:01:00Z", "talk_seconds": 55, "direction": "inbound",
                "user": null, "number_dialled": "+74951234567", "number_e164": "+74951234567",
                "contact_id": null, "contact_name": null, "trunk_id": null, "status": "answered",
                "end_cause": null, "hangup_side": "caller"
            }))
            .expect("a call record"),
        )
    }

    #[test]
    fn the_after_call_prompt_gets_its_calls_recording_once_it_is_closed_and_no_other() {
        let mut later = record(5);
        later.recording_seconds = Some(55.2);
        let mut other = record(6);
        other.recording_seconds = Some(3.0);
        let state = run([
            PhoneAction::WrapUp(Some(record(5))),
            PhoneAction::WrapUpRecording(other),
        ]);
        assert_eq!(state.wrap_up.as_ref().unwrap().recording_seconds, None);
        let state = run([
            PhoneAction::WrapUp(Some(record(5))),
            PhoneAction::WrapUpRecording(later.clone()),
        ]);
        assert_eq!(
            state.wrap_up.as_ref().unwrap().recording_seconds,
            Some(55.2)
        );
        // Saved or skipped before the recording closed: nothing reopens.
        let state = run([
            PhoneAction::WrapUp(Some(record(5))),
            PhoneAction::WrapUp(None),
            PhoneAction::WrapUpRecording(later),
        ]);
        assert!(state.wrap_up.is_none());
    }
}
