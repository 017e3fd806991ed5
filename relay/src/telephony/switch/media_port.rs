//! What the core needs of the media bridge, as two small traits: a port
//! that anchors a call's media (binding its ports and starting its task is
//! the bridge's business, not the core's) and the session it returns, whose
//! SDP negotiation answers at once (see `crate::media::CallMedia`). The
//! relay plugs in [`MediaBridge`]; the core's tests plug in a fake that
//! writes deterministic SDP and counts what was asked of it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::broadcast;

use crate::media::{CallMedia, MediaBridge, MediaEnd, MediaError, TapFrame};

/// A call's media session, shared by the bridge and whoever watches it.
pub type Media = Arc<dyn MediaSession>;

/// Anchors media: each call returns the session and the SDP to send.
pub trait MediaPort: Send {
    /// Outbound: answers the browser's offer and makes the offer for the
    /// provider: `(session, answer for the browser, offer for the provider)`.
    fn for_browser_offer(
        &self,
        browser_offer: &str,
    ) -> Result<(Arc<dyn MediaSession>, String, String), MediaError>;

    /// Inbound: takes the provider's offer and makes the browser's:
    /// `(session, offer for the browser)`.
    fn for_trunk_offer(
        &self,
        trunk_offer: &str,
    ) -> Result<(Arc<dyn MediaSession>, String), MediaError>;
}

/// One call's anchored media (see [`CallMedia`] for what each step means).
/// Dropping the last handle ends it (its ports are freed by the bridge).
pub trait MediaSession: Send + Sync {
    fn trunk_answer(&self, sdp: &str) -> Result<(), MediaError>;
    fn browser_answer(&self, sdp: &str) -> Result<String, MediaError>;
    fn browser_reoffer(&self, sdp: &str) -> Result<(String, String), MediaError>;
    fn trunk_reoffer(&self, sdp: &str) -> Result<(String, Option<String>), MediaError>;
    fn browser_reanswer(&self, sdp: &str) -> Result<(), MediaError>;
    /// Resolves when the media has ended, holding nothing of the session.
    fn ended_signal(&self) -> Pin<Box<dyn Future<Output = MediaEnd> + Send>>;
    /// Both directions' decoded audio (closes when the media ends).
    fn tap(&self) -> broadcast::Receiver<TapFrame>;
    /// Plays 8 kHz PCM to the client before the two sides hear each other.
    fn announce(&self, samples: std::sync::Arc<[i16]>);
}

impl MediaPort for MediaBridge {
    fn for_browser_offer(
        &self,
        browser_offer: &str,
    ) -> Result<(Arc<dyn MediaSession>, String, String), MediaError> {
        let (media, answer, offer) = MediaBridge::for_browser_offer(self, browser_offer)?;
        Ok((Arc::new(media), answer, offer))
    }

    fn for_trunk_offer(
        &self,
        trunk_offer: &str,
    ) -> Result<(Arc<dyn MediaSession>, String), MediaError> {
        let (media, offer) = MediaBridge::for_trunk_offer(self, trunk_offer)?;
        Ok((Arc::new(media), offer))
    }
}

impl MediaSession for CallMedia {
    fn trunk_answer(&self, sdp: &str) -> Result<(), MediaError> {
        CallMedia::trunk_answer(self, sdp)
    }
    fn browser_answer(&self, sdp: &str) -> Result<String, MediaError> {
        CallMedia::browser_answer(self, sdp)
    }
    fn browser_reoffer(&self, sdp: &str) -> Result<(String, String), MediaError> {
        CallMedia::browser_reoffer(self, sdp)
    }
    fn trunk_reoffer(&self, sdp: &str) -> Result<(String, Option<String>), MediaError> {
        CallMedia::trunk_reoffer(self, sdp)
    }
    fn browser_reanswer(&self, sdp: &str) -> Result<(), MediaError> {
        CallMedia::browser_reanswer(self, sdp)
    }
    fn ended_signal(&self) -> Pin<Box<dyn Future<Output = MediaEnd> + Send>> {
        Box::pin(CallMedia::ended_signal(self))
    }
    fn tap(&self) -> broadcast::Receiver<TapFrame> {
        CallMedia::tap(self)
    }
    fn announce(&self, samples: std::sync::Arc<[i16]>) {
        CallMedia::announce(self, samples)
    }
}
