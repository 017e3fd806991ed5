//! The browser phone behind the softphone dock: SIP over WebSocket to the
//! relay (`engine`) and the call's audio through WebRTC (`media`).

pub mod engine;
pub mod media;

pub use engine::Engine;
