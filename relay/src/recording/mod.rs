//! Call recordings: the media bridge's tap (decoded PCM of both directions)
//! made into one stereo MP3 per call — the client on the left channel, our
//! side on the right — encoded while the call runs, so a file on disk is
//! always playable up to its last write.
//!
//! - `stereo.rs`: the sans-IO aligner: tap frames in (with their arrival
//!   offset and RTP timestamp), two gap-free channels out; a silence on
//!   one side (hold, a muted leg, a lost packet) is silence in the file.
//! - `mp3.rs`: the encoder (LAME, 8 kHz stereo, 32 kbit/s CBR: about
//!   240 KB a minute).
//! - `recorder.rs`: the task that listens to one call's tap and writes
//!   its file, until the call's media ends or it is told to stop.
//! - `retention.rs`: recordings older than the kept days are deleted.
//! - `disk.rs`: no new recording while the data directory's disk is
//!   (nearly) full, and the alert administrators see then.
//! - `prompt.rs`: the consent announcement (an uploaded WAV, or espeak-ng's
//!   default) as 8 kHz PCM for the media bridge to play.
//! - `recovery.rs`: at start, the recordings a stopped relay left open are
//!   closed on their records (their files play up to the last write).
//! - `zip.rs`: many recordings as one zip, streamed while it is written.
//! - `store.rs`: where finished recordings are kept and read (`object_store`,
//!   the local backend in the data directory).

pub mod disk;
pub mod mp3;
pub mod prompt;
pub mod recorder;
pub mod recovery;
pub mod retention;
pub mod stereo;
pub mod store;
pub mod zip;

pub use recorder::{new_path, record, record_into, Recorded, Recording, RecordingError};
pub use store::{RecordingStore, StoreError};

/// Samples per second of the recordings (G.711's rate: nothing is resampled).
pub const RATE: u32 = 8000;
