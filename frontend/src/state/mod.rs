//! The app's state as pure reducers: no browser calls, so every transition is
//! unit-tested natively (`cargo test -p callcard-frontend`).

pub mod admin;
pub mod card;
pub mod contacts;
pub mod phone;
pub mod session;
