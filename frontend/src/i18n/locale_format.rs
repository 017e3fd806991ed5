//! Dates, times and numbers in the current language's conventions, by the
//! browser's `Intl` (no locale data in the app): `7 гру 2026 г., 19:40`,
//! `7 gru 2026, 19:40`, `Dec 7, 2026, 7:40 PM`; `1 234,5` / `1,234.5`.

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;

use super::bundle::current;

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    object.into()
}

/// An RFC 3339 timestamp as a local date and time; text that is not a
/// timestamp is shown as it is.
pub fn local_timestamp(rfc3339: &str) -> String {
    format_date(rfc3339, &[("dateStyle", "medium"), ("timeStyle", "short")])
}

/// Just the local date.
pub fn local_date(rfc3339: &str) -> String {
    format_date(rfc3339, &[("dateStyle", "medium")])
}

fn format_date(rfc3339: &str, pairs: &[(&str, &str)]) -> String {
    let date = Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    date.to_locale_string(current().code(), &options(pairs))
        .as_string()
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// A number with the language's digit grouping and decimal sign.
pub fn local_number(n: f64) -> String {
    js_sys::Number::from(n)
        .to_locale_string(current().code())
        .as_string()
        .unwrap_or_else(|| n.to_string())
}
