//! `/sip`: SIP over WebSocket for browsers (RFC 7118). The upgrade needs the
//! user's web session; each frame is one SIP message handed to the switch;
//! CRLF keep-alives (RFC 5626 §4.4.1) are answered here.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::switch::Input;
use crate::auth::CurrentUser;
use crate::state::AppState;

/// How often the relay pings an idle browser connection.
const PING_EVERY: Duration = Duration::from_secs(25);

/// The largest SIP message accepted in one WebSocket message.
const MAX_SIP_MESSAGE: usize = 64 * 1024;

/// Frames the switch sends to one connection.
pub type WsSender = mpsc::UnboundedSender<Vec<u8>>;

pub async fn upgrade(
    State(state): State<AppState>,
    user: CurrentUser,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // A browser always says which page opens the socket: only our own pages
    // may (cross-site WebSocket hijacking). SIP clients that are not browsers
    // send no Origin.
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("?"));
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok());
    if !same_origin(origin, host) {
        tracing::warn!(
            user = %user.login,
            %peer,
            origin = origin.unwrap_or_default(),
            "security: /sip WebSocket from another site's page refused"
        );
        return (
            StatusCode::FORBIDDEN,
            axum::Json(callcard_shared::api::ApiError {
                error: "the SIP WebSocket may only be opened by this site's own pages".into(),
                field: Some("Origin".into()),
            }),
        )
            .into_response();
    }
    // RFC 7118 §4: the client must offer the `sip` subprotocol.
    // Small buffers: tungstenite's 128 KiB default read buffer per socket would
    // cost more than everything else a registered browser holds. A SIP message
    // is far below 64 KiB (the parser's own limit refuses bigger ones anyway).
    let ws = ws
        .protocols(["sip"])
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(MAX_SIP_MESSAGE)
        .max_frame_size(MAX_SIP_MESSAGE);
    if ws.selected_protocol().is_none() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(callcard_shared::api::ApiError {
                error: "the WebSocket must offer the `sip` subprotocol (RFC 7118)".into(),
                field: Some("Sec-WebSocket-Protocol".into()),
            }),
        )
            .into_response();
    }
    ws.on_upgrade(move |socket| serve(state, user, peer, socket))
}

/// No `Origin` (not a browser), or one naming the host the request was sent to
/// (`http://127.0.0.1:8080` for `Host: 127.0.0.1:8080`), case-insensitively.
fn same_origin(origin: Option<&str>, host: Option<&str>) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let Some(host) = host else {
        return false;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|a| !a.contains('/') && a.eq_ignore_ascii_case(host))
}

async fn serve(state: AppState, user: CurrentUser, peer: SocketAddr, mut socket: WebSocket) {
    let conn = super::next_conn_id();
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let switch = state.telephony.inputs.clone();
    // What the switch needs of this user is read here, not in the switch.
    let account = state
        .telephony
        .accounts
        .ensure_user(&state.db, user.id)
        .await;
    state.telephony.maskings.ensure(&state.db, user.id).await;
    if switch
        .send(Input::WsOpen {
            conn,
            user_id: user.id,
            login: user.login.clone(),
            peer: peer.ip(),
            tx,
            account,
        })
        .is_err()
    {
        return;
    }
    tracing::debug!(conn, user = %user.login, "SIP WebSocket open");
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            frame = socket.recv() => {
                let Some(Ok(frame)) = frame else { break };
                let bytes = match frame {
                    Message::Text(text) => text.as_bytes().to_vec(),
                    Message::Binary(bytes) => bytes.to_vec(),
                    Message::Close(_) => break,
                    Message::Ping(_) | Message::Pong(_) => continue,
                };
                if bytes.iter().all(|b| *b == b'\r' || *b == b'\n') {
                    // RFC 5626 §4.4.1: a double CRLF ping gets a single CRLF pong.
                    if bytes.len() >= 4 && socket.send(Message::Text("\r\n".into())).await.is_err() {
                        break;
                    }
                    continue;
                }
                if switch.send(Input::Frame { conn, bytes }).is_err() {
                    break;
                }
            }
            out = rx.recv() => {
                let Some(bytes) = out else { break };
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    tracing::debug!(conn, user = %user.login, "SIP WebSocket closed");
    let _ = switch.send(Input::Closed { conn });
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn only_the_sites_own_pages_and_non_browsers_may_open_the_socket() {
        let host = Some("127.0.0.1:8080");
        assert!(same_origin(None, host), "a desk phone sends no Origin");
        assert!(same_origin(Some("http://127.0.0.1:8080"), host));
        assert!(same_origin(
            Some("https://CRM.example"),
            Some("crm.example")
        ));
        assert!(!same_origin(Some("https://evil.example"), host));
        assert!(!same_origin(Some("http://127.0.0.1:8081"), host));
        assert!(!same_origin(Some("null"), host), "a sandboxed frame");
        assert!(!same_origin(Some("http://127.0.0.1:8080/x"), host));
        assert!(!same_origin(Some("http://127.0.0.1:8080"), None));
    }
}
