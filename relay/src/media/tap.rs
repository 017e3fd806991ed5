//! The tap: decoded PCM (16-bit, 8 kHz) of both directions of a call with
//! arrival and RTP timestamps, for recording and listen-in. The broadcast
//! channel is created on the first subscription, and the bridge decodes
//! only while somebody holds a receiver, so an unheard call pays one atomic
//! load per packet.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use tokio::sync::broadcast;

/// Which way the audio was going when the tap saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TapDirection {
    /// From the browser (the agent) toward the trunk.
    FromBrowser,
    /// From the trunk (the customer) toward the browser.
    FromTrunk,
}

/// One RTP packet's worth of decoded audio.
#[derive(Debug, Clone)]
pub struct TapFrame {
    pub direction: TapDirection,
    /// When the relay received the packet.
    pub received: Instant,
    /// The packet's RTP timestamp (8 kHz units) as its sender stamped it.
    pub rtp_timestamp: u32,
    /// 16-bit linear PCM at 8 kHz.
    pub samples: Arc<[i16]>,
}

/// Frames buffered per subscriber before it starts lagging (about 2.5 s of
/// both directions at 20 ms packets).
const CAPACITY: usize = 256;

#[derive(Debug, Default)]
pub(crate) struct Tap {
    tx: OnceLock<broadcast::Sender<TapFrame>>,
}

impl Tap {
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<TapFrame> {
        self.tx
            .get_or_init(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// The sender, only while at least one receiver is alive.
    pub(crate) fn active(&self) -> Option<&broadcast::Sender<TapFrame>> {
        self.tx.get().filter(|tx| tx.receiver_count() > 0)
    }
}
