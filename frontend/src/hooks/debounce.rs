//! `use_debounced(ms, callback)`: a callback that forwards only the last value
//! given to it within `ms` milliseconds (search as you type).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

#[hook]
pub fn use_debounced<T: 'static>(millis: u32, callback: Callback<T>) -> Callback<T> {
    // Dropping a `Timeout` cancels it, so replacing the stored one restarts the wait,
    // and unmounting the component cancels a pending call.
    let pending: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    Callback::from(move |value: T| {
        let callback = callback.clone();
        let timeout = Timeout::new(millis, move || callback.emit(value));
        *pending.borrow_mut() = Some(timeout);
    })
}
