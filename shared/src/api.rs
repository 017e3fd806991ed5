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
    /// An opaque, stable reference to this phone (`p12`) that reveals no
    /// digit: a user who sees the number masked dials `sip:ref-p12@…` and
    /// the relay calls the stored number.
    #[serde(rename = "ref")]
    pub reference: String,
}

impl Phone {
    /// The request-URI user part that dials a phone by its reference.
    pub const REF_USER_PREFIX: &'static str = "ref-";

    /// The reference of phone `id`.
    pub fn reference_of(id: i64) -> String {
        format!("p{id}")
    }

    /// The phone id a reference names (`p12` → 12); None for anything else.
    pub fn id_of_reference(reference: &str) -> Option<i64> {
        let digits = reference.strip_prefix('p')?;
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// What a phone dials to reach this number without knowing it: `ref-p12`.
    pub fn dial_by_reference(&self) -> String {
        format!("{}{}", Self::REF_USER_PREFIX, self.reference)
    }
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

// ---- Telephony: trunks (SIP accounts), telephony users, call records ----

/// How the relay reaches a trunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SipTransport {
    Udp,
    Tcp,
    Tls,
}

/// The live registration state of a trunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrunkState {
    /// Registration not attempted yet or in progress.
    Pending,
    Registered,
    /// The last attempt failed; `reason` says why.
    Failed,
    /// `register` is off: the trunk is used without registration.
    NotRegistering,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrunkStatus {
    pub state: TrunkState,
    /// Why it failed, e.g. `wrong credentials (401)`, `timeout`, `DNS: …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the state last changed (RFC 3339).
    pub since: String,
}

/// A SIP account at a provider, as the API returns it (never the password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Trunk {
    pub id: i64,
    pub name: String,
    /// The number this account receives calls on (E.164).
    pub number: String,
    pub username: String,
    pub domain: String,
    /// `host` or `host:port` of the provider's SIP server.
    pub host: String,
    pub transport: SipTransport,
    pub outbound_proxy: Option<String>,
    pub register: bool,
    /// Registration expiry asked for, in seconds.
    pub expires: u32,
    /// Lower is tried first.
    pub priority: i32,
    pub enabled: bool,
    /// Whether a password is stored (the password itself is write-only).
    pub has_password: bool,
    pub status: TrunkStatus,
}

/// Create or replace a trunk. On update, `password: null` keeps the stored one;
/// on create it is required. `number` may be written in any format (numbers
/// without `+` are read in the relay's default region) and is stored in E.164.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TrunkInput {
    pub name: String,
    pub number: String,
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    pub domain: String,
    pub host: String,
    #[serde(default = "default_transport")]
    pub transport: SipTransport,
    #[serde(default)]
    pub outbound_proxy: Option<String>,
    #[serde(default = "default_true")]
    pub register: bool,
    #[serde(default = "default_expires")]
    pub expires: u32,
    #[serde(default)]
    pub priority: i32,
    #[serde(default = "default_true")]
    pub enabled: bool,
}

fn default_transport() -> SipTransport {
    SipTransport::Udp
}
fn default_true() -> bool {
    true
}
fn default_expires() -> u32 {
    3600
}

/// A CRM user's telephony identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SipUser {
    pub id: i64,
    pub user: UserRef,
    /// 3 to 6 digits, unique.
    pub extension: String,
    /// `<account>_<extension>`: the SIP digest user name.
    pub sip_login: String,
    pub accept_incoming: bool,
    /// Off: the user takes calls on a desk or soft phone over UDP/TCP.
    pub browser_calls: bool,
    pub forward_to: Option<String>,
    /// Whether a device is registered right now (browser or desk phone).
    pub registered: bool,
}

/// Create (`POST`) or change (`PUT`) a telephony user. On `PUT`, `user_id` must
/// be the telephony user's own and an omitted `extension` keeps the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SipUserInput {
    pub user_id: i64,
    /// Omitted: the next free extension from 101.
    #[serde(default)]
    pub extension: Option<String>,
    #[serde(default = "default_true")]
    pub accept_incoming: bool,
    #[serde(default = "default_true")]
    pub browser_calls: bool,
    /// An extension, or a phone number in any format (stored in E.164).
    #[serde(default)]
    pub forward_to: Option<String>,
}

/// Returned once, when a telephony user is created or the password rotated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SipCredentials {
    pub sip_user: SipUser,
    pub sip_login: String,
    pub sip_password: String,
    /// The digest realm to use.
    pub realm: String,
}

/// One call in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CallRecord {
    pub id: i64,
    pub started_at: String,
    pub answered_at: Option<String>,
    pub ended_at: Option<String>,
    /// Seconds between answer and end; 0 when never answered.
    pub talk_seconds: i64,
    /// `inbound`, `outbound` or `internal`.
    pub direction: String,
    pub user: Option<UserRef>,
    pub number_dialled: String,
    pub number_e164: Option<String>,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub trunk_id: Option<i64>,
    /// `in_progress`, `answered`, `missed`, `busy`, `no_answer`, `failed`,
    /// `cancelled`, `refused` or `interrupted`.
    pub status: String,
    pub end_cause: Option<String>,
    /// `caller`, `callee`, `relay` or none.
    pub hangup_side: Option<String>,
    /// The outcome chosen after the call (from the admins' list).
    #[serde(default)]
    pub outcome: Option<String>,
    /// The note written after the call.
    #[serde(default)]
    pub note: Option<String>,
    /// Seconds of recording to play (`GET /api/calls/{id}/recording`);
    /// None when there is none.
    #[serde(default)]
    pub recording_seconds: Option<f64>,
    /// Why there is no recording when the call was answered but not
    /// recorded (it failed, or retention deleted it).
    #[serde(default)]
    pub recording_note: Option<String>,
    /// Where the recording was paused, `[from, to]` seconds into it
    /// (silence there: a card number was being read out).
    #[serde(default)]
    pub recording_paused: Vec<[f64; 2]>,
    /// The audio's quality (anchored calls: what the relay carried).
    #[serde(default)]
    pub quality: Option<CallQuality>,
}

/// How one side's audio reached the relay during a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StreamQuality {
    /// RTP packets received.
    pub received: u64,
    /// Packets expected (by sequence number) but never received.
    pub lost: u64,
    /// Interarrival jitter (RFC 3550) at the end of the call, milliseconds.
    pub jitter_ms: f64,
}

/// A call's audio quality as the relay measured it on both legs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CallQuality {
    /// The client's audio (from the provider).
    pub client: StreamQuality,
    /// Our side's audio (from the browser).
    pub ours: StreamQuality,
    /// Round-trip time to the browser (RTCP), when it reported one.
    pub rtt_ms: Option<f64>,
    /// Estimated mean opinion score, 1 (bad) to 4.5 (best for G.711), from
    /// the ITU-T G.107 E-model with the worse leg's loss and jitter.
    pub mos: f64,
}

/// `PUT /api/calls/{id}/wrap-up`: what the user records after a call. Every
/// part is optional; a note also goes onto the contact's card, a follow-up
/// becomes a task, and for an unknown caller `new_contact` creates the
/// contact with the call's number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallWrapUp {
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub follow_up: Option<FollowUp>,
    #[serde(default)]
    pub new_contact: Option<NewCallContact>,
}

impl CallWrapUp {
    pub const MAX_NOTE_LEN: usize = 4000;
}

/// A task to come back to the contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    pub title: String,
    /// `YYYY-MM-DD` or RFC 3339.
    #[serde(default)]
    pub due: Option<String>,
}

/// The contact to create for an unknown caller (the number is the call's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCallContact {
    pub name: String,
    #[serde(default)]
    pub company: Option<String>,
}

/// `GET`/`PUT /api/call-outcomes`: the outcomes users pick after a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallOutcomes {
    pub outcomes: Vec<String>,
}

/// Query of `GET /api/calls`. Administrators see every call, everyone else
/// only their own (another user's `user_id` then finds nothing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[serde(deny_unknown_fields)]
pub struct CallQuery {
    /// Calls started at or after (RFC 3339 or `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Calls started before (RFC 3339 or `YYYY-MM-DD`, exclusive).
    pub to: Option<String>,
    pub user_id: Option<i64>,
    pub direction: Option<String>,
    pub status: Option<String>,
    pub contact_id: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A page of the call log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CallPage {
    pub total: i64,
    pub items: Vec<CallRecord>,
}

/// One line of the audit log: who played or downloaded which call's recording, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user: UserRef,
    /// `recording_played` or `recording_downloaded`.
    pub action: String,
    pub call_id: Option<i64>,
}

/// `GET /api/audit`: the newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditPage {
    pub total: i64,
    pub items: Vec<AuditEntry>,
}

/// What `GET /api/events` (Server-Sent Events) pushes to a signed-in user;
/// the SSE `event:` field is the `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// A call is about to ring this user's phone: sent before the INVITE, so
    /// the card is on screen by the first ring. `contact: null` is an unknown number.
    IncomingCall {
        call_id: i64,
        /// The caller's number, E.164 when it could be read.
        number: String,
        contact: Option<Contact>,
        /// When this contact last called or was called (RFC 3339).
        last_call: Option<String>,
    },
    /// A call this user was rung for stopped ringing (answered here or
    /// elsewhere, missed) or ended.
    CallEnded { call_id: i64, status: String },
    /// The record of a call on this user's browser phone, by the SIP Call-ID
    /// of the phone's dialog: the after-call prompt writes to exactly it.
    CallRecord { call_id: i64, sip_call_id: String },
    /// Admins only: a trunk's registration state changed.
    TrunkStatus { trunk_id: i64, status: TrunkStatus },
}

impl ServerEvent {
    /// The SSE `event:` name.
    pub fn name(&self) -> &'static str {
        match self {
            ServerEvent::IncomingCall { .. } => "incoming_call",
            ServerEvent::CallEnded { .. } => "call_ended",
            ServerEvent::CallRecord { .. } => "call_record",
            ServerEvent::TrunkStatus { .. } => "trunk_status",
        }
    }
}

/// `POST /api/dialplan/try`: how `number` would be dialled — with the stored
/// rules, or with `rules` an administrator is editing and has not saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TryNumber {
    pub number: String,
    #[serde(default)]
    pub rules: Option<crate::dialplan::Rules>,
}

/// `GET /api/dialplan`: the number rules in force and the region numbers
/// without `+` are read in — all a browser needs to preview exactly what the
/// relay will enforce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DialplanView {
    /// ISO 3166 code, e.g. `RU`.
    pub default_region: String,
    pub rules: crate::dialplan::Rules,
}

/// An access group and how phone numbers are shown to its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccessGroup {
    pub id: i64,
    pub name: String,
    pub is_admin: bool,
    pub masking: crate::masking::Masking,
    /// Every member gets a telephony user (the next free extension) — those
    /// there when it is switched on, and users created in the group later.
    #[serde(default)]
    pub auto_telephony: bool,
    /// Members see every call in the log and may hear every recording, not
    /// only their own (administrators always may).
    #[serde(default)]
    pub hears_all_calls: bool,
}

/// `PUT /api/groups/{id}/recordings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupRecordings {
    pub hears_all_calls: bool,
}

/// `PUT /api/groups/{id}/telephony`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupTelephony {
    pub auto_telephony: bool,
}

/// Limits on outbound calls for one scope (each user, or everyone together).
/// Every field is optional: absent or `null` is unlimited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CallLimits {
    /// Outbound calls at the same time (ringing or answered), 1 to 10 000.
    pub concurrent_calls: Option<u32>,
    /// Outbound call attempts in any 60 seconds, 1 to 100 000.
    pub attempts_per_minute: Option<u32>,
    /// Talk time of answered international calls (the number rules' class
    /// `international`) per UTC day, in minutes, 1 to 1 000 000. A call that
    /// would start over it is refused; a call that runs over it is hung up.
    pub international_minutes_per_day: Option<u32>,
}

/// `GET`/`PUT /api/limits`: what the relay enforces on every outbound call,
/// per user and for everyone together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub per_user: CallLimits,
    pub overall: CallLimits,
}

/// `GET`/`PUT /api/recording-settings` (and `[recording]` in the config
/// file): which calls are recorded and for how long recordings are kept.
/// A call is recorded
/// when recording is on, its direction is, and its manager is: a per-user
/// choice wins over the manager's group being left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RecordingSettings {
    /// Recording at all (off: no call is recorded, whatever else is set).
    pub enabled: bool,
    pub inbound: bool,
    pub outbound: bool,
    /// Calls between two colleagues.
    pub internal: bool,
    /// Access groups whose members' calls are not recorded.
    pub groups_not_recorded: Vec<i64>,
    /// Users for whom the group's choice does not hold.
    pub users: Vec<UserRecording>,
    /// Days a recording is kept, 1 to 3650; older ones are deleted (the
    /// call record stays and says so).
    pub retention_days: u32,
    /// Play the announcement ("This call is recorded.", or the uploaded
    /// one) to the client once a recorded call is answered, before the two
    /// sides hear each other.
    pub consent_announcement: bool,
}

impl RecordingSettings {
    pub const MAX_RETENTION_DAYS: u32 = 3650;
    pub const DEFAULT_RETENTION_DAYS: u32 = 30;

    /// Whether a call in `direction` (`inbound`, `outbound`, `internal`) of
    /// `user` in `group` is recorded.
    pub fn records(&self, direction: &str, user: Option<i64>, group: Option<i64>) -> bool {
        let direction_on = match direction {
            "inbound" => self.inbound,
            "outbound" => self.outbound,
            "internal" => self.internal,
            _ => true,
        };
        if !self.enabled || !direction_on {
            return false;
        }
        if let Some(choice) = user.and_then(|u| self.users.iter().find(|c| c.user_id == u)) {
            return choice.record;
        }
        !group.is_some_and(|g| self.groups_not_recorded.contains(&g))
    }
}

impl Default for RecordingSettings {
    fn default() -> Self {
        RecordingSettings {
            enabled: true,
            inbound: true,
            outbound: true,
            internal: true,
            groups_not_recorded: Vec::new(),
            users: Vec::new(),
            retention_days: Self::DEFAULT_RETENTION_DAYS,
            consent_announcement: false,
        }
    }
}

/// `PUT /api/calls/{id}/recording/pause`: pause (a card number is read
/// out: silence in the file) or resume the recording of a call in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordingPause {
    pub paused: bool,
}

/// `GET /api/recording-settings/status`: whether recording works right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RecordingStatus {
    /// Why new calls are not recorded now (a full disk); None when they are.
    pub alert: Option<String>,
    /// Free bytes on the data directory's disk.
    pub free_bytes: Option<u64>,
    /// Calls being recorded right now.
    pub recording_now: usize,
    /// Why the consent announcement cannot be played (espeak-ng missing, a
    /// bad upload); None when it can, or when it is off.
    pub announcement_error: Option<String>,
    /// Seconds the announcement lasts, when it is ready.
    pub announcement_seconds: Option<f64>,
    /// Whether an administrator uploaded their own announcement.
    pub announcement_uploaded: bool,
}

/// One user's own recording choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserRecording {
    pub user_id: i64,
    pub record: bool,
}

/// `POST /api/telephony/off`: `confirm` must be the words `turn off`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TelephonyOff {
    #[serde(default)]
    pub confirm: Option<String>,
    /// Also delete every call record (kept by default).
    #[serde(default)]
    pub delete_call_records: bool,
}

impl TelephonyOff {
    pub const CONFIRMATION: &'static str = "turn off";
}

/// What turning telephony off removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TelephonyOffReport {
    pub trunks_removed: u64,
    pub sip_users_removed: u64,
    /// Browser and desk-phone connections closed.
    pub connections_closed: u64,
    /// Calls in progress that were hung up.
    pub calls_ended: u64,
    pub call_records_deleted: u64,
}

#[cfg(test)]
mod tests {
    use super::{RecordingSettings, UserRecording};

    #[test]
    fn a_users_choice_wins_over_the_group_but_not_over_recording_or_its_direction_being_off() {
        let manager = Some(2);
        let settings = RecordingSettings {
            groups_not_recorded: vec![2],
            users: vec![
                UserRecording {
                    user_id: 10,
                    record: true,
                },
                UserRecording {
                    user_id: 11,
                    record: false,
                },
            ],
            ..RecordingSettings::default()
        };
        // The group is left out; one of its users is recorded all the same.
        assert!(!settings.records("inbound", Some(12), manager));
        assert!(settings.records("inbound", Some(10), manager));
        // A user left out in a recorded group.
        assert!(!settings.records("outbound", Some(11), Some(3)));
        assert!(settings.records("outbound", Some(12), Some(3)));
        // A direction off, or recording off, beats every choice.
        let no_outbound = RecordingSettings {
            outbound: false,
            ..settings.clone()
        };
        assert!(!no_outbound.records("outbound", Some(10), manager));
        assert!(no_outbound.records("inbound", Some(10), manager));
        let off = RecordingSettings {
            enabled: false,
            ..settings
        };
        assert!(!off.records("inbound", Some(10), manager));
        // Defaults: everything recorded for 30 days; `{}` reads as them.
        let read: RecordingSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(read, RecordingSettings::default());
        assert!(read.records("internal", None, None));
        assert_eq!(read.retention_days, 30);
    }
}
