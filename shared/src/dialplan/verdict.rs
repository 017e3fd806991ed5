//! What the pipeline says of a number: the [`Step`]s it took and the
//! [`Outcome`]. Plain data, so the browser reads verdicts without the
//! numbering-plan metadata.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::class::DestinationClass;

/// One stage of the pipeline that acted on the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Step {
    /// What happened, naming the rule (`autocorrect[0] ^\+7/8`).
    pub name: String,
    pub before: String,
    pub after: String,
}

/// What becomes of the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Allowed {
        /// The string sent to the trunk (or the extension called).
        dial: String,
        /// The E.164 form, to find the contact; `None` for extensions,
        /// special numbers and short numbers no numbering plan knows.
        e164: Option<String>,
        class: DestinationClass,
    },
    Refused {
        /// The class, when the number got far enough to have one.
        class: Option<DestinationClass>,
        /// A sentence for a person, naming the rule that refused.
        reason: String,
        /// The same in a stable form, for the browser's other languages.
        #[serde(default)]
        code: crate::refusal::RefusalCode,
    },
}

/// The result of [`evaluate`]: the steps taken, then the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Verdict {
    pub steps: Vec<Step>,
    pub outcome: Outcome,
}

impl Verdict {
    pub fn is_allowed(&self) -> bool {
        matches!(self.outcome, Outcome::Allowed { .. })
    }

    /// The string for the trunk, when the call is allowed.
    pub fn dial(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Allowed { dial, .. } => Some(dial),
            Outcome::Refused { .. } => None,
        }
    }

    pub fn e164(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Allowed { e164, .. } => e164.as_deref(),
            Outcome::Refused { .. } => None,
        }
    }

    pub fn class(&self) -> Option<DestinationClass> {
        match &self.outcome {
            Outcome::Allowed { class, .. } => Some(*class),
            Outcome::Refused { class, .. } => *class,
        }
    }

    /// The refusal reason, when refused.
    pub fn reason(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Refused { reason, .. } => Some(reason),
            Outcome::Allowed { .. } => None,
        }
    }
}
