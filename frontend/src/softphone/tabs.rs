//! Several tabs of one user, one phone: the tab holding the Web Lock
//! `callcard-phone-<user>` registers (the leader); the others mirror its
//! line and call over a `BroadcastChannel` and send it what their user
//! clicks. When the leader tab closes, the browser hands the lock to another
//! tab, which registers in its turn.

use js_sys::{Function, Promise, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::state::phone::{CallView, LineState};

/// What the tabs of one user tell each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum TabMessage {
    /// A tab opened: the leader answers with its line and call.
    Hello,
    /// The leader's line changed.
    Line { line: LineState },
    /// The leader's call appeared or changed.
    Call { call: CallView },
    /// The leader's call ended.
    CallEnded { id: u64, outcome: Option<String> },
    /// The leader's second call (waiting or held) appeared, changed or went.
    Other { call: Option<CallView> },
    /// A follower's user acted; the leader does it.
    Command { command: Command },
}

/// What a user can do in a follower tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Command {
    Call { number: String },
    Answer,
    HangUp,
    Mute { muted: bool },
    Hold { held: bool },
    PauseRecording { paused: bool },
    Dtmf { key: char },
    AnswerWaiting,
    DeclineWaiting,
    Swap,
    Transfer { target: String },
    Consult { number: String },
    CompleteTransfer,
}

/// This tab's link to the others.
pub struct Tabs {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_granted: Option<Closure<dyn FnMut(JsValue) -> Promise>>,
    /// Resolving it releases the lock (sign-out).
    release: std::rc::Rc<std::cell::RefCell<Option<Function>>>,
}

impl Tabs {
    /// Joins the tabs of `user_id`: `on_message` gets what the others say,
    /// `on_leader` runs once this tab holds the lock (at once when no other
    /// tab does). Without Web Locks (old browsers) every tab leads.
    pub fn join(
        user_id: i64,
        on_message: impl Fn(TabMessage) + 'static,
        on_leader: impl FnOnce() + 'static,
    ) -> Option<Tabs> {
        let name = format!("callcard-phone-{user_id}");
        let channel = BroadcastChannel::new(&name).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let message = e
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<TabMessage>(&text).ok());
            if let Some(message) = message {
                on_message(message);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let release = std::rc::Rc::new(std::cell::RefCell::new(None::<Function>));
        let locks = web_sys::window()
            .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
            .filter(|l| !l.is_undefined());
        let request = locks.as_ref().and_then(|locks| {
            Reflect::get(locks, &"request".into())
                .ok()?
                .dyn_into::<Function>()
                .ok()
        });
        let on_granted = match (locks, request) {
            (Some(locks), Some(request)) => {
                let mut on_leader = Some(on_leader);
                let keep = release.clone();
                let granted = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock| {
                    if let Some(f) = on_leader.take() {
                        f();
                    }
                    // Held until this promise resolves: on sign-out, or never
                    // (the browser releases it when the tab goes).
                    Promise::new(&mut |resolve, _| {
                        *keep.borrow_mut() = Some(resolve);
                    })
                });
                let _ = request.call2(&locks, &name.into(), granted.as_ref().unchecked_ref());
                Some(granted)
            }
            _ => {
                on_leader();
                None
            }
        };
        Some(Tabs {
            channel,
            _on_message: on_message,
            _on_granted: on_granted,
            release,
        })
    }

    pub fn send(&self, message: &TabMessage) {
        if let Ok(text) = serde_json::to_string(message) {
            let _ = self.channel.post_message(&JsValue::from_str(&text));
        }
    }

    /// Gives the phone up (sign-out): another tab may lead.
    pub fn leave(&self) {
        if let Some(resolve) = self.release.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::NULL);
        }
        self.channel.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_messages_round_trip_as_json() {
        for message in [
            TabMessage::Hello,
            TabMessage::Line {
                line: LineState::Reconnecting {
                    reason: "down".into(),
                },
            },
            TabMessage::CallEnded {
                id: 4,
                outcome: Some("busy".into()),
            },
            TabMessage::Command {
                command: Command::Call {
                    number: "+74951234567".into(),
                },
            },
            TabMessage::Command {
                command: Command::Dtmf { key: '#' },
            },
        ] {
            let text = serde_json::to_string(&message).unwrap();
            assert_eq!(serde_json::from_str::<TabMessage>(&text).unwrap(), message);
        }
    }
}
