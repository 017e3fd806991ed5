//! The admin pages' state: trunks, telephony users, number rules, masking
//! and automatic telephony users per group, call limits, turning telephony
//! off. Each module holds the form as the admin types it, its
//! conversion to the API's input (with the mistakes the browser can see
//! itself), and the mapping of the relay's `field` in a 4xx to a form field.

pub mod limits;
pub mod masking;
pub mod number_rules;
pub mod telephony_off;
pub mod telephony_users;
pub mod trunks;

/// Where a page's list stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    Loading,
    Loaded,
    Failed(String),
}

/// A mistake to show on a form: under `field`, or above the form when `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError<F> {
    pub field: Option<F>,
    pub message: String,
}

impl<F> FormError<F> {
    pub fn at(field: F, message: impl Into<String>) -> Self {
        FormError {
            field: Some(field),
            message: message.into(),
        }
    }

    pub fn general(message: impl Into<String>) -> Self {
        FormError {
            field: None,
            message: message.into(),
        }
    }
}

/// Splits an API field name such as `autocorrect[1]` into the name and the
/// list index; `number` has none.
pub fn split_index(field: &str) -> (&str, Option<usize>) {
    if let Some(open) = field.find('[') {
        if let Some(inner) = field[open + 1..].strip_suffix(']') {
            if let Ok(i) = inner.parse() {
                return (&field[..open], Some(i));
            }
        }
    }
    (field, None)
}

#[cfg(test)]
mod tests {
    use super::split_index;

    #[test]
    fn list_fields_keep_their_index() {
        assert_eq!(split_index("autocorrect[1]"), ("autocorrect", Some(1)));
        assert_eq!(
            split_index("allowed.international_countries[12]"),
            ("allowed.international_countries", Some(12))
        );
        assert_eq!(split_index("host"), ("host", None));
        assert_eq!(split_index("odd[x]"), ("odd[x]", None));
    }
}
