//! Callcard logic shared by the browser softphone (wasm32) and the relay (native).
//!
//! Nothing here knows about tokio, sockets, clocks or the database: protocol
//! engines take the current [`Instant`] as an argument, and the API types are
//! plain serde structs, so both sides compile the same truth.

pub mod api;
pub mod dialplan;
pub mod masking;
#[cfg(feature = "numbers")]
pub mod phone;
pub mod refusal;
pub mod sip;
pub mod time;

pub use time::Instant;
