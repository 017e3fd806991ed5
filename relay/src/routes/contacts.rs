//! `GET /api/contacts` (search and paging), `GET /api/contacts/{id}` (the card),
//! `POST /api/contacts/{id}/notes`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use callcard_shared::api::{
    ApiError, ContactCard, ContactPage, ContactQuery, NewNote, Note, UserRef,
};

use crate::auth::CurrentUser;
use crate::crm::contacts;
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list))
        .route("/contacts/{id}", get(card))
        .route("/contacts/{id}/notes", post(add_note))
}

/// Contacts matching `q` (name, company, e-mail, or a phone in any format), a page at a time.
#[utoipa::path(get, path = "/api/contacts", tag = "contacts", params(ContactQuery),
    responses(
        (status = 200, body = ContactPage),
        (status = 401, body = ApiError),
        (status = 422, description = "A bad `limit` or `offset`", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<ContactQuery>,
) -> AppResult<Json<ContactPage>> {
    let limit = query.limit.unwrap_or(ContactQuery::DEFAULT_LIMIT);
    if limit == 0 || limit > ContactQuery::MAX_LIMIT {
        return Err(AppError::invalid(
            "limit",
            format!("must be between 1 and {}", ContactQuery::MAX_LIMIT),
        ));
    }
    let page = contacts::search(
        &state.db,
        query.q.as_deref(),
        limit,
        query.offset.unwrap_or(0),
        state.config.default_region,
    )
    .await?;
    let mut page = page;
    for contact in &mut page.items {
        crate::masking::contact(user.masking, contact);
    }
    Ok(Json(page))
}

fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse()
        .map_err(|_| AppError::invalid("id", format!("`{raw}` is not a contact id")))
}

/// The contact card: details, phones, deals, notes and tasks.
#[utoipa::path(get, path = "/api/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = ContactCard), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn card(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<ContactCard>> {
    let id = parse_id(&id)?;
    contacts::card(&state.db, id)
        .await?
        .map(|mut card| {
            crate::masking::card(user.masking, &mut card);
            Json(card)
        })
        .ok_or_else(|| AppError::NotFound(format!("no contact {id}")))
}

/// Adds a note to the contact, signed by the current user.
#[utoipa::path(post, path = "/api/contacts/{id}/notes", tag = "contacts", request_body = NewNote,
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 201, body = Note), (status = 401, body = ApiError), (status = 404, body = ApiError),
        (status = 422, body = ApiError)))]
pub async fn add_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewNote>,
) -> AppResult<(StatusCode, Json<Note>)> {
    let id = parse_id(&id)?;
    let body = new.body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "must not be empty"));
    }
    if body.len() > NewNote::MAX_LEN {
        return Err(AppError::invalid(
            "body",
            format!("must be at most {} bytes", NewNote::MAX_LEN),
        ));
    }
    if !contacts::exists(&state.db, id).await? {
        return Err(AppError::NotFound(format!("no contact {id}")));
    }
    let author = UserRef {
        id: user.id,
        display_name: user.display_name,
    };
    let note = contacts::add_note(&state.db, id, &author, body).await?;
    Ok((StatusCode::CREATED, Json(note)))
}
