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
    ws: WebSocketUpgrade,
) -> Response {
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
