//! The MP3 encoder of a recording: LAME (`mp3lame-encoder`), stereo at the
//! calls' own 8 kHz, 32 kbit/s CBR: 241 KB a minute. Measured here (release,
//! one minute of stereo tone): quality 7 ("ok, really fast") costs 0.067 %
//! of a core per recording, 5 ("good") 0.091 %, 0 ("best") 1.0 % — for
//! telephone audio at 8 kHz 7 is what we use. Chromium and Firefox play and
//! seek these files. Quality 9 saves nothing here: LAME 3.100 runs its
//! psychoacoustic model at every quality (`encoder.c`), and that model is
//! 10 % of a media-bridge process's CPU at 250 recorded calls (perf), LAME
//! as a whole 25 % — most of what recording adds to a call.
//! The end is flushed with `FlushGap` (`FlushNoGap` drops the last frame).
//!
//! [`decode`] reads MP3 back (symphonia): an uploaded announcement, and the
//! tests' look into recordings.

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

/// Decoded MP3: its sample rate, channel count and the left and right
/// channels (`right` repeats nothing of a mono file: it stays silent).
#[derive(Debug, Clone, Default)]
pub struct Decoded {
    pub sample_rate: u32,
    pub channels: usize,
    pub left: Vec<i16>,
    pub right: Vec<i16>,
}

/// Decodes an MP3 file; one cut mid-frame (a recording still being
/// written) decodes up to the cut.
pub fn decode(bytes: Vec<u8>) -> Result<Decoded, String> {
    use symphonia::core::audio::SampleBuffer;
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::probe::Hint;
    let source = MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("mp3");
    let probed = symphonia::default::get_probe()
        .format(&hint, source, &Default::default(), &Default::default())
        .map_err(|e| format!("not an MP3 file: {e}"))?;
    let mut format = probed.format;
    let track = format
        .default_track()
        .ok_or("not an MP3 file: no audio track")?;
    let mut out = Decoded {
        sample_rate: track.codec_params.sample_rate.unwrap_or_default(),
        ..Decoded::default()
    };
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &Default::default())
        .map_err(|e| format!("not a decodable MP3 file: {e}"))?;
    while let Ok(packet) = format.next_packet() {
        let Ok(decoded) = decoder.decode(&packet) else {
            break;
        };
        let spec = *decoded.spec();
        out.channels = spec.channels.count();
        out.sample_rate = spec.rate;
        let mut buffer = SampleBuffer::<i16>::new(decoded.capacity() as u64, spec);
        buffer.copy_interleaved_ref(decoded);
        for frame in buffer.samples().chunks(out.channels.max(1)) {
            out.left.push(frame[0]);
            out.right.push(frame.get(1).copied().unwrap_or(0));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_encoded_decodes_to_its_two_channels_and_garbage_is_refused() {
        let tone = |freq: f64| -> Vec<i16> {
            (0..8000)
                .map(|i| ((i as f64 * freq * std::f64::consts::TAU / 8000.0).sin() * 8000.0) as i16)
                .collect()
        };
        let (left, right) = (tone(1000.0), vec![0i16; 8000]);
        let mut mp3 = Mp3::new().unwrap();
        let mut bytes = Vec::new();
        mp3.encode(&left, &right, &mut bytes).unwrap();
        mp3.finish(&mut bytes).unwrap();
        let back = decode(bytes).unwrap();
        assert_eq!((back.sample_rate, back.channels), (8000, 2));
        assert!(back.left.len() >= 8000, "{}", back.left.len());
        let level = |s: &[i16]| s.iter().map(|x| i64::from(*x).abs()).sum::<i64>() / s.len() as i64;
        assert!(level(&back.left) > 2000, "the tone is on the left");
        assert!(level(&back.right) < 100, "the right is silent");
        assert!(decode(b"plain text, no audio".to_vec()).is_err());
    }
}
