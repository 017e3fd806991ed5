//! Callcard's browser app (Yew): sign-in, the contacts list and contact cards,
//! and the softphone dock. The state lives in pure reducers (`state`), tested
//! natively; only `services` talks to the network.

pub mod app;
pub mod components;
pub mod format;
pub mod hooks;
pub mod i18n;
pub mod pages;
pub mod services;
pub mod softphone;
pub mod state;

/// Mounts the app on `<body>`. Only meaningful in a browser.
pub fn run() {
    yew::Renderer::<app::App>::new().render();
}
