//! The payload formats the bridge carries (PCMU, PCMA, RFC 4733
//! telephone-event), the payload-type table of one negotiated leg, and the
//! forwarding decision: pass through untouched when the receiving leg took
//! the same law, otherwise transcode A-law ⇄ µ-law sample by sample.

use super::g711;

/// A payload format the bridge understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    Pcmu,
    Pcma,
    /// RFC 4733 telephone-event at 8 kHz.
    Tele,
}

impl Payload {
    /// From an rtpmap encoding name and clock rate.
    pub fn from_rtpmap(name: &str, clock: u32) -> Option<Payload> {
        if clock != 8000 {
            return None;
        }
        if name.eq_ignore_ascii_case("PCMU") {
            Some(Payload::Pcmu)
        } else if name.eq_ignore_ascii_case("PCMA") {
            Some(Payload::Pcma)
        } else if name.eq_ignore_ascii_case("telephone-event") {
            Some(Payload::Tele)
        } else {
            None
        }
    }

    pub fn is_voice(self) -> bool {
        self != Payload::Tele
    }

    /// Encodes PCM as this law; empty for telephone-event.
    pub fn encode(self, pcm: &[i16]) -> Vec<u8> {
        match self {
            Payload::Pcmu => pcm.iter().map(|s| g711::linear_to_ulaw(*s)).collect(),
            Payload::Pcma => pcm.iter().map(|s| g711::linear_to_alaw(*s)).collect(),
            Payload::Tele => Vec::new(),
        }
    }

    /// Decodes a G.711 payload to PCM; empty for telephone-event.
    /// Decoded into any collection (the tap's `Arc<[i16]>`: one allocation).
    pub fn decode<C: FromIterator<i16>>(self, payload: &[u8]) -> C {
        match self {
            Payload::Pcmu => payload.iter().map(|b| g711::ulaw_to_linear(*b)).collect(),
            Payload::Pcma => payload.iter().map(|b| g711::alaw_to_linear(*b)).collect(),
            Payload::Tele => std::iter::empty().collect(),
        }
    }
}

/// The payload types of one leg, in that leg's preference order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PtMap {
    entries: Vec<(u8, Payload)>,
}

/// What to do with one packet toward a leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Send with this payload type, payload untouched.
    Pass(u8),
    /// Send with this payload type after converting the law.
    Transcode(u8, Payload, Payload),
}

impl PtMap {
    pub fn push(&mut self, pt: u8, p: Payload) {
        if !self.entries.iter().any(|(x, _)| *x == pt) {
            self.entries.push((pt, p));
        }
    }

    pub fn kind(&self, pt: u8) -> Option<Payload> {
        self.entries.iter().find(|(x, _)| *x == pt).map(|(_, p)| *p)
    }

    pub fn pt_for(&self, p: Payload) -> Option<u8> {
        self.entries
            .iter()
            .find(|(_, x)| *x == p)
            .map(|(pt, _)| *pt)
    }

    pub fn first_voice(&self) -> Option<(u8, Payload)> {
        self.entries.iter().copied().find(|(_, p)| p.is_voice())
    }

    pub fn has_voice(&self) -> bool {
        self.first_voice().is_some()
    }

    pub fn entries(&self) -> &[(u8, Payload)] {
        &self.entries
    }

    /// How a packet of format `from` goes out on this leg; `None` drops it
    /// (DTMF toward a leg that did not negotiate telephone-event).
    pub fn route(&self, from: Payload) -> Option<Route> {
        if let Some(pt) = self.pt_for(from) {
            return Some(Route::Pass(pt));
        }
        if !from.is_voice() {
            return None;
        }
        let (pt, to) = self.first_voice()?;
        Some(Route::Transcode(pt, from, to))
    }
}

/// Converts a G.711 payload from one law to the other.
pub fn transcode(from: Payload, to: Payload, payload: &[u8]) -> Vec<u8> {
    match (from, to) {
        (Payload::Pcma, Payload::Pcmu) => payload.iter().map(|b| g711::alaw_to_ulaw(*b)).collect(),
        (Payload::Pcmu, Payload::Pcma) => payload.iter().map(|b| g711::ulaw_to_alaw(*b)).collect(),
        _ => payload.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_pass_through_transcode_or_drop() {
        let mut trunk = PtMap::default();
        trunk.push(0, Payload::Pcmu);
        assert_eq!(trunk.route(Payload::Pcmu), Some(Route::Pass(0)));
        assert_eq!(
            trunk.route(Payload::Pcma),
            Some(Route::Transcode(0, Payload::Pcma, Payload::Pcmu))
        );
        assert_eq!(trunk.route(Payload::Tele), None);
        trunk.push(101, Payload::Tele);
        assert_eq!(trunk.route(Payload::Tele), Some(Route::Pass(101)));
        assert_eq!(Payload::from_rtpmap("pcma", 8000), Some(Payload::Pcma));
        assert_eq!(Payload::from_rtpmap("telephone-event", 48000), None);
    }
}
