//! Dates, times and numbers in the current language's conventions, by the
//! browser's `Intl` (no locale data in the app): `7 гру 2026 г., 19:40`,
//! `7 gru 2026, 19:40`, `Dec 7, 2026, 7:40 PM`; `1 234,5` / `1,234.5`.

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

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

/// Just the local date. A bare date (`2026-12-10`, a due date) is a
/// calendar day, not an instant: shown as that day in every time zone.
pub fn local_date(rfc3339: &str) -> String {
    if rfc3339.len() == 10 {
        format_date(rfc3339, &[("dateStyle", "medium"), ("timeZone", "UTC")])
    } else {
        format_date(rfc3339, &[("dateStyle", "medium")])
    }
}

/// An amount in minor units in the currency's and the language's style
/// (`12 345,67 ₽`, `12 345,67 RUB`, `RUB 12,345.67`); two decimals assumed.
pub fn local_money(amount_minor: i64, currency: &str) -> Option<String> {
    let locales = js_sys::Array::of1(&current().code().into());
    let options = if currency.is_empty() {
        options(&[("minimumFractionDigits", "2")])
    } else {
        options(&[("style", "currency"), ("currency", currency)])
    };
    // An unknown currency code makes `Intl` throw: the caller falls back.
    let format = js_sys::Reflect::get(&js_sys::global(), &"Intl".into())
        .ok()
        .and_then(|intl| js_sys::Reflect::get(&intl, &"NumberFormat".into()).ok())
        .and_then(|ctor| ctor.dyn_into::<js_sys::Function>().ok())
        .and_then(|ctor| {
            js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&locales, &options)).ok()
        })?;
    let method = js_sys::Reflect::get(&format, &"format".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    method
        .call1(&format, &JsValue::from_f64(amount_minor as f64 / 100.0))
        .ok()?
        .as_string()
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
