//! Inbound routing as data: what happens to a call from a trunk is a plan,
//! a list of steps tried in order, computed from the caller and the
//! settings before anything rings. A step either connects the call or
//! hands it to the next step (nobody to ring, nobody answered in time,
//! nowhere to forward). The switch executes the steps
//! ([`Switch::next_step`]); a new way to route a call (a greeting, a menu,
//! a queue, business hours) is a new [`Step`] and its arm there.

use std::time::Duration;

use super::*;

/// Whose phones a ring step rings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Targets {
    /// Every phone of this user that takes incoming calls.
    User(i64),
    /// Every phone that takes incoming calls.
    Everyone,
}

/// Where a forward step sends the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ForwardTo {
    /// The user whose own forwarding number comes first (read when the
    /// step runs: it may change while the call rings).
    pub user: Option<i64>,
    /// The relay's forwarding number, when the user has none.
    pub otherwise: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// Rings the phones of the first of `who` that has any able to take the
    /// call, all at once; the first answer wins. Without an answer within
    /// `timeout` (or with nobody to ring) the next step follows.
    Ring {
        who: Vec<Targets>,
        timeout: Duration,
    },
    /// Sends the call on to a number through the first usable trunk; with
    /// no number or no trunk the next step follows.
    Forward(ForwardTo),
    /// Ends the call as missed (480 to the caller).
    Missed,
}

/// The steps of one call, and how far it got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Plan {
    steps: Vec<Step>,
    next: usize,
    /// A ring step rang someone (the missed cause says "no answer", not
    /// "nobody available").
    pub rang: bool,
}

impl Plan {
    pub(super) fn new(steps: Vec<Step>) -> Plan {
        Plan {
            steps,
            next: 0,
            rang: false,
        }
    }

    /// A plan whose phones already ring (a call between extensions).
    pub(super) fn rung(steps: Vec<Step>) -> Plan {
        Plan {
            rang: true,
            ..Plan::new(steps)
        }
    }

    /// The step to run now (the last one repeats: a plan ends as missed).
    pub(super) fn advance(&mut self) -> Step {
        let step = self.steps.get(self.next).cloned().unwrap_or(Step::Missed);
        self.next += 1;
        step
    }

    #[cfg(test)]
    pub(super) fn steps(&self) -> &[Step] {
        &self.steps
    }
}

/// What the settings say about inbound calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InboundSettings {
    /// How long phones ring before the call goes on.
    pub dial_timeout: Duration,
    /// The relay's forwarding number (E.164), if any.
    pub forward_to: Option<String>,
}

/// The plan for a call from a client whose responsible manager is
/// `responsible`: the manager's phones if they can take it, else everyone's;
/// after the dial timeout (or straight away when nobody can take it) the
/// manager's forwarding number, else the relay's; else missed.
pub(super) fn inbound_plan(responsible: Option<i64>, settings: &InboundSettings) -> Plan {
    let mut who: Vec<Targets> = responsible.map(Targets::User).into_iter().collect();
    who.push(Targets::Everyone);
    Plan::new(vec![
        Step::Ring {
            who,
            timeout: settings.dial_timeout,
        },
        Step::Forward(ForwardTo {
            user: responsible,
            otherwise: settings.forward_to.clone(),
        }),
        Step::Missed,
    ])
}

impl Switch {
    /// Runs the next step of inbound bridge `i`'s plan (and the ones after
    /// it, while a step has nothing to do). The bridge is gone when the
    /// call ended as missed.
    pub(super) fn next_step(&mut self, now: Instant, i: usize) {
        loop {
            match self.bridges[i].plan.advance() {
                Step::Ring { who, timeout } => {
                    if self.ring(now, i, &who, timeout) {
                        return;
                    }
                }
                Step::Forward(to) => {
                    if self.forward(now, i, &to) {
                        return;
                    }
                }
                Step::Missed => {
                    let bridge = self.bridges.remove(i);
                    let a = bridge.a;
                    self.with_leg(a.0, |ep| ep.reject(now, a.1, 480));
                    let cause = if bridge.plan.rang {
                        format!(
                            "no answer in {} s (480)",
                            self.config.dial_timeout.as_secs()
                        )
                    } else {
                        "nobody available (480)".to_string()
                    };
                    self.finish(now, bridge.record, "missed", &cause, "relay");
                    return;
                }
            }
        }
    }

    /// The phones a ring step rings: those of the first of `who` with any
    /// phone able to take the call (connection ids, in order).
    pub(super) fn ring_targets(&self, now: Instant, who: &[Targets]) -> Vec<u64> {
        let takes_calls = |b: &DeviceConn| {
            b.is_registered(now) && b.account.as_ref().is_some_and(|a| a.accept_incoming)
        };
        for targets in who {
            let mut conns: Vec<u64> = self
                .devices
                .iter()
                .filter(|(_, b)| takes_calls(b))
                .filter(|(_, b)| match targets {
                    Targets::User(user) => b.user_id == *user,
                    Targets::Everyone => true,
                })
                .map(|(conn, _)| *conn)
                .collect();
            if !conns.is_empty() {
                conns.sort_unstable();
                return conns;
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(forward_to: Option<&str>) -> InboundSettings {
        InboundSettings {
            dial_timeout: Duration::from_secs(30),
            forward_to: forward_to.map(str::to_string),
        }
    }

    #[test]
    fn a_known_client_rings_the_manager_first_then_everyone_then_forwards_then_is_missed() {
        let plan = inbound_plan(Some(7), &settings(Some("+74950000001")));
        assert_eq!(
            plan.steps(),
            [
                Step::Ring {
                    who: vec![Targets::User(7), Targets::Everyone],
                    timeout: Duration::from_secs(30),
                },
                Step::Forward(ForwardTo {
                    user: Some(7),
                    otherwise: Some("+74950000001".into()),
                }),
                Step::Missed,
            ]
        );
    }

    #[test]
    fn an_unknown_caller_rings_everyone() {
        let plan = inbound_plan(None, &settings(None));
        assert_eq!(
            plan.steps()[0],
            Step::Ring {
                who: vec![Targets::Everyone],
                timeout: Duration::from_secs(30),
            }
        );
        assert_eq!(
            plan.steps()[1],
            Step::Forward(ForwardTo {
                user: None,
                otherwise: None
            })
        );
    }

    #[test]
    fn a_plan_run_past_its_end_ends_as_missed() {
        let mut plan = Plan::new(vec![Step::Forward(ForwardTo {
            user: None,
            otherwise: None,
        })]);
        assert!(matches!(plan.advance(), Step::Forward(_)));
        assert_eq!(plan.advance(), Step::Missed);
        assert_eq!(plan.advance(), Step::Missed);
    }
}
