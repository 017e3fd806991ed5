//! Special numbers — emergency and short service numbers (112, 911, 01…03,
//! 999…) — recognised before anything else could read them as an extension.
//!
//! `phonenumber` carries no short-number metadata, so this is a short table:
//! numbers that are special everywhere, and per region the common ones. RU,
//! BY, KZ, UA `101`–`104` and GB `101` are left out on purpose: extensions
//! start at 101, and the pipeline checks special numbers before extensions
//! (an emergency call must never ring a desk phone). Whoever assigns
//! extensions should skip numbers for which [`is_special`] says yes.

use crate::phone::Region;

/// Special in every region: the GSM emergency numbers.
const EVERYWHERE: &[&str] = &["112", "911", "999"];

/// Region-specific emergency and service numbers.
const BY_REGION: &[(&[&str], &[&str])] = &[
    (&["RU", "BY", "KZ", "UA"], &["01", "02", "03", "04"]),
    (&["PL"], &["997", "998"]),
    (
        &["US", "CA"],
        &["211", "311", "411", "511", "611", "711", "811", "988"],
    ),
    (&["GB", "IE"], &["111"]),
    (&["AU"], &["000", "106"]),
    (&["DE", "AT"], &["110"]),
    (&["FR"], &["15", "17", "18", "114"]),
    (&["IT"], &["113", "115", "118"]),
    (&["JP"], &["110", "119"]),
    (&["CN"], &["110", "119", "120"]),
];

/// Whether `number` (formatting already stripped) is an emergency or short
/// service number for a caller in `region`.
pub fn is_special(number: &str, region: Region) -> bool {
    if EVERYWHERE.contains(&number) {
        return true;
    }
    let code = region.code();
    BY_REGION
        .iter()
        .any(|(regions, numbers)| regions.contains(&code.as_str()) && numbers.contains(&number))
}
