//! Call records: written by the SIP runtime when a call starts, is answered
//! and ends; read by the call log with filters, paging and per-user visibility.

use callcard_shared::api::{CallPage, CallRecord, UserRef};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::time::{now_rfc3339, seconds_between};

pub const DIRECTIONS: [&str; 3] = ["inbound", "outbound", "internal"];
/// Every status a record can have (`in_progress` until it ends).
pub const STATUSES: [&str; 9] = [
    "in_progress",
    "answered",
    "missed",
    "busy",
    "no_answer",
    "failed",
    "cancelled",
    "refused",
    "interrupted",
];
pub const HANGUP_SIDES: [&str; 3] = ["caller", "callee", "relay"];

/// A call as it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall {
    /// `inbound`, `outbound` or `internal`.
    pub direction: &'static str,
    /// The CRM user on our side (the caller, or who took the call).
    pub user_id: Option<i64>,
    /// The number as dialled or as the trunk presented it.
    pub number_dialled: String,
    pub number_e164: Option<String>,
    pub contact_id: Option<i64>,
    pub trunk_id: Option<i64>,
}

/// Writes the record of a call that starts now (status `in_progress`).
pub async fn start(db: &SqlitePool, call: NewCall) -> sqlx::Result<i64> {
    start_at(&mut *db.acquire().await?, &call, &now_rfc3339()).await
}

/// Writes the record of a call that started `at` (RFC 3339), in progress.
pub async fn start_at(db: &mut SqliteConnection, call: &NewCall, at: &str) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO call_records (started_at, direction, user_id, number_dialled, number_e164,
                                   contact_id, trunk_id, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_progress') RETURNING id",
    )
    .bind(at)
    .bind(call.direction)
    .bind(call.user_id)
    .bind(&call.number_dialled)
    .bind(&call.number_e164)
    .bind(call.contact_id)
    .bind(call.trunk_id)
    .fetch_one(db)
    .await?;
    Ok(id)
}

/// A call transferred on `at`: a new record with the same client, direction,
/// number and trunk as `from`, in progress, for `user_id`.
pub async fn handed_on_at(
    db: &mut SqliteConnection,
    from: i64,
    user_id: Option<i64>,
    at: &str,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO call_records (started_at, direction, user_id, number_dialled, number_e164,
                                   contact_id, trunk_id, status)
         SELECT $1, direction, $2, number_dialled, number_e164, contact_id, trunk_id, 'in_progress'
           FROM call_records WHERE id = $3
         RETURNING id",
    )
    .bind(at)
    .bind(user_id)
    .bind(from)
    .fetch_one(db)
    .await?;
    Ok(id)
}

/// A call the number rules classed as one between extensions.
pub async fn set_internal(db: &mut SqliteConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE call_records SET direction = 'internal' WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Notes that call `id` was answered now (the first answer counts), through
/// `trunk_id` when given. The status stays `in_progress` until [`finish`].
pub async fn answered(db: &SqlitePool, id: i64, trunk_id: Option<i64>) -> sqlx::Result<()> {
    answered_at(&mut *db.acquire().await?, id, trunk_id, &now_rfc3339()).await
}

/// [`answered`] `at` (RFC 3339).
pub async fn answered_at(
    db: &mut SqliteConnection,
    id: i64,
    trunk_id: Option<i64>,
    at: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE call_records SET answered_at = COALESCE(answered_at, $1),
                trunk_id = COALESCE($2, trunk_id)
          WHERE id = $3 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(trunk_id)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// What recording call `id` left: its file (relative to the data
/// directory), length, size and paused spans — or why there is none.
pub async fn recorded(
    db: &mut SqliteConnection,
    id: i64,
    recording: Result<&crate::recording::Recorded, &str>,
) -> sqlx::Result<()> {
    let (path, seconds, bytes, paused, error) = match recording {
        Ok(r) => (
            Some(r.path.as_str()),
            Some(r.seconds),
            Some(r.bytes),
            (!r.paused.is_empty()).then(|| serde_json::to_string(&r.paused).unwrap_or_default()),
            r.stopped_early.as_deref(),
        ),
        Err(error) => (None, None, None, None, Some(error)),
    };
    sqlx::query(
        "UPDATE call_records SET recording_path = $1, recording_seconds = $2,
                recording_bytes = $3, recording_paused = $4, recording_error = $5
          WHERE id = $6",
    )
    .bind(path)
    .bind(seconds)
    .bind(bytes)
    .bind(paused)
    .bind(error)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// The audio quality call `id` had.
pub async fn quality(
    db: &mut SqliteConnection,
    id: i64,
    quality: &callcard_shared::api::CallQuality,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE call_records SET quality = $1 WHERE id = $2")
        .bind(serde_json::to_string(quality).unwrap_or_default())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Call `id` is being recorded into `path`: on the record from the start,
/// so a relay that stops mid-call leaves the file findable.
pub async fn recording_started(db: &mut SqliteConnection, id: i64, path: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE call_records SET recording_path = $1 WHERE id = $2")
        .bind(path)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Where call `id`'s recording is, relative to the data directory (None:
/// none to play — the record's `recording_note` says why).
pub async fn recording_path(db: &SqlitePool, id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT recording_path FROM call_records WHERE id = $1 AND recording_deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(path,)| path))
}

/// The recording files of the calls `ids` that have one (not deleted):
/// id → (path relative to the data directory, bytes).
pub async fn recording_files(
    db: &SqlitePool,
    ids: &[i64],
) -> sqlx::Result<std::collections::HashMap<i64, (String, i64)>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let rows: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, recording_path, recording_bytes FROM call_records
          WHERE id IN (SELECT value FROM json_each($1))
            AND recording_path IS NOT NULL AND recording_deleted_at IS NULL",
    )
    .bind(list)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, path, bytes)| (id, (path, bytes.unwrap_or(0))))
        .collect())
}

/// An inbound call answered `at` by `user_id`: the call is now theirs.
pub async fn answered_by_at(
    db: &mut SqliteConnection,
    id: i64,
    user_id: i64,
    at: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE call_records SET answered_at = COALESCE(answered_at, $1), user_id = $2
          WHERE id = $3 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(user_id)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Closes call `id` now with its final `status` (one of [`STATUSES`] but
/// `in_progress`), counting the talk time from the answer. A call already
/// closed is left as it is: the answer is then `false`. An unknown status or
/// hangup side is refused with an error and changes nothing.
pub async fn finish(
    db: &SqlitePool,
    id: i64,
    status: &str,
    end_cause: Option<&str>,
    hangup_side: Option<&str>,
) -> sqlx::Result<bool> {
    let end = Ending {
        status,
        cause: end_cause,
        side: hangup_side,
    };
    finish_at(&mut *db.acquire().await?, id, &end, &now_rfc3339()).await
}

/// How a call ended: its final status, cause and who hung up.
#[derive(Debug, Clone, Copy)]
pub struct Ending<'a> {
    pub status: &'a str,
    pub cause: Option<&'a str>,
    pub side: Option<&'a str>,
}

/// [`finish`] with the end `at` (RFC 3339).
pub async fn finish_at(
    db: &mut SqliteConnection,
    id: i64,
    end: &Ending<'_>,
    at: &str,
) -> sqlx::Result<bool> {
    let status = end.status;
    if status == "in_progress" || !STATUSES.contains(&status) {
        return Err(sqlx::Error::Protocol(format!(
            "call record {id}: `{status}` is not a final call status"
        )));
    }
    if let Some(side) = end.side.filter(|s| !HANGUP_SIDES.contains(s)) {
        return Err(sqlx::Error::Protocol(format!(
            "call record {id}: `{side}` is not a hangup side"
        )));
    }
    let open: Option<(Option<String>,)> =
        sqlx::query_as("SELECT answered_at FROM call_records WHERE id = $1 AND ended_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *db)
            .await?;
    let Some((answered_at,)) = open else {
        return Ok(false);
    };
    let talk = answered_at.map_or(0, |a| seconds_between(&a, at));
    let done = sqlx::query(
        "UPDATE call_records SET ended_at = $1, talk_seconds = $2, status = $3, end_cause = $4,
                hangup_side = $5
          WHERE id = $6 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(talk)
    .bind(status)
    .bind(end.cause)
    .bind(end.side)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// `record_columns!(" WHERE …")`: the query as one `&'static str`.
macro_rules! record_columns {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.started_at, c.answered_at, c.ended_at,
        c.talk_seconds, c.direction, c.user_id, u.display_name AS user_name, c.number_dialled,
        c.number_e164, c.contact_id, ct.name AS contact_name, c.trunk_id, c.status, c.end_cause,
        c.hangup_side, c.outcome, c.note,
        CASE WHEN c.recording_deleted_at IS NULL THEN c.recording_seconds END AS recording_seconds,
        CASE WHEN c.recording_deleted_at IS NOT NULL
             THEN COALESCE(c.recording_error, 'deleted') || ' on '
                  || substr(c.recording_deleted_at, 1, 10)
             ELSE c.recording_error END AS recording_note,
        CASE WHEN c.recording_deleted_at IS NULL THEN c.recording_paused END AS recording_paused,
        c.quality
   FROM call_records c
   LEFT JOIN users u ON u.id = c.user_id
   LEFT JOIN contacts ct ON ct.id = c.contact_id",
            $tail
        )
    };
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    started_at: String,
    answered_at: Option<String>,
    ended_at: Option<String>,
    talk_seconds: i64,
    direction: String,
    user_id: Option<i64>,
    user_name: Option<String>,
    number_dialled: String,
    number_e164: Option<String>,
    contact_id: Option<i64>,
    contact_name: Option<String>,
    trunk_id: Option<i64>,
    status: String,
    end_cause: Option<String>,
    hangup_side: Option<String>,
    outcome: Option<String>,
    note: Option<String>,
    recording_seconds: Option<f64>,
    recording_note: Option<String>,
    recording_paused: Option<String>,
    quality: Option<String>,
}

impl From<RecordRow> for CallRecord {
    fn from(r: RecordRow) -> Self {
        CallRecord {
            id: r.id,
            started_at: r.started_at,
            answered_at: r.answered_at,
            ended_at: r.ended_at,
            talk_seconds: r.talk_seconds,
            direction: r.direction,
            user: match (r.user_id, r.user_name) {
                (Some(id), Some(display_name)) => Some(UserRef { id, display_name }),
                _ => None,
            },
            number_dialled: r.number_dialled,
            number_e164: r.number_e164,
            contact_id: r.contact_id,
            contact_name: r.contact_name,
            trunk_id: r.trunk_id,
            status: r.status,
            end_cause: r.end_cause,
            hangup_side: r.hangup_side,
            outcome: r.outcome,
            note: r.note,
            recording_seconds: r.recording_seconds,
            recording_note: r.recording_note,
            recording_paused: r
                .recording_paused
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default(),
            quality: r.quality.and_then(|json| serde_json::from_str(&json).ok()),
        }
    }
}

pub async fn get(db: &SqlitePool, id: i64) -> sqlx::Result<Option<CallRecord>> {
    let row: Option<RecordRow> = sqlx::query_as(record_columns!(" WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(CallRecord::from))
}

/// Whose calls a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Only the calls of this CRM user.
    OwnCalls(i64),
}

impl Visibility {
    pub fn allows(self, record: &CallRecord) -> bool {
        match self {
            Visibility::All => true,
            Visibility::OwnCalls(me) => record.user.as_ref().is_some_and(|u| u.id == me),
        }
    }
}

/// A checked call-log query: bounds in the stored timestamp form, direction
/// and status among the known ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    /// Started at or after.
    pub from: Option<String>,
    /// Started before.
    pub to: Option<String>,
    pub user_id: Option<i64>,
    pub direction: Option<String>,
    pub status: Option<String>,
    pub contact_id: Option<i64>,
    pub limit: u32,
    pub offset: u32,
}

fn push_filter(qb: &mut QueryBuilder<Sqlite>, filter: &CallFilter, visibility: Visibility) {
    let mut first = true;
    let mut and = |qb: &mut QueryBuilder<Sqlite>| {
        qb.push(if first { " WHERE " } else { " AND " });
        first = false;
    };
    if let Visibility::OwnCalls(me) = visibility {
        and(qb);
        qb.push("c.user_id = ").push_bind(me);
    }
    if let Some(from) = &filter.from {
        and(qb);
        qb.push("c.started_at >= ").push_bind(from.clone());
    }
    if let Some(to) = &filter.to {
        and(qb);
        qb.push("c.started_at < ").push_bind(to.clone());
    }
    if let Some(user_id) = filter.user_id {
        and(qb);
        qb.push("c.user_id = ").push_bind(user_id);
    }
    if let Some(direction) = &filter.direction {
        and(qb);
        qb.push("c.direction = ").push_bind(direction.clone());
    }
    if let Some(status) = &filter.status {
        and(qb);
        qb.push("c.status = ").push_bind(status.clone());
    }
    if let Some(contact_id) = filter.contact_id {
        and(qb);
        qb.push("c.contact_id = ").push_bind(contact_id);
    }
}

/// The calls matching `filter` that `visibility` lets the reader see, newest
/// first, a page at a time, with the total count.
pub async fn search(
    db: &SqlitePool,
    filter: &CallFilter,
    visibility: Visibility,
) -> sqlx::Result<CallPage> {
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM call_records c");
    push_filter(&mut count, filter, visibility);
    let (total,): (i64,) = count.build_query_as().fetch_one(db).await?;

    let mut select = QueryBuilder::<Sqlite>::new(record_columns!(""));
    push_filter(&mut select, filter, visibility);
    select
        .push(" ORDER BY c.started_at DESC, c.id DESC LIMIT ")
        .push_bind(i64::from(filter.limit))
        .push(" OFFSET ")
        .push_bind(i64::from(filter.offset));
    let rows: Vec<RecordRow> = select.build_query_as().fetch_all(db).await?;
    Ok(CallPage {
        total,
        items: rows.into_iter().map(CallRecord::from).collect(),
    })
}

/// What a user recorded after a call, checked.
#[derive(Debug, Clone, Default)]
pub struct WrapUp {
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// A follow-up task: title and due time (stored form).
    pub follow_up: Option<(String, Option<String>)>,
    /// Create this contact (name, company) for the call's number first.
    pub new_contact: Option<(String, Option<String>)>,
}

/// Stores a wrap-up in one transaction: a new contact for the call's
/// number if asked (linked to the call), the outcome and note on the record,
/// the note on the contact's card and the follow-up as the user's task.
/// Returns the contact the call now belongs to.
pub async fn wrap_up(
    db: &SqlitePool,
    record: &CallRecord,
    author: &UserRef,
    wrap: &WrapUp,
    region: callcard_shared::phone::Region,
) -> sqlx::Result<Option<i64>> {
    let mut tx = db.begin().await?;
    let mut contact_id = record.contact_id;
    if let (None, Some((name, company))) = (contact_id, &wrap.new_contact) {
        let number = record
            .number_e164
            .clone()
            .unwrap_or_else(|| record.number_dialled.clone());
        let new = super::contacts::NewContact {
            name,
            company: company.as_deref(),
            status: "lead",
            responsible_id: Some(author.id),
            phones: vec![number.as_str()],
            ..Default::default()
        };
        let id = super::contacts::create(&mut tx, &new, region).await?;
        sqlx::query("UPDATE call_records SET contact_id = $1 WHERE id = $2")
            .bind(id)
            .bind(record.id)
            .execute(&mut *tx)
            .await?;
        contact_id = Some(id);
    }
    sqlx::query("UPDATE call_records SET outcome = $1, note = $2 WHERE id = $3")
        .bind(&wrap.outcome)
        .bind(&wrap.note)
        .bind(record.id)
        .execute(&mut *tx)
        .await?;
    let now = now_rfc3339();
    if let Some(contact) = contact_id {
        let text = match (&wrap.outcome, &wrap.note) {
            (Some(outcome), Some(note)) => Some(format!("{outcome}: {note}")),
            (None, Some(note)) => Some(note.clone()),
            _ => None,
        };
        if let Some(body) = text {
            sqlx::query(
                "INSERT INTO notes (contact_id, call_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(contact)
            .bind(record.id)
            .bind(author.id)
            .bind(body)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        if let Some((title, due)) = &wrap.follow_up {
            sqlx::query(
                "INSERT INTO tasks (contact_id, call_id, assignee_id, title, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(contact)
            .bind(record.id)
            .bind(author.id)
            .bind(title)
            .bind(due)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(contact_id)
}

/// The outcomes users pick from after a call (settings `call_outcomes`).
pub const DEFAULT_OUTCOMES: [&str; 5] = [
    "Interested",
    "Call back later",
    "Not interested",
    "Wrong number",
    "Deal won",
];

pub async fn outcomes(db: &SqlitePool) -> sqlx::Result<Vec<String>> {
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT value FROM settings WHERE key = 'call_outcomes'")
            .fetch_optional(db)
            .await?;
    Ok(stored
        .and_then(|(json,)| serde_json::from_str(&json).ok())
        .unwrap_or_else(|| DEFAULT_OUTCOMES.iter().map(|s| s.to_string()).collect()))
}

pub async fn set_outcomes(db: &SqlitePool, outcomes: &[String]) -> sqlx::Result<()> {
    let json = serde_json::to_string(outcomes).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('call_outcomes', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(json)
    .execute(db)
    .await?;
    Ok(())
}
