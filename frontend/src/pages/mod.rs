//! One component per route. Pages own the API calls for what they show and
//! hand data to components.

pub mod admin;
pub mod calls;
pub mod calls_zip;
pub mod contact_card;
pub mod contacts;
pub mod login;
pub mod not_found;
