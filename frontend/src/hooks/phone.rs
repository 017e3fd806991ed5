//! `use_phone()`: the softphone as pages and the dock see it. Today it only
//! fills the dial pad; calling, answering and hanging up will be added here,
//! behind the same handle, when the SIP engine is wired in.

use yew::prelude::*;

use crate::state::phone::{PhoneAction, PhoneState};

pub type PhoneContext = UseReducerHandle<PhoneState>;

#[derive(Clone, PartialEq)]
pub struct PhoneHandle {
    state: PhoneContext,
}

impl PhoneHandle {
    pub fn state(&self) -> &PhoneState {
        &self.state
    }

    /// A callback for click-to-call controls: puts the number into the dial pad.
    pub fn dial(&self) -> Callback<String> {
        let state = self.state.clone();
        Callback::from(move |number: String| state.dispatch(PhoneAction::Dial(number)))
    }

    /// A callback for the dock's own controls.
    pub fn act(&self) -> Callback<PhoneAction> {
        let state = self.state.clone();
        Callback::from(move |action: PhoneAction| state.dispatch(action))
    }
}

#[hook]
pub fn use_phone() -> PhoneHandle {
    let state = use_context::<PhoneContext>().expect("PhoneContext is provided by App");
    PhoneHandle { state }
}
