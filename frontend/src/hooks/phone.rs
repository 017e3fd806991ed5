//! `use_phone()`: the softphone as pages and the dock see it: its state, and
//! click-to-call — the number goes into the dial pad and, when the phone is
//! online and free, the call starts.

use yew::prelude::*;

use crate::softphone::Engine;
use crate::state::phone::{PhoneAction, PhoneState};

pub type PhoneContext = UseReducerHandle<PhoneState>;

#[derive(Clone, PartialEq)]
pub struct PhoneHandle {
    state: PhoneContext,
    /// The browser phone, provided by the signed-in layout.
    engine: Option<Engine>,
}

impl PhoneHandle {
    pub fn state(&self) -> &PhoneState {
        &self.state
    }

    /// A callback for click-to-call controls: puts the number into the dial
    /// pad and calls it (the phone ignores it while offline or busy).
    pub fn dial(&self) -> Callback<String> {
        let state = self.state.clone();
        let engine = self.engine.clone();
        Callback::from(move |number: String| {
            state.dispatch(PhoneAction::Dial(number.clone()));
            if let Some(engine) = &engine {
                engine.call(&number);
            }
        })
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
    let engine = use_context::<Engine>();
    PhoneHandle { state, engine }
}
