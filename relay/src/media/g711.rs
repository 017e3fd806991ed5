//! G.711 A-law and µ-law (ITU-T G.711) sample conversion, for the tap, for
//! the PCMA ⇄ PCMU transcode when the two legs chose different laws, and
//! for tests. Straight from the reference segment tables, no lookup crate.

const SEG_AEND: [i16; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
const SEG_UEND: [i32; 8] = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];

/// 16-bit linear PCM to A-law.
pub fn linear_to_alaw(pcm: i16) -> u8 {
    let mut pcm = pcm >> 3; // 13 significant bits
    let mask: u8 = if pcm >= 0 {
        0xD5
    } else {
        pcm = -pcm - 1;
        0x55
    };
    let seg = SEG_AEND.iter().position(|&end| pcm <= end).unwrap_or(8);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    let quant = if seg < 2 { pcm >> 1 } else { pcm >> seg };
    (((seg as u8) << 4) | (quant & 0x0F) as u8) ^ mask
}

/// A-law to 16-bit linear PCM.
pub fn alaw_to_linear(a: u8) -> i16 {
    let a = a ^ 0x55;
    let mut t = i16::from(a & 0x0F) << 4;
    let seg = (a & 0x70) >> 4;
    match seg {
        0 => t += 8,
        1 => t += 0x108,
        _ => {
            t += 0x108;
            t <<= seg - 1;
        }
    }
    if a & 0x80 != 0 {
        t
    } else {
        -t
    }
}

const BIAS: i32 = 0x84;
const CLIP: i32 = 8159;

/// 16-bit linear PCM to µ-law.
pub fn linear_to_ulaw(pcm: i16) -> u8 {
    let mut pcm = i32::from(pcm) >> 2; // 14 significant bits
    let mask: u8 = if pcm < 0 {
        pcm = -pcm;
        0x7F
    } else {
        0xFF
    };
    pcm = pcm.min(CLIP) + (BIAS >> 2);
    let seg = SEG_UEND.iter().position(|&end| pcm <= end).unwrap_or(8);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    (((seg as u8) << 4) | ((pcm >> (seg + 1)) & 0x0F) as u8) ^ mask
}

/// µ-law to 16-bit linear PCM.
pub fn ulaw_to_linear(u: u8) -> i16 {
    let u = !u;
    let mut t = (i32::from(u & 0x0F) << 3) + BIAS;
    t <<= (u & 0x70) >> 4;
    let v = if u & 0x80 != 0 { BIAS - t } else { t - BIAS };
    v as i16
}

/// A-law byte to the µ-law byte of the same sample.
pub fn alaw_to_ulaw(a: u8) -> u8 {
    linear_to_ulaw(alaw_to_linear(a))
}

/// µ-law byte to the A-law byte of the same sample.
pub fn ulaw_to_alaw(u: u8) -> u8 {
    linear_to_alaw(ulaw_to_linear(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        // Silence codes of both laws.
        assert_eq!(linear_to_alaw(0), 0xD5);
        assert_eq!(linear_to_ulaw(0), 0xFF);
        assert_eq!(ulaw_to_linear(0xFF), 0);
        assert_eq!(alaw_to_linear(0xD5), 8);
        // Full scale.
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
        assert_eq!(linear_to_alaw(i16::MAX), 0xAA);
        assert_eq!(linear_to_alaw(i16::MIN), 0x2A);
    }

    #[test]
    fn every_code_round_trips() {
        for code in 0..=255u8 {
            assert_eq!(
                linear_to_alaw(alaw_to_linear(code)),
                code,
                "A-law {code:#x}"
            );
            let lin = ulaw_to_linear(code);
            // µ-law has two zeros (0x7F and 0xFF); both decode to 0.
            let back = linear_to_ulaw(lin);
            assert_eq!(ulaw_to_linear(back), lin, "µ-law {code:#x}");
        }
    }

    #[test]
    fn quantization_error_is_small() {
        for pcm in (-32768i32..32768).step_by(7) {
            let pcm = pcm as i16;
            let tolerance = (i32::from(pcm).abs() / 16).max(16);
            let a = i32::from(alaw_to_linear(linear_to_alaw(pcm)));
            let u = i32::from(ulaw_to_linear(linear_to_ulaw(pcm)));
            assert!(
                (a - i32::from(pcm)).abs() <= tolerance,
                "A-law {pcm} -> {a}"
            );
            assert!(
                (u - i32::from(pcm)).abs() <= tolerance,
                "µ-law {pcm} -> {u}"
            );
        }
    }
}
