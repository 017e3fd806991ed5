//! The call log: `GET /api/calls` (filters, newest first, paged),
//! `GET /api/calls/export.csv` (the same filters, every matching call),
//! `GET /api/calls/{id}`, and what a user records after a call:
//! `PUT /api/calls/{id}/wrap-up` with the admins' outcomes list
//! (`GET`/`PUT /api/call-outcomes`). Administrators see every call,
//! everyone else their own; numbers are masked per the reader's group.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use axum::{Json, Router};
use callcard_shared::api::{
    ApiError, CallOutcomes, CallPage, CallQuery, CallRecord, CallWrapUp, UserRef,
};

use crate::auth::{AdminUser, CurrentUser};
use crate::crm::calls::{self, CallFilter, Visibility};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::extract::ApiQuery;
use crate::routes::parse_id;
use crate::state::AppState;
use crate::time::parse_bound;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", get(list))
        .route("/calls/export.csv", get(export_csv))
        .route("/calls/{id}", get(one))
        .route("/calls/{id}/wrap-up", put(wrap_up))
        .route("/call-outcomes", get(outcomes).put(set_outcomes))
}

pub(super) fn visibility(user: &CurrentUser) -> Visibility {
    if user.is_admin || user.hears_all_calls {
        Visibility::All
    } else {
        Visibility::OwnCalls(user.id)
    }
}

fn one_of(field: &str, value: Option<&str>, allowed: &[&str]) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
        Some(v) => Err(AppError::invalid(
            field,
            format!("`{v}` is not one of {}", allowed.join(", ")),
        )),
    }
}

fn bound(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => parse_bound(v).map(Some).ok_or_else(|| {
            AppError::invalid(
                field,
                format!("`{v}` is neither an RFC 3339 time nor a date YYYY-MM-DD"),
            )
        }),
    }
}

/// Checks a call-log query; each bad parameter answers 422 naming it.
pub fn filter(query: &CallQuery) -> AppResult<CallFilter> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    Ok(CallFilter {
        from: bound("from", query.from.as_deref())?,
        to: bound("to", query.to.as_deref())?,
        user_id: query.user_id,
        direction: one_of("direction", query.direction.as_deref(), &calls::DIRECTIONS)?,
        status: one_of("status", query.status.as_deref(), &calls::STATUSES)?,
        contact_id: query.contact_id,
        limit,
        offset: query.offset.unwrap_or(0),
    })
}

/// Calls matching the filters, newest first, a page at a time. Managers see
/// only their own calls.
#[utoipa::path(get, path = "/api/calls", tag = "calls", params(CallQuery),
    responses(
        (status = 200, body = CallPage),
        (status = 401, body = ApiError),
        (status = 422, description = "A bad `from`, `to`, `direction`, `status`, `limit` or `offset`", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<CallQuery>,
) -> AppResult<Json<CallPage>> {
    let filter = filter(&query)?;
    let mut page = calls::search(&state.db, &filter, visibility(&user)).await?;
    for record in &mut page.items {
        crate::masking::call(user.masking, record);
    }
    Ok(Json(page))
}

/// One call, if the user may see it.
#[utoipa::path(get, path = "/api/calls/{id}", tag = "calls",
    params(("id" = i64, Path, description = "Call record id")),
    responses((status = 200, body = CallRecord), (status = 401, body = ApiError),
        (status = 404, description = "No such call, or another manager's", body = ApiError)))]
pub async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<CallRecord>> {
    let id = parse_id(&id, "call")?;
    let mut record = visible_call(&state, &user, id).await?;
    crate::masking::call(user.masking, &mut record);
    Ok(Json(record))
}

/// Call `id` as stored, if `user` may see it in the log (else 404, as for
/// a call that does not exist). Not masked yet.
async fn visible_call(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<CallRecord> {
    calls::get(&state.db, id)
        .await?
        .filter(|record| visibility(user).allows(record))
        .ok_or_else(|| AppError::NotFound(format!("no call {id}")))
}

/// The calls matching the call log's filters (`limit`/`offset` ignored)
/// that `user` may see and `keep` keeps, newest first, at most `max`; not
/// masked yet.
pub(super) async fn matching(
    state: &AppState,
    user: &CurrentUser,
    query: CallQuery,
    max: usize,
    keep: impl Fn(&CallRecord) -> bool,
) -> AppResult<Vec<CallRecord>> {
    let mut filter = filter(&CallQuery {
        limit: None,
        offset: None,
        ..query
    })?;
    filter.limit = 1_000;
    let mut found = Vec::new();
    loop {
        let page = calls::search(&state.db, &filter, visibility(user)).await?;
        let n = page.items.len() as u32;
        found.extend(page.items.into_iter().filter(|r| keep(r)));
        filter.offset += n;
        if n < filter.limit || found.len() >= max {
            break;
        }
    }
    found.truncate(max);
    Ok(found)
}

/// Calls exported at most per request (the newest first).
pub const MAX_EXPORT: u32 = 100_000;

/// The calls matching the filters (`limit`/`offset` ignored), newest first,
/// as CSV for a spreadsheet; numbers masked as on screen. The file name
/// carries the date only, never a number.
#[utoipa::path(get, path = "/api/calls/export.csv", tag = "calls", params(CallQuery),
    responses(
        (status = 200, description = "text/csv, one row per call", content_type = "text/csv"),
        (status = 401, body = ApiError),
        (status = 422, description = "A bad filter, named", body = ApiError),
    ))]
pub async fn export_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<CallQuery>,
) -> AppResult<impl IntoResponse> {
    let mut out = String::from(
        "id,started_at,answered_at,ended_at,talk_seconds,direction,user,number,contact,status,end_cause,outcome,note\r\n",
    );
    for mut record in matching(&state, &user, query, MAX_EXPORT as usize, |_| true).await? {
        crate::masking::call(user.masking, &mut record);
        csv_row(&mut out, &record);
    }
    let name = format!(
        "calls-{}.csv",
        crate::time::now_rfc3339().get(..10).unwrap_or("export")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    ))
}

fn csv_row(out: &mut String, r: &CallRecord) {
    let number = r.number_e164.as_deref().unwrap_or(&r.number_dialled);
    let fields = [
        r.id.to_string(),
        r.started_at.clone(),
        r.answered_at.clone().unwrap_or_default(),
        r.ended_at.clone().unwrap_or_default(),
        r.talk_seconds.to_string(),
        r.direction.clone(),
        r.user
            .as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default(),
        number.to_string(),
        r.contact_name.clone().unwrap_or_default(),
        r.status.clone(),
        r.end_cause.clone().unwrap_or_default(),
        r.outcome.clone().unwrap_or_default(),
        r.note.clone().unwrap_or_default(),
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(field));
    }
    out.push_str("\r\n");
}

/// One CSV field (RFC 4180 quoting). A text a spreadsheet would run as a
/// formula (`=`, `@`, or `+`/`-` not followed by a number) gets a leading `'`.
pub fn csv_field(value: &str) -> String {
    let formula = match value.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !value[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '*' | '#' | '(' | ')' | '-')),
        _ => false,
    };
    let value = if formula {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Records the outcome, a note (also on the contact's card), a follow-up
/// task and, for an unknown caller, a new contact with the call's number.
/// Only the user whose call it is (or an administrator) may.
#[utoipa::path(put, path = "/api/calls/{id}/wrap-up", tag = "calls", request_body = CallWrapUp,
    params(("id" = i64, Path, description = "Call record id")),
    responses(
        (status = 200, body = CallRecord),
        (status = 401, body = ApiError),
        (status = 404, description = "No such call, or another user's", body = ApiError),
        (status = 422, description = "`outcome` not in the list, `note` too long, an empty `follow_up.title`, a bad `follow_up.due`, an empty `new_contact.name`, or `new_contact` for a call that has a contact", body = ApiError),
    ))]
pub async fn wrap_up(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CallWrapUp>,
) -> AppResult<Json<CallRecord>> {
    let id = parse_id(&id, "call")?;
    let record = calls::get(&state.db, id)
        .await?
        .filter(|record| visibility(&user).allows(record))
        .ok_or_else(|| AppError::NotFound(format!("no call {id}")))?;
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let outcome = trimmed(&input.outcome);
    if let Some(outcome) = &outcome {
        let allowed = calls::outcomes(&state.db).await?;
        if !allowed.contains(outcome) {
            return Err(AppError::invalid(
                "outcome",
                format!("`{outcome}` is not one of {}", allowed.join(", ")),
            ));
        }
    }
    let note = trimmed(&input.note);
    if note
        .as_ref()
        .is_some_and(|n| n.len() > CallWrapUp::MAX_NOTE_LEN)
    {
        return Err(AppError::invalid(
            "note",
            format!("must be at most {} bytes", CallWrapUp::MAX_NOTE_LEN),
        ));
    }
    let follow_up = match &input.follow_up {
        None => None,
        Some(f) => {
            let title = f.title.trim();
            if title.is_empty() {
                return Err(AppError::invalid("follow_up.title", "must not be empty"));
            }
            let due = bound("follow_up.due", f.due.as_deref())?;
            Some((title.to_string(), due))
        }
    };
    let new_contact = match &input.new_contact {
        None => None,
        Some(_) if record.contact_id.is_some() => {
            return Err(AppError::invalid(
                "new_contact",
                "this call already belongs to a contact",
            ))
        }
        Some(c) if c.name.trim().is_empty() => {
            return Err(AppError::invalid("new_contact.name", "must not be empty"))
        }
        Some(c) => Some((c.name.trim().to_string(), trimmed(&c.company))),
    };
    if follow_up.is_some() && record.contact_id.is_none() && new_contact.is_none() {
        return Err(AppError::invalid(
            "follow_up",
            "a follow-up needs a contact: create one with `new_contact`",
        ));
    }
    let author = UserRef {
        id: user.id,
        display_name: user.display_name.clone(),
    };
    let wrap = calls::WrapUp {
        outcome,
        note,
        follow_up,
        new_contact,
    };
    let contact = calls::wrap_up(
        &state.db,
        &record,
        &author,
        &wrap,
        state.config.default_region,
    )
    .await?;
    if let Some(contact) = contact.filter(|c| Some(*c) != record.contact_id) {
        // A new contact: its number now rings its manager.
        state
            .telephony
            .numbers
            .refresh_contact(&state.db, contact)
            .await?;
    }
    tracing::info!(call = id, user = %user.login, "call wrapped up");
    let mut record = calls::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no call {id}")))?;
    crate::masking::call(user.masking, &mut record);
    Ok(Json(record))
}

/// The outcomes to pick from after a call.
#[utoipa::path(get, path = "/api/call-outcomes", tag = "calls",
    responses((status = 200, body = CallOutcomes), (status = 401, body = ApiError)))]
pub async fn outcomes(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> AppResult<Json<CallOutcomes>> {
    Ok(Json(CallOutcomes {
        outcomes: calls::outcomes(&state.db).await?,
    }))
}

/// Replaces the outcomes list (administrators).
#[utoipa::path(put, path = "/api/call-outcomes", tag = "calls", request_body = CallOutcomes,
    responses((status = 200, body = CallOutcomes), (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 422, description = "An empty, duplicate or over-long outcome (`outcomes[i]`), or more than 50", body = ApiError)))]
pub async fn set_outcomes(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(input): ApiJson<CallOutcomes>,
) -> AppResult<Json<CallOutcomes>> {
    if input.outcomes.len() > 50 {
        return Err(AppError::invalid("outcomes", "at most 50 outcomes"));
    }
    let mut clean: Vec<String> = Vec::new();
    for (i, outcome) in input.outcomes.iter().enumerate() {
        let outcome = outcome.trim();
        if outcome.is_empty() || outcome.len() > 80 {
            return Err(AppError::invalid(
                format!("outcomes[{i}]"),
                "must be 1 to 80 characters",
            ));
        }
        if clean.iter().any(|o| o == outcome) {
            return Err(AppError::invalid(
                format!("outcomes[{i}]"),
                format!("`{outcome}` is listed twice"),
            ));
        }
        clean.push(outcome.to_string());
    }
    calls::set_outcomes(&state.db, &clean).await?;
    tracing::info!(admin = %admin.login, "call outcomes changed");
    Ok(Json(CallOutcomes { outcomes: clean }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(query: CallQuery) -> Option<String> {
        match filter(&query) {
            Ok(_) => None,
            Err(AppError::Invalid { field, .. }) => Some(field),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_good_query_is_normalized() {
        let f = filter(&CallQuery {
            from: Some("2026-11-01".into()),
            to: Some("2026-11-02T03:00:00+03:00".into()),
            direction: Some("inbound".into()),
            status: Some("no_answer".into()),
            ..CallQuery::default()
        })
        .unwrap();
        assert_eq!(f.from.as_deref(), Some("2026-11-01T00:00:00Z"));
        assert_eq!(f.to.as_deref(), Some("2026-11-02T00:00:00Z"));
        assert_eq!(f.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let cases = [
            (
                "from",
                CallQuery {
                    from: Some("last week".into()),
                    ..CallQuery::default()
                },
            ),
            (
                "to",
                CallQuery {
                    to: Some("2026-02-30".into()),
                    ..CallQuery::default()
                },
            ),
            (
                "direction",
                CallQuery {
                    direction: Some("sideways".into()),
                    ..CallQuery::default()
                },
            ),
            (
                "status",
                CallQuery {
                    status: Some("lost".into()),
                    ..CallQuery::default()
                },
            ),
            (
                "limit",
                CallQuery {
                    limit: Some(0),
                    ..CallQuery::default()
                },
            ),
            (
                "limit",
                CallQuery {
                    limit: Some(201),
                    ..CallQuery::default()
                },
            ),
        ];
        for (field, query) in cases {
            assert_eq!(field_of(query).as_deref(), Some(field));
        }
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("+74951234567"), "+74951234567");
        assert_eq!(csv_field("+*********67"), "+*********67");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(csv_field("@SUM(1)"), "'@SUM(1)");
    }
}
