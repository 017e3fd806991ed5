//! One call's recorder: listens to the call's tap, aligns the two
//! directions (`stereo.rs`), encodes (`mp3.rs`) and appends to the file
//! every second, so a relay that dies mid-call leaves a file that plays up
//! to the last write. Ends when the call's media ends (the tap
//! closes) or `stop` resolves; the file then lasts as long as the call
//! was recorded. While `paused` says so (a card number being read out),
//! nothing heard goes into the file: the span is silence, and its start
//! and end are kept for the call record.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::sync::broadcast::{self, error::TryRecvError};
use tokio::sync::watch;

use super::mp3::Mp3;
use super::stereo::{Side, Stereo};
use super::RATE;
use crate::media::{TapDirection, TapFrame};

/// How often the tap is read and its audio encoded.
pub const READ_EVERY: Duration = Duration::from_millis(200);
/// Encoded audio goes to the file every this many reads (every second): a
/// relay that dies mid-call loses at most the last second or so.
const WRITES_EVERY_TICKS: u32 = 5;
/// How long a frame may be late and still find its place (jitter).
pub const HOLDBACK: Duration = Duration::from_millis(400);

/// A finished recording.
#[derive(Debug, Clone)]
pub struct Recording {
    pub path: PathBuf,
    /// Its length in seconds.
    pub seconds: f64,
    pub bytes: u64,
    /// Samples that arrived after their place was written (dropped).
    pub late_samples: u64,
    /// Tap frames missed because the recorder fell behind (silence).
    pub missed_frames: u64,
    /// Paused spans, `[from, to]` seconds into the file (silence there).
    pub paused: Vec<[f64; 2]>,
}

#[derive(Debug)]
pub enum RecordingError {
    Io(std::io::Error),
    Encoder(String),
}

impl std::fmt::Display for RecordingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordingError::Io(e) => write!(f, "the recording file: {e}"),
            RecordingError::Encoder(e) => write!(f, "the MP3 encoder: {e}"),
        }
    }
}

impl std::error::Error for RecordingError {}

impl From<std::io::Error> for RecordingError {
    fn from(e: std::io::Error) -> Self {
        RecordingError::Io(e)
    }
}

/// Silences what of `left`/`right` (starting `at` samples into the file)
/// lies in a paused span — audio said just before the pause that the
/// aligner placed a little later included.
fn silence_paused(
    at: u64,
    left: &mut [i16],
    right: &mut [i16],
    spans: &[(u64, u64)],
    open: Option<u64>,
) {
    let open = open.map(|from| (from, u64::MAX));
    for (from, to) in spans.iter().copied().chain(open) {
        let first = from.saturating_sub(at).min(left.len() as u64) as usize;
        let last = to.saturating_sub(at).min(left.len() as u64) as usize;
        left[first..last].fill(0);
        let last = last.min(right.len());
        right[first.min(last)..last].fill(0);
    }
}

fn samples_since(start: Instant, at: Instant) -> u64 {
    let d = at.saturating_duration_since(start);
    (d.as_secs_f64() * f64::from(RATE)) as u64
}

/// Records the call whose tap is `tap` into a new file at `path`.
pub async fn record(
    mut tap: broadcast::Receiver<TapFrame>,
    path: &Path,
    mut paused: watch::Receiver<bool>,
    stop: impl Future<Output = ()>,
) -> Result<Recording, RecordingError> {
    let start = Instant::now();
    let mut file = tokio::fs::File::create(path).await?;
    let mut mp3 = Mp3::new().map_err(RecordingError::Encoder)?;
    let mut stereo = Stereo::new();
    let mut out = Vec::with_capacity(8192);
    let mut bytes = 0u64;
    let mut missed = 0u64;
    let mut tick = tokio::time::interval(READ_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let holdback = samples_since(start, start + HOLDBACK);
    // Paused spans in samples since `start`, which is where the aligner
    // puts audio in the file (within its jitter allowance).
    let mut spans: Vec<(u64, u64)> = Vec::new();
    let mut paused_since = paused.borrow_and_update().then_some(0);
    let mut pause_control = true;
    let mut ticks = 0u32;
    let mut closed = false;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            changed = paused.changed(), if pause_control => match changed {
                Ok(()) => {
                    let now = samples_since(start, Instant::now());
                    match (*paused.borrow_and_update(), paused_since) {
                        (true, None) => paused_since = Some(now),
                        (false, Some(from)) => {
                            spans.push((from, now));
                            paused_since = None;
                        }
                        _ => {}
                    }
                }
                // Nobody can pause any more: as it stands, to the end.
                Err(_) => pause_control = false,
            },
            // The tap is read in batches, not frame by frame: a wake-up
            // per packet would cost as much as the encoding.
            _ = tick.tick() => {
                loop {
                    match tap.try_recv() {
                        Ok(frame) => {
                            let arrival = samples_since(start, frame.received);
                            let silenced = paused_since.is_some_and(|from| arrival >= from)
                                || spans.iter().any(|&(from, to)| (from..to).contains(&arrival));
                            if silenced {
                                continue;
                            }
                            let side = match frame.direction {
                                TapDirection::FromTrunk => Side::Client,
                                TapDirection::FromBrowser => Side::Ours,
                            };
                            stereo.push(side, arrival, frame.rtp_timestamp, &frame.samples);
                        }
                        Err(TryRecvError::Empty) => break,
                        // Fell behind: those frames are silence in the file.
                        Err(TryRecvError::Lagged(n)) => missed += n,
                        Err(TryRecvError::Closed) => {
                            closed = true;
                            break;
                        }
                    }
                }
                if closed {
                    break;
                }
                let now = samples_since(start, Instant::now());
                let at = stereo.taken();
                let (mut left, mut right) = stereo.take_until(now.saturating_sub(holdback));
                silence_paused(at, &mut left, &mut right, &spans, paused_since);
                mp3.encode(&left, &right, &mut out).map_err(RecordingError::Encoder)?;
                ticks += 1;
                if ticks.is_multiple_of(WRITES_EVERY_TICKS) && !out.is_empty() {
                    file.write_all(&out).await?;
                    file.flush().await?;
                    bytes += out.len() as u64;
                    out.clear();
                }
            }
            _ = &mut stop => break,
        }
    }
    // The rest: up to now, or to the last sample heard if that is later.
    let now = samples_since(start, Instant::now());
    let at = stereo.taken();
    let (mut left, mut right) = stereo.take_until(now);
    let (l, r) = stereo.finish();
    left.extend(l);
    right.extend(r);
    silence_paused(at, &mut left, &mut right, &spans, paused_since);
    mp3.encode(&left, &right, &mut out)
        .map_err(RecordingError::Encoder)?;
    mp3.finish(&mut out).map_err(RecordingError::Encoder)?;
    file.write_all(&out).await?;
    file.flush().await?;
    bytes += out.len() as u64;
    if stereo.late > 0 || missed > 0 {
        tracing::info!(
            path = %path.display(),
            late_samples = stereo.late,
            missed_frames = missed,
            "recording: some audio arrived too late or was missed (silence in the file)"
        );
    }
    if let Some(from) = paused_since {
        spans.push((from, stereo.taken().max(from)));
    }
    let seconds = |samples: u64| samples as f64 / f64::from(RATE);
    let length = seconds(stereo.taken());
    let spans = spans
        .into_iter()
        .map(|(from, to)| [seconds(from), seconds(to)])
        .collect();
    Ok(Recording {
        path: path.to_path_buf(),
        seconds: length,
        bytes,
        late_samples: stereo.late,
        missed_frames: missed,
        paused: spans,
    })
}

/// What a call record keeps of its recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// Relative to the data directory.
    pub path: String,
    pub seconds: f64,
    pub bytes: i64,
    pub paused: Vec<[f64; 2]>,
    /// Why the file ends before the call did (it plays up to there).
    pub stopped_early: Option<String>,
}

/// A new recording's path relative to the data directory: a random name,
/// nothing about the call or the client in it.
pub fn new_path() -> String {
    format!("recordings/{:032x}.mp3", rand::random::<u128>())
}

/// How long a recording file plays, from its size (constant bit rate).
pub fn seconds_of(bytes: u64) -> f64 {
    bytes as f64 / super::mp3::BYTES_PER_SECOND as f64
}

/// Records a call into the new file `relative` (from [`new_path`]) under
/// `data_dir` until its media ends, silent while `paused`. Returns what the
/// call record keeps — the part written before a failure included — or why
/// there is no recording at all.
pub async fn record_into(
    data_dir: &Path,
    relative: String,
    tap: broadcast::Receiver<TapFrame>,
    paused: watch::Receiver<bool>,
) -> Result<Recorded, String> {
    let path = data_dir.join(&relative);
    let made = match path.parent() {
        Some(dir) => tokio::fs::create_dir_all(dir).await,
        None => Ok(()),
    };
    let result = match made {
        Ok(()) => record(tap, &path, paused, std::future::pending()).await,
        Err(e) => Err(RecordingError::Io(e)),
    };
    match result {
        Ok(recording) => Ok(Recorded {
            path: relative,
            seconds: recording.seconds,
            bytes: i64::try_from(recording.bytes).unwrap_or(i64::MAX),
            paused: recording.paused,
            stopped_early: None,
        }),
        Err(e) => {
            tracing::error!(path = %path.display(), "recording a call failed: {e}");
            // What reached the disk before the failure still plays.
            match tokio::fs::metadata(&path).await.map(|m| m.len()) {
                Ok(bytes) if bytes > 0 => Ok(Recorded {
                    path: relative,
                    seconds: seconds_of(bytes),
                    bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
                    paused: Vec::new(),
                    stopped_early: Some(format!("the recording stopped early: {e}")),
                }),
                _ => {
                    let _ = tokio::fs::remove_file(&path).await;
                    Err(e.to_string())
                }
            }
        }
    }
}
