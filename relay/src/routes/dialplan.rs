//! `GET/PUT /api/dialplan` (the number rules; everyone reads them so the dial
//! pad can preview, administrators change them) and `POST /api/dialplan/try`
//! (every step for a sample number and the verdict, masked like every number
//! the user's group receives; the dial pad's live preview). The relay enforces the
//! same rules on every outbound INVITE.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use callcard_shared::api::{ApiError, DialplanView, TryNumber};
use callcard_shared::dialplan::{Plan, Rules, Verdict};

use crate::auth::{AdminUser, CurrentUser};
use crate::crm::dialplan;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dialplan", get(read).put(replace))
        .route("/dialplan/try", post(try_number))
}

/// Rules that do not compile answer 422 naming the first bad field
/// (`autocorrect[1]`, `extension_length`, …).
fn compile(rules: &Rules, prefix: &str) -> AppResult<Plan> {
    Plan::new(rules).map_err(|errors| {
        let first = &errors[0];
        AppError::invalid(format!("{prefix}{}", first.field), first.message.clone())
    })
}

fn view(state: &AppState, rules: Rules) -> Json<DialplanView> {
    Json(DialplanView {
        default_region: state.config.default_region.code(),
        rules,
    })
}

/// The number rules in force, with the default region (for the dial pad's preview).
#[utoipa::path(get, path = "/api/dialplan", tag = "telephony",
    responses((status = 200, body = DialplanView), (status = 401, body = ApiError)))]
pub async fn read(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> AppResult<Json<DialplanView>> {
    let rules = dialplan::load(&state.db).await?;
    Ok(view(&state, rules))
}

/// Replaces the number rules; the next call already follows them.
#[utoipa::path(put, path = "/api/dialplan", tag = "telephony", request_body = Rules,
    responses(
        (status = 200, body = DialplanView),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 422, description = "A rule is wrong; `field` names it (`autocorrect[1]`, …)", body = ApiError),
    ))]
pub async fn replace(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(rules): ApiJson<Rules>,
) -> AppResult<Json<DialplanView>> {
    let plan = compile(&rules, "")?;
    dialplan::save(&state.db, &rules).await?;
    // Previews follow at once; the switch reloads the stored rules on the notify.
    state.telephony.publish_dialplan(plan);
    tracing::info!(admin = %admin.login, "number rules changed");
    state.telephony.dialplan_changed.notify_one();
    Ok(view(&state, rules))
}

/// Every step for one number and the verdict, as the relay would decide.
#[utoipa::path(post, path = "/api/dialplan/try", tag = "telephony", request_body = TryNumber,
    responses(
        (status = 200, body = Verdict),
        (status = 401, body = ApiError),
        (status = 422, description = "`number` is empty or a draft rule is wrong (`rules.autocorrect[0]`, …)", body = ApiError),
    ))]
pub async fn try_number(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<TryNumber>,
) -> AppResult<Json<Verdict>> {
    if input.number.trim().is_empty() {
        return Err(AppError::invalid("number", "enter a number to try"));
    }
    let plan = match &input.rules {
        Some(draft) => std::sync::Arc::new(compile(draft, "rules.")?),
        None => state.telephony.dialplan(),
    };
    // The dial pad of a masked group previews without showing the number
    // (a click-to-call may have put a number there the user may not see).
    let mut verdict = plan.evaluate(state.config.default_region, &input.number);
    crate::masking::verdict(user.masking, &mut verdict);
    Ok(Json(verdict))
}
