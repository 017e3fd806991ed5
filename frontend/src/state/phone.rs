//! What the softphone dock shows. For now it is the dial pad — a number put
//! there by typing, by the keypad, or by clicking any phone number in the app —
//! and the preview of how the relay's number rules will treat it.

use std::rc::Rc;

use callcard_shared::api::DialplanView;
use callcard_shared::dialplan::{Outcome, Plan, Verdict};
use callcard_shared::phone::Region;
use yew::Reducible;

/// Longest text the dial input keeps; real numbers with extensions fit easily.
pub const MAX_DIAL_LEN: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneState {
    /// The text in the dial input, as the user sees it.
    pub dial: String,
    /// Bumped on every click-to-call, so the dock can draw attention to the
    /// new number even when it is the same as before.
    pub dial_requests: u32,
    /// The number rules from the relay (None until loaded).
    pub dialplan: Option<DialplanView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneAction {
    /// A click-to-call control asked for this number (raw, as entered).
    Dial(String),
    /// The user edited the dial input.
    Edit(String),
    /// A keypad key: a digit, `*`, `#` or `+`.
    Press(char),
    Backspace,
    Clear,
    /// The relay's number rules arrived.
    Rules(DialplanView),
}

/// The rules compiled for previews; None when they do not compile here (the
/// relay then decides alone).
pub fn compile(view: &DialplanView) -> Option<(Plan, Region)> {
    let plan = Plan::new(&view.rules).ok()?;
    let region = view.default_region.parse().ok()?;
    Some((plan, region))
}

/// The dial pad's preview line: whether the call would go through, as what,
/// or why not — exactly the relay's verdict, computed in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub allowed: bool,
    pub text: String,
}

pub fn preview(verdict: &Verdict) -> Preview {
    match &verdict.outcome {
        Outcome::Allowed { dial, e164, class } => Preview {
            allowed: true,
            text: match e164 {
                Some(e164) if e164 != dial => {
                    format!("{}: dials {dial} ({e164})", class.describe())
                }
                _ => format!("{}: dials {dial}", class.describe()),
            },
        },
        Outcome::Refused { reason, .. } => Preview {
            allowed: false,
            text: format!("Refused: {reason}"),
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
            PhoneAction::Rules(view) => next.dialplan = Some(view),
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

    fn view(rules: callcard_shared::dialplan::Rules) -> DialplanView {
        DialplanView {
            default_region: "RU".into(),
            rules,
        }
    }

    #[test]
    fn the_preview_shows_the_dial_string_or_why_not() {
        let mut rules = callcard_shared::dialplan::Rules {
            autocorrect: vec![r"^\+7/8".into()],
            ..Default::default()
        };
        rules.forbidden_codes = vec!["+375".into()];
        let (plan, region) = compile(&view(rules)).expect("the rules compile");
        let ivan = preview(&plan.evaluate(region, "+7 (495) 123-45-67"));
        assert!(ivan.allowed, "{ivan:?}");
        assert!(
            ivan.text.contains("dials 84951234567 (+74951234567)"),
            "{ivan:?}"
        );
        let minsk = preview(&plan.evaluate(region, "+375 29 123 45 67"));
        assert!(!minsk.allowed);
        assert!(minsk.text.starts_with("Refused:"), "{minsk:?}");
        assert!(minsk.text.contains("+375"), "{minsk:?}");
    }

    #[test]
    fn rules_that_do_not_compile_give_no_preview() {
        let rules = callcard_shared::dialplan::Rules {
            autocorrect: vec!["^(+7/8".into()],
            ..Default::default()
        };
        assert!(compile(&view(rules)).is_none());
    }

    #[test]
    fn unchanged_state_keeps_the_same_rc() {
        let state = Rc::new(PhoneState::default());
        let next = state.clone().reduce(PhoneAction::Press('x'));
        assert!(Rc::ptr_eq(&state, &next));
    }
}
