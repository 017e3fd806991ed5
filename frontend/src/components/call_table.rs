//! Calls as a table — the call log page and a contact card's calls: when,
//! which way, who, how long, how it ended, and what was noted afterwards.
//! Every number can be clicked to call it again.

use callcard_shared::api::{CallRecord, Phone};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::click_to_call::ClickToCall;
use crate::format::{duration, timestamp};
use crate::i18n::{t, tr, use_lang, Arg};

#[derive(Properties, PartialEq)]
pub struct CallTableProps {
    pub calls: Vec<CallRecord>,
    pub on_call: Callback<String>,
    /// Hide the contact column (on the contact's own card).
    #[prop_or_default]
    pub without_contact: bool,
}

/// A status in words (one the app does not know is shown as the relay sent it).
pub fn status_text(status: &str) -> String {
    match status {
        "in_progress" => t("calls-log-status-in-progress"),
        "answered" => t("calls-log-status-answered"),
        "missed" => t("calls-log-status-missed"),
        "busy" => t("calls-log-status-busy"),
        "no_answer" => t("calls-log-status-no-answer"),
        "failed" => t("calls-log-status-failed"),
        "cancelled" => t("calls-log-status-cancelled"),
        "refused" => t("calls-log-status-refused"),
        "interrupted" => t("calls-log-status-interrupted"),
        other => other.to_owned(),
    }
}

#[component]
pub fn CallTable(props: &CallTableProps) -> Html {
    use_lang();
    if props.calls.is_empty() {
        return html! { <p class="muted" id="no-calls">{ t("calls-log-empty") }</p> };
    }
    let rows = props.calls.iter().map(|c| {
        let arrow = match c.direction.as_str() {
            "inbound" => t("calls-log-way-in"),
            "outbound" => t("calls-log-way-out"),
            _ => t("calls-log-way-internal"),
        };
        let number = c
            .number_e164
            .clone()
            .unwrap_or_else(|| c.number_dialled.clone());
        // A masked number (`*`) or a hidden one cannot be dialled again here.
        let dialable = !number.is_empty() && !number.contains('*');
        let phone = Phone {
            id: c.id,
            raw: number.clone(),
            e164: c.number_e164.clone(),
            reference: String::new(),
        };
        let contact = match (c.contact_id, &c.contact_name) {
            (Some(id), Some(name)) => html! {
                <Link<Route> to={Route::Contact { id }}>{ name.clone() }</Link<Route>>
            },
            _ => html! { <span class="muted">{ t("calls-log-unknown-contact") }</span> },
        };
        html! {
            <tr key={c.id} class={classes!("call-row", c.status.clone())} data-call-id={c.id.to_string()}>
                <td class="nowrap">{ timestamp(&c.started_at) }</td>
                <td class="nowrap">{ arrow }</td>
                <td>
                    if dialable {
                        <ClickToCall phone={phone} on_call={props.on_call.clone()} />
                    } else {
                        <span class="muted">{ if number.is_empty() { t("calls-log-hidden-number") } else { number.clone() } }</span>
                    }
                </td>
                if !props.without_contact {
                    <td>{ contact }</td>
                }
                <td>{ c.user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default() }</td>
                <td class="nowrap">{ if c.answered_at.is_some() { duration(c.talk_seconds) } else { "—".into() } }</td>
                <td title={c.end_cause.clone().unwrap_or_default()}>{ status_text(&c.status) }</td>
                <td class="call-outcome-cell">{ c.outcome.clone().unwrap_or_default() }</td>
                <td class="call-note">{ c.note.clone().unwrap_or_default() }</td>
                <td class="call-recording">{ recording(c) }</td>
                <td class="call-quality nowrap">{ quality(c) }</td>
            </tr>
        }
    });
    html! {
        <div class="table-wrap">
            <table class="calls-table">
                <thead>
                    <tr>
                        <th>{ t("calls-log-col-when") }</th>
                        <th>{ t("calls-log-col-way") }</th>
                        <th>{ t("calls-log-col-number") }</th>
                        if !props.without_contact {
                            <th>{ t("calls-log-col-contact") }</th>
                        }
                        <th>{ t("calls-log-col-user") }</th>
                        <th>{ t("calls-log-col-talk") }</th>
                        <th>{ t("calls-log-col-status") }</th>
                        <th>{ t("calls-log-col-outcome") }</th>
                        <th>{ t("calls-log-col-note") }</th>
                        <th>{ t("calls-log-col-recording") }</th>
                        <th>{ t("calls-log-col-quality") }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}

/// The estimated MOS, with each side's loss and jitter (and the round
/// trip) on hover; a score under 3.6 is marked (people notice).
fn quality(c: &CallRecord) -> Html {
    let Some(q) = &c.quality else {
        return html! {};
    };
    // The decimals are formatted here, as before; the counts go in as
    // numbers (the packets' plural form depends on them).
    let side = |s: &callcard_shared::api::StreamQuality| {
        let expected = (s.received + s.lost).max(1);
        let percent = format!("{:.1}", s.lost as f64 / expected as f64 * 100.0);
        let jitter = format!("{:.0}", s.jitter_ms);
        vec![
            ("lost", Arg::from(s.lost)),
            ("expected", expected.into()),
            ("percent", percent.into()),
            ("jitter", jitter.into()),
        ]
    };
    let mut title = format!(
        "{}\n{}",
        tr("calls-log-quality-client", &side(&q.client)),
        tr("calls-log-quality-ours", &side(&q.ours))
    );
    if let Some(rtt) = q.rtt_ms {
        title.push('\n');
        title.push_str(&tr(
            "calls-log-quality-rtt",
            &[("rtt", format!("{rtt:.0}").into())],
        ));
    }
    html! {
        <span class={classes!("mos", (q.mos < 3.6).then_some("mos-poor"))} {title}>
            { format!("MOS {:.1}", q.mos) }
        </span>
    }
}

/// The call's player (the browser fetches only what is played: Range), and
/// its download; or why there is none.
pub(crate) fn recording(c: &CallRecord) -> Html {
    match (c.recording_seconds, &c.recording_note) {
        (Some(_), _) => {
            let src = format!("/api/calls/{}/recording", c.id);
            let download = format!("{src}?download=1");
            let paused: Vec<String> = c
                .recording_paused
                .iter()
                .map(|[from, to]| {
                    format!(
                        "{}–{}",
                        crate::format::duration(*from as i64),
                        crate::format::duration(to.ceil() as i64)
                    )
                })
                .collect();
            html! {
                <span class="recording">
                    <audio controls=true preload="none" src={src}></audio>
                    <a href={download} class="recording-download" title={t("calls-log-recording-download")}>{ "⤓" }</a>
                    if !paused.is_empty() {
                        <span class="recording-paused small muted">
                            { tr("calls-log-recording-paused", &[("ranges", paused.join(", ").into())]) }
                        </span>
                    }
                </span>
            }
        }
        (None, Some(note)) => html! { <span class="muted">{ note.clone() }</span> },
        (None, None) => html! {},
    }
}
