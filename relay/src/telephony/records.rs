//! The call records' writer: the switch hands it what happened to a call
//! (started, answered, handed on, ended) and the events that name a call,
//! and goes on with the SIP at once. A task of its own writes the changes in
//! order, many in one transaction, and sends the events once the record
//! they name is on disk (with the record's id, which SQLite assigns).
//!
//! The switch names a call by a key of its own ([`CallKey`]); this task
//! maps it to the record's id. Times are taken when the switch hands a
//! change over, not when it is written. When the database fails (locked,
//! read-only, full, closed) the changes are lost and logged once per
//! failure streak; the calls carry on.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use callcard_shared::api::ServerEvent;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::mpsc;

use super::Telephony;
use crate::crm;
use crate::crm::calls::NewCall;
use crate::time::now_rfc3339;

/// The switch's name for a call record, before and after it is written.
pub type CallKey = i64;

/// The most changes written in one transaction.
const BATCH: usize = 4096;
/// How many ended calls' keys are remembered (for events after the end).
const REMEMBER_ENDED: usize = 4096;

/// One change, with the time it happened.
#[derive(Debug)]
pub(crate) enum Op {
    Start {
        key: CallKey,
        call: NewCall,
        at: String,
    },
    HandedOn {
        key: CallKey,
        from: CallKey,
        user_id: i64,
        at: String,
    },
    Internal {
        key: CallKey,
    },
    Answered {
        key: CallKey,
        trunk_id: Option<i64>,
        at: String,
    },
    AnsweredBy {
        key: CallKey,
        user_id: i64,
        at: String,
    },
    Finish {
        key: CallKey,
        status: String,
        cause: String,
        side: String,
        at: String,
    },
    /// Call `key` is being recorded; `pause` pauses it (kept by record
    /// id for `PUT /api/calls/{id}/recording/pause` until it is recorded).
    Recording {
        key: CallKey,
        path: String,
        pause: tokio::sync::watch::Sender<bool>,
    },
    /// The audio quality call `key` had.
    Quality {
        key: CallKey,
        quality: callcard_shared::api::CallQuality,
    },
    /// What recording call `key` left, or why there is none.
    Recorded {
        key: CallKey,
        recording: Result<crate::recording::Recorded, String>,
    },
    /// An event naming call `key` (its `call_id`), for `user`.
    Notify {
        user: i64,
        event: ServerEvent,
    },
    /// The incoming-call card: the caller's contact and their last call,
    /// read once the record is written, for each of `users`.
    IncomingCall {
        key: CallKey,
        users: Vec<i64>,
        number: String,
        contact_id: Option<i64>,
    },
    /// Answers once everything handed over before it is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

impl Op {
    /// The key of the record this change creates.
    fn new_key(&self) -> Option<CallKey> {
        match self {
            Op::Start { key, .. } | Op::HandedOn { key, .. } => Some(*key),
            _ => None,
        }
    }
}

/// The switch's side: hands changes over without waiting.
#[derive(Clone)]
pub struct Records {
    tx: mpsc::UnboundedSender<Op>,
    next_key: Arc<AtomicI64>,
    /// Changes handed over so far (the writer counts the same ones and
    /// reports how many it is done with: `Input::RecordsDone`).
    sent: Arc<AtomicU64>,
}

impl Records {
    /// The writer task on `db`, sending events through `telephony`. The task
    /// ends when every `Records` is dropped and the queue is written.
    pub fn spawn(
        db: SqlitePool,
        telephony: Arc<Telephony>,
    ) -> (Records, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(Writer::new(db, telephony).run(rx));
        (Records::handing_to(tx), task)
    }

    /// Hands changes to `rx` instead of a writer (tests of the switch's
    /// core play the writer themselves).
    #[cfg(test)]
    pub(crate) fn detached() -> (Records, mpsc::UnboundedReceiver<Op>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Records::handing_to(tx), rx)
    }

    /// Keys from 1, nothing handed over yet, changes into `tx`.
    fn handing_to(tx: mpsc::UnboundedSender<Op>) -> Records {
        Records {
            tx,
            next_key: Arc::new(AtomicI64::new(1)),
            sent: Arc::new(AtomicU64::new(0)),
        }
    }

    fn send(&self, op: Op) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        // The writer only stops once every sender is gone.
        let _ = self.tx.send(op);
    }

    /// How many changes were handed over so far: once the writer reports
    /// `Input::RecordsDone { upto }` with `upto` at least this, all of them
    /// are on disk (or lost to a failing database).
    pub fn handed_over(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// A call starts now: its record is written in progress.
    pub fn start(&self, call: NewCall) -> CallKey {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        self.send(Op::Start {
            key,
            call,
            at: now_rfc3339(),
        });
        key
    }

    /// The call `from` goes on with `user_id` after a transfer: a new record
    /// with the same client, direction, number and trunk.
    pub fn handed_on(&self, from: CallKey, user_id: i64) -> CallKey {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        self.send(Op::HandedOn {
            key,
            from,
            user_id,
            at: now_rfc3339(),
        });
        key
    }

    /// The number rules classed the call as one between extensions.
    pub fn internal(&self, key: CallKey) {
        self.send(Op::Internal { key });
    }

    /// Answered now (through `trunk_id` when given).
    pub fn answered(&self, key: CallKey, trunk_id: Option<i64>) {
        self.send(Op::Answered {
            key,
            trunk_id,
            at: now_rfc3339(),
        });
    }

    /// An inbound call answered now by `user_id`: the call is now theirs.
    pub fn answered_by(&self, key: CallKey, user_id: i64) {
        self.send(Op::AnsweredBy {
            key,
            user_id,
            at: now_rfc3339(),
        });
    }

    /// Recording call `key` ended with `recording`.
    pub fn recorded(&self, key: CallKey, recording: Result<crate::recording::Recorded, String>) {
        self.send(Op::Recorded { key, recording });
    }

    /// The audio quality `key` had (written with its end).
    pub fn quality(&self, key: CallKey, quality: callcard_shared::api::CallQuality) {
        self.send(Op::Quality { key, quality });
    }

    /// Recording of `key` started into `path`; `pause` pauses and resumes it.
    pub fn recording(&self, key: CallKey, path: String, pause: tokio::sync::watch::Sender<bool>) {
        self.send(Op::Recording { key, path, pause });
    }

    /// Closed now with its final status.
    pub fn finish(&self, key: CallKey, status: &str, cause: &str, side: &str) {
        self.send(Op::Finish {
            key,
            status: status.to_string(),
            cause: cause.to_string(),
            side: side.to_string(),
            at: now_rfc3339(),
        });
    }

    /// Sends `event`, whose `call_id` is a key, once that record is written.
    pub fn notify(&self, user: i64, event: ServerEvent) {
        self.send(Op::Notify { user, event });
    }

    /// Shows `users` the incoming call `key` from `number` with the card of
    /// `contact_id`.
    pub fn incoming_call(
        &self,
        key: CallKey,
        users: Vec<i64>,
        number: String,
        contact_id: Option<i64>,
    ) {
        self.send(Op::IncomingCall {
            key,
            users,
            number,
            contact_id,
        });
    }

    /// A waiter for the writer that does not keep it running.
    pub fn waiter(&self) -> RecordsWaiter {
        RecordsWaiter(self.tx.downgrade())
    }
}

/// Whether the database refused one change for what it says (a constraint),
/// rather than failing as a whole (locked, read-only, full, closed).
fn refused_change(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => !matches!(db.kind(), sqlx::error::ErrorKind::Other),
        sqlx::Error::Protocol(_) | sqlx::Error::RowNotFound => true,
        _ => false,
    }
}

/// Waits for the writer without keeping it alive (it ends with the switch).
pub struct RecordsWaiter(mpsc::WeakUnboundedSender<Op>);

impl RecordsWaiter {
    /// Waits until everything handed over so far is written (or lost).
    pub async fn wait(&self) {
        if let Some(tx) = self.0.upgrade() {
            let (done, written) = tokio::sync::oneshot::channel();
            if tx.send(Op::Flush(done)).is_ok() {
                drop(tx);
                let _ = written.await;
            }
        }
    }
}

/// The writer task's state.
struct Writer {
    db: SqlitePool,
    telephony: Arc<Telephony>,
    /// Key → record id, for calls whose record was written.
    ids: HashMap<CallKey, i64>,
    /// Keys of ended calls, oldest first (forgotten past [`REMEMBER_ENDED`]).
    ended: VecDeque<CallKey>,
    /// The database refused the last change: the error is not logged again
    /// until a change is written.
    failing: bool,
    /// Changes lost in the current failure streak.
    lost: u64,
}

/// What is sent once a batch is committed, in order.
enum After {
    Event {
        user: i64,
        event: ServerEvent,
    },
    Card {
        key: CallKey,
        users: Vec<i64>,
        number: String,
        contact_id: Option<i64>,
    },
    Flushed(tokio::sync::oneshot::Sender<()>),
}

impl Writer {
    fn new(db: SqlitePool, telephony: Arc<Telephony>) -> Writer {
        Writer {
            db,
            telephony,
            ids: HashMap::new(),
            ended: VecDeque::new(),
            failing: false,
            lost: 0,
        }
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Op>) {
        let mut batch = Vec::with_capacity(BATCH);
        let mut done = 0u64;
        while rx.recv_many(&mut batch, BATCH).await > 0 {
            // The switch's changes, not the waiters' flushes.
            let changes = batch
                .iter()
                .filter(|op| !matches!(op, Op::Flush(_)))
                .count();
            self.write(std::mem::take(&mut batch)).await;
            if changes > 0 {
                done += changes as u64;
                // What the switch held back until its record was on disk
                // (a call's first INVITE, a 200 to the caller) goes now.
                let _ = self
                    .telephony
                    .inputs
                    .send(super::switch::Input::RecordsDone { upto: done });
            }
        }
    }

    /// The call_id events carry: the record's id, or (not written) the
    /// negated key, which names no record.
    fn id_of(&self, key: CallKey) -> i64 {
        self.ids.get(&key).copied().unwrap_or(-key)
    }

    async fn write(&mut self, batch: Vec<Op>) {
        let mut after = Vec::new();
        let mut new_ids = Vec::new();
        let mut failure = None;
        // IMMEDIATE: the write lock is taken (waiting out the busy timeout)
        // at the start; a deferred transaction that reads first fails at
        // once with SQLITE_BUSY when another connection wrote meanwhile.
        match self.db.begin_with("BEGIN IMMEDIATE").await {
            Ok(mut tx) => {
                for op in batch {
                    if failure.is_some() {
                        // The transaction is likely gone (and a locked
                        // database would make each change wait): the rest
                        // of the batch is not tried.
                        self.skip(op, &mut after);
                        continue;
                    }
                    let key = op.new_key();
                    match self.apply(&mut tx, op, &mut after).await {
                        Ok(()) => new_ids.extend(key),
                        // This one change is wrong (a user or trunk deleted
                        // meanwhile): it alone is lost, the batch goes on.
                        Err(e) if refused_change(&e) => {
                            self.lost += 1;
                            tracing::warn!("a call-record change was refused and is lost: {e}");
                        }
                        Err(e) => {
                            self.lost += 1;
                            failure = Some(e);
                        }
                    }
                }
                if let Err(e) = tx.commit().await {
                    self.lost += new_ids.len() as u64;
                    for key in &new_ids {
                        self.ids.remove(key);
                    }
                    failure.get_or_insert(e);
                }
            }
            Err(e) => {
                for op in batch {
                    self.skip(op, &mut after);
                }
                failure = Some(e);
            }
        }
        match failure {
            None if self.failing => {
                tracing::warn!(
                    lost = self.lost,
                    "call records are written again ({} changes were lost)",
                    self.lost
                );
                self.failing = false;
                self.lost = 0;
            }
            None => {}
            Some(e) if !self.failing => {
                tracing::error!(
                    "call records cannot be written: {e}; calls go on, their changes are lost \
                     until the database recovers (logged once)"
                );
                self.failing = true;
            }
            Some(_) => {}
        }
        self.send(after).await;
    }

    /// One change in the open transaction.
    async fn apply(
        &mut self,
        db: &mut SqliteConnection,
        op: Op,
        after: &mut Vec<After>,
    ) -> sqlx::Result<()> {
        match op {
            Op::Start { key, call, at } => {
                let id = crm::calls::start_at(db, &call, &at).await?;
                self.ids.insert(key, id);
            }
            Op::HandedOn {
                key,
                from,
                user_id,
                at,
            } => {
                let Some(&from) = self.ids.get(&from) else {
                    return Ok(()); // The first record was lost: so is this one.
                };
                let id = crm::calls::handed_on_at(db, from, Some(user_id), &at).await?;
                self.ids.insert(key, id);
            }
            Op::Internal { key } => {
                if let Some(&id) = self.ids.get(&key) {
                    crm::calls::set_internal(db, id).await?;
                }
            }
            Op::Answered { key, trunk_id, at } => {
                if let Some(&id) = self.ids.get(&key) {
                    crm::calls::answered_at(db, id, trunk_id, &at).await?;
                }
            }
            Op::AnsweredBy { key, user_id, at } => {
                if let Some(&id) = self.ids.get(&key) {
                    crm::calls::answered_by_at(db, id, user_id, &at).await?;
                }
            }
            Op::Recording { key, path, pause } => {
                if let Some(&id) = self.ids.get(&key) {
                    crm::calls::recording_started(db, id, &path).await?;
                    self.telephony.live_recordings().insert(id, pause);
                }
            }
            Op::Quality { key, quality } => {
                if let Some(&id) = self.ids.get(&key) {
                    crm::calls::quality(db, id, &quality).await?;
                }
            }
            Op::Recorded { key, recording } => {
                if let Some(&id) = self.ids.get(&key) {
                    self.telephony.live_recordings().remove(&id);
                    let recording = recording.as_ref().map_err(String::as_str);
                    crm::calls::recorded(db, id, recording).await?;
                }
            }
            Op::Finish {
                key,
                status,
                cause,
                side,
                at,
            } => {
                self.remember_ended(key);
                if let Some(&id) = self.ids.get(&key) {
                    let end = crm::calls::Ending {
                        status: &status,
                        cause: Some(&cause),
                        side: Some(&side),
                    };
                    crm::calls::finish_at(db, id, &end, &at).await?;
                }
            }
            other => self.skip(other, after),
        }
        Ok(())
    }

    /// Call `key` ended: its id is kept for late events, the oldest ended
    /// calls' ids are forgotten.
    fn remember_ended(&mut self, key: CallKey) {
        self.ended.push_back(key);
        while self.ended.len() > REMEMBER_ENDED {
            if let Some(old) = self.ended.pop_front() {
                self.ids.remove(&old);
            }
        }
    }

    /// What a change that is not written still owes: its events.
    fn skip(&mut self, op: Op, after: &mut Vec<After>) {
        match op {
            Op::Notify { user, event } => after.push(After::Event { user, event }),
            Op::IncomingCall {
                key,
                users,
                number,
                contact_id,
            } => after.push(After::Card {
                key,
                users,
                number,
                contact_id,
            }),
            Op::Flush(done) => after.push(After::Flushed(done)),
            Op::Finish { key, .. } => self.remember_ended(key),
            _ => self.lost += 1,
        }
    }

    /// The batch's events, with record ids in place of keys.
    async fn send(&mut self, after: Vec<After>) {
        for item in after {
            match item {
                After::Event { user, mut event } => {
                    self.name_record(&mut event);
                    self.telephony.notify(user, event);
                }
                After::Card {
                    key,
                    users,
                    number,
                    contact_id,
                } => {
                    let id = self.id_of(key);
                    let card = match contact_id {
                        Some(contact) if !self.failing => {
                            crm::contacts::caller(&self.db, contact, id)
                                .await
                                .ok()
                                .flatten()
                        }
                        _ => None,
                    };
                    let (contact, last_call) = match card {
                        Some((contact, last)) => (Some(contact), last),
                        None => (None, None),
                    };
                    for user in users {
                        self.telephony.notify(
                            user,
                            ServerEvent::IncomingCall {
                                call_id: id,
                                number: number.clone(),
                                contact: contact.clone(),
                                last_call: last_call.clone(),
                            },
                        );
                    }
                }
                After::Flushed(done) => {
                    let _ = done.send(());
                }
            }
        }
    }

    /// Replaces the key in an event's `call_id` by the record's id.
    fn name_record(&self, event: &mut ServerEvent) {
        match event {
            ServerEvent::IncomingCall { call_id, .. }
            | ServerEvent::CallEnded { call_id, .. }
            | ServerEvent::CallRecord { call_id, .. } => *call_id = self.id_of(*call_id),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn writer() -> (tempfile::TempDir, SqlitePool, Arc<Telephony>, Records) {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = crate::db::connect(&crate::config::Config::with_data_dir(dir.path()))
            .await
            .expect("database");
        let telephony = Telephony::new();
        let (records, _task) = Records::spawn(db.clone(), telephony.clone());
        (dir, db, telephony, records)
    }

    fn call(number: &str) -> NewCall {
        NewCall {
            direction: "inbound",
            user_id: None,
            number_dialled: number.into(),
            number_e164: Some(number.into()),
            contact_id: None,
            trunk_id: None,
        }
    }

    #[tokio::test]
    async fn changes_are_written_in_order_and_events_name_the_records_id() {
        let (_dir, db, telephony, records) = writer().await;
        let mut events = telephony.events.subscribe();
        let mut inputs = telephony.take_receiver().expect("the switch's queue");
        // Another writer took id 1 first: keys and ids differ.
        sqlx::query(
            "INSERT INTO call_records (started_at, direction, number_dialled, status)
             VALUES ('2026-01-01T00:00:00Z', 'inbound', '1', 'missed')",
        )
        .execute(&db)
        .await
        .unwrap();
        for (id, login) in [(3, "anna"), (4, "boris")] {
            sqlx::query(
                "INSERT INTO users (id, login, password_hash, display_name, group_id, created_at)
                 VALUES ($1, $2, 'x', $2, 1, '2026-01-01T00:00:00Z')",
            )
            .bind(id)
            .bind(login)
            .execute(&db)
            .await
            .unwrap();
        }
        let first = records.start(call("+74950000001"));
        records.notify(
            7,
            ServerEvent::CallEnded {
                call_id: first,
                status: "answered_elsewhere".into(),
            },
        );
        // A user that does not exist: that change alone is refused.
        records.answered_by(first, 99);
        records.answered_by(first, 3);
        records.finish(first, "answered", "normal clearing (BYE)", "caller");
        let second = records.handed_on(first, 4);
        records.finish(second, "missed", "nobody answered", "relay");
        let handed = records.handed_over();
        records.waiter().wait().await;

        let rows: Vec<(i64, Option<i64>, String, Option<String>)> =
            sqlx::query_as("SELECT id, user_id, status, answered_at FROM call_records ORDER BY id")
                .fetch_all(&db)
                .await
                .unwrap();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!((rows[1].1, rows[1].2.as_str()), (Some(3), "answered"));
        assert!(rows[1].3.is_some(), "the answer is on the record");
        assert_eq!((rows[2].1, rows[2].2.as_str()), (Some(4), "missed"));
        let event = events.recv().await.unwrap();
        assert_eq!(event.user_id, 7);
        assert!(
            matches!(event.event, ServerEvent::CallEnded { call_id, .. } if call_id == rows[1].0),
            "the event names record {}, not key {first}: {:?}",
            rows[1].0,
            event.event
        );
        // The switch hears that everything it handed over is written.
        let mut done = 0;
        while done < handed {
            match inputs.recv().await {
                Some(crate::telephony::switch::Input::RecordsDone { upto }) => done = upto,
                Some(_) => {}
                None => panic!("the queue closed"),
            }
        }
        assert_eq!(done, handed);
    }

    #[tokio::test]
    async fn a_closed_database_loses_the_changes_but_still_reports_them_done() {
        let (_dir, db, telephony, records) = writer().await;
        let mut inputs = telephony.take_receiver().expect("the switch's queue");
        let mut events = telephony.events.subscribe();
        db.close().await;
        let key = records.start(call("+74950000002"));
        records.incoming_call(key, vec![5], "+74950000002".into(), None);
        let handed = records.handed_over();
        let Some(crate::telephony::switch::Input::RecordsDone { upto }) = inputs.recv().await
        else {
            panic!("no report from the writer");
        };
        assert_eq!(upto, handed, "what waited for the record is released");
        // The phones still get the incoming call (its id names no record).
        let event = events.recv().await.unwrap();
        assert!(
            matches!(event.event, ServerEvent::IncomingCall { call_id, .. } if call_id == -key),
            "{:?}",
            event.event
        );
    }
}
