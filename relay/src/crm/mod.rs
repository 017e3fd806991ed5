//! CRM storage: contacts with their phones, deals, notes and users, as SQL over
//! the pool. Routes and (later) call routing share these functions.

pub mod contacts;
pub mod users;
