//! What the core asks the runner to do: its effects, as data. SIP for a
//! device goes straight into that connection's queue (a queue push, no
//! I/O); everything that touches a socket, a task or the database is one
//! of these, carried out by `runner.rs` once the core has returned. Call
//! record changes and the events naming a call go to the records writer
//! the same way (`records.rs`).

use std::net::SocketAddr;
use std::pin::Pin;

use callcard_shared::sip::ua::CallHandle;

use super::bridge::Leg;
use crate::media::MediaEnd;

pub enum Effect {
    /// Send `bytes` from trunk `trunk`'s transport to `to` (its provider,
    /// or a stranger refused).
    ToTrunk {
        trunk: i64,
        to: SocketAddr,
        bytes: Vec<u8>,
    },
    /// Send `bytes` from the relay's SIP socket to a desk phone over UDP.
    ToUdpDevice { to: SocketAddr, bytes: Vec<u8> },
    /// Watch a call's media: when it ends by itself (not hung up), the core
    /// gets [`super::Input::MediaEnded`] for `record`.
    WatchMedia {
        record: i64,
        ended: Pin<Box<dyn std::future::Future<Output = MediaEnd> + Send>>,
    },
    /// Record the call `record` (a records key) from its media's tap until
    /// the media ends; the file goes on the record.
    Record { record: i64, media: super::Media },
    /// Look up the number behind a phone reference (`p12`) for `user_id`;
    /// the answer comes back as [`super::Input::ReferenceResolved`].
    ResolveReference {
        reference: String,
        user_id: i64,
        then: Resolved,
    },
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::ToTrunk { trunk, to, bytes } => f
                .debug_struct("ToTrunk")
                .field("trunk", trunk)
                .field("to", to)
                .field("bytes", &String::from_utf8_lossy(bytes))
                .finish(),
            Effect::ToUdpDevice { to, bytes } => f
                .debug_struct("ToUdpDevice")
                .field("to", to)
                .field("bytes", &String::from_utf8_lossy(bytes))
                .finish(),
            Effect::WatchMedia { record, .. } => f
                .debug_struct("WatchMedia")
                .field("record", record)
                .finish(),
            Effect::Record { record, .. } => {
                f.debug_struct("Record").field("record", record).finish()
            }
            Effect::ResolveReference {
                reference,
                user_id,
                then,
            } => f
                .debug_struct("ResolveReference")
                .field("reference", reference)
                .field("user_id", user_id)
                .field("then", then)
                .finish(),
        }
    }
}

/// What waits for a phone reference's number.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// The phone's INVITE: dial the number (its SDP offer kept here).
    Dial {
        conn: u64,
        call: CallHandle,
        sdp: Option<Vec<u8>>,
    },
    /// The phone's REFER: transfer the call to the number.
    Refer { leg: Leg, call: CallHandle },
}
