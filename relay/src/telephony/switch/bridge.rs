//! Calls as bridges: the two legs of a call (and, while an inbound call
//! rings, its forks), finding a bridge by leg, and ending one.

use super::*;

/// One side of a bridged call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Leg {
    Device(u64),
    Trunk(i64),
}

pub(super) struct Bridge {
    /// The calling side (a browser for outbound calls, a trunk for inbound).
    pub(super) a: (Leg, CallHandle),
    /// The called side: the trunk INVITE (outbound), or the browser that
    /// answered (inbound).
    pub(super) b: Option<(Leg, CallHandle)>,
    /// Inbound: the browsers being rung in parallel, with their users.
    pub(super) forks: Vec<(Leg, CallHandle, i64)>,
    /// Inbound: when ringing gives up (the dial timeout).
    pub(super) deadline: Option<Instant>,
    /// Inbound: the users whose phones rang (told when it stops).
    pub(super) rung: Vec<i64>,
    pub(super) inbound: bool,
    pub(super) record: i64,
    /// The client's number on the record (E.164 when known, else as dialled):
    /// what a transfer shows the next phone.
    pub(super) number: String,
    /// The caller's contact (inbound), for the incoming-call card.
    pub(super) contact_id: Option<i64>,
    /// Inbound: what happens next when nobody answers (see `routing.rs`).
    pub(super) plan: routing::Plan,
    pub(super) user_id: i64,
    /// What the trunk is asked for (the number rules' output).
    pub(super) dial: String,
    pub(super) offer: Option<Vec<u8>>,
    pub(super) tried: Vec<i64>,
    pub(super) ringing: bool,
    pub(super) answered: bool,
    /// The record is closed; the bridge waits for the last answers.
    pub(super) finished: bool,
    /// Inbound: nobody answered in time and the call went on to this number.
    pub(super) forwarded_to: Option<String>,
    /// The anchored media of a browser call (None: SDP passes through);
    /// it ends, its ports freed, when its last holder drops it.
    pub(super) media: Option<Media>,
    /// Outbound, anchored: the relay's answer to the browser's offer, sent
    /// once the trunk's SDP was taken (in the 180/183 or the 200).
    pub(super) browser_answer: Option<Vec<u8>>,
    /// Outbound, anchored: the trunk's SDP answer went into the media bridge.
    pub(super) trunk_sdp_taken: bool,
    /// Inbound: the media sessions of the WebRTC browsers being rung, one
    /// per fork; the answering one becomes `media`, the others end.
    pub(super) fork_media: Vec<((Leg, CallHandle), Media)>,
    /// A call between two extensions (no trunk; the SDP passes through).
    pub(super) internal: bool,
    /// The last SDP each leg sent (offer or answer, as received): what a
    /// transfer hands the other party.
    pub(super) sdp_a: Option<Vec<u8>>,
    pub(super) sdp_b: Option<Vec<u8>>,
}

impl Bridge {
    /// A bridge whose two legs are already up (the parties an attended
    /// transfer joins).
    pub(super) fn answered(
        a: (Leg, CallHandle),
        b: (Leg, CallHandle),
        record: i64,
        number: String,
        user_id: i64,
    ) -> Bridge {
        Bridge {
            a,
            b: Some(b),
            forks: Vec::new(),
            deadline: None,
            rung: Vec::new(),
            inbound: false,
            record,
            number,
            contact_id: None,
            plan: routing::Plan::default(),
            user_id,
            dial: String::new(),
            offer: None,
            tried: Vec::new(),
            ringing: true,
            answered: true,
            finished: false,
            forwarded_to: None,
            media: None,
            browser_answer: None,
            trunk_sdp_taken: true,
            fork_media: Vec::new(),
            internal: false,
            sdp_a: None,
            sdp_b: None,
        }
    }

    /// The last SDP that `leg` sent in this bridge.
    pub(super) fn sdp_of(&self, leg: (Leg, CallHandle)) -> Option<&[u8]> {
        if self.a == leg {
            self.sdp_a.as_deref()
        } else if self.b == Some(leg) {
            self.sdp_b.as_deref()
        } else {
            None
        }
    }

    /// Notes the SDP `leg` just sent.
    pub(super) fn remember_sdp(&mut self, leg: (Leg, CallHandle), sdp: &Option<Vec<u8>>) {
        let Some(sdp) = sdp else {
            return;
        };
        if self.a == leg {
            self.sdp_a = Some(sdp.clone());
        } else if self.b == Some(leg) {
            self.sdp_b = Some(sdp.clone());
        }
    }

    /// The cause written to the record, saying where a forwarded call went.
    pub(super) fn cause(&self, cause: &str) -> String {
        match &self.forwarded_to {
            Some(number) => format!("forwarded to {number}: {cause}"),
            None => cause.to_string(),
        }
    }
}

/// A mid-dialog offer (re-INVITE or UPDATE) from one leg of a bridge that
/// went on to the other leg as a re-INVITE: that leg's final answer
/// ([`Event::Modified`]) completes it. One at a time per bridge.
pub(super) struct Reoffer {
    /// The bridge's call record.
    pub(super) record: i64,
    /// The leg the re-INVITE went to.
    pub(super) asked: (Leg, CallHandle),
    /// Where its answer goes.
    pub(super) then: ReofferAnswer,
}

/// Where the answer to a relayed re-INVITE goes.
pub(super) enum ReofferAnswer {
    /// SDP passes through: to this leg, whose own offer still waits for it
    /// (a refusal goes back with the same code).
    Offerer((Leg, CallHandle)),
    /// Anchored, the browser re-offered and was answered at once: the
    /// provider's answer goes into the media bridge.
    TrunkAnswer,
    /// Anchored, the provider re-offered and was answered at once: the
    /// browser's answer goes into the media bridge.
    BrowserAnswer,
    /// An attended transfer joined a provider (this leg) with a colleague's
    /// browser: the browser was re-offered a new anchored session; its
    /// answer gives the provider's re-offer.
    JoinedBrowser {
        trunk: (Leg, CallHandle),
        /// The media id the browser knows the audio by, and the relay's
        /// (`(browser's, relay's)`): its answer is read with the relay's.
        mids: Option<(String, String)>,
    },
}

impl Switch {
    pub(super) fn bridge_of_a(&self, leg: Leg, call: CallHandle) -> Option<usize> {
        self.bridges.iter().position(|b| b.a == (leg, call))
    }

    pub(super) fn bridge_of_b(&self, leg: Leg, call: CallHandle) -> Option<usize> {
        self.bridges.iter().position(|b| b.b == Some((leg, call)))
    }

    /// The inbound bridge ringing `(leg, call)`, and the user rung there.
    pub(super) fn bridge_of_fork(&self, leg: Leg, call: CallHandle) -> Option<(usize, i64)> {
        self.bridges.iter().enumerate().find_map(|(i, b)| {
            b.forks
                .iter()
                .find(|f| (f.0, f.1) == (leg, call))
                .map(|f| (i, f.2))
        })
    }

    /// Tells every user an inbound call rang that it stopped ringing or ended.
    pub(super) fn tell_rung(&self, bridge: &Bridge, status: &str) {
        for &user in &bridge.rung {
            self.records.notify(
                user,
                ServerEvent::CallEnded {
                    call_id: bridge.record,
                    status: status.to_string(),
                },
            );
        }
    }

    pub(super) fn cancel_forks(&mut self, now: Instant, forks: &[(Leg, CallHandle, i64)]) {
        for &(leg, call, _) in forks {
            self.with_leg(leg, |ep| ep.cancel(now, call));
        }
    }

    /// Closes the call's record (written by the records task) and frees
    /// its place in the limits.
    pub(super) fn finish(&self, now: Instant, record: i64, status: &str, cause: &str, side: &str) {
        self.limiter().ended(now, record);
        self.records.finish(record, status, cause, side);
    }

    /// Ends bridge `i` from the relay: BYE to answered legs, CANCEL to a
    /// called leg still ringing, 503 to a caller still waiting.
    pub(super) fn end_bridge(&mut self, now: Instant, i: usize, cause: &str) {
        let bridge = self.bridges.remove(i);
        self.cancel_forks(now, &bridge.forks);
        let a = bridge.a;
        if bridge.answered {
            self.with_leg(a.0, |ep| ep.bye(now, a.1));
            if let Some(b) = bridge.b {
                self.with_leg(b.0, |ep| ep.bye(now, b.1));
            }
        } else {
            self.with_leg(a.0, |ep| ep.reject(now, a.1, 503));
            if let Some(b) = bridge.b {
                self.with_leg(b.0, |ep| ep.cancel(now, b.1));
            }
        }
        if bridge.inbound {
            self.tell_rung(
                &bridge,
                if bridge.answered {
                    "answered"
                } else {
                    "missed"
                },
            );
        }
        if !bridge.finished {
            let status = match (bridge.answered, bridge.inbound) {
                (true, _) => "answered",
                (false, true) => "missed",
                (false, false) => "failed",
            };
            self.finish(now, bridge.record, status, &bridge.cause(cause), "relay");
        }
    }
}

/// The call-control surface shared by browser and trunk endpoints.
pub(super) trait LegEndpoint {
    fn ringing(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>);
    fn accept(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>);
    fn reject(&mut self, now: Instant, call: CallHandle, code: u16);
    fn cancel(&mut self, now: Instant, call: CallHandle);
    fn bye(&mut self, now: Instant, call: CallHandle);
    fn reinvite(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>);
    fn notify_transfer(&mut self, now: Instant, call: CallHandle, code: u16, reason: &str);
}

impl<A: Clone + Eq + std::fmt::Debug> LegEndpoint for callcard_shared::sip::ua::Endpoint<A> {
    fn ringing(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        callcard_shared::sip::ua::Endpoint::ringing(self, now, call, sdp)
    }
    fn accept(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        callcard_shared::sip::ua::Endpoint::accept(self, now, call, sdp)
    }
    fn reject(&mut self, now: Instant, call: CallHandle, code: u16) {
        callcard_shared::sip::ua::Endpoint::reject(self, now, call, code)
    }
    fn cancel(&mut self, now: Instant, call: CallHandle) {
        callcard_shared::sip::ua::Endpoint::cancel(self, now, call)
    }
    fn bye(&mut self, now: Instant, call: CallHandle) {
        callcard_shared::sip::ua::Endpoint::bye(self, now, call)
    }
    fn reinvite(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        callcard_shared::sip::ua::Endpoint::reinvite(self, now, call, sdp)
    }
    fn notify_transfer(&mut self, now: Instant, call: CallHandle, code: u16, reason: &str) {
        callcard_shared::sip::ua::Endpoint::notify_transfer(self, now, call, code, reason);
    }
}
