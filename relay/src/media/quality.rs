//! Call quality from the RTP each leg receives: packets lost (sequence
//! numbers expected but never seen), interarrival jitter (RFC 3550 §6.4.1,
//! A.8), and an estimated MOS from the ITU-T G.107 E-model for G.711.
//! Sans-IO: packets and their arrival instants in, figures out.

use std::time::Instant;

use callcard_shared::api::{CallQuality, StreamQuality};

/// RTP clock of G.711 (samples per second).
const CLOCK: f64 = 8000.0;

/// What one leg's incoming stream looked like so far.
#[derive(Debug, Default, Clone)]
pub struct StreamStats {
    /// Extended sequence number of the first and the highest packet.
    first: Option<u64>,
    highest: u64,
    /// The last 16-bit sequence number seen (to extend the next).
    last_seq: u16,
    cycles: u64,
    received: u64,
    /// Interarrival jitter in RTP timestamp units.
    jitter: f64,
    last_transit: Option<f64>,
    epoch: Option<Instant>,
}

impl StreamStats {
    /// A packet with the 16-bit `seq` and RTP `timestamp`, arrived `at`.
    pub fn packet(&mut self, seq: u16, timestamp: u32, at: Instant) {
        let extended = match self.first {
            None => {
                self.first = Some(u64::from(seq));
                self.highest = u64::from(seq);
                self.last_seq = seq;
                u64::from(seq)
            }
            Some(_) => {
                // A wrap: from the top quarter to the bottom quarter.
                if seq < 0x4000 && self.last_seq > 0xC000 {
                    self.cycles += 1 << 16;
                }
                self.last_seq = seq;
                self.cycles + u64::from(seq)
            }
        };
        self.highest = self.highest.max(extended);
        self.received += 1;
        let epoch = *self.epoch.get_or_insert(at);
        let arrival = at.saturating_duration_since(epoch).as_secs_f64() * CLOCK;
        let transit = arrival - f64::from(timestamp);
        if let Some(last) = self.last_transit {
            let d = (transit - last).abs();
            // Timestamps that jump (a new talk spurt after a re-INVITE, a
            // new source) are not jitter.
            if d < CLOCK {
                self.jitter += (d - self.jitter) / 16.0;
            }
        }
        self.last_transit = Some(transit);
    }

    pub fn summary(&self) -> StreamQuality {
        let expected = self
            .first
            .map_or(0, |first| self.highest.saturating_sub(first) + 1);
        StreamQuality {
            received: self.received,
            lost: expected.saturating_sub(self.received),
            jitter_ms: self.jitter / CLOCK * 1000.0,
        }
    }
}

/// Both legs' streams and the browser leg's round-trip time into one
/// record with the estimated MOS.
pub fn call_quality(
    client: &StreamStats,
    ours: &StreamStats,
    rtt_ms: Option<f64>,
) -> Option<CallQuality> {
    let (client, ours) = (client.summary(), ours.summary());
    if client.received + ours.received == 0 {
        return None;
    }
    let loss = |s: &StreamQuality| {
        let expected = s.received + s.lost;
        if expected == 0 {
            0.0
        } else {
            s.lost as f64 / expected as f64 * 100.0
        }
    };
    let worst_loss = loss(&client).max(loss(&ours));
    let worst_jitter = client.jitter_ms.max(ours.jitter_ms);
    Some(CallQuality {
        mos: mos(worst_loss, worst_jitter, rtt_ms.unwrap_or(0.0)),
        client,
        ours,
        rtt_ms,
    })
}

/// The E-model's MOS for G.711 with packet-loss concealment (Ie 0,
/// Bpl 25.1, random loss) at `loss_percent`, with a one-way delay of half
/// the round trip plus a jitter buffer of twice the jitter and the codec's
/// 20 ms packet.
pub fn mos(loss_percent: f64, jitter_ms: f64, rtt_ms: f64) -> f64 {
    let delay = rtt_ms / 2.0 + 2.0 * jitter_ms + 20.0;
    let id = 0.024 * delay
        + if delay > 177.3 {
            0.11 * (delay - 177.3)
        } else {
            0.0
        };
    let ppl = loss_percent.clamp(0.0, 100.0);
    let ie_eff = 95.0 * ppl / (ppl + 25.1);
    let r = (93.2 - id - ie_eff).clamp(0.0, 100.0);
    let mos = 1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r);
    (mos.clamp(1.0, 4.5) * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn stream(packets: impl Iterator<Item = (u16, u32, u64)>) -> StreamStats {
        let start = Instant::now();
        let mut s = StreamStats::default();
        for (seq, ts, at_ms) in packets {
            s.packet(seq, ts, start + Duration::from_millis(at_ms));
        }
        s
    }

    #[test]
    fn a_clean_stream_has_no_loss_no_jitter_and_the_best_mos() {
        let s = stream((0..500u32).map(|i| (i as u16, i * 160, u64::from(i) * 20)));
        let q = s.summary();
        assert_eq!((q.received, q.lost), (500, 0));
        assert!(q.jitter_ms < 0.01, "{}", q.jitter_ms);
        assert!(mos(0.0, q.jitter_ms, 0.0) > 4.3);
    }

    #[test]
    fn every_tenth_packet_lost_across_a_sequence_wrap_is_counted() {
        let s = stream(
            (0..1000u32)
                .filter(|i| i % 10 != 3)
                .map(|i| ((65000 + i) as u16, i * 160, u64::from(i) * 20)),
        );
        let q = s.summary();
        assert_eq!((q.received, q.lost), (900, 100));
        let with_loss = mos(10.0, q.jitter_ms, 0.0);
        assert!(with_loss < 3.6 && with_loss > 2.0, "{with_loss}");
    }

    #[test]
    fn packets_arriving_unevenly_show_as_jitter() {
        // Alternately 10 ms early and 10 ms late.
        let s = stream((0..500u32).map(|i| {
            let skew = if i % 2 == 0 { 0 } else { 20 };
            (i as u16, i * 160, u64::from(i) * 20 + skew)
        }));
        let q = s.summary();
        assert!(q.jitter_ms > 10.0 && q.jitter_ms < 25.0, "{}", q.jitter_ms);
        assert!(mos(0.0, q.jitter_ms, 300.0) < mos(0.0, 0.0, 0.0));
    }
}
