//! `/admin/recordings`: which calls are recorded — at all, per direction,
//! per access group and per user — how many days recordings are kept, and
//! which groups hear every call's recording (saved as soon as it is ticked).
//! The relay decides at each answer; this page only edits the settings.

use callcard_shared::api::{
    AccessGroup, RecordingSettings, RecordingStatus, UserRecording, UserSummary,
};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{checked, load_notice, TextField};
use crate::hooks::{use_session, use_title};
use crate::i18n::{t, tr, use_lang};
use crate::services::{admin, api};
use crate::state::admin::Load;

/// Everything the page shows, as loaded.
#[derive(Clone, PartialEq)]
struct Loaded {
    saved: RecordingSettings,
    groups: Vec<AccessGroup>,
    users: Vec<UserSummary>,
    status: RecordingStatus,
}

async fn load_all() -> Result<Loaded, crate::services::error::ApiFailure> {
    Ok(Loaded {
        saved: admin::recording_settings().await?,
        groups: admin::groups().await?,
        users: api::users().await?,
        status: admin::recording_status().await?,
    })
}

/// A user's choice in the select: the group's, always or never.
fn user_choice(settings: &RecordingSettings, user: i64) -> &'static str {
    match settings.users.iter().find(|c| c.user_id == user) {
        Some(UserRecording { record: true, .. }) => "always",
        Some(UserRecording { record: false, .. }) => "never",
        None => "group",
    }
}

fn set_user_choice(settings: &mut RecordingSettings, user: i64, choice: &str) {
    settings.users.retain(|c| c.user_id != user);
    match choice {
        "always" => settings.users.push(UserRecording {
            user_id: user,
            record: true,
        }),
        "never" => settings.users.push(UserRecording {
            user_id: user,
            record: false,
        }),
        _ => {}
    }
}

#[component]
pub fn RecordingsPage() -> Html {
    use_lang();
    let session = use_session();
    use_title(t("recset-title"));
    let attempt = use_state(|| 0u32);
    let load = use_state(|| Load::Loading);
    let loaded = use_state(|| None::<Loaded>);
    let draft = use_state(RecordingSettings::default);
    let retention = use_state(String::new);
    let saving = use_state(|| false);
    let saved_mark = use_state(|| false);
    let error = use_state(|| None::<(Option<String>, String)>);
    let group_error = use_state(|| None::<String>);
    let announcement_error = use_state(|| None::<String>);

    {
        let (load, loaded, draft, retention) = (
            load.clone(),
            loaded.clone(),
            draft.clone(),
            retention.clone(),
        );
        let session = session.clone();
        use_effect_with(*attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match load_all().await {
                    Ok(all) => {
                        retention.set(all.saved.retention_days.to_string());
                        draft.set(all.saved.clone());
                        loaded.set(Some(all));
                        load.set(Load::Loaded);
                    }
                    Err(failure) => {
                        if !session.check(&failure) {
                            load.set(Load::Failed(failure.message()));
                        }
                    }
                }
            });
        });
    }

    let head = html! { <div class="page-head"><h1>{ t("recset-title") }</h1></div> };
    let retry = {
        let attempt = attempt.clone();
        let load = load.clone();
        Callback::from(move |()| {
            load.set(Load::Loading);
            attempt.set(*attempt + 1);
        })
    };
    if let Some(notice) = load_notice(&load, t("recset-loading"), retry) {
        return html! { <>{ head }{ notice }</> };
    }
    let Some(all) = (*loaded).clone() else {
        return head;
    };

    // Every edit goes into the draft; Save sends it.
    let edit = {
        let (draft, saved_mark) = (draft.clone(), saved_mark.clone());
        move |f: fn(&mut RecordingSettings, bool)| {
            let (draft, saved_mark) = (draft.clone(), saved_mark.clone());
            Callback::from(move |e: Event| {
                let mut next = (*draft).clone();
                f(&mut next, checked(e));
                draft.set(next);
                saved_mark.set(false);
            })
        }
    };
    let on_retention = {
        let (retention, saved_mark) = (retention.clone(), saved_mark.clone());
        Callback::from(move |value: String| {
            retention.set(value);
            saved_mark.set(false);
        })
    };
    let with_retention = |settings: &RecordingSettings| -> Result<RecordingSettings, String> {
        let days: u32 = retention
            .trim()
            .parse()
            .map_err(|_| t("recset-retention-invalid"))?;
        let mut next = settings.clone();
        next.retention_days = days;
        Ok(next)
    };
    let dirty = with_retention(&draft).map_or(true, |next| next != all.saved);
    let onsubmit = {
        let (draft, loaded, saving, saved_mark, error) = (
            draft.clone(),
            loaded.clone(),
            saving.clone(),
            saved_mark.clone(),
            error.clone(),
        );
        let session = session.clone();
        let next = with_retention(&draft);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *saving {
                return;
            }
            let settings = match &next {
                Ok(settings) => settings.clone(),
                Err(message) => {
                    return error.set(Some((Some("retention_days".into()), message.clone())))
                }
            };
            saving.set(true);
            error.set(None);
            let (draft, loaded, saving, saved_mark, error, session) = (
                draft.clone(),
                loaded.clone(),
                saving.clone(),
                saved_mark.clone(),
                error.clone(),
                session.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match admin::save_recording_settings(&settings).await {
                    Ok(saved) => {
                        if let Some(mut all) = (*loaded).clone() {
                            all.saved = saved.clone();
                            loaded.set(Some(all));
                        }
                        draft.set(saved);
                        saved_mark.set(true);
                    }
                    Err(failure) => {
                        if !session.check(&failure) {
                            error.set(Some((
                                failure.field().map(str::to_owned),
                                failure.message(),
                            )));
                        }
                    }
                }
                saving.set(false);
            });
        })
    };

    let group_rows = all.groups.iter().map(|group| {
        let id = group.id;
        let recorded = !draft.groups_not_recorded.contains(&id);
        let on_recorded = {
            let (draft, saved_mark) = (draft.clone(), saved_mark.clone());
            Callback::from(move |e: Event| {
                let mut next = (*draft).clone();
                next.groups_not_recorded.retain(|g| *g != id);
                if !checked(e) {
                    next.groups_not_recorded.push(id);
                }
                draft.set(next);
                saved_mark.set(false);
            })
        };
        let on_hears_all = {
            let (loaded, group_error, session) =
                (loaded.clone(), group_error.clone(), session.clone());
            Callback::from(move |e: Event| {
                let on = checked(e);
                let (loaded, group_error, session) =
                    (loaded.clone(), group_error.clone(), session.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match admin::set_group_hears_all(id, on).await {
                        Ok(group) => {
                            if let Some(mut all) = (*loaded).clone() {
                                for g in all.groups.iter_mut().filter(|g| g.id == group.id) {
                                    *g = group.clone();
                                }
                                loaded.set(Some(all));
                            }
                            group_error.set(None);
                        }
                        Err(failure) => {
                            if !session.check(&failure) {
                                group_error.set(Some(failure.message()));
                            }
                        }
                    }
                });
            })
        };
        html! {
            <tr class="recording-group" data-group={group.name.clone()}>
                <td>{ group.name.clone() }</td>
                <td>
                    <input type="checkbox" id={format!("recording-group-{id}")} checked={recorded}
                        aria-label={tr("recset-record-group", &[("group", (&group.name).into())])} onchange={on_recorded} />
                </td>
                <td>
                    if group.is_admin {
                        <span class="muted small">{ t("recset-admins-always") }</span>
                    } else {
                        <input type="checkbox" id={format!("hears-all-{id}")} checked={group.hears_all_calls}
                            aria-label={tr("recset-hears-all", &[("group", (&group.name).into())])} onchange={on_hears_all} />
                    }
                </td>
            </tr>
        }
    });
    let user_rows = all.users.iter().map(|user| {
        let id = user.id;
        let choice = user_choice(&draft, id);
        let on_choice = {
            let (draft, saved_mark) = (draft.clone(), saved_mark.clone());
            Callback::from(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                let mut next = (*draft).clone();
                set_user_choice(&mut next, id, &select.value());
                draft.set(next);
                saved_mark.set(false);
            })
        };
        let options = [
            ("group", t("recset-user-group")),
            ("always", t("recset-user-always")),
            ("never", t("recset-user-never")),
        ]
        .map(|(value, label)| html! { <option {value} selected={choice == value}>{ label }</option> });
        html! {
            <tr class="recording-user" data-login={user.login.clone()}>
                <td>{ user.display_name.clone() }</td>
                <td class="muted">{ user.group.clone() }</td>
                <td>
                    <select id={format!("recording-user-{id}")} onchange={on_choice}
                        aria-label={tr("recset-user-label", &[("user", (&user.display_name).into())])}>
                        { for options }
                    </select>
                </td>
            </tr>
        }
    });
    let set_status = {
        let (loaded, announcement_error) = (loaded.clone(), announcement_error.clone());
        move |result: Result<RecordingStatus, crate::services::error::ApiFailure>| match result {
            Ok(status) => {
                if let Some(mut all) = (*loaded).clone() {
                    all.status = status;
                    loaded.set(Some(all));
                }
                announcement_error.set(None);
            }
            Err(failure) => announcement_error.set(Some(failure.message())),
        }
    };
    let on_upload = {
        let set_status = set_status.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let set_status = set_status.clone();
            wasm_bindgen_futures::spawn_local(async move {
                set_status(admin::upload_announcement(file).await);
            });
        })
    };
    let on_default = Callback::from(move |_: MouseEvent| {
        let set_status = set_status.clone();
        wasm_bindgen_futures::spawn_local(async move {
            set_status(admin::default_announcement().await);
        });
    });
    let status = &all.status;
    let announcement = html! {
        <div class="field announcement">
            if let Some(why) = announcement_error.as_ref().or(status.announcement_error.as_ref()) {
                <p id="announcement-error" class="field-error" role="alert">{ why.clone() }</p>
            } else if let Some(seconds) = status.announcement_seconds {
                <p id="announcement-ready" class="field-hint">
                    { if status.announcement_uploaded {
                        tr("recset-announcement-uploaded", &[("seconds", format!("{seconds:.1}").into())])
                    } else {
                        tr("recset-announcement-default", &[("seconds", format!("{seconds:.1}").into())])
                    } }
                </p>
            }
            <label for="announcement-file">{ t("recset-announcement-file") }</label>
            <input id="announcement-file" type="file" accept=".wav,.mp3,audio/wav,audio/mpeg" onchange={on_upload} />
            if status.announcement_uploaded {
                <button type="button" id="announcement-default" class="btn btn-small" onclick={on_default}>
                    { t("recset-announcement-use-default") }
                </button>
            }
        </div>
    };
    let field_message = |field: &str| {
        error
            .as_ref()
            .filter(|(f, _)| f.as_deref() == Some(field))
            .map(|(_, m)| AttrValue::from(m.clone()))
    };
    let general = error
        .as_ref()
        .filter(|(f, _)| f.as_deref() != Some("retention_days"))
        .map(|(_, m)| m.clone());
    html! {
        <>
            { head }
            <p class="muted page-intro">
                { t("recset-intro") }
            </p>
            if let Some(alert) = &all.status.alert {
                <p id="recording-alert" class="form-error" role="alert">
                    { tr("recset-alert", &[("alert", alert.into())]) }
                </p>
            }
            <p id="recording-now" class="muted small">
                { match all.status.free_bytes {
                    Some(b) => tr("recset-recording-now-free", &[
                        ("count", all.status.recording_now.into()),
                        ("free", format!("{:.1}", b as f64 / 1e9).into()),
                    ]),
                    None => tr("recset-recording-now", &[("count", all.status.recording_now.into())]),
                } }
            </p>
            <form id="recording-form" class="panel admin-form" {onsubmit} novalidate=true>
                <label class="check">
                    <input type="checkbox" id="recording-enabled" checked={draft.enabled}
                        onchange={edit(|s, on| s.enabled = on)} />
                    { format!(" {}", t("recset-enabled")) }
                </label>
                <fieldset class="recording-directions" disabled={!draft.enabled}>
                    <legend>{ t("recset-directions") }</legend>
                    <label class="check">
                        <input type="checkbox" id="recording-inbound" checked={draft.inbound}
                            onchange={edit(|s, on| s.inbound = on)} />{ format!(" {}", t("recset-inbound")) }
                    </label>
                    <label class="check">
                        <input type="checkbox" id="recording-outbound" checked={draft.outbound}
                            onchange={edit(|s, on| s.outbound = on)} />{ format!(" {}", t("recset-outbound")) }
                    </label>
                    <label class="check">
                        <input type="checkbox" id="recording-internal" checked={draft.internal}
                            onchange={edit(|s, on| s.internal = on)} />{ format!(" {}", t("recset-internal")) }
                    </label>
                </fieldset>
                <label class="check">
                    <input type="checkbox" id="recording-consent" checked={draft.consent_announcement}
                        onchange={edit(|s, on| s.consent_announcement = on)} />
                    { format!(" {}", t("recset-consent")) }
                </label>
                { announcement }
                <TextField id="recording-retention" label={t("recset-retention")} kind="number"
                    value={(*retention).clone()} on_input={on_retention}
                    error={field_message("retention_days")}
                    hint={t("recset-retention-hint")} />
                <h2>{ t("recset-groups") }</h2>
                if let Some(message) = &*group_error {
                    <p id="hears-all-error" class="form-error" role="alert">{ message.clone() }</p>
                }
                <div class="table-wrap">
                    <table id="recording-groups" class="admin-table">
                        <thead>
                            <tr>
                                <th>{ t("recset-col-group") }</th><th>{ t("recset-col-recorded") }</th>
                                <th>{ t("recset-col-hears-all") }</th>
                            </tr>
                        </thead>
                        <tbody>{ for group_rows }</tbody>
                    </table>
                </div>
                <h2>{ t("recset-users") }</h2>
                <div class="table-wrap">
                    <table id="recording-users" class="admin-table">
                        <thead>
                            <tr>
                                <th>{ t("recset-col-user") }</th><th>{ t("recset-col-group") }</th>
                                <th>{ t("recset-col-recorded") }</th>
                            </tr>
                        </thead>
                        <tbody>{ for user_rows }</tbody>
                    </table>
                </div>
                if let Some(message) = general {
                    <p id="recording-error" class="form-error" role="alert">{ message }</p>
                }
                <div class="form-actions">
                    <button type="submit" id="recording-save" class="btn btn-primary"
                        disabled={*saving || !dirty}>
                        { if *saving { t("recset-saving") } else { t("recset-save") } }
                    </button>
                    if *saved_mark {
                        <span id="recording-saved" class="saved-mark" role="status">{ t("recset-saved") }</span>
                    }
                </div>
            </form>
        </>
    }
}
