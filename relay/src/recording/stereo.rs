//! Two directions of a call into two aligned channels. Each frame is placed
//! by its sender's RTP timestamp, anchored on its arrival the first time a
//! direction is heard (and again when the timestamps and the arrivals drift
//! apart by more than [`REANCHOR`]: a sender that restarted its clock, or
//! a hold the sender did not count through). Whatever nobody sent is
//! silence; what arrives after its place was written is dropped.

use std::collections::VecDeque;

/// Timestamps this far from where arrival puts a frame re-anchor its
/// direction (200 ms at 8 kHz).
pub const REANCHOR: u64 = 1600;

/// Which channel a frame belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The client (the trunk's direction): the left channel.
    Client,
    /// Our side (the browser's direction): the right channel.
    Ours,
}

#[derive(Default)]
struct Channel {
    /// Samples from `Stereo::base` on (zeros where nothing arrived yet).
    samples: VecDeque<i16>,
    /// (position, RTP timestamp) of the anchor frame.
    anchor: Option<(u64, u32)>,
}

impl Channel {
    /// Where a frame that arrived at `arrival` with `timestamp` goes.
    fn place(&mut self, arrival: u64, timestamp: u32) -> u64 {
        if let Some((pos, ts)) = self.anchor {
            let by_rtp = pos.wrapping_add(u64::from(timestamp.wrapping_sub(ts)));
            // A timestamp behind the anchor (reordering) wraps to a huge
            // offset: that, too, is a reason to trust arrival instead.
            if by_rtp.abs_diff(arrival) <= REANCHOR {
                return by_rtp;
            }
        }
        self.anchor = Some((arrival, timestamp));
        arrival
    }
}

/// The aligner: positions are sample counts since the recording started.
#[derive(Default)]
pub struct Stereo {
    client: Channel,
    ours: Channel,
    /// The position of the first sample not taken yet.
    base: u64,
    /// Samples dropped because they arrived after their place was taken.
    pub late: u64,
}

impl Stereo {
    pub fn new() -> Stereo {
        Stereo::default()
    }

    /// A frame from `side` that arrived `arrival` samples after the
    /// recording started, stamped `timestamp` by its sender.
    pub fn push(&mut self, side: Side, arrival: u64, timestamp: u32, samples: &[i16]) {
        let base = self.base;
        let channel = match side {
            Side::Client => &mut self.client,
            Side::Ours => &mut self.ours,
        };
        let pos = channel.place(arrival, timestamp);
        let end = pos + samples.len() as u64;
        if end <= base {
            self.late += samples.len() as u64;
            return;
        }
        let skip = base.saturating_sub(pos) as usize;
        self.late += skip as u64;
        let start = (pos.max(base) - base) as usize;
        let needed = (end - base) as usize;
        if channel.samples.len() < needed {
            channel.samples.resize(needed, 0);
        }
        for (k, s) in samples[skip..].iter().enumerate() {
            channel.samples[start + k] = *s;
        }
    }

    /// Both channels up to position `upto` (silence where nothing arrived):
    /// `(left, right)` = `(client, ours)`, each `upto - base` samples.
    pub fn take_until(&mut self, upto: u64) -> (Vec<i16>, Vec<i16>) {
        let n = upto.saturating_sub(self.base) as usize;
        let take = |c: &mut Channel| {
            let have = n.min(c.samples.len());
            let mut out: Vec<i16> = c.samples.drain(..have).collect();
            out.resize(n, 0);
            out
        };
        let left = take(&mut self.client);
        let right = take(&mut self.ours);
        self.base += n as u64;
        (left, right)
    }

    /// Everything still buffered (at the end of the call).
    pub fn finish(&mut self) -> (Vec<i16>, Vec<i16>) {
        let end = self.base + self.client.samples.len().max(self.ours.samples.len()) as u64;
        self.take_until(end)
    }

    /// The position of the first sample not taken yet.
    pub fn taken(&self) -> u64 {
        self.base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(v: i16) -> Vec<i16> {
        vec![v; 160]
    }

    #[test]
    fn both_sides_line_up_by_their_timestamps_and_gaps_are_silence() {
        let mut s = Stereo::new();
        // The client from the start, stamps from 1000; our side 40 ms later.
        s.push(Side::Client, 0, 1000, &frame(1));
        s.push(Side::Client, 170, 1160, &frame(2)); // arrived 10 samples late: placed by RTP
        s.push(Side::Ours, 320, 50_000, &frame(3));
        // A lost client packet (stamp 1320) leaves its 20 ms silent.
        s.push(Side::Client, 480, 1480, &frame(5));
        let (left, right) = s.take_until(640);
        assert_eq!(left.len(), 640);
        assert_eq!(&left[..160], &frame(1)[..]);
        assert_eq!(&left[160..320], &frame(2)[..]);
        assert!(left[320..480].iter().all(|x| *x == 0), "the lost packet");
        assert_eq!(&left[480..640], &frame(5)[..]);
        assert!(right[..320].iter().all(|x| *x == 0));
        assert_eq!(&right[320..480], &frame(3)[..]);
        assert!(right[480..].iter().all(|x| *x == 0));
    }

    #[test]
    fn a_hold_the_sender_did_not_count_through_is_silence_not_a_splice() {
        let mut s = Stereo::new();
        s.push(Side::Ours, 0, 0, &frame(1));
        // Resumed 5 s later with the next timestamp: arrival wins.
        s.push(Side::Ours, 40_000, 160, &frame(2));
        let (_, right) = s.finish();
        assert_eq!(right.len(), 40_160);
        assert!(right[160..40_000].iter().all(|x| *x == 0));
        assert_eq!(&right[40_000..], &frame(2)[..]);
    }

    #[test]
    fn what_arrives_after_its_place_was_taken_is_dropped_and_counted() {
        let mut s = Stereo::new();
        s.push(Side::Client, 0, 0, &frame(1));
        let _ = s.take_until(320);
        s.push(Side::Client, 330, 160, &frame(2)); // its place (160..320) is gone
        assert_eq!(s.late, 160);
        s.push(Side::Client, 400, 240, &frame(3)); // half of it is still to come
        assert_eq!(s.late, 240);
        let (left, _) = s.finish();
        assert_eq!(left, vec![3; 80]);
        assert_eq!(s.taken(), 400);
    }
}
