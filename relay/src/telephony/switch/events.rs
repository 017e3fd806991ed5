//! What the SIP endpoints report (answers, failures, hang-ups, REFER,
//! re-offers) and where each goes.

use super::*;

impl Switch {
    pub(super) fn on_event(&mut self, now: Instant, leg: Leg, event: Event) {
        match (leg, event) {
            (Leg::Trunk(id), Event::Registered { expires }) => {
                if let Some(trunk) = self.trunks.get_mut(&id) {
                    trunk.registered(now, expires);
                    tracing::info!(trunk = id, expires, "trunk registered");
                }
                self.telephony.trunks.set(id, TrunkState::Registered, None);
            }
            (Leg::Trunk(id), Event::RegistrationFailed { code }) => {
                let reason = match code {
                    401 | 403 | 407 => format!("wrong credentials ({code})"),
                    408 => "timeout: no answer from the provider".to_string(),
                    _ => format!("rejected by the provider ({code})"),
                };
                if let Some(trunk) = self.trunks.get_mut(&id) {
                    let retry = trunk.failed(now);
                    tracing::warn!(
                        trunk = id,
                        "trunk registration failed: {reason}; retry in {retry:?}"
                    );
                }
                self.telephony
                    .trunks
                    .set(id, TrunkState::Failed, Some(reason));
            }
            (Leg::Device(conn), Event::Request { id, request, .. }) => {
                self.device_request(now, conn, id, request);
            }
            (
                Leg::Trunk(id),
                Event::Request {
                    id: req, request, ..
                },
            ) => {
                // OPTIONS keep-alives from providers get 200; anything else 501.
                if let Some(trunk) = self.trunks.get_mut(&id) {
                    let (code, reason) = if request.method == Method::Options {
                        (200, "OK")
                    } else {
                        (501, "Not Implemented")
                    };
                    if let Some(resp) = trunk.ep.response_for(req, code, reason) {
                        trunk.ep.respond(now, req, resp);
                    }
                    self.dirty.insert(leg);
                }
            }
            (Leg::Device(conn), Event::IncomingCall { call, to, sdp, .. }) => {
                self.outbound_call(now, conn, call, &to, sdp);
            }
            (
                Leg::Trunk(id),
                Event::IncomingCall {
                    call, from, sdp, ..
                },
            ) => {
                self.inbound_call(now, id, call, &from, sdp);
            }
            (leg, Event::Refer { call, refer_to }) => {
                self.on_refer(now, leg, call, refer_to);
            }
            (leg, Event::Progress { call, code, .. })
                if self.transfer_of_fork(leg, call).is_some() =>
            {
                if let Some(k) = self.transfer_of_fork(leg, call) {
                    self.transfer_progress(now, k, code);
                }
            }
            (leg, Event::Answered { call, sdp }) if self.transfer_of_fork(leg, call).is_some() => {
                if let Some(k) = self.transfer_of_fork(leg, call) {
                    self.transfer_answered(now, k, (leg, call), sdp);
                }
            }
            (
                leg,
                Event::Failed {
                    call, code, reason, ..
                },
            ) if self.transfer_of_fork(leg, call).is_some() => {
                if let Some(k) = self.transfer_of_fork(leg, call) {
                    self.transfer_fork_failed(now, k, (leg, call), code, &reason);
                }
            }
            (leg, Event::Progress { call, code, sdp }) => {
                if let Some(i) = self.bridge_of_b(leg, call) {
                    self.bridges[i].remember_sdp((leg, call), &sdp);
                    let mut sdp = sdp;
                    let mut early = false;
                    if self.bridges[i].media.is_some() && !self.bridges[i].inbound {
                        // The browser never sees the provider's SDP, only the relay's.
                        if let Some(trunk_sdp) = sdp.take() {
                            if !self.bridges[i].trunk_sdp_taken {
                                if !self.take_trunk_answer(now, i, &trunk_sdp, false) {
                                    return;
                                }
                                sdp = self.bridges[i].browser_answer.clone();
                                early = true;
                            }
                        }
                    }
                    let bridge = &mut self.bridges[i];
                    if (180..=183).contains(&code) && (!bridge.ringing || early) {
                        bridge.ringing = true;
                        let a = bridge.a;
                        self.with_leg(a.0, |ep| ep.ringing(now, a.1, sdp));
                    }
                }
            }
            (leg, Event::Answered { call, sdp }) => {
                if let Some((i, user_id)) = self.bridge_of_fork(leg, call) {
                    // Inbound: the first browser to answer wins, the others stop ringing.
                    let bridge = &mut self.bridges[i];
                    bridge.answered = true;
                    bridge.deadline = None;
                    bridge.b = Some((leg, call));
                    bridge.sdp_b = sdp.clone();
                    bridge.user_id = user_id;
                    let others: Vec<_> = std::mem::take(&mut bridge.forks)
                        .into_iter()
                        .filter(|f| (f.0, f.1) != (leg, call))
                        .collect();
                    let (a, record) = (bridge.a, bridge.record);
                    let Some(sdp) = self.take_fork_media(now, i, (leg, call), sdp) else {
                        self.cancel_forks(now, &others);
                        return;
                    };
                    for &user in self.bridges[i].rung.iter().filter(|u| **u != user_id) {
                        self.records.notify(
                            user,
                            ServerEvent::CallEnded {
                                call_id: record,
                                status: "answered_elsewhere".into(),
                            },
                        );
                    }
                    self.cancel_forks(now, &others);
                    if self.bridges[i].internal {
                        self.records.answered(record, None);
                    } else {
                        self.records.answered_by(record, user_id);
                    }
                    self.record_call(i, Some(user_id), true);
                    // The caller gets the 200 once the answer is on disk.
                    self.hold(Held::Accept {
                        a,
                        b: (leg, call),
                        sdp,
                    });
                } else if let Some(i) = self.bridge_of_b(leg, call) {
                    let mut sdp = sdp;
                    self.bridges[i].remember_sdp((leg, call), &sdp);
                    if self.bridges[i].media.is_some() && !self.bridges[i].inbound {
                        if !self.bridges[i].trunk_sdp_taken {
                            let taken = match &sdp {
                                Some(trunk_sdp) => self.take_trunk_answer(now, i, trunk_sdp, true),
                                None => {
                                    self.media_failed(
                                        now,
                                        i,
                                        "the provider answered without SDP (488)".into(),
                                        true,
                                    );
                                    false
                                }
                            };
                            if !taken {
                                return;
                            }
                        }
                        sdp = self.bridges[i].browser_answer.clone();
                    }
                    let bridge = &mut self.bridges[i];
                    bridge.answered = true;
                    let (a, record) = (bridge.a, bridge.record);
                    let trunk = match leg {
                        Leg::Trunk(t) => Some(t),
                        Leg::Device(_) => None,
                    };
                    self.limiter().answered(now, record);
                    self.records.answered(record, trunk);
                    let user = self.bridges[i].user_id;
                    self.record_call(i, Some(user), true);
                    self.hold(Held::Accept {
                        a,
                        b: (leg, call),
                        sdp,
                    });
                }
            }
            (
                leg,
                Event::Failed {
                    call, code, reason, ..
                },
            ) => {
                if let Some((i, _)) = self.bridge_of_fork(leg, call) {
                    self.fork_failed(now, i, leg, call, code);
                    return;
                }
                let Some(i) = self.bridge_of_b(leg, call) else {
                    return;
                };
                let bridge = &self.bridges[i];
                if bridge.finished {
                    self.bridges.remove(i);
                    return;
                }
                if fails_over(code) {
                    if let Some(next) = self.pick_trunk(&bridge.tried) {
                        tracing::info!(
                            record = bridge.record,
                            code,
                            next,
                            "failing over to the next trunk"
                        );
                        self.dial_trunk(now, i, next);
                        return;
                    }
                }
                let bridge = self.bridges.remove(i);
                let a = bridge.a;
                self.with_leg(a.0, |ep| ep.reject(now, a.1, code_for_caller(code)));
                let cause = bridge.cause(&cause_for_failure(code, &reason));
                let status = if bridge.inbound {
                    "missed"
                } else {
                    status_for_failure(code)
                };
                self.finish(now, bridge.record, status, &cause, "callee");
            }
            (leg, Event::Cancelled { call }) => {
                if self.resolving.remove(&(leg, call)) {
                    return; // It was waiting for its phone reference's number.
                }
                // The caller gave up before the answer.
                if let Some(i) = self.bridge_of_a(leg, call) {
                    if self.bridges[i].inbound {
                        let bridge = self.bridges.remove(i);
                        self.cancel_forks(now, &bridge.forks);
                        if let Some(b) = bridge.b {
                            // Hung up while the forwarding number rang.
                            self.with_leg(b.0, |ep| ep.cancel(now, b.1));
                        }
                        self.tell_rung(&bridge, "missed");
                        let cause = bridge.cause("the caller hung up while it rang");
                        self.finish(now, bridge.record, "missed", &cause, "caller");
                        return;
                    }
                    let bridge = &mut self.bridges[i];
                    bridge.finished = true;
                    let (b, record) = (bridge.b, bridge.record);
                    if let Some(b) = b {
                        self.with_leg(b.0, |ep| ep.cancel(now, b.1));
                    } else {
                        self.bridges.remove(i);
                    }
                    self.finish(
                        now,
                        record,
                        "cancelled",
                        "cancelled by the caller",
                        "caller",
                    );
                }
            }
            (leg, Event::Terminated { call, by_peer }) => {
                if !by_peer {
                    return;
                }
                if self.transferor_left(leg, call) {
                    // A blind transfer rings on without the transferor.
                    return;
                }
                let (i, other, side) = if let Some(i) = self.bridge_of_a(leg, call) {
                    (i, self.bridges[i].b, "caller")
                } else if let Some(i) = self.bridge_of_b(leg, call) {
                    (i, Some(self.bridges[i].a), "callee")
                } else {
                    return;
                };
                let bridge = self.bridges.remove(i);
                self.abandon_transfer(now, bridge.record);
                if let Some(other) = other {
                    self.with_leg(other.0, |ep| ep.bye(now, other.1));
                }
                if bridge.inbound && bridge.forwarded_to.is_none() && !bridge.internal {
                    self.records.notify(
                        bridge.user_id,
                        ServerEvent::CallEnded {
                            call_id: bridge.record,
                            status: "answered".into(),
                        },
                    );
                }
                let cause = bridge.cause("normal clearing (BYE)");
                self.finish(now, bridge.record, "answered", &cause, side);
            }
            (leg, Event::RemoteOffer { call, method, sdp }) => {
                self.remote_offer(now, leg, call, method, sdp);
            }
            (leg, Event::Modified { call, code, sdp }) => {
                self.modified(now, leg, call, code, sdp);
            }
            _ => {}
        }
    }
}
