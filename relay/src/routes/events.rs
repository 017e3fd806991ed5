//! `GET /api/events`: the signed-in user's live events as Server-Sent Events —
//! incoming calls with the caller's card, calls ending, and for admins trunk
//! status changes. Keep-alive comments every 15 s keep proxies from closing it.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use callcard_shared::api::{ApiError, ServerEvent};
use futures_util::stream::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::CurrentUser;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

/// Server-Sent Events: `incoming_call`, `call_ended`, and `trunk_status` (admins).
#[utoipa::path(get, path = "/api/events", tag = "session",
    responses((status = 200, description = "text/event-stream of ServerEvent JSON", body = ServerEvent),
        (status = 401, body = ApiError)))]
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mine = state.telephony.events.subscribe();
    let trunks = user.is_admin.then(|| state.telephony.trunks.subscribe());
    let masking = user.masking;
    let stream = futures_util::stream::unfold(
        (mine, trunks, user.id),
        move |(mut mine, mut trunks, me)| async move {
            loop {
                let next = tokio::select! {
                    got = mine.recv() => match got {
                        Ok(e) if e.user_id == me => Some(e.event),
                        Ok(_) | Err(RecvError::Lagged(_)) => None,
                        Err(RecvError::Closed) => return None,
                    },
                    got = async {
                        match trunks.as_mut() {
                            Some(rx) => rx.recv().await,
                            None => std::future::pending().await,
                        }
                    } => match got {
                        Ok((trunk_id, status)) => Some(ServerEvent::TrunkStatus { trunk_id, status }),
                        Err(RecvError::Lagged(_)) => None,
                        Err(RecvError::Closed) => return None,
                    },
                };
                if let Some(mut event) = next {
                    crate::masking::event(masking, &mut event);
                    let sse = Event::default()
                        .event(event.name())
                        .json_data(&event)
                        .unwrap_or_else(|_| Event::default().comment("unserializable event"));
                    return Some((Ok(sse), (mine, trunks, me)));
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
