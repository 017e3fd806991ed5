//! The number rules page: the pipeline's settings as a form (lists one per
//! line or comma-separated, lengths as text), turned into the API's
//! [`Rules`]; the relay's 422 (`autocorrect[1]`, `rules.forbidden_codes[0]`
//! from a try) shown under the field and line it names; and the "try a
//! number" box, which asks the relay about the draft, not the saved rules.

use std::rc::Rc;

use callcard_shared::api::DialplanView;
use callcard_shared::dialplan::{parse_list, Allowed, DestinationClass, Outcome, Rules, Verdict};
use yew::Reducible;

use super::{split_index, FormError, Load};
use crate::i18n::{t, tr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RulesField {
    Autocorrect,
    AreaPrefix,
    ExitPrefix,
    LocalLength,
    ExtensionLength,
    Extra,
    ForbiddenCodes,
    Allowed,
    InternationalCountries,
}

impl RulesField {
    /// The form field an API field names, and the list index if any. A try
    /// names the draft's fields under `rules.`.
    pub fn locate(api: &str) -> Option<(RulesField, Option<usize>)> {
        let api = api.strip_prefix("rules.").unwrap_or(api);
        let (name, index) = split_index(api);
        let field = match name {
            "autocorrect" => RulesField::Autocorrect,
            "area_prefix" => RulesField::AreaPrefix,
            "exit_prefix" => RulesField::ExitPrefix,
            "local_length" => RulesField::LocalLength,
            "extension_length" => RulesField::ExtensionLength,
            "extra" => RulesField::Extra,
            "forbidden_codes" => RulesField::ForbiddenCodes,
            "allowed.international_countries" => RulesField::InternationalCountries,
            n if n == "allowed" || n.starts_with("allowed.") => RulesField::Allowed,
            _ => return None,
        };
        Some((field, index))
    }

    /// The field's label on the form.
    pub fn label(self) -> String {
        match self {
            RulesField::Autocorrect => t("rules-autocorrect-label"),
            RulesField::AreaPrefix => t("rules-area-prefix-label"),
            RulesField::ExitPrefix => t("rules-exit-prefix-label"),
            RulesField::LocalLength => t("rules-local-length-label"),
            RulesField::ExtensionLength => t("rules-extension-length-label"),
            RulesField::Extra => t("rules-extra-label"),
            RulesField::ForbiddenCodes => t("rules-forbidden-codes-label"),
            RulesField::Allowed => t("rules-allowed-label"),
            RulesField::InternationalCountries => t("rules-countries-name"),
        }
    }

    /// Whether the form field holds one item per line.
    fn by_line(self) -> bool {
        matches!(self, RulesField::Autocorrect | RulesField::Extra)
    }
}

/// The rules as the admin types them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesForm {
    /// `pattern/replacement`, one per line.
    pub autocorrect: String,
    pub area_prefix: String,
    pub exit_prefix: String,
    /// Digits; empty: no local numbers.
    pub local_length: String,
    pub extension_length: String,
    /// `_XXXX`, one per line.
    pub extra: String,
    /// `+375, 8`
    pub forbidden_codes: String,
    /// The class switches (`international_countries` is unused here).
    pub allowed: Allowed,
    /// `PL, +48`
    pub countries: String,
}

/// The non-empty lines of a textarea, trimmed.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The 1-based line of the `index`-th non-empty line of `text`.
fn line_number(text: &str, index: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .nth(index)
        .map(|(n, _)| n + 1)
}

pub fn class_allowed(allowed: &Allowed, class: DestinationClass) -> bool {
    allowed.permits(class)
}

fn set_class(allowed: &mut Allowed, class: DestinationClass, on: bool) {
    let flag = match class {
        DestinationClass::Internal => &mut allowed.internal,
        DestinationClass::Local => &mut allowed.local,
        DestinationClass::National => &mut allowed.national,
        DestinationClass::Mobile => &mut allowed.mobile,
        DestinationClass::International => &mut allowed.international,
        DestinationClass::Premium => &mut allowed.premium,
        DestinationClass::Special => &mut allowed.special,
    };
    *flag = on;
}

impl RulesForm {
    pub fn from_rules(rules: &Rules) -> RulesForm {
        RulesForm {
            autocorrect: rules.autocorrect.join("\n"),
            area_prefix: rules.area_prefix.clone(),
            exit_prefix: rules.exit_prefix.clone(),
            local_length: rules
                .local_length
                .map(|n| n.to_string())
                .unwrap_or_default(),
            extension_length: rules.extension_length.to_string(),
            extra: rules.extra.join("\n"),
            forbidden_codes: rules.forbidden_codes.join(", "),
            allowed: Allowed {
                international_countries: Vec::new(),
                ..rules.allowed.clone()
            },
            countries: rules.allowed.international_countries.join(", "),
        }
    }

    /// The API's rules. Only what is not a rule at all (a length that is
    /// no number) is refused here; the relay checks the rules themselves.
    pub fn to_rules(&self) -> Result<Rules, FormError<RulesField>> {
        let local_length = match self.local_length.trim() {
            "" => None,
            n => Some(n.parse::<u8>().map_err(|_| {
                FormError::at(RulesField::LocalLength, t("rules-error-local-length"))
            })?),
        };
        let extension_length = self.extension_length.trim().parse::<u8>().map_err(|_| {
            FormError::at(
                RulesField::ExtensionLength,
                t("rules-error-extension-length"),
            )
        })?;
        Ok(Rules {
            autocorrect: lines(&self.autocorrect),
            area_prefix: self.area_prefix.trim().to_owned(),
            exit_prefix: self.exit_prefix.trim().to_owned(),
            local_length,
            extra: lines(&self.extra),
            forbidden_codes: parse_list(&self.forbidden_codes),
            allowed: Allowed {
                international_countries: parse_list(&self.countries),
                ..self.allowed.clone()
            },
            extension_length,
        })
    }

    /// The relay's complaint about `api_field`, under the form field it
    /// names; a line-based list also says which line.
    pub fn error_at(&self, api_field: Option<&str>, message: String) -> FormError<RulesField> {
        let Some((field, index)) = api_field.and_then(RulesField::locate) else {
            return FormError::general(message);
        };
        let text = match field {
            RulesField::Autocorrect => &self.autocorrect,
            RulesField::Extra => &self.extra,
            _ => "",
        };
        let message = match index.filter(|_| field.by_line()) {
            Some(i) => match line_number(text, i) {
                Some(line) => {
                    let args = [("line", line.into()), ("message", message.into())];
                    tr("rules-error-at-line", &args)
                }
                None => message,
            },
            None => message,
        };
        FormError::at(field, message)
    }

    fn set(&mut self, field: RulesField, value: String) {
        match field {
            RulesField::Autocorrect => self.autocorrect = value,
            RulesField::AreaPrefix => self.area_prefix = value,
            RulesField::ExitPrefix => self.exit_prefix = value,
            RulesField::LocalLength => self.local_length = value,
            RulesField::ExtensionLength => self.extension_length = value,
            RulesField::Extra => self.extra = value,
            RulesField::ForbiddenCodes => self.forbidden_codes = value,
            RulesField::InternationalCountries => self.countries = value,
            RulesField::Allowed => {}
        }
    }
}

/// The verdict's last line: allowed as what, or refused and why.
pub fn outcome_text(verdict: &Verdict) -> (bool, String) {
    match &verdict.outcome {
        Outcome::Allowed { dial, e164, class } => {
            let class = crate::i18n::class_words(*class);
            let text = match e164 {
                Some(e164) if e164 != dial => {
                    let args = [
                        ("class", (&class).into()),
                        ("dial", dial.into()),
                        ("e164", e164.into()),
                    ];
                    tr("rules-outcome-allowed-e164", &args)
                }
                _ => {
                    let args = [("class", (&class).into()), ("dial", dial.into())];
                    tr("rules-outcome-allowed", &args)
                }
            };
            (true, text)
        }
        // The reason is the shared pipeline's sentence, shown as it comes.
        Outcome::Refused { reason, .. } => (
            false,
            tr("rules-outcome-refused", &[("reason", reason.into())]),
        ),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RulesAction {
    Retry,
    Loaded(DialplanView),
    LoadFailed(String),
    Set(RulesField, String),
    SetClass(DestinationClass, bool),
    /// Back to the rules in force.
    Discard,
    Invalid(FormError<RulesField>),
    SaveStarted,
    Saved(DialplanView),
    SaveFailed {
        field: Option<String>,
        message: String,
    },
    SetTryNumber(String),
    TryStarted,
    Tried(Verdict),
    TryFailed {
        field: Option<String>,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct NumberRulesState {
    pub load: Load,
    pub default_region: String,
    /// The rules in force.
    pub saved: Rules,
    pub form: RulesForm,
    pub saving: bool,
    pub error: Option<FormError<RulesField>>,
    /// "Saved", until the next edit.
    pub notice: Option<String>,
    pub try_number: String,
    pub trying: bool,
    /// The relay's answer for the draft as it was when asked.
    pub verdict: Option<Verdict>,
    pub try_error: Option<String>,
    pub attempt: u32,
}

impl Default for NumberRulesState {
    fn default() -> Self {
        let rules = Rules::default();
        NumberRulesState {
            load: Load::Loading,
            default_region: String::new(),
            form: RulesForm::from_rules(&rules),
            saved: rules,
            saving: false,
            error: None,
            notice: None,
            try_number: String::new(),
            trying: false,
            verdict: None,
            try_error: None,
            attempt: 0,
        }
    }
}

impl NumberRulesState {
    /// Whether the form differs from the rules in force.
    pub fn dirty(&self) -> bool {
        self.form.to_rules().ok().as_ref() != Some(&self.saved)
    }

    pub fn error_for(&self, field: RulesField) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == Some(field))
            .map(|e| e.message.as_str())
    }

    pub fn general_error(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field.is_none())
            .map(|e| e.message.as_str())
    }
}

impl Reducible for NumberRulesState {
    type Action = RulesAction;

    fn reduce(self: Rc<Self>, action: RulesAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            RulesAction::Retry => {
                next.load = Load::Loading;
                next.attempt = self.attempt.wrapping_add(1);
            }
            RulesAction::Loaded(view) | RulesAction::Saved(view) => {
                let saving = self.saving;
                next.form = RulesForm::from_rules(&view.rules);
                next.saved = view.rules;
                next.default_region = view.default_region;
                next.load = Load::Loaded;
                next.saving = false;
                next.error = None;
                next.notice = saving.then(|| t("rules-saved-notice"));
            }
            RulesAction::LoadFailed(message) => next.load = Load::Failed(message),
            RulesAction::Set(field, value) => {
                next.form.set(field, value);
                next.notice = None;
                next.verdict = None;
                if self.error.as_ref().is_some_and(|e| e.field == Some(field)) {
                    next.error = None;
                }
            }
            RulesAction::SetClass(class, on) => {
                set_class(&mut next.form.allowed, class, on);
                next.notice = None;
                next.verdict = None;
                if self
                    .error
                    .as_ref()
                    .is_some_and(|e| e.field == Some(RulesField::Allowed))
                {
                    next.error = None;
                }
            }
            RulesAction::Discard => {
                next.form = RulesForm::from_rules(&self.saved);
                next.error = None;
                next.notice = None;
                next.verdict = None;
            }
            RulesAction::Invalid(error) => next.error = Some(error),
            RulesAction::SaveStarted => {
                if self.saving {
                    return self;
                }
                next.saving = true;
                next.error = None;
                next.notice = None;
            }
            RulesAction::SaveFailed { field, message } => {
                next.saving = false;
                next.error = Some(self.form.error_at(field.as_deref(), message));
            }
            RulesAction::SetTryNumber(number) => {
                next.try_number = number;
                next.try_error = None;
            }
            RulesAction::TryStarted => {
                next.trying = true;
                next.try_error = None;
            }
            RulesAction::Tried(verdict) => {
                next.trying = false;
                next.verdict = Some(verdict);
            }
            RulesAction::TryFailed { field, message } => {
                next.trying = false;
                next.verdict = None;
                if field.as_deref().is_some_and(|f| f.starts_with("rules.")) {
                    let error = self.form.error_at(field.as_deref(), message);
                    next.try_error = Some(match error.field {
                        Some(field) => {
                            let args = [("field", field.label().into())];
                            tr("rules-try-draft-mistake-in", &args)
                        }
                        None => t("rules-try-draft-mistake"),
                    });
                    next.error = Some(error);
                } else {
                    next.try_error = Some(message);
                }
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callcard_shared::dialplan::Step;

    fn reduce(state: NumberRulesState, actions: Vec<RulesAction>) -> NumberRulesState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    fn view(rules: Rules) -> DialplanView {
        DialplanView {
            default_region: "RU".into(),
            rules,
        }
    }

    #[test]
    fn the_form_reads_lines_and_comma_lists_into_rules() {
        let form = RulesForm {
            autocorrect: "^\\+7/8\n\n  ^(\\d{10})$/8$1  \r\n".into(),
            area_prefix: " 495 ".into(),
            exit_prefix: "810".into(),
            local_length: "7".into(),
            extension_length: "3".into(),
            extra: "_XXXX\n_1XX".into(),
            forbidden_codes: "+375, 8; +7 809".into(),
            allowed: Allowed {
                premium: true,
                ..Allowed::default()
            },
            countries: "PL, +48".into(),
        };
        let rules = form.to_rules().unwrap();
        assert_eq!(rules.autocorrect, ["^\\+7/8", "^(\\d{10})$/8$1"]);
        assert_eq!(rules.area_prefix, "495");
        assert_eq!(rules.local_length, Some(7));
        assert_eq!(rules.extra, ["_XXXX", "_1XX"]);
        assert_eq!(rules.forbidden_codes, ["+375", "8", "+7809"]);
        assert_eq!(rules.allowed.international_countries, ["PL", "+48"]);
        assert!(rules.allowed.premium);
        assert!(rules.validate().is_ok(), "{:?}", rules.validate());
    }

    #[test]
    fn rules_survive_a_round_trip_through_the_form() {
        let rules = Rules {
            autocorrect: vec!["^\\+7/8".into()],
            forbidden_codes: vec!["+375".into(), "8".into()],
            local_length: Some(7),
            area_prefix: "495".into(),
            allowed: Allowed {
                international_countries: vec!["PL".into()],
                ..Allowed::default()
            },
            ..Rules::default()
        };
        assert_eq!(RulesForm::from_rules(&rules).to_rules(), Ok(rules));
        let no_local = RulesForm::from_rules(&Rules::default());
        assert_eq!(no_local.local_length, "");
        assert_eq!(no_local.to_rules().unwrap().local_length, None);
    }

    #[test]
    fn lengths_that_are_not_numbers_are_caught_here() {
        let mut form = RulesForm::from_rules(&Rules::default());
        form.local_length = "seven".into();
        assert_eq!(
            form.to_rules().unwrap_err().field,
            Some(RulesField::LocalLength)
        );
        form.local_length = String::new();
        form.extension_length = String::new();
        assert_eq!(
            form.to_rules().unwrap_err().field,
            Some(RulesField::ExtensionLength)
        );
    }

    #[test]
    fn api_fields_map_to_form_fields() {
        assert_eq!(
            RulesField::locate("autocorrect[1]"),
            Some((RulesField::Autocorrect, Some(1)))
        );
        assert_eq!(
            RulesField::locate("rules.forbidden_codes[0]"),
            Some((RulesField::ForbiddenCodes, Some(0)))
        );
        assert_eq!(
            RulesField::locate("allowed.international_countries[2]"),
            Some((RulesField::InternationalCountries, Some(2)))
        );
        assert_eq!(
            RulesField::locate("allowed.premium"),
            Some((RulesField::Allowed, None))
        );
        assert_eq!(
            RulesField::locate("local_length"),
            Some((RulesField::LocalLength, None))
        );
        assert_eq!(RulesField::locate("number"), None);
    }

    #[test]
    fn a_422_on_a_rule_names_its_line_even_past_blank_lines() {
        let state = reduce(
            NumberRulesState::default(),
            vec![
                RulesAction::Loaded(view(Rules::default())),
                RulesAction::Set(RulesField::Autocorrect, "^\\+7/8\n\n^\\+375".into()),
                RulesAction::SaveStarted,
                RulesAction::SaveFailed {
                    field: Some("autocorrect[1]".into()),
                    message: "`^\\+375` has no `/`".into(),
                },
            ],
        );
        assert!(!state.saving);
        assert_eq!(
            state.error_for(RulesField::Autocorrect),
            Some("Line 3: `^\\+375` has no `/`")
        );
        // Editing another field keeps the error; editing this one clears it.
        let state = reduce(state, vec![RulesAction::Set(RulesField::Extra, "".into())]);
        assert!(state.error.is_some());
        let state = reduce(
            state,
            vec![RulesAction::Set(RulesField::Autocorrect, "^\\+7/8".into())],
        );
        assert!(state.error.is_none());
    }

    #[test]
    fn a_422_without_a_known_field_shows_above_the_form() {
        let state = reduce(
            NumberRulesState::default(),
            vec![RulesAction::SaveFailed {
                field: None,
                message: "The server could not handle the request".into(),
            }],
        );
        assert_eq!(
            state.general_error(),
            Some("The server could not handle the request")
        );
    }

    #[test]
    fn saving_marks_the_form_clean_and_says_so() {
        let mut rules = Rules::default();
        let state = reduce(
            NumberRulesState::default(),
            vec![RulesAction::Loaded(view(rules.clone()))],
        );
        assert!(!state.dirty());
        assert_eq!(state.notice, None, "loading is not saving");
        let state = reduce(
            state,
            vec![RulesAction::Set(RulesField::ForbiddenCodes, "+375".into())],
        );
        assert!(state.dirty());
        rules.forbidden_codes = vec!["+375".into()];
        let state = reduce(
            state,
            vec![RulesAction::SaveStarted, RulesAction::Saved(view(rules))],
        );
        assert!(!state.dirty());
        assert!(!state.saving);
        assert!(state.notice.is_some());
        assert_eq!(state.form.forbidden_codes, "+375");
    }

    #[test]
    fn discarding_goes_back_to_the_rules_in_force() {
        let state = reduce(
            NumberRulesState::default(),
            vec![
                RulesAction::Loaded(view(Rules::default())),
                RulesAction::SetClass(DestinationClass::Premium, true),
                RulesAction::Set(RulesField::AreaPrefix, "495".into()),
            ],
        );
        assert!(state.form.allowed.premium);
        assert!(state.dirty());
        let state = reduce(state, vec![RulesAction::Discard]);
        assert!(!state.dirty());
        assert!(!state.form.allowed.premium);
    }

    #[test]
    fn a_try_that_blames_the_draft_marks_the_field() {
        let state = reduce(
            NumberRulesState::default(),
            vec![
                RulesAction::Set(RulesField::ForbiddenCodes, "+37a".into()),
                RulesAction::TryStarted,
                RulesAction::TryFailed {
                    field: Some("rules.forbidden_codes[0]".into()),
                    message: "`+37a` is not a code".into(),
                },
            ],
        );
        assert!(!state.trying);
        assert_eq!(
            state.error_for(RulesField::ForbiddenCodes),
            Some("`+37a` is not a code")
        );
        assert!(state.try_error.unwrap().contains("Forbidden codes"));

        let state = reduce(
            NumberRulesState::default(),
            vec![RulesAction::TryFailed {
                field: Some("number".into()),
                message: "enter a number to try".into(),
            }],
        );
        assert_eq!(state.try_error.as_deref(), Some("enter a number to try"));
        assert_eq!(state.error, None);
    }

    #[test]
    fn the_verdict_reads_like_the_dial_pad() {
        let allowed = Verdict {
            steps: vec![Step {
                name: "autocorrect[0] ^\\+7/8".into(),
                before: "+74951234567".into(),
                after: "84951234567".into(),
            }],
            outcome: Outcome::Allowed {
                dial: "84951234567".into(),
                e164: Some("+74951234567".into()),
                class: DestinationClass::Local,
            },
        };
        let (ok, text) = outcome_text(&allowed);
        assert!(ok);
        assert!(text.contains("dials 84951234567 (+74951234567)"), "{text}");
        let refused = Verdict {
            steps: vec![],
            outcome: Outcome::Refused {
                class: None,
                reason: "forbidden code `+375`".into(),
                code: Default::default(),
            },
        };
        assert_eq!(
            outcome_text(&refused),
            (false, "Refused: forbidden code `+375`".into())
        );
    }

    #[test]
    fn the_real_pipeline_agrees_with_the_forms_rules() {
        // The rules of the browser test, evaluated here as the relay would.
        let mut form = RulesForm::from_rules(&Rules::default());
        form.autocorrect = "^\\+7/8".into();
        form.forbidden_codes = "+375".into();
        let rules = form.to_rules().unwrap();
        let region = "RU".parse().unwrap();
        let ivan = callcard_shared::dialplan::evaluate(&rules, region, "+7 495 123-45-67");
        assert_eq!(ivan.dial(), Some("84951234567"));
        let minsk = callcard_shared::dialplan::evaluate(&rules, region, "+375 29 123 45 67");
        assert!(minsk.reason().unwrap().contains("+375"));
    }
}
