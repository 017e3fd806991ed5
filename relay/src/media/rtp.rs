//! Plain RTP (RFC 3550) as the trunk leg needs it: a bounds-checked header
//! view of a received datagram, the serializer for sent ones, and the
//! rewriter that keeps one outgoing SSRC with continuous sequence numbers
//! and timestamps when the incoming source changes.

/// A received RTP packet, borrowed from the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpView<'a> {
    pub marker: bool,
    pub pt: u8,
    pub seq: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub payload: &'a [u8],
}

/// Parses an RTP datagram; `None` for anything that is not RTP version 2
/// with a consistent length (RTCP payload types 72–76 included).
pub fn parse(buf: &[u8]) -> Option<RtpView<'_>> {
    if buf.len() < 12 || buf[0] >> 6 != 2 {
        return None;
    }
    let padding = buf[0] & 0x20 != 0;
    let extension = buf[0] & 0x10 != 0;
    let cc = usize::from(buf[0] & 0x0F);
    let marker = buf[1] & 0x80 != 0;
    let pt = buf[1] & 0x7F;
    if (72..=76).contains(&pt) {
        return None; // RTCP (RFC 5761 §4)
    }
    let mut start = 12 + 4 * cc;
    if extension {
        let ext = buf.get(start..start + 4)?;
        start += 4 + 4 * usize::from(u16::from_be_bytes([ext[2], ext[3]]));
    }
    let mut end = buf.len();
    if padding {
        let pad = usize::from(*buf.last()?);
        if pad == 0 {
            return None;
        }
        end = end.checked_sub(pad)?;
    }
    if start > end {
        return None;
    }
    Some(RtpView {
        marker,
        pt,
        seq: u16::from_be_bytes([buf[2], buf[3]]),
        timestamp: u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]),
        ssrc: u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]),
        payload: &buf[start..end],
    })
}

/// Writes a 12-byte header and the payload into `out` (cleared first).
pub fn write(
    out: &mut Vec<u8>,
    marker: bool,
    pt: u8,
    seq: u16,
    timestamp: u32,
    ssrc: u32,
    payload: &[u8],
) {
    out.clear();
    out.push(0x80);
    out.push(if marker { 0x80 } else { 0 } | (pt & 0x7F));
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&timestamp.to_be_bytes());
    out.extend_from_slice(&ssrc.to_be_bytes());
    out.extend_from_slice(payload);
}

/// Maps (source SSRC, 16-bit sequence, timestamp) of one direction onto one
/// outgoing stream. Within one source, numbers keep their spacing (gaps and
/// reordering stay visible to the receiver); a new source continues right
/// after the last packet sent, so the far end sees one unbroken stream.
#[derive(Debug, Clone)]
pub struct Rewriter {
    source: Option<u32>,
    /// Last extended (32+ bit) input sequence number of the current source.
    ext_in: u64,
    seq_delta: i64,
    ts_delta: u32,
    /// Highest extended output sequence number so far.
    out_seq: u64,
    out_ts: u32,
    first_out_seq: u64,
}

/// Samples per 20 ms at 8 kHz: the timestamp step assumed across a source switch.
const FRAME: u32 = 160;

impl Rewriter {
    /// `first_seq` is the first output sequence number (keep it below 2^15 so
    /// the rollover counter starts at zero, as SRTP receivers expect).
    pub fn new(first_seq: u16) -> Self {
        Rewriter {
            source: None,
            ext_in: 0,
            seq_delta: 0,
            ts_delta: 0,
            out_seq: u64::from(first_seq),
            out_ts: 0,
            first_out_seq: u64::from(first_seq),
        }
    }

    /// Returns the extended output sequence number and the output timestamp.
    pub fn map(&mut self, ssrc: u32, seq: u16, timestamp: u32) -> (u64, u32) {
        if self.source != Some(ssrc) {
            let first = self.source.is_none();
            self.source = Some(ssrc);
            // Start the extended input well above zero so reordered packets
            // from before the first one never go negative.
            self.ext_in = (1 << 16) | u64::from(seq);
            let next_seq = if first {
                self.first_out_seq
            } else {
                self.out_seq + 1
            };
            let next_ts = if first {
                timestamp
            } else {
                self.out_ts.wrapping_add(FRAME)
            };
            self.seq_delta = next_seq as i64 - self.ext_in as i64;
            self.ts_delta = next_ts.wrapping_sub(timestamp);
        } else {
            self.ext_in = extend(self.ext_in, seq);
        }
        let out_seq = (self.ext_in as i64 + self.seq_delta).max(0) as u64;
        let out_ts = timestamp.wrapping_add(self.ts_delta);
        if out_seq >= self.out_seq || self.out_seq == self.first_out_seq {
            self.out_seq = self.out_seq.max(out_seq);
            self.out_ts = out_ts;
        }
        (out_seq, out_ts)
    }
}

/// The extended sequence number nearest to `last` whose low 16 bits are `seq`.
fn extend(last: u64, seq: u16) -> u64 {
    let base = last & !0xFFFF;
    let candidates = [
        base.wrapping_sub(1 << 16) | u64::from(seq),
        base | u64::from(seq),
        (base + (1 << 16)) | u64::from(seq),
    ];
    candidates
        .into_iter()
        .filter(|c| *c >= 1 << 16 || base == 0)
        .min_by_key(|c| c.abs_diff(last))
        .unwrap_or(base | u64::from(seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_write() {
        let mut buf = Vec::new();
        write(&mut buf, true, 8, 65535, 0xDEADBEEF, 42, &[1, 2, 3]);
        let v = parse(&buf).unwrap();
        assert!(v.marker);
        assert_eq!(
            (v.pt, v.seq, v.timestamp, v.ssrc),
            (8, 65535, 0xDEADBEEF, 42)
        );
        assert_eq!(v.payload, &[1, 2, 3]);
    }

    #[test]
    fn parse_rejects_garbage_and_rtcp() {
        assert!(parse(b"hello").is_none());
        assert!(parse(&[0u8; 40]).is_none()); // version 0
        let mut rtcp = vec![0x80, 200, 0, 6];
        rtcp.extend_from_slice(&[0; 24]);
        assert!(parse(&rtcp).is_none());
        // Extension running past the end.
        let mut ext = vec![0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 9];
        ext.extend_from_slice(&[0; 4]);
        assert!(parse(&ext).is_none());
        // Padding longer than the packet.
        let mut pad = vec![0xA0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1];
        pad.push(200);
        assert!(parse(&pad).is_none());
        // CSRCs and an extension are skipped.
        let mut ok = vec![0x91, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7];
        ok.extend_from_slice(&[0xBE, 0xDE, 0, 1, 1, 2, 3, 4, 9, 9]);
        assert_eq!(parse(&ok).unwrap().payload, &[9, 9]);
    }

    #[test]
    fn random_datagrams_never_panic_and_stay_in_bounds() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let len = (next() % 64) as usize;
            let mut buf: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if len > 0 && next() % 2 == 0 {
                buf[0] = 0x80 | (buf[0] & 0x3F); // version 2 half the time
            }
            if let Some(v) = parse(&buf) {
                assert!(v.payload.len() <= buf.len() - 12);
            }
        }
    }

    #[test]
    fn rewriter_keeps_spacing_across_wrap_and_bridges_a_source_switch() {
        let mut r = Rewriter::new(100);
        assert_eq!(r.map(1, 65534, 1000), (100, 1000));
        assert_eq!(r.map(1, 65535, 1160), (101, 1160));
        assert_eq!(r.map(1, 0, 1320), (102, 1320));
        assert_eq!(r.map(1, 2, 1640), (104, 1640)); // a lost packet stays a gap
        assert_eq!(r.map(1, 1, 1480), (103, 1480)); // late packet keeps its slot
                                                    // A new source continues after the highest number sent.
        assert_eq!(r.map(2, 5000, 777), (105, 1800));
        assert_eq!(r.map(2, 5001, 937), (106, 1960));
    }
}
