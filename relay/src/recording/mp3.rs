//! The MP3 encoder of a recording: LAME (`mp3lame-encoder`), stereo at the
//! calls' own 8 kHz, 32 kbit/s CBR: 241 KB a minute. Measured here (release,
//! one minute of stereo tone): quality 7 ("ok, really fast") costs 0.067 %
//! of a core per recording, 5 ("good") 0.091 %, 0 ("best") 1.0 % — for
//! telephone audio at 8 kHz 7 is what we use. Chromium and Firefox play and
//! seek these files.
//! The end is flushed with `FlushGap` (`FlushNoGap` drops the last frame).

use mp3lame_encoder::{Bitrate, Builder, DualPcm, Encoder, FlushGap, Mode, Quality};

/// Bytes one second of recording takes (32 kbit/s).
pub const BYTES_PER_SECOND: u64 = 4000;

pub struct Mp3 {
    encoder: Encoder,
}

impl Mp3 {
    pub fn new() -> Result<Mp3, String> {
        let mut b = Builder::new().ok_or("LAME could not start")?;
        b.set_num_channels(2)
            .map_err(|e| format!("LAME channels: {e:?}"))?;
        b.set_sample_rate(super::RATE)
            .map_err(|e| format!("LAME sample rate: {e:?}"))?;
        b.set_brate(Bitrate::Kbps32)
            .map_err(|e| format!("LAME bitrate: {e:?}"))?;
        b.set_quality(Quality::Ok)
            .map_err(|e| format!("LAME quality: {e:?}"))?;
        // The two sides are different speakers: plain stereo, without
        // joint stereo's mid/side analysis.
        b.set_mode(Mode::Stereo)
            .map_err(|e| format!("LAME mode: {e:?}"))?;
        let encoder = b.build().map_err(|e| format!("LAME: {e:?}"))?;
        Ok(Mp3 { encoder })
    }

    /// Encodes `left`/`right` (the same length) and appends what LAME has
    /// ready to `out`.
    pub fn encode(&mut self, left: &[i16], right: &[i16], out: &mut Vec<u8>) -> Result<(), String> {
        debug_assert_eq!(left.len(), right.len());
        if left.is_empty() {
            return Ok(());
        }
        out.reserve(mp3lame_encoder::max_required_buffer_size(left.len()));
        self.encoder
            .encode_to_vec(DualPcm { left, right }, out)
            .map(|_| ())
            .map_err(|e| format!("LAME encode: {e:?}"))
    }

    /// The last frames, padded with silence.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), String> {
        out.reserve(7200);
        self.encoder
            .flush_to_vec::<FlushGap>(out)
            .map(|_| ())
            .map_err(|e| format!("LAME flush: {e:?}"))
    }
}
