//! The consent announcement the client hears once a recorded call is
//! answered, before the two sides hear each other: an uploaded WAV or MP3
//! file (kept converted, as 8 kHz WAV: `<data dir>/prompts/consent.wav`),
//! or a default one spoken by espeak-ng (run as a program, offline) on
//! first use and kept beside it. Either is turned into 8 kHz 16-bit PCM,
//! what the media bridge sends as G.711.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the default announcement says.
pub const DEFAULT_TEXT: &str = "This call is recorded.";
/// The longest announcement accepted.
pub const MAX_SECONDS: f64 = 30.0;
const RATE: u32 = super::RATE;

/// Where an administrator's announcement is kept.
pub fn uploaded_path(data_dir: &Path) -> PathBuf {
    data_dir.join("prompts/consent.wav")
}

fn default_path(data_dir: &Path) -> PathBuf {
    data_dir.join("prompts/consent-default.wav")
}

/// The announcement as 8 kHz PCM: the uploaded one, else the default
/// (spoken by espeak-ng the first time).
pub async fn load(data_dir: &Path) -> Result<Arc<[i16]>, String> {
    let uploaded = uploaded_path(data_dir);
    let path = if tokio::fs::try_exists(&uploaded).await.unwrap_or(false) {
        uploaded
    } else {
        let path = default_path(data_dir);
        if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
            speak_default(&path).await?;
        }
        path
    };
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    from_wav(&bytes).map(Arc::from)
}

async fn speak_default(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let out = tokio::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "155", "-w"])
        .arg(path)
        .arg(DEFAULT_TEXT)
        .output()
        .await
        .map_err(|e| {
            format!("the default announcement needs espeak-ng (apt install espeak-ng), or upload one: {e}")
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "espeak-ng failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Reads an uploaded announcement — WAV ([`from_wav`]) or MP3 (any rate
/// symphonia reads, mono or stereo mixed down, at most [`MAX_SECONDS`]) —
/// as 8 kHz PCM.
pub fn from_upload(bytes: &[u8]) -> Result<Vec<i16>, String> {
    if bytes.starts_with(b"RIFF") {
        return from_wav(bytes);
    }
    let looks_mp3 = bytes.starts_with(b"ID3")
        || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0);
    if !looks_mp3 {
        return Err("not a WAV or MP3 file".into());
    }
    let decoded = super::mp3::decode(bytes.to_vec())?;
    if decoded.left.is_empty() || decoded.sample_rate == 0 {
        return Err("not a usable MP3 file: no audio in it".into());
    }
    if !(8000..=48000).contains(&decoded.sample_rate) {
        return Err("not a usable MP3 file: 8 to 48 kHz".into());
    }
    if decoded.left.len() as f64 / f64::from(decoded.sample_rate) > MAX_SECONDS {
        return Err("not a usable MP3 file: longer than 30 seconds".into());
    }
    let mono: Vec<i16> = if decoded.channels >= 2 {
        decoded
            .left
            .iter()
            .zip(&decoded.right)
            .map(|(l, r)| ((i32::from(*l) + i32::from(*r)) / 2) as i16)
            .collect()
    } else {
        decoded.left
    };
    Ok(resample(&mono, decoded.sample_rate))
}

/// 8 kHz mono PCM as a WAV file (how an upload is kept once converted).
pub fn to_wav(samples: &[i16]) -> Vec<u8> {
    wav_bytes(RATE, 1, samples)
}

fn wav_bytes(rate: u32, channels: u16, samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    out.extend_from_slice(&(channels * 2).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    out
}

/// Reads a WAV file (PCM, 8 or 16 bits, mono or stereo — mixed down — at
/// 8 to 48 kHz, at most [`MAX_SECONDS`]) as 8 kHz PCM.
pub fn from_wav(bytes: &[u8]) -> Result<Vec<i16>, String> {
    let bad = |why: &str| Err(format!("not a usable WAV file: {why}"));
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return bad("no RIFF/WAVE header");
    }
    let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    let u32_at = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let (mut format, mut data) = (None, None);
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32_at(bytes, at + 4) as usize;
        let body = &bytes[at + 8..(at + 8).saturating_add(len).min(bytes.len())];
        match id {
            b"fmt " if body.len() >= 16 => {
                format = Some((
                    u16_at(body, 0),
                    u16_at(body, 2),
                    u32_at(body, 4),
                    u16_at(body, 14),
                ))
            }
            b"data" => data = Some(body),
            _ => {}
        }
        at = at + 8 + len + (len & 1);
    }
    let (Some((tag, channels, rate, bits)), Some(data)) = (format, data) else {
        return bad("no fmt or data chunk");
    };
    if tag != 1 && tag != 0xFFFE {
        return bad("only uncompressed PCM is read (export the file as WAV PCM)");
    }
    if !(1..=2).contains(&channels) || !(8000..=48000).contains(&rate) {
        return bad("mono or stereo at 8 to 48 kHz");
    }
    let frame = usize::from(channels) * usize::from(bits / 8);
    let sample = |b: &[u8]| match bits {
        8 => Some((i16::from(b[0]) - 128) << 8),
        16 => Some(i16::from_le_bytes([b[0], b[1]])),
        _ => None,
    };
    if frame == 0 || sample(&[0, 0]).is_none() {
        return bad("8 or 16 bits per sample");
    }
    let mono: Vec<i16> = data
        .chunks_exact(frame)
        .map(|f| {
            let width = usize::from(bits / 8);
            let sum: i32 = f
                .chunks_exact(width)
                .filter_map(sample)
                .map(i32::from)
                .sum();
            (sum / i32::from(channels)) as i16
        })
        .collect();
    if mono.is_empty() {
        return bad("no audio in it");
    }
    if mono.len() as f64 / f64::from(rate) > MAX_SECONDS {
        return bad("longer than 30 seconds");
    }
    Ok(resample(&mono, rate))
}

/// `input` at `from` Hz to 8 kHz: a windowed-sinc low-pass at 3.6 kHz
/// (telephone band) evaluated at each output instant.
fn resample(input: &[i16], from: u32) -> Vec<i16> {
    if from == RATE {
        return input.to_vec();
    }
    let ratio = f64::from(from) / f64::from(RATE);
    let cutoff = 3600.0 / f64::from(from); // cycles per input sample
    let half = (8.0 * ratio.max(1.0)).ceil() as i64;
    let out_len = (input.len() as f64 / ratio) as usize;
    (0..out_len)
        .map(|n| {
            let t = n as f64 * ratio;
            let centre = t.floor() as i64;
            let mut acc = 0.0;
            for k in (centre - half)..=(centre + half) {
                let Some(&x) = usize::try_from(k).ok().and_then(|k| input.get(k)) else {
                    continue;
                };
                let d = t - k as f64;
                let arg = 2.0 * cutoff * d;
                let sinc = if arg.abs() < 1e-9 {
                    1.0
                } else {
                    (std::f64::consts::PI * arg).sin() / (std::f64::consts::PI * arg)
                };
                let window = 0.5 + 0.5 * (std::f64::consts::PI * d / (half as f64 + 1.0)).cos();
                acc += f64::from(x) * 2.0 * cutoff * sinc * window;
            }
            acc.round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(rate: u32, channels: u16, samples: &[i16]) -> Vec<u8> {
        wav_bytes(rate, channels, samples)
    }

    fn tone(freq: f64, rate: u32, seconds: f64) -> Vec<i16> {
        (0..(f64::from(rate) * seconds) as usize)
            .map(|i| {
                ((i as f64 * freq * 2.0 * std::f64::consts::PI / f64::from(rate)).sin() * 12000.0)
                    as i16
            })
            .collect()
    }

    fn level(s: &[i16]) -> f64 {
        (s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
    }

    #[test]
    fn a_22_khz_announcement_becomes_8_khz_keeping_speech_and_dropping_what_g711_cannot_carry() {
        let speech = from_wav(&wav(22050, 1, &tone(1000.0, 22050, 1.0))).unwrap();
        assert!((speech.len() as i64 - 8000).abs() <= 1, "{}", speech.len());
        assert!(level(&speech[100..7900]) > 7000.0, "1 kHz kept");
        let hiss = from_wav(&wav(22050, 1, &tone(6000.0, 22050, 1.0))).unwrap();
        assert!(
            level(&hiss[100..7900]) < 800.0,
            "6 kHz filtered, not folded back"
        );
    }

    #[test]
    fn stereo_is_mixed_and_bad_files_are_refused_saying_why() {
        let stereo: Vec<i16> = tone(500.0, 8000, 0.5)
            .iter()
            .flat_map(|s| [*s, *s])
            .collect();
        assert_eq!(from_wav(&wav(8000, 2, &stereo)).unwrap().len(), 4000);
        assert!(from_wav(b"ID3 not a wav").unwrap_err().contains("RIFF"));
        let long = tone(500.0, 8000, 31.0);
        assert!(from_wav(&wav(8000, 1, &long))
            .unwrap_err()
            .contains("30 seconds"));
    }

    #[test]
    fn an_mp3_upload_is_read_like_a_wav_and_kept_as_8_khz_wav() {
        // An MP3 at 8 kHz, as LAME makes it (our recordings' encoder).
        let speech = tone(1000.0, 8000, 2.0);
        let mut mp3 = crate::recording::mp3::Mp3::new().unwrap();
        let mut bytes = Vec::new();
        mp3.encode(&speech, &speech, &mut bytes).unwrap();
        mp3.finish(&mut bytes).unwrap();
        let read = from_upload(&bytes).unwrap();
        // Two seconds, and the encoder's delay and padding (under 2 frames).
        assert!(
            read.len() >= 16000 && read.len() < 16000 + 2 * 1152,
            "{}",
            read.len()
        );
        assert!(level(&read[2000..14000]) > 5000.0, "the tone is there");
        // Kept as WAV, read back the same.
        assert_eq!(from_wav(&to_wav(&read)).unwrap(), read);
        assert_eq!(from_upload(&wav(8000, 1, &speech)).unwrap(), speech);
        assert!(from_upload(b"%PDF-1.4").unwrap_err().contains("WAV or MP3"));
        assert!(from_upload(b"ID3\x03\x00 broken").is_err());
    }
}
