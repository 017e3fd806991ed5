//! The number rules every outbound call goes through, identical in the browser
//! (the "try a number" preview) and in the relay (enforcement, never trusting
//! the browser).
//!
//! The pipeline, in order (each stage that acts leaves a [`Step`]):
//! 1. strip formatting — spaces, dashes, dots, brackets, slashes go; letters
//!    and other signs refuse the number; a `+` may only lead;
//! 2. autocorrect rules, in order (`pattern/replacement`, regular expressions);
//! 3. special numbers (112, 911, 01…, see [`special`]) are recognised before
//!    anything could read them as an extension;
//! 4. extra rules `_XXXX`: a number of exactly that shape is dialled as is;
//! 5. extensions: a digit string of the configured length is internal;
//! 6. local numbers: a digit string of the local length gets the area prefix
//!    (a number typed with `+` is complete: never an extension or local);
//! 7. international exit prefix (`810`, `00`) read as `+`;
//! 8. E.164 through [`crate::phone`], read around a `phonenumber` parsing
//!    bug where it bites (see `number.rs`);
//! 9. forbidden codes;
//! 10. destination class (the `phonenumber` crate's number type and region);
//! 11. allowed destination classes.
//!
//! [`evaluate`] compiles the rules and runs them once; [`Plan`] keeps them
//! compiled for many numbers. Invalid rules refuse every number (fail closed)
//! with the same message [`Rules::validate`] gives the admin.

//!
//! Without the `numbers` feature (the browser app) only the data remains —
//! rules, classes and verdicts — and the pipeline with its numbering-plan
//! metadata and regular expressions is left out; the browser asks the relay
//! (`POST /api/dialplan/check`).

mod class;
mod rules;
mod verdict;

#[cfg(feature = "numbers")]
mod autocorrect;
#[cfg(feature = "numbers")]
mod classify;
#[cfg(feature = "numbers")]
mod extra;
#[cfg(feature = "numbers")]
mod forbidden;
#[cfg(feature = "numbers")]
mod number;
#[cfg(feature = "numbers")]
mod pipeline;
#[cfg(feature = "numbers")]
pub mod special;

#[cfg(feature = "numbers")]
pub use autocorrect::Autocorrect;
pub use class::DestinationClass;
#[cfg(feature = "numbers")]
pub use extra::ExtraRule;
#[cfg(feature = "numbers")]
pub use pipeline::{evaluate, Plan};
pub use rules::{parse_list, Allowed, RuleError, Rules};
pub use verdict::{Outcome, Step, Verdict};
