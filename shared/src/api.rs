//! JSON types of the REST API, used by the relay to answer and by the browser to
//! ask, so the two sides cannot drift. Timestamps are RFC 3339 strings in UTC.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// Every 4xx/5xx answer of the API has this body. `field` names the offending
/// request field when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// The signed-in user, as `GET /api/me` and `POST /api/login` return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    /// Access group: `admin`, `subadmin`, `manager`, `operator` or an admin-defined one.
    pub group: String,
    pub is_admin: bool,
}

/// A user as other records refer to them (responsible manager, deal owner, note author).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserRef {
    pub id: i64,
    pub display_name: String,
}

/// A user as the admin's user list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserSummary {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub group: String,
}

/// One phone of a contact: as it was entered, and in E.164 when it could be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Phone {
    pub id: i64,
    pub raw: String,
    pub e164: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub company: Option<String>,
    pub status: String,
    pub email: Option<String>,
    pub responsible: Option<UserRef>,
    pub phones: Vec<Phone>,
}

/// Query of `GET /api/contacts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
pub struct ContactQuery {
    /// Name, company, or a phone number in any format.
    pub q: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl ContactQuery {
    pub const MAX_LIMIT: u32 = 200;
    pub const DEFAULT_LIMIT: u32 = 50;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactPage {
    pub items: Vec<Contact>,
    /// How many contacts match in all, for paging.
    pub total: i64,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Deal {
    pub id: i64,
    pub contact_id: i64,
    pub title: String,
    /// In minor units (cents, kopecks).
    pub amount_minor: i64,
    pub currency: String,
    pub stage: String,
    pub owner: Option<UserRef>,
    pub created_at: String,
    pub closed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Note {
    pub id: i64,
    pub contact_id: i64,
    pub body: String,
    pub author: Option<UserRef>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewNote {
    pub body: String,
}

impl NewNote {
    pub const MAX_LEN: usize = 10_000;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Task {
    pub id: i64,
    pub contact_id: i64,
    pub title: String,
    pub due_at: Option<String>,
    pub done: bool,
}

/// Everything the contact card page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactCard {
    pub contact: Contact,
    /// The contact's free-text description (the `notes` column of the contact).
    pub about: Option<String>,
    pub deals: Vec<Deal>,
    pub notes: Vec<Note>,
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
}
