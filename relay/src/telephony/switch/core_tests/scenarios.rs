//! The call scenarios as tables: each is a list of steps (what a party
//! does, the clock moving) and of what the parties and the call log must
//! have seen by then. All run on the simulated clock of `harness.rs`.

use std::time::Duration;

use callcard_shared::sip::ua::Event;

use super::harness::{Harness, NO_CODEC, SDP};

/// Users of every scenario: (user id, extension).
const USERS: &[(i64, &str)] = &[(1, "101"), (2, "102"), (3, "103")];

#[derive(Debug, Clone, Copy)]
enum Step {
    /// Phone n of user u connects and registers.
    Connect(usize, i64),
    /// … as a WebRTC browser.
    ConnectBrowser(usize, i64),
    /// The caller's number belongs to contact c with manager m.
    Contact(&'static str, i64, Option<i64>),
    /// The provider calls the trunk from this number.
    ProviderCalls(&'static str),
    ProviderRings,
    ProviderAnswers,
    ProviderRejects(u16),
    ProviderHangsUp,
    ProviderCancels,
    /// The provider accepts the re-INVITE it was sent.
    ProviderAcceptsOffer,
    /// The provider answers with an SDP the media bridge cannot use.
    ProviderAnswersUnusable,
    /// Phone n puts its call on hold (a re-INVITE with an offer).
    PhoneHolds(usize),
    /// Phone n dials this number (or extension).
    PhoneCalls(usize, &'static str),
    PhoneAnswers(usize),
    PhoneRejects(usize, u16),
    PhoneHangsUp(usize),
    PhoneCancels(usize),
    /// Phone n transfers its call (blind REFER) to this target.
    PhoneRefers(usize, &'static str),
    /// Phone n joins its first call with its second (attended: REFER on
    /// the first with Replaces naming the second), to this extension.
    PhoneJoins(usize, &'static str),
    DropSocket(usize),
    Reconnect(usize),
    /// A malformed message from the provider.
    ProviderSendsGarbage,
    Advance(u64),
    /// Party ("provider" or "phone N") has seen this event (see `seen`).
    Saw(&'static str, &'static str),
    /// … and has not.
    NotSaw(&'static str, &'static str),
    /// Some SDP the party received contains this (or, `NoSdp`, none does).
    Sdp(&'static str, &'static str),
    NoSdp(&'static str, &'static str),
    /// The provider was offered this many calls so far.
    ProviderOffered(usize),
    /// The call log / events contain this line (a substring).
    Logged(&'static str),
    NotLogged(&'static str),
}

use Step::*;

struct Scenario {
    name: &'static str,
    /// Browsers' media anchored (by the harness's fake bridge).
    anchored: bool,
    /// (seconds of dial timeout, forwarding number)
    settings: Option<(u64, &'static str)>,
    steps: &'static [Step],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "outbound answered, then hung up by the manager",
        anchored: false,
        settings: None,
        steps: &[
            Connect(1, 1),
            PhoneCalls(1, "+74951234567"),
            ProviderOffered(1),
            Logged("start 1 outbound +74951234567 user Some(1)"),
            ProviderRings,
            Saw("phone 1", "progress 180"),
            ProviderAnswers,
            Saw("phone 1", "answered"),
            Logged("answered 1 trunk Some(1)"),
            NotLogged("record 1"),
            PhoneHangsUp(1),
            Saw("provider", "terminated by peer"),
            Logged("finish 1 answered by caller"),
        ],
    },
    Scenario {
        name: "outbound to a busy number",
        anchored: false,
        settings: None,
        steps: &[
            Connect(1, 1),
            PhoneCalls(1, "+74951234567"),
            ProviderRejects(486),
            Saw("phone 1", "failed 486"),
            Logged("finish 1 busy by callee"),
        ],
    },
    Scenario {
        name: "outbound fails over to the next trunk on 503",
        anchored: false,
        settings: None,
        steps: &[
            Connect(1, 1),
            PhoneCalls(1, "+74951234567"),
            ProviderOffered(1),
            ProviderRejects(503),
            ProviderOffered(2),
            NotSaw("phone 1", "failed 503"),
            ProviderAnswers,
            Saw("phone 1", "answered"),
            Logged("answered 1 trunk Some(2)"),
        ],
    },
    Scenario {
        name: "outbound cancelled by the manager while it rings",
        anchored: false,
        settings: None,
        steps: &[
            Connect(1, 1),
            PhoneCalls(1, "+74951234567"),
            ProviderRings,
            PhoneCancels(1),
            Saw("provider", "cancelled"),
            Saw("phone 1", "failed 487"),
            Logged("finish 1 cancelled by caller"),
        ],
    },
    Scenario {
        name: "outbound refused by the number rules never reaches the provider",
        anchored: false,
        settings: None,
        steps: &[
            Connect(1, 1),
            PhoneCalls(1, "+19005550123"),
            Saw("phone 1", "failed 403"),
            ProviderOffered(0),
            Logged("finish 1 refused by relay"),
        ],
    },
    Scenario {
        name: "outbound by a phone reference waits for its number",
        anchored: false,
        settings: None,
        steps: &[
            Connect(1, 1),
            PhoneCalls(1, "ref-p12"),
            ProviderOffered(1),
            Logged("start 1 outbound +74951112233"),
            PhoneCalls(1, "ref-p99"),
            Saw("phone 1", "failed 404"),
            ProviderOffered(1),
        ],
    },
    Scenario {
        name: "inbound rings the responsible manager only, who answers",
        anchored: false,
        settings: None,
        steps: &[
            Connect(2, 2),
            Connect(3, 3),
            Contact("+74957654321", 40, Some(2)),
            ProviderCalls("+74957654321"),
            Logged("start 1 inbound +74957654321 user Some(2) contact Some(40)"),
            Saw("provider", "progress 180"),
            Saw("phone 2", "incoming"),
            NotSaw("phone 3", "incoming"),
            Logged("incoming card 1 for [2]"),
            PhoneAnswers(2),
            Saw("provider", "answered"),
            Logged("answered 1 by 2"),
            ProviderHangsUp,
            Saw("phone 2", "terminated by peer"),
            Logged("finish 1 answered by caller"),
        ],
    },
    Scenario {
        name: "inbound from a stranger rings everyone; the first answer wins",
        anchored: false,
        settings: None,
        steps: &[
            Connect(2, 2),
            Connect(3, 3),
            ProviderCalls("+74950001122"),
            Saw("phone 2", "incoming"),
            Saw("phone 3", "incoming"),
            PhoneAnswers(3),
            Saw("provider", "answered"),
            Saw("phone 2", "cancelled"),
            Logged("answered 1 by 3"),
            Logged("notify 2 CallEnded { call_id: 1, status: \"answered_elsewhere\" }"),
        ],
    },
    Scenario {
        name: "inbound declined by the only phone is missed",
        anchored: false,
        settings: None,
        steps: &[
            Connect(2, 2),
            ProviderCalls("+74950001122"),
            Saw("phone 2", "incoming"),
            PhoneRejects(2, 486),
            Saw("provider", "failed 486"),
            Logged("finish 1 missed"),
        ],
    },
    Scenario {
        name: "inbound cancelled by the caller while it rings is missed",
        anchored: false,
        settings: None,
        steps: &[
            Connect(2, 2),
            ProviderCalls("+74950001122"),
            Saw("phone 2", "incoming"),
            ProviderCancels,
            Saw("phone 2", "cancelled"),
            Logged("finish 1 missed by caller"),
        ],
    },
    Scenario {
        name: "nobody answers within the dial timeout: the call is forwarded",
        anchored: false,
        settings: Some((20, "+79161112233")),
        steps: &[
            Connect(2, 2),
            ProviderCalls("+74950001122"),
            Saw("phone 2", "incoming"),
            Advance(19),
            NotSaw("phone 2", "cancelled"),
            ProviderOffered(0),
            Advance(2),
            Saw("phone 2", "cancelled"),
            ProviderOffered(1),
        ],
    },
    Scenario {
        name: "nobody answers and nothing to forward to: missed at the timeout",
        anchored: false,
        settings: Some((20, "")),
        steps: &[
            Connect(2, 2),
            ProviderCalls("+74950001122"),
            Advance(21),
            Saw("phone 2", "cancelled"),
            Saw("provider", "failed 480"),
            Logged("finish 1 missed"),
        ],
    },
    Scenario {
        name: "blind transfer of a client to a colleague's extension",
        anchored: false,
        settings: None,
        steps: &[
            Connect(2, 2),
            Connect(3, 3),
            Contact("+74957654321", 40, Some(2)),
            ProviderCalls("+74957654321"),
            PhoneAnswers(2),
            Saw("provider", "answered"),
            PhoneRefers(2, "sip:103@callcard"),
            Saw("phone 3", "incoming"),
            PhoneAnswers(3),
            Saw("provider", "remote offer"),
            ProviderAcceptsOffer,
            Logged("handed on 1 -> 2 user 3"),
            Logged("finish 1 answered by callee"),
            ProviderHangsUp,
            Saw("phone 3", "terminated by peer"),
            Logged("finish 2 answered by caller"),
        ],
    },
    Scenario {
        name:
            "attended transfer: the manager consults a colleague, then joins them with the client",
        anchored: false,
        settings: None,
        steps: &[
            Connect(2, 2),
            Connect(3, 3),
            Contact("+74957654321", 40, Some(2)),
            ProviderCalls("+74957654321"),
            PhoneAnswers(2),
            Saw("provider", "answered"),
            PhoneCalls(2, "103"),
            Saw("phone 3", "incoming"),
            PhoneAnswers(3),
            Saw("phone 2", "answered"),
            Logged("internal 2"),
            PhoneJoins(2, "103"),
            Saw("provider", "remote offer"),
            Saw("phone 3", "remote offer"),
            ProviderAcceptsOffer,
            PhoneAnswers(3),
            Logged("handed on 1 -> 3 user 2"),
            Logged("finish 1 answered by caller: transferred to"),
            Logged("finish 2 answered by caller: transfer completed"),
            ProviderHangsUp,
            Saw("phone 3", "terminated by peer"),
            Logged("finish 3 answered by caller"),
        ],
    },
    Scenario {
        name: "a dropped WebSocket is adopted by the new one: the call goes on",
        anchored: false,
        settings: None,
        steps: &[
            Connect(2, 2),
            Contact("+74957654321", 40, Some(2)),
            ProviderCalls("+74957654321"),
            PhoneAnswers(2),
            Saw("provider", "answered"),
            DropSocket(2),
            Advance(5),
            NotSaw("provider", "terminated by peer"),
            Reconnect(2),
            Advance(20),
            NotSaw("provider", "terminated by peer"),
            ProviderHangsUp,
            Saw("phone 2", "terminated by peer"),
            Logged("finish 1 answered by caller"),
        ],
    },
    Scenario {
        name: "a WebSocket that never comes back: its call ends after the grace",
        anchored: false,
        settings: None,
        steps: &[
            Connect(2, 2),
            Contact("+74957654321", 40, Some(2)),
            ProviderCalls("+74957654321"),
            PhoneAnswers(2),
            DropSocket(2),
            Advance(14),
            NotSaw("provider", "terminated by peer"),
            Advance(2),
            Saw("provider", "terminated by peer"),
            Logged("finish 1 answered"),
        ],
    },
    Scenario {
        name: "garbage from the provider changes nothing for the call in progress",
        anchored: false,
        settings: None,
        steps: &[
            Connect(1, 1),
            PhoneCalls(1, "+74951234567"),
            ProviderAnswers,
            ProviderSendsGarbage,
            Saw("phone 1", "answered"),
            NotSaw("phone 1", "terminated by peer"),
            PhoneHangsUp(1),
            Logged("finish 1 answered by caller"),
            NotLogged("finish 1 failed"),
        ],
    },
    Scenario {
        name: "an anchored browser call out: the provider only ever sees the relay's media",
        anchored: true,
        settings: None,
        steps: &[
            ConnectBrowser(1, 1),
            PhoneCalls(1, "+74951234567"),
            Logged("media 1: anchored a browser's offer"),
            Sdp("provider", "relay-1-offer-to-provider"),
            NoSdp("provider", "ice-ufrag"),
            ProviderAnswers,
            Logged("media 1: the provider's answer"),
            Sdp("phone 1", "relay-1-answer-to-browser"),
            Logged("watch media of 1"),
            Logged("record 1"),
            PhoneHolds(1),
            Logged("media 1: the browser's re-offer"),
            Sdp("provider", "relay-1-reoffer-to-provider"),
            Sdp("phone 1", "relay-1-reanswer-to-browser"),
            ProviderAcceptsOffer,
            PhoneHangsUp(1),
            Saw("provider", "terminated by peer"),
            Logged("media 1: hung up"),
            Logged("finish 1 answered by caller"),
        ],
    },
    Scenario {
        name: "provider media the bridge cannot use: 488 to the browser, BYE to the provider",
        anchored: true,
        settings: None,
        steps: &[
            ConnectBrowser(1, 1),
            PhoneCalls(1, "+74951234567"),
            ProviderAnswersUnusable,
            Saw("phone 1", "failed 488"),
            Saw("provider", "terminated by peer"),
            Logged("finish 1 failed by relay: no audio codec in common with the provider"),
            Logged("media 1: hung up"),
        ],
    },
    Scenario {
        name: "inbound to two WebRTC browsers: each its own offer, the loser's media ends",
        anchored: true,
        settings: None,
        steps: &[
            ConnectBrowser(2, 2),
            ConnectBrowser(3, 3),
            ProviderCalls("+74950001122"),
            Sdp("phone 2", "relay-1-offer-to-browser"),
            Sdp("phone 3", "relay-2-offer-to-browser"),
            NoSdp("phone 2", "192.0.2.50"),
            PhoneAnswers(3),
            Logged("media 2: the browser's answer"),
            Logged("record 1"),
            Sdp("provider", "relay-2-answer-to-provider"),
            Logged("media 1: hung up"),
            NotLogged("media 2: hung up"),
            ProviderHangsUp,
            Logged("media 2: hung up"),
        ],
    },
];

/// An event as the tables name it.
fn seen(event: &Event) -> String {
    match event {
        Event::IncomingCall { .. } => "incoming".into(),
        Event::Progress { code, .. } => format!("progress {code}"),
        Event::Answered { .. } => "answered".into(),
        Event::Confirmed { .. } => "confirmed".into(),
        Event::Failed { code, .. } => format!("failed {code}"),
        Event::Cancelled { .. } => "cancelled".into(),
        Event::Terminated { by_peer: true, .. } => "terminated by peer".into(),
        Event::Terminated { .. } => "terminated".into(),
        Event::RemoteOffer { .. } => "remote offer".into(),
        Event::Modified { code, .. } => format!("modified {code}"),
        other => format!("{other:?}"),
    }
}

/// The SDP an event carries.
fn sdp_of(event: &Event) -> Option<&[u8]> {
    match event {
        Event::IncomingCall { sdp, .. }
        | Event::Progress { sdp, .. }
        | Event::Answered { sdp, .. }
        | Event::RemoteOffer { sdp, .. }
        | Event::Modified { sdp, .. } => sdp.as_deref(),
        _ => None,
    }
}

fn events_of<'a>(h: &'a Harness, party: &str) -> &'a [Event] {
    match party.strip_prefix("phone ") {
        Some(n) => &h.phones[&n.parse::<usize>().expect("phone N")].events,
        None => &h.provider.events,
    }
}

fn run(scenario: &Scenario) {
    let mut h = Harness::new(USERS, |c| {
        if let Some((timeout, forward)) = scenario.settings {
            c.dial_timeout = Duration::from_secs(timeout);
            c.forward_to = Some(forward.to_string()).filter(|f| !f.is_empty());
        }
    });
    h.references.insert("p12".into(), "+74951112233".into());
    if scenario.anchored {
        h.anchor_media();
    }
    let now = |h: &Harness| h.now;
    for (k, step) in scenario.steps.iter().enumerate() {
        let at = format!("{} — step {k} {step:?}\n{}", scenario.name, h.state());
        match *step {
            Connect(n, user) => h.connect(n, user, false),
            ConnectBrowser(n, user) => h.connect(n, user, true),
            Contact(number, contact, manager) => h.contact(number, contact, manager),
            ProviderCalls(from) => {
                let t = now(&h);
                let identity = format!("<sip:{from}@provider.test>");
                let call = h.provider.ep.invite_as(
                    t,
                    &identity,
                    "sip:+74950000000@192.0.2.1:40000",
                    Some(SDP.to_vec()),
                );
                h.provider.call = Some(call);
            }
            ProviderRings => {
                let (t, call) = (now(&h), h.provider.call.expect(&at));
                h.provider.ep.ringing(t, call, None);
            }
            ProviderAnswers | ProviderAcceptsOffer => {
                let (t, call) = (now(&h), h.provider.call.expect(&at));
                h.provider.ep.accept(t, call, Some(SDP.to_vec()));
            }
            ProviderAnswersUnusable => {
                let (t, call) = (now(&h), h.provider.call.expect(&at));
                let sdp = String::from_utf8_lossy(SDP).replace("s=-", &format!("s={NO_CODEC}"));
                h.provider.ep.accept(t, call, Some(sdp.into_bytes()));
            }
            PhoneHolds(n) => {
                let t = now(&h);
                let phone = h.phone(n);
                let call = phone.call.expect(&at);
                let sdp = String::from_utf8_lossy(&phone.sdp())
                    .replace("a=rtpmap", "a=sendonly\r\na=rtpmap");
                phone.ep.reinvite(t, call, Some(sdp.into_bytes()));
            }
            Sdp(party, text) | NoSdp(party, text) => {
                let found = events_of(&h, party)
                    .iter()
                    .filter_map(sdp_of)
                    .any(|sdp| String::from_utf8_lossy(sdp).contains(text));
                assert_eq!(found, matches!(step, Sdp(..)), "{at}");
            }
            ProviderRejects(code) => {
                let (t, call) = (now(&h), h.provider.call.expect(&at));
                h.provider.ep.reject(t, call, code);
            }
            ProviderHangsUp => {
                let (t, call) = (now(&h), h.provider.call.expect(&at));
                h.provider.ep.bye(t, call);
            }
            ProviderCancels => {
                let (t, call) = (now(&h), h.provider.call.expect(&at));
                h.provider.ep.cancel(t, call);
            }
            ProviderSendsGarbage => {
                let t = now(&h);
                h.switch.handle(
                    t,
                    super::super::Input::TrunkMessage {
                        trunk: super::harness::TRUNK,
                        from: super::harness::PROVIDER.parse().expect("addr"),
                        bytes: b"INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n".to_vec(),
                    },
                );
            }
            PhoneCalls(n, to) => {
                let t = now(&h);
                let phone = h.phone(n);
                let sdp = phone.sdp();
                let call = phone.ep.invite(t, &format!("sip:{to}@callcard"), Some(sdp));
                phone.call = Some(call);
                phone.calls.push(call);
            }
            PhoneJoins(n, extension) => {
                let t = now(&h);
                let phone = h.phone(n);
                let (first, second) = (phone.calls[0], phone.calls[1]);
                let call_id = phone.ep.call_id(second).expect(&at).to_string();
                let escaped = call_id.replace('@', "%40");
                let target = format!("sip:{extension}@callcard?Replaces={escaped}");
                phone.ep.refer(t, first, &target);
            }
            PhoneAnswers(n) => {
                let t = now(&h);
                let phone = h.phone(n);
                let call = phone.call.expect(&at);
                let sdp = phone.sdp();
                phone.ep.accept(t, call, Some(sdp));
            }
            PhoneRejects(n, code) => {
                let t = now(&h);
                let phone = h.phone(n);
                let call = phone.call.expect(&at);
                phone.ep.reject(t, call, code);
            }
            PhoneHangsUp(n) => {
                let t = now(&h);
                let phone = h.phone(n);
                let call = phone.call.expect(&at);
                phone.ep.bye(t, call);
            }
            PhoneCancels(n) => {
                let t = now(&h);
                let phone = h.phone(n);
                let call = phone.call.expect(&at);
                phone.ep.cancel(t, call);
            }
            PhoneRefers(n, target) => {
                let t = now(&h);
                let phone = h.phone(n);
                let call = phone.call.expect(&at);
                phone.ep.refer(t, call, target);
            }
            DropSocket(n) => h.drop_socket(n),
            Reconnect(n) => h.reconnect(n),
            Advance(seconds) => h.advance(Duration::from_secs(seconds)),
            Saw(party, what) | NotSaw(party, what) => {
                let saw = events_of(&h, party).iter().any(|e| seen(e) == what);
                let want = matches!(step, Saw(..));
                assert_eq!(
                    saw,
                    want,
                    "{at}: {party} saw {:?}",
                    events_of(&h, party).iter().map(seen).collect::<Vec<_>>()
                );
            }
            ProviderOffered(calls) => {
                let offered = h
                    .provider
                    .events
                    .iter()
                    .filter(|e| matches!(e, Event::IncomingCall { .. }))
                    .count();
                assert_eq!(offered, calls, "{at}");
            }
            Logged(line) | NotLogged(line) => {
                let found = h.log.iter().any(|l| l.contains(line));
                let want = matches!(step, Logged(_));
                assert_eq!(found, want, "{at}: the log is {:#?}", h.log);
            }
        }
        h.settle();
    }
}

#[test]
fn every_call_scenario_behaves_as_its_table_says() {
    let failed: Vec<&str> = SCENARIOS
        .iter()
        .filter(|scenario| std::panic::catch_unwind(|| run(scenario)).is_err())
        .map(|scenario| scenario.name)
        .collect();
    assert!(failed.is_empty(), "scenarios that failed: {failed:#?}");
}
