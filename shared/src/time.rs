//! The one place `Instant` comes from, so wasm32 (which has no `std::time::Instant`)
//! and native code share every time-driven engine unchanged.

#[cfg(not(target_arch = "wasm32"))]
pub use std::time::Instant;
#[cfg(target_arch = "wasm32")]
pub use web_time::Instant;

pub use core::time::Duration;
