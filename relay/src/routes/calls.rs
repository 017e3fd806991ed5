//! The call log: `GET /api/calls` (filters, newest first, paged) and
//! `GET /api/calls/{id}`. Administrators see every call, everyone else their own.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use callcard_shared::api::{ApiError, CallPage, CallQuery, CallRecord};

use crate::auth::CurrentUser;
use crate::crm::calls::{self, CallFilter, Visibility};
use crate::error::{AppError, AppResult};
use crate::extract::ApiQuery;
use crate::routes::parse_id;
use crate::state::AppState;
use crate::time::parse_bound;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", get(list))
        .route("/calls/{id}", get(one))
}

fn visibility(user: &CurrentUser) -> Visibility {
    if user.is_admin {
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
    calls::get(&state.db, id)
        .await?
        .filter(|record| visibility(&user).allows(record))
        .map(|mut record| {
            crate::masking::call(user.masking, &mut record);
            Json(record)
        })
        .ok_or_else(|| AppError::NotFound(format!("no call {id}")))
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
}
