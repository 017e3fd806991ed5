//! The browser phone behind the softphone dock: SIP over WebSocket to the
//! relay (`engine`), the call's audio through WebRTC (`media`), and one
//! phone for all tabs of a user (`tabs`).

pub mod devices;
pub mod engine;
pub mod media;
pub mod tabs;

pub use engine::Engine;
