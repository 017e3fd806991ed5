//! The administrators' pages (`/admin/…`): SIP accounts, telephony users,
//! number rules, masking (and automatic telephony users) per group, call
//! limits, recordings, the audit log and turning telephony off, under one
//! tab bar. Anyone else who
//! opens one gets the "admins only" page; the relay refuses their requests
//! anyway (403).

pub mod audit;
pub mod limits;
pub mod masking;
pub mod number_rules;
pub mod recordings;
pub mod telephony_off;
pub mod telephony_users;
pub mod trunks;

use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::status::{ErrorNotice, Loading};
use crate::hooks::{use_session, use_title};
use crate::i18n::{t, use_lang};
use crate::state::admin::Load;

/// A tab's label in the current language.
type Label = fn() -> String;

/// The admin pages in tab order: route, tab id and label.
const TABS: [(Route, &str, Label); 8] = [
    (Route::AdminTrunks, "admin-tab-trunks", || {
        t("admin-tab-trunks")
    }),
    (
        Route::AdminTelephonyUsers,
        "admin-tab-telephony-users",
        || t("admin-tab-telephony-users"),
    ),
    (Route::AdminNumberRules, "admin-tab-number-rules", || {
        t("admin-tab-number-rules")
    }),
    (Route::AdminMasking, "admin-tab-masking", || {
        t("admin-tab-masking")
    }),
    (Route::AdminLimits, "admin-tab-limits", || {
        t("admin-tab-limits")
    }),
    (Route::AdminRecordings, "admin-tab-recordings", || {
        t("admin-tab-recordings")
    }),
    (Route::AdminAudit, "admin-tab-audit", || {
        t("admin-tab-audit")
    }),
    (Route::AdminTelephonyOff, "admin-tab-telephony-off", || {
        t("admin-tab-telephony-off")
    }),
];

#[derive(Properties, PartialEq)]
pub struct AdminAreaProps {
    pub route: Route,
}

/// An admin page with the tab bar, or the "admins only" page.
#[component]
pub fn AdminArea(props: &AdminAreaProps) -> Html {
    use_lang();
    let session = use_session();
    let is_admin = session.me().is_some_and(|me| me.is_admin);
    if !is_admin {
        return html! { <AdminOnlyPage /> };
    }
    let tabs = TABS.iter().map(|(route, id, label)| {
        let current = *route == props.route;
        html! {
            <Link<Route> to={route.clone()}
                classes={classes!("admin-tab", current.then_some("current"))}>
                <span id={*id} aria-current={current.then_some("page")}>{ label() }</span>
            </Link<Route>>
        }
    });
    let page = match props.route {
        Route::AdminTrunks => html! { <trunks::TrunksPage /> },
        Route::AdminTelephonyUsers => html! { <telephony_users::TelephonyUsersPage /> },
        Route::AdminNumberRules => html! { <number_rules::NumberRulesPage /> },
        Route::AdminLimits => html! { <limits::LimitsPage /> },
        Route::AdminRecordings => html! { <recordings::RecordingsPage /> },
        Route::AdminAudit => html! { <audit::AuditPageView /> },
        Route::AdminTelephonyOff => html! { <telephony_off::TelephonyOffPage /> },
        _ => html! { <masking::MaskingPage /> },
    };
    html! {
        <section class="page admin-page">
            <nav class="admin-tabs" aria-label={t("admin-tabs-label")}>{ for tabs }</nav>
            { page }
        </section>
    }
}

/// What a signed-in user who is not an administrator sees on `/admin/…`.
#[component]
pub fn AdminOnlyPage() -> Html {
    use_lang();
    use_title(t("admin-only-title"));
    html! {
        <section class="page">
            <div class="empty" id="admin-only">
                <h1>{ t("admin-only-title") }</h1>
                <p>{ t("admin-only-text") }</p>
                <Link<Route> to={Route::Contacts} classes="btn">{ t("admin-only-contacts") }</Link<Route>>
            </div>
        </section>
    }
}

/// Loading spinner or error with retry while `load` is not `Loaded`.
/// `what` is the spinner's text: a `&'static str` or a translated `String`.
pub(crate) fn load_notice(
    load: &Load,
    what: impl Into<AttrValue>,
    on_retry: Callback<()>,
) -> Option<Html> {
    match load {
        Load::Loading => Some(html! { <Loading label={what.into()} /> }),
        Load::Failed(message) => Some(html! {
            <ErrorNotice message={message.clone()} {on_retry} />
        }),
        Load::Loaded => None,
    }
}

/// The value of the input an event came from.
pub(crate) fn input_value(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

/// Whether the checkbox a change came from is ticked.
pub(crate) fn checked(e: Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

/// The error line under a field, with the id tests and `aria-describedby` use.
pub(crate) fn field_error(id: &str, error: Option<&str>) -> Html {
    match error {
        Some(message) => html! {
            <p id={format!("{id}-error")} class="field-error" role="alert">{ message.to_owned() }</p>
        },
        None => Html::default(),
    }
}

/// A labelled text input with its hint and error.
#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub on_input: Callback<String>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
}

#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    let oninput = props.on_input.reform(input_value);
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <input id={props.id.clone()} type={props.kind.clone()} value={props.value.clone()}
                placeholder={props.placeholder.clone()} autocomplete={props.autocomplete.clone()}
                spellcheck="false" {oninput}
                aria-invalid={props.error.is_some().to_string()}
                aria-describedby={format!("{}-error", props.id)} />
            if let Some(hint) = &props.hint {
                <p class="field-hint">{ hint.clone() }</p>
            }
            { field_error(&props.id, props.error.as_deref()) }
        </div>
    }
}

/// A labelled checkbox (a switch).
#[derive(Properties, PartialEq)]
pub struct CheckFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub checked: bool,
    pub on_change: Callback<bool>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
}

#[component]
pub fn CheckField(props: &CheckFieldProps) -> Html {
    let onchange = props.on_change.reform(checked);
    html! {
        <div class="field field-check">
            <label>
                <input id={props.id.clone()} type="checkbox" checked={props.checked} {onchange} />
                { props.label.clone() }
            </label>
            if let Some(hint) = &props.hint {
                <p class="field-hint">{ hint.clone() }</p>
            }
        </div>
    }
}
