//! The browser phone: the `shared` SIP endpoint (sans-IO) driven over a
//! WebSocket to the relay's `/sip`, registered by the web session (the
//! browser never holds a SIP password), with a [`CallAudio`] per call. It
//! reports everything the dock shows as [`PhoneAction`]s, and listens to the
//! relay's event stream for the card of a caller before the phone rings.
//!
//! A dropped socket is opened again with back-off (1 s doubling to 30 s)
//! and the phone registers again. Of several tabs of one user only the
//! leader (see [`super::tabs`]) registers; the others mirror it and send it
//! their user's clicks.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use callcard_shared::api::{ServerEvent, SipUser};
use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{CallHandle, Config, Endpoint, Event, Remote, TransportKind};
use callcard_shared::Instant;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, EventSource, MessageEvent, WebSocket};
use yew::Callback;

use super::media::{self, CallAudio};
use super::tabs::{Command, TabMessage, Tabs};
use crate::i18n::{t, tr};
use crate::services::api;
use crate::state::phone::{CallStatus, CallView, CallerCard, LineState, PhoneAction};

/// Registration lifetime asked for; refreshed at 80 %.
const REGISTER_EXPIRES: u32 = 600;
/// How many `call_record` names are remembered.
const MAX_RECORDS: usize = 32;
/// How long a call is kept while the socket is down (the relay keeps it 15 s).
const KEEP_CALL_MS: f64 = 15_000.0;
const MAX_BACKOFF_MS: u32 = 30_000;

/// A handle to the phone; clones share it. Compared by identity.
#[derive(Clone)]
pub struct Engine(Rc<RefCell<Inner>>);

impl PartialEq for Engine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

struct Slot {
    view: CallView,
    audio: Option<Rc<CallAudio>>,
    /// Inbound: the offer to answer.
    remote_offer: Option<String>,
    /// The dialog's SIP Call-ID: how the relay names this call's record.
    sip_call_id: Option<String>,
}

struct Inner {
    report: Callback<PhoneAction>,
    user: Option<SipUser>,
    ep: Option<Endpoint<()>>,
    ws: Option<WebSocket>,
    /// The socket's handlers, kept alive with it.
    ws_handlers: Vec<Box<dyn std::any::Any>>,
    events: Option<(EventSource, Vec<Box<dyn std::any::Any>>)>,
    timer: Option<gloo_timers::callback::Timeout>,
    refresh: Option<gloo_timers::callback::Timeout>,
    retry: Option<gloo_timers::callback::Timeout>,
    meter: Option<gloo_timers::callback::Interval>,
    backoff_ms: u32,
    /// The relay accepted our REGISTER on this connection.
    registered: bool,
    slot: Option<Slot>,
    /// A second call: ringing while `slot` talks (call waiting), or the call
    /// put on hold to answer it.
    other: Option<Slot>,
    /// Signed out: nothing reconnects.
    stopped: bool,
    tabs: Option<Tabs>,
    /// This tab holds the phone (registers, has the audio).
    leader: bool,
    /// The line as last reported (told to tabs that open later).
    line: LineState,
    /// A follower: the leader's call on screen here.
    mirrored_call: Option<u64>,
    /// A transfer in progress: the call transferred, to whom, and the REFER.
    transfer: Option<Transfer>,
    /// The socket dropped during a call at this `Date.now()`: the call is
    /// kept while it reconnects (the relay waits for it 15 s).
    dropped_at: Option<f64>,
    /// What the endpoint sent while there was no socket (sent on reconnect).
    unsent: Vec<Vec<u8>>,
    /// The relay's record of each recent call, by SIP Call-ID (`call_record`).
    records: Vec<(String, i64)>,
}

/// A REFER sent for a call, waiting for the relay's NOTIFYs.
struct Transfer {
    /// The call transferred (the REFER's dialog).
    call: u64,
    target: String,
    request: Option<callcard_shared::sip::ua::RequestHandle>,
    /// The calls the relay hangs up once it is done: the transferred one,
    /// and for an attended transfer the consultation.
    ends: Vec<u64>,
    /// The relay confirmed it (NOTIFY 2xx): those calls ended "transferred".
    confirmed: bool,
}

fn now() -> Instant {
    Instant::now()
}

fn date_now() -> f64 {
    js_sys::Date::now()
}

/// What the SIP request-URI carries for a number typed by the user: dial
/// characters only (`#` escaped); the relay applies the number rules.
pub fn request_uri(number: &str) -> Option<String> {
    let mut user = String::new();
    for c in number.chars() {
        match c {
            '0'..='9' | '*' => user.push(c),
            '+' if user.is_empty() => user.push(c),
            '#' => user.push_str("%23"),
            _ => {}
        }
    }
    (!user.is_empty() && user != "+").then(|| format!("sip:{user}@callcard"))
}

/// Words for a failed call's SIP status. A reason phrase the relay wrote
/// (why the number rules or a limit refused the call) is shown as it is;
/// a stock phrase is put into words by its code.
pub fn failure_text(code: u16, reason: &str) -> String {
    refused_text(code, reason, None)
}

/// [`failure_text`] for a response that may carry the relay's refusal code,
/// which other languages than English put into their own words.
pub fn refused_text(
    code: u16,
    reason: &str,
    refusal: Option<&callcard_shared::refusal::RefusalCode>,
) -> String {
    const STOCK: [&str; 14] = [
        "",
        "Transfer Failed",
        "Call/Transaction Does Not Exist",
        "Forbidden",
        "Rejected",
        "Not Found",
        "Request Timeout",
        "Temporarily Unavailable",
        "Busy Here",
        "Busy Everywhere",
        "Request Terminated",
        "Not Acceptable Here",
        "Service Unavailable",
        "Decline",
    ];
    if let Some(refusal) = refusal {
        return format!("{} ({code})", crate::i18n::refusal(refusal, reason));
    }
    if !STOCK.contains(&reason) {
        return format!("{reason} ({code})");
    }
    // The code is a plain string: never formatted as a number.
    let args = [("code", code.to_string().into())];
    match code {
        403 => tr("dock-failure-refused", &args),
        404 => tr("dock-failure-not-found", &args),
        408 | 480 => tr("dock-failure-no-answer", &args),
        486 | 600 => tr("dock-failure-busy", &args),
        487 => tr("dock-failure-cancelled", &args),
        488 => tr("dock-failure-audio", &args),
        503 => tr("dock-failure-no-line", &args),
        603 => tr("dock-failure-declined", &args),
        _ if code >= 500 => tr("dock-failure-provider", &args),
        _ => tr("dock-failure-other", &args),
    }
}

impl Engine {
    /// A phone that reports to `report`; nothing happens until [`Engine::start`].
    pub fn new(report: Callback<PhoneAction>) -> Engine {
        Engine(Rc::new(RefCell::new(Inner {
            report,
            user: None,
            ep: None,
            ws: None,
            ws_handlers: Vec::new(),
            events: None,
            timer: None,
            refresh: None,
            retry: None,
            meter: None,
            backoff_ms: 1_000,
            registered: false,
            slot: None,
            other: None,
            stopped: false,
            tabs: None,
            leader: false,
            line: LineState::Off,
            mirrored_call: None,
            transfer: None,
            dropped_at: None,
            unsent: Vec::new(),
            records: Vec::new(),
        })))
    }

    /// Whether this tab holds the phone (rings, has the audio).
    pub fn is_leader(&self) -> bool {
        self.0.borrow().leader
    }

    /// Shows `action` here and, in the leader, in the other tabs too.
    fn report(&self, action: PhoneAction) {
        let (report, leader) = {
            let mut inner = self.0.borrow_mut();
            if let PhoneAction::Line(line) = &action {
                inner.line = line.clone();
            }
            (inner.report.clone(), inner.leader)
        };
        if leader {
            let message = match &action {
                PhoneAction::Line(line) => Some(TabMessage::Line { line: line.clone() }),
                PhoneAction::Call(call) => Some(TabMessage::Call { call: call.clone() }),
                PhoneAction::CallEnded { id, outcome } => Some(TabMessage::CallEnded {
                    id: *id,
                    outcome: outcome.clone(),
                }),
                PhoneAction::Other(call) => Some(TabMessage::Other { call: call.clone() }),
                _ => None,
            };
            if let Some(message) = message {
                self.tell_tabs(&message);
            }
        }
        report.emit(action);
    }

    fn tell_tabs(&self, message: &TabMessage) {
        if let Some(tabs) = self.0.borrow().tabs.as_ref() {
            tabs.send(message);
        }
    }

    /// A follower passes its user's action to the leader; true if it did
    /// (the caller then does nothing itself).
    fn forwarded(&self, command: Command) -> bool {
        if self.0.borrow().leader {
            return false;
        }
        self.tell_tabs(&TabMessage::Command { command });
        true
    }

    fn on_tab_message(&self, message: TabMessage) {
        let leader = self.0.borrow().leader;
        match message {
            TabMessage::Hello if leader => {
                let (line, call) = {
                    let inner = self.0.borrow();
                    (
                        inner.line.clone(),
                        inner.slot.as_ref().map(|s| s.view.clone()),
                    )
                };
                self.tell_tabs(&TabMessage::Line { line });
                if let Some(call) = call {
                    self.tell_tabs(&TabMessage::Call { call });
                }
            }
            TabMessage::Line { line } if !leader => self.report(PhoneAction::Line(line)),
            TabMessage::Call { call } if !leader => {
                self.0.borrow_mut().mirrored_call = Some(call.id);
                self.report(PhoneAction::Call(call));
            }
            TabMessage::Other { call } if !leader => self.report(PhoneAction::Other(call)),
            TabMessage::CallEnded { id, outcome } if !leader => {
                self.0.borrow_mut().mirrored_call = None;
                self.report(PhoneAction::CallEnded { id, outcome });
            }
            TabMessage::Command { command } if leader => match command {
                Command::Call { number } => self.call(&number),
                Command::Answer => self.answer(),
                Command::HangUp => self.hang_up(),
                Command::Mute { muted } => self.set_muted(muted),
                Command::Hold { held } => self.set_held(held),
                Command::PauseRecording { paused } => self.set_recording_paused(paused),
                Command::Dtmf { key } => self.dtmf(key),
                Command::AnswerWaiting => self.answer_waiting(),
                Command::DeclineWaiting => self.decline_waiting(),
                Command::Swap => self.swap(),
                Command::Transfer { target } => self.transfer(&target),
                Command::Consult { number } => self.consult(&number),
                Command::CompleteTransfer => self.complete_transfer(),
            },
            _ => {}
        }
    }

    /// This tab got the phone: it registers. A call it mirrored was the
    /// closed leader's and ended with it.
    fn become_leader(&self) {
        let mirrored = {
            let mut inner = self.0.borrow_mut();
            if inner.stopped {
                return;
            }
            inner.leader = true;
            inner.mirrored_call.take()
        };
        if let Some(id) = mirrored {
            self.report(PhoneAction::CallEnded {
                id,
                outcome: Some(t("dock-leader-tab-closed")),
            });
        }
        self.connect();
    }

    fn weak(&self) -> Weak<RefCell<Inner>> {
        Rc::downgrade(&self.0)
    }

    fn from_weak(weak: &Weak<RefCell<Inner>>) -> Option<Engine> {
        weak.upgrade().map(Engine)
    }

    /// Loads the user's telephony identity, opens the event stream and the
    /// SIP socket.
    pub fn start(&self) {
        self.listen_to_events();
        let engine = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            engine.report(PhoneAction::Line(LineState::Connecting));
            match api::my_sip_user().await {
                Ok(user) if !user.browser_calls => {
                    engine.report(PhoneAction::Line(LineState::Unavailable(tr(
                        "dock-desk-phone",
                        &[("extension", (&user.extension).into())],
                    ))))
                }
                Ok(user) => {
                    let user_id = user.user.id;
                    engine.0.borrow_mut().user = Some(user);
                    let (on_message, on_leader) = (engine.weak(), engine.weak());
                    let tabs = Tabs::join(
                        user_id,
                        move |message| {
                            if let Some(engine) = Engine::from_weak(&on_message) {
                                engine.on_tab_message(message);
                            }
                        },
                        move || {
                            if let Some(engine) = Engine::from_weak(&on_leader) {
                                // Outside the lock callback's stack.
                                wasm_bindgen_futures::spawn_local(async move {
                                    engine.become_leader();
                                });
                            }
                        },
                    );
                    match tabs {
                        Some(tabs) => {
                            tabs.send(&TabMessage::Hello);
                            engine.0.borrow_mut().tabs = Some(tabs);
                        }
                        None => engine.become_leader(),
                    }
                }
                Err(e) => engine.report(PhoneAction::Line(LineState::Unavailable(e.message()))),
            }
        });
    }

    /// Signed out or the page goes: unregister, hang up, close.
    pub fn stop(&self) {
        let mut inner = self.0.borrow_mut();
        inner.stopped = true;
        let slot = inner.slot.take();
        if let (Some(ep), Some(slot)) = (inner.ep.as_mut(), slot) {
            end_call(ep, &slot);
        }
        if let Some(ep) = inner.ep.as_mut() {
            ep.register(now(), 0);
        }
        drop(inner);
        self.flush();
        let mut inner = self.0.borrow_mut();
        if let Some(tabs) = inner.tabs.take() {
            tabs.leave();
        }
        inner.leader = false;
        if let Some(ws) = inner.ws.take() {
            let _ = ws.close();
        }
        if let Some((source, _)) = inner.events.take() {
            source.close();
        }
        inner.ws_handlers.clear();
        inner.timer = None;
        inner.refresh = None;
        inner.retry = None;
        inner.meter = None;
    }

    fn listen_to_events(&self) {
        let Ok(source) = EventSource::new("/api/events") else {
            return;
        };
        let mut handlers: Vec<Box<dyn std::any::Any>> = Vec::new();
        for name in ["incoming_call", "call_ended", "call_record"] {
            let weak = self.weak();
            let on_event = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let Some(engine) = Engine::from_weak(&weak) else {
                    return;
                };
                let Some(data) = e.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<ServerEvent>(&data) {
                    Ok(ServerEvent::IncomingCall {
                        call_id,
                        number,
                        contact,
                        last_call,
                    }) => engine.report(PhoneAction::Caller(CallerCard {
                        call_id,
                        number,
                        contact,
                        last_call,
                    })),
                    Ok(ServerEvent::CallEnded { call_id, status }) => {
                        engine.report(PhoneAction::CallerGone { call_id, status })
                    }
                    Ok(ServerEvent::CallRecord {
                        call_id,
                        sip_call_id,
                    }) => {
                        let records = &mut engine.0.borrow_mut().records;
                        records.push((sip_call_id, call_id));
                        let excess = records.len().saturating_sub(MAX_RECORDS);
                        records.drain(..excess);
                    }
                    _ => {}
                }
            });
            let _ =
                source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
            handlers.push(Box::new(on_event));
        }
        self.0.borrow_mut().events = Some((source, handlers));
    }

    fn connect(&self) {
        let Some(user) = self.0.borrow().user.clone() else {
            return;
        };
        let Some(url) = sip_url() else {
            return;
        };
        let ws = match WebSocket::new_with_str(&url, "sip") {
            Ok(ws) => ws,
            Err(e) => {
                self.report(PhoneAction::Line(LineState::Unavailable(media::describe(
                    &e,
                ))));
                return;
            }
        };
        // A call survived the drop: the same endpoint (its dialogs, its
        // Contact) goes on over the new socket, and the relay hands the
        // call over to it when it registers.
        let kept = self.0.borrow_mut().ep.take();
        let ep = match kept {
            Some(ep) => ep,
            None => self.new_endpoint(&user),
        };
        self.open_socket(ws, ep);
    }

    fn new_endpoint(&self, user: &SipUser) -> Endpoint<()> {
        let token = random_token();
        let config = Config {
            aor: format!("sip:{}@callcard", user.sip_login),
            display_name: None,
            contact: format!("sip:{}@{token}.invalid;transport=ws", user.sip_login),
            via_host: format!("{token}.invalid"),
            outbound: Remote {
                addr: (),
                transport: TransportKind::Ws,
            },
            timers: TimerConfig::default(),
            credentials: None,
            user_agent: "Callcard browser phone".into(),
            limits: Default::default(),
        };
        let seed = (js_sys::Math::random() * 2f64.powi(53)) as u64;
        Endpoint::new(config, seed).with_contact_params(";+sip.ice")
    }

    fn open_socket(&self, ws: WebSocket, ep: Endpoint<()>) {
        let weak = self.weak();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if let Some(engine) = Engine::from_weak(&weak) {
                let unsent = std::mem::take(&mut engine.0.borrow_mut().unsent);
                if let Some(ws) = engine.0.borrow().ws.clone() {
                    for frame in unsent {
                        let _ = ws.send_with_str(&String::from_utf8_lossy(&frame));
                    }
                }
                if let Some(ep) = engine.0.borrow_mut().ep.as_mut() {
                    ep.register(now(), REGISTER_EXPIRES);
                }
                engine.flush();
            }
        });
        let weak = self.weak();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(engine) = Engine::from_weak(&weak) else {
                return;
            };
            let Some(text) = e.data().as_string() else {
                return;
            };
            if let Some(ep) = engine.0.borrow_mut().ep.as_mut() {
                let from = Remote {
                    addr: (),
                    transport: TransportKind::Ws,
                };
                // A malformed message is dropped by the stack; nothing else to do.
                let _ = ep.handle_input(now(), from, text.as_bytes());
            }
            engine.flush();
        });
        let weak = self.weak();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            if let Some(engine) = Engine::from_weak(&weak) {
                engine.connection_lost(&e);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        inner.ep = Some(ep);
        inner.ws = Some(ws);
        inner.ws_handlers = vec![Box::new(on_open), Box::new(on_message), Box::new(on_close)];
    }

    fn connection_lost(&self, e: &CloseEvent) {
        let talking = |s: &Option<Slot>| {
            s.as_ref()
                .is_some_and(|s| s.view.status == CallStatus::Talking)
        };
        let (delay, lost, keeps_call) = {
            let mut inner = self.0.borrow_mut();
            if inner.stopped {
                return;
            }
            // A call in progress is kept: its audio does not use this socket
            // and the relay waits for the phone to come back (for a while).
            let since = *inner.dropped_at.get_or_insert_with(date_now);
            let keeps_call = (talking(&inner.slot) || talking(&inner.other))
                && date_now() - since < KEEP_CALL_MS;
            if !keeps_call {
                inner.dropped_at = None;
                inner.unsent.clear();
            }
            inner.ws = None;
            inner.registered = false;
            inner.refresh = None;
            let mut lost = Vec::new();
            if !keeps_call {
                inner.ep = None;
                inner.timer = None;
                lost.extend(inner.slot.take());
                lost.extend(inner.other.take());
            }
            let delay = if keeps_call { 300 } else { inner.backoff_ms };
            inner.backoff_ms = (inner.backoff_ms * 2).min(MAX_BACKOFF_MS);
            (delay, lost, keeps_call)
        };
        for slot in lost {
            self.0.borrow_mut().meter = None;
            self.report(PhoneAction::CallEnded {
                id: slot.view.id,
                outcome: Some(t("dock-dropped-call-ended")),
            });
        }
        self.report_other();
        if keeps_call {
            self.report(PhoneAction::Notice(t("dock-dropped-call-kept")));
        }
        let seconds = delay.div_ceil(1000);
        let reason = match e.code() {
            1006 => tr("dock-reconnect-unreachable", &[("seconds", seconds.into())]),
            1008 => tr("dock-reconnect-refused", &[("seconds", seconds.into())]),
            // The server's own reason, as it wrote it.
            code if !e.reason().is_empty() => tr(
                "dock-reconnect-reason",
                &[
                    ("reason", e.reason().into()),
                    ("code", code.to_string().into()),
                    ("seconds", seconds.into()),
                ],
            ),
            code => tr(
                "dock-reconnect-closed",
                &[
                    ("code", code.to_string().into()),
                    ("seconds", seconds.into()),
                ],
            ),
        };
        self.report(PhoneAction::Line(LineState::Reconnecting { reason }));
        let weak = self.weak();
        let retry = gloo_timers::callback::Timeout::new(delay, move || {
            if let Some(engine) = Engine::from_weak(&weak) {
                engine.connect();
            }
        });
        self.0.borrow_mut().retry = Some(retry);
    }

    /// Sends what the endpoint wants sent, handles its events and arms its timer.
    fn flush(&self) {
        loop {
            let (frames, events) = {
                let mut inner = self.0.borrow_mut();
                let Some(ep) = inner.ep.as_mut() else {
                    return;
                };
                let mut frames = Vec::new();
                while let Some(t) = ep.poll_transmit() {
                    frames.push(t.bytes);
                }
                let mut events = Vec::new();
                while let Some(e) = ep.poll_event() {
                    events.push(e);
                }
                (frames, events)
            };
            if frames.is_empty() && events.is_empty() {
                break;
            }
            let ws = self.0.borrow().ws.clone();
            match ws.filter(|ws| ws.ready_state() == WebSocket::OPEN) {
                Some(ws) => {
                    for frame in frames {
                        let _ = ws.send_with_str(&String::from_utf8_lossy(&frame));
                    }
                }
                // Not connected (between sockets during a call, or still
                // opening): sent once it is open.
                None => self.0.borrow_mut().unsent.extend(frames),
            }
            for event in events {
                self.on_event(event);
            }
        }
        self.arm_timer();
    }

    fn arm_timer(&self) {
        let mut inner = self.0.borrow_mut();
        let Some(at) = inner.ep.as_ref().and_then(|ep| ep.poll_timeout()) else {
            inner.timer = None;
            return;
        };
        let wait = at.saturating_duration_since(now()).as_millis().min(60_000) as u32;
        let weak = self.weak();
        inner.timer = Some(gloo_timers::callback::Timeout::new(wait, move || {
            if let Some(engine) = Engine::from_weak(&weak) {
                if let Some(ep) = engine.0.borrow_mut().ep.as_mut() {
                    ep.handle_timeout(now());
                }
                engine.flush();
            }
        }));
    }

    fn with_ep(&self, f: impl FnOnce(&mut Endpoint<()>)) {
        if let Some(ep) = self.0.borrow_mut().ep.as_mut() {
            f(ep);
        }
        self.flush();
    }

    fn update(&self, f: impl FnOnce(&mut CallView)) {
        let view = {
            let mut inner = self.0.borrow_mut();
            let Some(slot) = inner.slot.as_mut() else {
                return;
            };
            f(&mut slot.view);
            slot.view.clone()
        };
        self.report(PhoneAction::Call(view));
    }

    fn is_current(&self, call: CallHandle) -> bool {
        self.0
            .borrow()
            .slot
            .as_ref()
            .is_some_and(|s| s.view.id == call.0)
    }

    fn audio(&self) -> Option<Rc<CallAudio>> {
        self.0.borrow().slot.as_ref().and_then(|s| s.audio.clone())
    }

    fn is_other(&self, call: CallHandle) -> bool {
        self.0
            .borrow()
            .other
            .as_ref()
            .is_some_and(|s| s.view.id == call.0)
    }

    /// The audio of the current call or of the other one.
    fn audio_of(&self, call: CallHandle) -> Option<Rc<CallAudio>> {
        let inner = self.0.borrow();
        let audio = [inner.slot.as_ref(), inner.other.as_ref()]
            .into_iter()
            .flatten()
            .find(|s| s.view.id == call.0)
            .and_then(|s| s.audio.clone());
        audio
    }

    fn report_other(&self) {
        let view = self.0.borrow().other.as_ref().map(|s| s.view.clone());
        self.report(PhoneAction::Other(view));
    }

    /// The other call ended (the waiting caller gave up, the held one hung up).
    fn finish_other(&self, call: CallHandle, outcome: Option<String>) {
        let gone = {
            let mut inner = self.0.borrow_mut();
            if inner.other.as_ref().is_some_and(|s| s.view.id == call.0) {
                inner.other.take()
            } else {
                None
            }
        };
        if let Some(slot) = gone {
            self.report_other();
            if let Some(outcome) = outcome {
                self.report(PhoneAction::Notice(outcome));
            }
            if slot.view.answered_at.is_some() {
                self.open_wrap_up(slot.sip_call_id);
            }
        }
    }

    /// When the current call ends, the other one (held, or still ringing)
    /// takes its place on screen.
    fn promote_other(&self) {
        let view = {
            let mut inner = self.0.borrow_mut();
            if inner.slot.is_some() {
                return;
            }
            inner.slot = inner.other.take();
            inner.slot.as_ref().map(|s| s.view.clone())
        };
        if let Some(view) = view {
            let talking = view.status == CallStatus::Talking;
            self.report(PhoneAction::Other(None));
            self.report(PhoneAction::Call(view));
            if talking {
                self.start_meter();
            }
        }
    }

    fn finish(&self, call: CallHandle, outcome: Option<String>) {
        let mut inner = self.0.borrow_mut();
        if inner.slot.as_ref().is_some_and(|s| s.view.id == call.0) {
            let answered = inner
                .slot
                .take()
                .filter(|s| s.view.answered_at.is_some())
                .map(|s| s.sip_call_id);
            inner.meter = None;
            let report = inner.report.clone();
            drop(inner);
            report.emit(PhoneAction::CallEnded {
                id: call.0,
                outcome,
            });
            if let Some(sip_call_id) = answered {
                self.open_wrap_up(sip_call_id);
            }
            self.promote_other();
        } else {
            drop(inner);
            self.finish_other(call, outcome);
        }
    }

    /// After a talked call: the prompt for the outcome and a note, on the
    /// record the relay named for this call's dialog (`call_record`).
    fn open_wrap_up(&self, sip_call_id: Option<String>) {
        let Some(sip_call_id) = sip_call_id else {
            return;
        };
        let engine = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // The relay closes the record as the BYE is answered; its
            // `call_record` event came at the start of the call.
            media::sleep_ms(300).await;
            let id = engine
                .0
                .borrow()
                .records
                .iter()
                .rev()
                .find(|(c, _)| *c == sip_call_id)
                .map(|(_, id)| *id);
            let Some(id) = id else {
                web_sys::console::warn_1(
                    &"No record was named for this call: no after-call prompt".into(),
                );
                return;
            };
            let Ok(record) = api::call(id).await else {
                return;
            };
            let waiting = record.answered_at.is_some()
                && record.recording_seconds.is_none()
                && record.recording_note.is_none();
            engine.report(PhoneAction::WrapUp(Some(Box::new(record))));
            // The recording closes moments after the media ends: the prompt's
            // player appears once it has.
            for _ in 0..10 {
                if !waiting {
                    break;
                }
                media::sleep_ms(500).await;
                if let Ok(record) = api::call(id).await {
                    if record.recording_seconds.is_some() || record.recording_note.is_some() {
                        engine.report(PhoneAction::WrapUpRecording(Box::new(record)));
                        break;
                    }
                }
            }
        });
    }

    fn on_event(&self, event: Event) {
        match event {
            Event::Registered { expires } => {
                self.0.borrow_mut().dropped_at = None;
                self.0.borrow_mut().backoff_ms = 1_000;
                self.0.borrow_mut().registered = true;
                self.report(PhoneAction::Line(LineState::Online));
                let weak = self.weak();
                let refresh = gloo_timers::callback::Timeout::new(expires * 800, move || {
                    if let Some(engine) = Engine::from_weak(&weak) {
                        engine.with_ep(|ep| ep.register(now(), REGISTER_EXPIRES));
                    }
                });
                self.0.borrow_mut().refresh = Some(refresh);
            }
            Event::RegistrationFailed { code } => {
                let why = match code {
                    403 => t("dock-register-refused"),
                    408 => t("dock-register-timeout"),
                    code => tr("dock-register-failed", &[("code", code.to_string().into())]),
                };
                self.report(PhoneAction::Line(LineState::Unavailable(why)));
            }
            Event::IncomingCall {
                call, from, sdp, ..
            } => {
                let (busy, waiting_free) = {
                    let inner = self.0.borrow();
                    (inner.slot.is_some(), inner.other.is_none())
                };
                if busy && !waiting_free {
                    // Two calls already: the third caller hears busy.
                    self.with_ep(|ep| ep.reject(now(), call, 486));
                    return;
                }
                let view = CallView {
                    id: call.0,
                    inbound: true,
                    number: caller_number(&from),
                    status: CallStatus::Incoming,
                    answered_at: None,
                    muted: false,
                    recording_paused: false,
                    held: false,
                    rx_packets: 0,
                    rx_level: 0.0,
                };
                let sip_call_id = self
                    .0
                    .borrow()
                    .ep
                    .as_ref()
                    .and_then(|ep| ep.call_id(call).map(str::to_string));
                let slot = Slot {
                    view: view.clone(),
                    audio: None,
                    remote_offer: sdp.map(|s| String::from_utf8_lossy(&s).into_owned()),
                    sip_call_id,
                };
                self.with_ep(|ep| ep.ringing(now(), call, None));
                if busy {
                    // Call waiting: it rings beside the call in progress.
                    self.0.borrow_mut().other = Some(slot);
                    self.report_other();
                } else {
                    self.0.borrow_mut().slot = Some(slot);
                    self.report(PhoneAction::Call(view));
                }
            }
            Event::Progress { call, code, sdp } if self.is_current(call) => {
                if (180..=183).contains(&code) {
                    self.update(|v| v.status = CallStatus::Ringing);
                }
                if let Some(sdp) = sdp {
                    self.take_answer(sdp);
                }
            }
            Event::Answered { call, sdp } if self.is_current(call) => {
                if let Some(sdp) = sdp {
                    self.take_answer(sdp);
                }
                self.talking();
            }
            Event::Confirmed { call } if self.is_current(call) => self.talking(),
            Event::Failed {
                call,
                code,
                reason,
                refusal,
            } => self.finish(
                call,
                Some(tr(
                    "dock-call-failed",
                    &[("why", refused_text(code, &reason, refusal.as_ref()).into())],
                )),
            ),
            Event::Cancelled { call } => self.finish(call, Some(t("dock-missed-caller-hung-up"))),
            Event::Terminated { call, by_peer } => {
                let outcome = match self.ended_by_transfer(call) {
                    Some(target) => Some(tr("dock-transferred", &[("target", target.into())])),
                    None => by_peer.then(|| t("dock-other-side-hung-up")),
                };
                self.finish(call, outcome);
            }
            Event::TransferProgress { call, code, reason } => {
                self.transfer_progress(call, code, &reason)
            }
            Event::Response { id, response } => {
                let refused = {
                    let inner = self.0.borrow();
                    inner
                        .transfer
                        .as_ref()
                        .is_some_and(|t| t.request == Some(id))
                        && response.code >= 300
                };
                if refused {
                    let call = self.0.borrow().transfer.as_ref().map(|t| t.call);
                    if let Some(call) = call {
                        self.transfer_progress(CallHandle(call), response.code, &response.reason);
                    }
                }
            }
            Event::RemoteOffer { call, sdp, .. }
                if self.is_current(call) || self.is_other(call) =>
            {
                // The far end (re)negotiates, e.g. holds: answer with our audio.
                let Some(audio) = self.audio_of(call) else {
                    self.with_ep(|ep| ep.reject(now(), call, 488));
                    return;
                };
                let offer = sdp.map(|s| String::from_utf8_lossy(&s).into_owned());
                let engine = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = match offer {
                        Some(offer) => audio.answer(&offer).await,
                        None => audio.offer().await,
                    };
                    match answer {
                        Ok(sdp) => engine.with_ep(|ep| ep.accept(now(), call, Some(sdp.into()))),
                        Err(e) => {
                            let why = media::describe(&e);
                            web_sys::console::warn_1(
                                &format!("the far end's new offer failed: {why}").into(),
                            );
                            engine.report(PhoneAction::Notice(tr(
                                "dock-audio-change-failed",
                                &[("why", (&why).into())],
                            )));
                            engine.with_ep(|ep| ep.reject(now(), call, 488))
                        }
                    }
                });
            }
            Event::Modified {
                call,
                code: 200..=299,
                sdp: Some(sdp),
            } if self.is_current(call) || self.is_other(call) => {
                if let Some(audio) = self.audio_of(call) {
                    take_answer_on(audio, sdp);
                }
            }
            _ => {}
        }
    }

    fn take_answer(&self, sdp: Vec<u8>) {
        if let Some(audio) = self.audio() {
            take_answer_on(audio, sdp);
        }
    }

    fn talking(&self) {
        let first = self
            .0
            .borrow()
            .slot
            .as_ref()
            .is_some_and(|s| s.view.answered_at.is_none());
        if !first {
            return;
        }
        self.update(|v| {
            v.status = CallStatus::Talking;
            v.answered_at = Some(date_now());
        });
        self.start_meter();
    }

    /// Reads the receive meter every half second while the call lasts.
    fn start_meter(&self) {
        let weak = self.weak();
        let meter = gloo_timers::callback::Interval::new(500, move || {
            let Some(engine) = Engine::from_weak(&weak) else {
                return;
            };
            let Some(audio) = engine.audio() else {
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                if let Some((packets, level)) = audio.receive_meter().await {
                    engine.update(|v| {
                        v.rx_packets = packets;
                        v.rx_level = level;
                    });
                }
            });
        });
        self.0.borrow_mut().meter = Some(meter);
    }

    // --- What the user does ---

    /// Calls `number` (as typed; the relay applies the number rules).
    pub fn call(&self, number: &str) {
        if self.forwarded(Command::Call {
            number: number.to_string(),
        }) {
            return;
        }
        let Some(uri) = request_uri(number) else {
            return;
        };
        {
            let inner = self.0.borrow();
            if inner.slot.is_some() || inner.ep.is_none() || !inner.registered {
                return;
            }
        }
        // The id is the handle the endpoint gives the INVITE; until then a
        // provisional one (the view is replaced when the INVITE goes out).
        let provisional = u64::MAX;
        let view = CallView {
            id: provisional,
            inbound: false,
            number: number.trim().to_string(),
            status: CallStatus::Preparing,
            answered_at: None,
            muted: false,
            recording_paused: false,
            held: false,
            rx_packets: 0,
            rx_level: 0.0,
        };
        self.0.borrow_mut().slot = Some(Slot {
            view: view.clone(),
            audio: None,
            remote_offer: None,
            sip_call_id: None,
        });
        self.report(PhoneAction::Call(view));
        let engine = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let prepared = match CallAudio::open().await {
                Ok(audio) => audio.offer().await.map(|offer| (audio, offer)),
                Err(e) => Err(e),
            };
            let abandoned = engine
                .0
                .borrow()
                .slot
                .as_ref()
                .is_none_or(|s| s.view.id != provisional);
            if abandoned {
                return;
            }
            match prepared {
                Ok((audio, offer)) => {
                    let note = audio.note.clone();
                    let handle = {
                        let mut inner = engine.0.borrow_mut();
                        let Some(ep) = inner.ep.as_mut() else {
                            return;
                        };
                        let handle = ep.invite(now(), &uri, Some(offer.into_bytes()));
                        let sip_call_id = ep.call_id(handle).map(str::to_string);
                        if let Some(slot) = inner.slot.as_mut() {
                            slot.sip_call_id = sip_call_id;
                            slot.view.id = handle.0;
                            slot.view.status = CallStatus::Calling;
                            slot.audio = Some(Rc::new(audio));
                        }
                        handle
                    };
                    // The dock's call now carries the INVITE's handle.
                    engine.update(|v| v.id = handle.0);
                    engine.flush();
                    if let Some(note) = note {
                        engine.report(PhoneAction::Notice(note));
                    }
                }
                Err(e) => {
                    engine.0.borrow_mut().slot = None;
                    engine.report(PhoneAction::CallEnded {
                        id: provisional,
                        outcome: Some(tr(
                            "dock-cannot-call",
                            &[("why", media::describe(&e).into())],
                        )),
                    });
                }
            }
        });
    }

    /// Answers the ringing call.
    pub fn answer(&self) {
        if self.forwarded(Command::Answer) {
            return;
        }
        let (call, offer) = {
            let inner = self.0.borrow();
            let Some(slot) = inner.slot.as_ref() else {
                return;
            };
            if slot.view.status != CallStatus::Incoming {
                return;
            }
            (CallHandle(slot.view.id), slot.remote_offer.clone())
        };
        self.update(|v| v.status = CallStatus::Connecting);
        let engine = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let answered = async {
                let audio = CallAudio::open().await?;
                let sdp = match &offer {
                    Some(offer) => audio.answer(offer).await?,
                    None => audio.offer().await?,
                };
                Ok::<_, JsValue>((audio, sdp))
            }
            .await;
            if !engine.is_current(call) {
                return;
            }
            match answered {
                Ok((audio, sdp)) => {
                    let note = audio.note.clone();
                    if let Some(slot) = engine.0.borrow_mut().slot.as_mut() {
                        slot.audio = Some(Rc::new(audio));
                    }
                    engine.with_ep(|ep| ep.accept(now(), call, Some(sdp.into_bytes())));
                    engine.talking();
                    if let Some(note) = note {
                        engine.report(PhoneAction::Notice(note));
                    }
                }
                Err(e) => {
                    engine.with_ep(|ep| ep.reject(now(), call, 488));
                    engine.finish(
                        call,
                        Some(tr(
                            "dock-cannot-answer",
                            &[("why", media::describe(&e).into())],
                        )),
                    );
                }
            }
        });
    }

    /// Hangs up, cancels or declines, whatever the call's state.
    pub fn hang_up(&self) {
        if self.forwarded(Command::HangUp) {
            return;
        }
        let slot = {
            // A call hung up while its microphone opened is simply gone: the
            // preparing task finds no slot and sends no INVITE.
            let mut inner = self.0.borrow_mut();
            inner.meter = None;
            inner.slot.take()
        };
        let Some(slot) = slot else {
            return;
        };
        if let Some(ep) = self.0.borrow_mut().ep.as_mut() {
            end_call(ep, &slot);
        }
        self.flush();
        self.report(PhoneAction::CallEnded {
            id: slot.view.id,
            outcome: None,
        });
        if slot.view.answered_at.is_some() {
            self.open_wrap_up(slot.sip_call_id);
        }
        self.promote_other();
    }

    pub fn set_muted(&self, muted: bool) {
        if self.forwarded(Command::Mute { muted }) {
            return;
        }
        if let Some(audio) = self.audio() {
            audio.set_muted(muted);
            self.update(|v| v.muted = muted);
        }
    }

    /// Pauses or resumes the relay's recording of the call on screen (the
    /// record the relay named for its dialog); a refusal is told under the
    /// call panel.
    pub fn set_recording_paused(&self, paused: bool) {
        if self.forwarded(Command::PauseRecording { paused }) {
            return;
        }
        let record = {
            let inner = self.0.borrow();
            let sip_call_id = inner.slot.as_ref().and_then(|s| s.sip_call_id.clone());
            inner
                .records
                .iter()
                .rev()
                .find(|(c, _)| Some(c) == sip_call_id.as_ref())
                .map(|(_, id)| *id)
        };
        let Some(id) = record else {
            self.report(PhoneAction::Notice(t("dock-no-record-to-pause")));
            return;
        };
        let engine = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match api::pause_recording(id, paused).await {
                Ok(done) => engine.update(|v| v.recording_paused = done.paused),
                Err(failure) => engine.report(PhoneAction::Notice(failure.message())),
            }
        });
    }

    /// Holds or resumes the call with a re-INVITE (`sendonly` / `sendrecv`).
    pub fn set_held(&self, held: bool) {
        if self.forwarded(Command::Hold { held }) {
            return;
        }
        let Some(audio) = self.audio() else {
            return;
        };
        let call = {
            let inner = self.0.borrow();
            match inner.slot.as_ref() {
                Some(s) if s.view.status == CallStatus::Talking => CallHandle(s.view.id),
                _ => return,
            }
        };
        self.update(|v| v.held = held);
        let engine = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match audio.reoffer(held).await {
                Ok(sdp) => engine.with_ep(|ep| ep.reinvite(now(), call, Some(sdp.into_bytes()))),
                Err(_) => engine.update(|v| v.held = !held),
            }
        });
    }

    /// Call waiting: holds the call in progress (or ends it if it is not
    /// talking yet) and answers the waiting one.
    pub fn answer_waiting(&self) {
        if self.forwarded(Command::AnswerWaiting) {
            return;
        }
        let (waiting, talking, held) = {
            let inner = self.0.borrow();
            let waiting = inner
                .other
                .as_ref()
                .is_some_and(|s| s.view.status == CallStatus::Incoming);
            let current = inner
                .slot
                .as_ref()
                .map(|s| (s.view.status.clone(), s.view.held));
            (
                waiting,
                matches!(current, Some((CallStatus::Talking, _))),
                matches!(current, Some((_, true))),
            )
        };
        if !waiting {
            return;
        }
        if talking {
            if !held {
                self.set_held(true);
            }
        } else {
            self.end_current();
        }
        {
            let mut inner = self.0.borrow_mut();
            let current = inner.slot.take();
            inner.slot = inner.other.take();
            inner.other = current;
            inner.meter = None;
        }
        let view = self.0.borrow().slot.as_ref().map(|s| s.view.clone());
        if let Some(view) = view {
            self.report(PhoneAction::Call(view));
        }
        self.report_other();
        self.answer();
    }

    /// Call waiting: the waiting caller hears busy.
    pub fn decline_waiting(&self) {
        if self.forwarded(Command::DeclineWaiting) {
            return;
        }
        let call = {
            let mut inner = self.0.borrow_mut();
            match inner.other.as_ref() {
                Some(s) if s.view.status == CallStatus::Incoming => {
                    let call = CallHandle(s.view.id);
                    inner.other = None;
                    call
                }
                _ => return,
            }
        };
        self.with_ep(|ep| ep.reject(now(), call, 486));
        self.report_other();
    }

    /// Two talked calls: holds the current one and resumes the other.
    pub fn swap(&self) {
        if self.forwarded(Command::Swap) {
            return;
        }
        let ready = {
            let inner = self.0.borrow();
            let talking =
                |s: Option<&Slot>| s.is_some_and(|s| s.view.status == CallStatus::Talking);
            talking(inner.slot.as_ref()) && talking(inner.other.as_ref())
        };
        if !ready {
            return;
        }
        if !self.0.borrow().slot.as_ref().is_some_and(|s| s.view.held) {
            self.set_held(true);
        }
        {
            let mut inner = self.0.borrow_mut();
            let current = inner.slot.take();
            inner.slot = inner.other.take();
            inner.other = current;
        }
        let view = self.0.borrow().slot.as_ref().map(|s| s.view.clone());
        if let Some(view) = view {
            self.report(PhoneAction::Call(view));
        }
        self.report_other();
        self.set_held(false);
        self.start_meter();
    }

    /// Blind transfer of the call in progress to a colleague's extension or
    /// an external number (REFER); the relay rings the target and hangs
    /// this phone up once it answers.
    pub fn transfer(&self, target: &str) {
        if self.forwarded(Command::Transfer {
            target: target.to_string(),
        }) {
            return;
        }
        let target = target.trim().to_string();
        let Some(uri) = request_uri(&target) else {
            self.report(PhoneAction::Notice(t("dock-transfer-needs-target")));
            return;
        };
        let call = match self.0.borrow().slot.as_ref() {
            Some(s) if s.view.status == CallStatus::Talking => CallHandle(s.view.id),
            _ => return,
        };
        self.send_refer(call, &target, &uri, None);
    }

    /// Attended transfer, first step: holds the call in progress and calls
    /// `number` to consult them.
    pub fn consult(&self, number: &str) {
        if self.forwarded(Command::Consult {
            number: number.to_string(),
        }) {
            return;
        }
        if request_uri(number).is_none() {
            self.report(PhoneAction::Notice(t("dock-consult-needs-target")));
            return;
        }
        let ready = {
            let inner = self.0.borrow();
            inner.other.is_none()
                && inner
                    .slot
                    .as_ref()
                    .is_some_and(|s| s.view.status == CallStatus::Talking)
        };
        if !ready {
            return;
        }
        if !self.0.borrow().slot.as_ref().is_some_and(|s| s.view.held) {
            self.set_held(true);
        }
        {
            let mut inner = self.0.borrow_mut();
            inner.other = inner.slot.take();
            inner.meter = None;
        }
        self.report_other();
        self.call(number);
    }

    /// Attended transfer, last step: the held call is handed to the one in
    /// progress (REFER with Replaces naming it) and this phone leaves both.
    pub fn complete_transfer(&self) {
        if self.forwarded(Command::CompleteTransfer) {
            return;
        }
        let found = {
            let inner = self.0.borrow();
            let consult = inner
                .slot
                .as_ref()
                .filter(|s| s.view.status == CallStatus::Talking);
            let held = inner
                .other
                .as_ref()
                .filter(|s| s.view.status == CallStatus::Talking);
            match (consult, held, &inner.ep) {
                (Some(consult), Some(held), Some(ep)) => {
                    ep.dialog(CallHandle(consult.view.id)).map(|d| {
                        let number = consult.view.number.clone();
                        (d.id.clone(), number, held.view.id, consult.view.id)
                    })
                }
                _ => None,
            }
        };
        let Some((dialog, number, held, consult)) = found else {
            return;
        };
        let Some(uri) = request_uri(&number) else {
            return;
        };
        let replaces = format!(
            "{};to-tag={};from-tag={}",
            dialog.call_id, dialog.remote_tag, dialog.local_tag
        );
        let uri = format!("{uri}?Replaces={}", escape_header_value(&replaces));
        self.send_refer(CallHandle(held), &number, &uri, Some(consult));
    }

    fn send_refer(&self, call: CallHandle, target: &str, uri: &str, consult: Option<u64>) {
        let mut request = None;
        self.with_ep(|ep| request = ep.refer(now(), call, uri));
        self.0.borrow_mut().transfer = Some(Transfer {
            call: call.0,
            target: target.to_string(),
            request,
            ends: std::iter::once(call.0).chain(consult).collect(),
            confirmed: false,
        });
        self.report(PhoneAction::Notice(tr(
            "dock-transferring",
            &[("target", target.into())],
        )));
    }

    /// `call` ended: the target, when a confirmed transfer ended it (the
    /// transfer is forgotten once every call it ends has ended).
    fn ended_by_transfer(&self, call: CallHandle) -> Option<String> {
        let mut inner = self.0.borrow_mut();
        let t = inner.transfer.as_mut()?;
        if !t.ends.contains(&call.0) {
            return None;
        }
        t.ends.retain(|c| *c != call.0);
        let target = t.confirmed.then(|| t.target.clone());
        if t.ends.is_empty() || !t.confirmed {
            inner.transfer = None;
        }
        target
    }

    /// The relay's NOTIFY about a transfer: ringing, done, or failed (the
    /// call then stays here).
    fn transfer_progress(&self, call: CallHandle, code: u16, reason: &str) {
        let target = {
            let inner = self.0.borrow();
            match inner.transfer.as_ref() {
                Some(t) if t.call == call.0 => t.target.clone(),
                _ => return,
            }
        };
        match code {
            180..=183 => self.report(PhoneAction::Notice(tr(
                "dock-transfer-ringing",
                &[("target", (&target).into())],
            ))),
            100..=199 => {}
            200..=299 => {
                if let Some(t) = self.0.borrow_mut().transfer.as_mut() {
                    t.confirmed = true;
                }
                self.report(PhoneAction::Notice(tr(
                    "dock-transferred",
                    &[("target", (&target).into())],
                )))
            }
            _ => {
                self.0.borrow_mut().transfer = None;
                self.report(PhoneAction::Notice(tr(
                    "dock-transfer-failed",
                    &[
                        ("target", (&target).into()),
                        ("why", failure_text(code, reason).into()),
                    ],
                )));
            }
        }
    }

    /// Ends the current call without touching the other one.
    fn end_current(&self) {
        let slot = self.0.borrow_mut().slot.take();
        if let Some(slot) = slot {
            if let Some(ep) = self.0.borrow_mut().ep.as_mut() {
                end_call(ep, &slot);
            }
            self.flush();
            self.report(PhoneAction::CallEnded {
                id: slot.view.id,
                outcome: None,
            });
        }
    }

    /// A keypad press during a call: an RFC 4733 DTMF event.
    pub fn dtmf(&self, key: char) {
        if self.forwarded(Command::Dtmf { key }) {
            return;
        }
        if let Some(audio) = self.audio() {
            audio.send_dtmf(&key.to_string());
        }
    }
}

/// Gives `audio` the far end's answer to our pending offer, if one is pending.
fn take_answer_on(audio: Rc<CallAudio>, sdp: Vec<u8>) {
    if !audio.awaits_answer() {
        return;
    }
    let sdp = String::from_utf8_lossy(&sdp).into_owned();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = audio.take_answer(&sdp).await;
    });
}

/// Ends a call in whatever state it is: CANCEL, 486 or BYE.
fn end_call(ep: &mut Endpoint<()>, slot: &Slot) {
    let call = CallHandle(slot.view.id);
    match slot.view.status {
        CallStatus::Preparing => {}
        CallStatus::Incoming => ep.reject(now(), call, 486),
        CallStatus::Calling | CallStatus::Ringing => ep.cancel(now(), call),
        CallStatus::Connecting | CallStatus::Talking => ep.bye(now(), call),
    }
}

/// The caller's number (or `anonymous`) from a From header.
/// A header value inside a URI's `?name=value` (RFC 3261 §19.1.1): the
/// reserved characters escaped.
fn escape_header_value(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Who calls, from the INVITE's From: the user part (the number, as the
/// relay may show it), or the display name when it says more (a colleague
/// calling from an extension: `Anna Smirnova (101)`).
fn caller_number(from: &str) -> String {
    let parsed = callcard_shared::sip::header::NameAddr::parse(from).ok();
    let uri = parsed.as_ref().map_or(from, |n| n.uri);
    let user = callcard_shared::sip::uri::Uri::parse(uri)
        .ok()
        .and_then(|u| u.user.map(|s| s.to_string()))
        .unwrap_or_else(|| t("dock-unknown-caller"));
    let display = parsed
        .and_then(|n| n.display)
        .map(|d| d.trim().trim_matches('"').trim().to_string())
        .filter(|d| !d.is_empty() && *d != user);
    display.unwrap_or(user)
}

fn sip_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/sip", location.host().ok()?))
}

fn random_token() -> String {
    let n = (js_sys::Math::random() * 2f64.powi(52)) as u64;
    format!("{n:x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_uri_keeps_only_dial_characters() {
        assert_eq!(
            request_uri("+7 (495) 123-45-67").as_deref(),
            Some("sip:+74951234567@callcard")
        );
        assert_eq!(request_uri("101").as_deref(), Some("sip:101@callcard"));
        assert_eq!(request_uri("*21#").as_deref(), Some("sip:*21%23@callcard"));
        assert_eq!(request_uri("  ( ) - "), None);
        assert_eq!(request_uri("+"), None);
    }

    #[test]
    fn failures_are_told_in_words() {
        assert_eq!(
            failure_text(403, "Forbidden"),
            "refused by the server (403)"
        );
        assert_eq!(failure_text(486, ""), "busy (486)");
        let limit = callcard_shared::refusal::RefusalCode::new("limit-concurrent")
            .with("n", 3)
            .with("scope", "user");
        assert_eq!(
            refused_text(403, "Limit: 3 concurrent calls", Some(&limit)),
            "Limit: 3 concurrent calls (403)"
        );
        crate::i18n::choose(crate::i18n::Lang::Pl);
        let polish = refused_text(403, "Limit: 3 concurrent calls", Some(&limit));
        crate::i18n::choose(crate::i18n::Lang::En);
        assert_eq!(polish, "osiągnięto limit: 3 jednoczesnych połączeń (403)");
        // The relay's own reason is what the user reads.
        assert_eq!(
            failure_text(403, "Limit: 3 concurrent calls"),
            "Limit: 3 concurrent calls (403)"
        );
    }

    #[test]
    fn the_notices_read_in_english_as_they_always_did() {
        assert_eq!(
            tr(
                "dock-transfer-failed",
                &[
                    ("target", "102".into()),
                    ("why", failure_text(486, "Busy Here").into()),
                ],
            ),
            "Transfer to 102 failed: busy (486). The call is still yours."
        );
        assert_eq!(
            tr("dock-reconnect-unreachable", &[("seconds", 30u32.into())]),
            "the server cannot be reached; trying again in 30 s"
        );
        assert_eq!(
            tr(
                "dock-reconnect-reason",
                &[
                    ("reason", "going away".into()),
                    ("code", 1001.to_string().into()),
                    ("seconds", 2u32.into()),
                ],
            ),
            "going away (1001); trying again in 2 s"
        );
        assert_eq!(
            tr("dock-register-failed", &[("code", 1500.to_string().into())]),
            "registration failed (1500)"
        );
        assert_eq!(
            tr(
                "dock-cannot-call",
                &[("why", "no microphone was found".into())]
            ),
            "Cannot call: no microphone was found."
        );
        assert_eq!(
            failure_text(503, "Service Unavailable"),
            "no line to the provider is available (503)"
        );
        assert_eq!(failure_text(502, ""), "the provider failed (502)");
        assert_eq!(
            failure_text(404, "Not Found"),
            "the number does not exist (404)"
        );
    }

    #[test]
    fn the_caller_number_comes_from_the_from_user_part() {
        assert_eq!(
            caller_number("\"+74951234567\" <sip:+74951234567@callcard.invalid>;tag=x"),
            "+74951234567"
        );
        assert_eq!(
            caller_number("<sip:anonymous@anonymous.invalid>"),
            "anonymous"
        );
        assert_eq!(
            caller_number("\"Anna Smirnova (101)\" <sip:101@callcard.invalid>;tag=y"),
            "Anna Smirnova (101)"
        );
    }
}
