//! The pipeline itself: [`Plan`] (rules validated and compiled once),
//! [`evaluate`], and the [`Verdict`] with every step for the "try a number" box.

use super::autocorrect::Autocorrect;
use super::class::DestinationClass;
use super::classify::classify;
use super::extra::ExtraRule;
use super::forbidden::ForbiddenCode;
use super::number::read;
use super::rules::{Allowed, RuleError, Rules};
use super::special::is_special;
use super::verdict::{Outcome, Step, Verdict};
use crate::phone::Region;
use crate::refusal::RefusalCode;
use phonenumber::metadata::DATABASE;

/// Most digits a dialled string may have (E.164's 15, an exit prefix, slack).
const MAX_DIGITS: usize = 24;
/// Most autocorrect or extra rules.
const MAX_RULES: usize = 100;

/// An entry of `allowed.international_countries`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Country {
    Code(u16),
    Region(String),
}

/// Rules validated and compiled, ready for many numbers.
#[derive(Debug, Clone)]
pub struct Plan {
    autocorrect: Vec<Autocorrect>,
    extra: Vec<ExtraRule>,
    forbidden: Vec<ForbiddenCode>,
    countries: Vec<Country>,
    area_prefix: String,
    exit_prefix: String,
    local_length: Option<usize>,
    extension_length: usize,
    allowed: Allowed,
}

/// Runs `input` through `rules` for a caller whose numbers without `+` are
/// read in `default_region`. Invalid rules refuse every number, with the
/// first mistake as the reason.
pub fn evaluate(rules: &Rules, default_region: Region, input: &str) -> Verdict {
    match Plan::new(rules) {
        Ok(plan) => plan.evaluate(default_region, input),
        Err(errors) => Verdict {
            steps: Vec::new(),
            outcome: Outcome::Refused {
                class: None,
                code: RefusalCode::new("rules-invalid"),
                reason: format!(
                    "the number rules are invalid, so no call is allowed: {}",
                    errors[0]
                ),
            },
        },
    }
}

fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl Plan {
    /// Validates and compiles the rules; every mistake is reported, each
    /// naming its field.
    pub fn new(rules: &Rules) -> Result<Plan, Vec<RuleError>> {
        let mut errors = Vec::new();
        if rules.autocorrect.len() > MAX_RULES {
            errors.push(RuleError::new(
                "autocorrect",
                format!("at most {MAX_RULES} rules"),
            ));
        }
        if rules.extra.len() > MAX_RULES {
            errors.push(RuleError::new(
                "extra",
                format!("at most {MAX_RULES} rules"),
            ));
        }
        let mut autocorrect = Vec::new();
        for (i, rule) in rules.autocorrect.iter().enumerate() {
            match Autocorrect::parse(rule) {
                Ok(rule) => autocorrect.push(rule),
                Err(e) => errors.push(RuleError::new(format!("autocorrect[{i}]"), e)),
            }
        }
        let area_prefix = rules.area_prefix.trim().to_string();
        if !area_prefix.is_empty() && (!digits_only(&area_prefix) || area_prefix.len() > 8) {
            errors.push(RuleError::new(
                "area_prefix",
                format!("`{area_prefix}` must be 1 to 8 digits, e.g. `495`"),
            ));
        }
        let exit_prefix = rules.exit_prefix.trim().to_string();
        if !exit_prefix.is_empty() && (!digits_only(&exit_prefix) || exit_prefix.len() > 5) {
            errors.push(RuleError::new(
                "exit_prefix",
                format!("`{exit_prefix}` must be 1 to 5 digits, e.g. `810` or `00`"),
            ));
        }
        let extension_length = usize::from(rules.extension_length);
        if !(3..=6).contains(&extension_length) {
            errors.push(RuleError::new(
                "extension_length",
                format!("must be 3 to 6 digits, not {extension_length}"),
            ));
        }
        let local_length = rules.local_length.map(usize::from);
        if let Some(len) = local_length {
            if !(4..=10).contains(&len) {
                errors.push(RuleError::new(
                    "local_length",
                    format!("must be 4 to 10 digits, not {len}"),
                ));
            } else if len == extension_length {
                errors.push(RuleError::new(
                    "local_length",
                    format!("equals extension_length ({len}): a number of {len} digits could not be told apart"),
                ));
            }
        }
        if !area_prefix.is_empty() && local_length.is_none() {
            errors.push(RuleError::new(
                "area_prefix",
                "is used only for local numbers: set local_length too",
            ));
        }
        let mut extra = Vec::new();
        for (i, rule) in rules.extra.iter().enumerate() {
            match ExtraRule::parse(rule) {
                Ok(rule) => extra.push(rule),
                Err(e) => errors.push(RuleError::new(format!("extra[{i}]"), e)),
            }
        }
        let mut forbidden = Vec::new();
        for (i, code) in rules.forbidden_codes.iter().enumerate() {
            match ForbiddenCode::parse(code) {
                Ok(code) => forbidden.push(code),
                Err(e) => errors.push(RuleError::new(format!("forbidden_codes[{i}]"), e)),
            }
        }
        let mut countries = Vec::new();
        for (i, entry) in rules.allowed.international_countries.iter().enumerate() {
            match parse_country(entry) {
                Ok(country) => countries.push(country),
                Err(e) => errors.push(RuleError::new(
                    format!("allowed.international_countries[{i}]"),
                    e,
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Plan {
            autocorrect,
            extra,
            forbidden,
            countries,
            area_prefix,
            exit_prefix,
            local_length,
            extension_length,
            allowed: rules.allowed.clone(),
        })
    }

    /// Runs `input` through the pipeline (see the module documentation).
    pub fn evaluate(&self, default_region: Region, input: &str) -> Verdict {
        let mut trace = Trace { steps: Vec::new() };
        let outcome = self.run(&mut trace, default_region, input);
        Verdict {
            steps: trace.steps,
            outcome,
        }
    }

    fn run(&self, trace: &mut Trace, region: Region, input: &str) -> Outcome {
        // 1. Strip formatting.
        let shown = input.trim();
        let mut number = match strip(shown) {
            Ok(number) => number,
            Err(reason) => return refused(None, RefusalCode::new("not-dialable"), reason),
        };
        trace.step("strip formatting", shown, &number);
        // A number typed with `+` is complete: never an extension or a local
        // number, whatever the autocorrect rules make of it.
        let complete = number.starts_with('+');

        // 2. Autocorrect rules, in order.
        for (i, rule) in self.autocorrect.iter().enumerate() {
            let Some(corrected) = rule.apply(&number) else {
                continue;
            };
            trace.step(
                format!("autocorrect[{i}] {}", rule.source()),
                &number,
                &corrected,
            );
            if !dialable(&corrected) {
                return refused(
                    None,
                    RefusalCode::new("autocorrect-undialable").with("rule", rule.source()),
                    format!(
                        "autocorrect[{i}] `{}` turned `{number}` into `{corrected}`, which cannot be dialled",
                        rule.source()
                    ),
                );
            }
            number = corrected;
        }

        // 3. Special numbers, before anything could take them for an extension.
        if is_special(&number, region) {
            trace.step("special number", &number, "special");
            return self.decide(DestinationClass::Special, number, None);
        }

        // 4. Extra rules: dialled as is.
        let as_is = self.extra.iter().position(|rule| rule.matches(&number));
        if let Some(i) = as_is {
            trace.step(
                format!("extra[{i}] {}: dialled as is", self.extra[i].source()),
                &number,
                &number,
            );
        }

        // 5. Extensions.
        if !complete
            && as_is.is_none()
            && digits_only(&number)
            && number.len() == self.extension_length
        {
            trace.step(
                format!("extension ({} digits)", self.extension_length),
                &number,
                &number,
            );
            return self.decide(DestinationClass::Internal, number, None);
        }

        // 6. Local numbers get the area prefix.
        let local = !complete
            && as_is.is_none()
            && digits_only(&number)
            && Some(number.len()) == self.local_length;
        let dial = if local {
            let with_area = format!("{}{number}", self.area_prefix);
            let name = if self.area_prefix.is_empty() {
                format!("local number ({} digits)", number.len())
            } else {
                format!("local number: area prefix {}", self.area_prefix)
            };
            trace.step(name, &number, &with_area);
            with_area
        } else {
            number
        };

        // 7. The international exit prefix reads as `+`.
        let mut international = None;
        if !self.exit_prefix.is_empty() && !local {
            if let Some(rest) = dial.strip_prefix(self.exit_prefix.as_str()) {
                if !rest.is_empty() {
                    let plus = format!("+{rest}");
                    trace.step(
                        format!("international exit prefix {}", self.exit_prefix),
                        &dial,
                        &plus,
                    );
                    international = Some(plus);
                }
            }
        }

        // 8. E.164.
        let source = international.as_deref().unwrap_or(&dial);
        let reading = read(source, region);
        match &reading {
            Some(reading) => trace.step("E.164", source, &reading.e164),
            None if local || as_is.is_some() => {
                trace.step("E.164", source, "none (a short number)");
            }
            None => {
                return refused(
                    None,
                    RefusalCode::new("not-a-number"),
                    self.not_a_number(source, region),
                )
            }
        }
        let e164 = reading.as_ref().map(|r| r.e164.clone());

        // 10. The class (computed before 9 so a refusal carries it).
        let classified = reading
            .as_ref()
            .map(|r| classify(r, &region.code(), &self.area_prefix));
        let class = match &classified {
            Some(c) if c.class == DestinationClass::Premium => DestinationClass::Premium,
            Some(c) if !local => c.class,
            _ => DestinationClass::Local,
        };

        // 9. Forbidden codes.
        if let Some((i, code)) = self
            .forbidden
            .iter()
            .enumerate()
            .find(|(_, code)| code.matches(&dial, e164.as_deref()))
        {
            let (what, value) = if code.international {
                ("the number", e164.as_deref().unwrap_or_default())
            } else {
                ("the dialled string", dial.as_str())
            };
            trace.step(
                format!("forbidden_codes[{i}] {}", code.source),
                value,
                "refused",
            );
            return refused(
                Some(class),
                RefusalCode::new("forbidden-code").with("prefix", &code.source),
                format!(
                    "forbidden code `{}` (forbidden_codes[{i}]): {what} `{value}` starts with it",
                    code.source
                ),
            );
        }

        let described = match &classified {
            Some(c) => format!(
                "{class} ({}, {})",
                c.kind,
                c.region.as_deref().unwrap_or("no region")
            ),
            None => class.to_string(),
        };
        trace.step("class", e164.as_deref().unwrap_or(dial.as_str()), described);

        // 11. Allowed destinations (with the country list for foreign numbers).
        if let Some(c) = classified.as_ref().filter(|c| c.foreign) {
            let name = c
                .region
                .clone()
                .unwrap_or_else(|| format!("+{}", c.country_code));
            if !self.allowed.international {
                return refused(
                    Some(class),
                    RefusalCode::new("international-off").with("country", &name),
                    format!(
                        "international calls are not allowed (allowed destinations: international is off); `{}` is in {name}",
                        e164.as_deref().unwrap_or_default()
                    ),
                );
            }
            if !self.countries.is_empty()
                && !self.countries.iter().any(|country| match country {
                    Country::Code(code) => *code == c.country_code,
                    Country::Region(r) => Some(r.as_str()) == c.region.as_deref(),
                })
            {
                return refused(
                    Some(class),
                    RefusalCode::new("country-not-allowed").with("country", &name),
                    format!(
                        "calls to {name} (+{}) are not allowed: international calls are limited to {} (allowed.international_countries)",
                        c.country_code,
                        self.allowed.international_countries.join(", ")
                    ),
                );
            }
        }
        self.decide(class, dial, e164)
    }

    /// The final check of the class against the allowed destinations.
    fn decide(&self, class: DestinationClass, dial: String, e164: Option<String>) -> Outcome {
        if self.allowed.permits(class) {
            Outcome::Allowed { dial, e164, class }
        } else {
            refused(
                Some(class),
                RefusalCode::new("class-not-allowed").with("class", class.as_str()),
                format!(
                    "{} are not allowed (allowed destinations: {} is off)",
                    class.describe(),
                    class.as_str()
                ),
            )
        }
    }

    /// Why `source` was not read as a number, with what the admin could do.
    fn not_a_number(&self, source: &str, region: Region) -> String {
        let digits = source.trim_start_matches('+').len();
        let mut reason = format!(
            "`{source}` is not a complete number in the numbering plan of {}",
            if source.starts_with('+') {
                "its country".to_string()
            } else {
                region.code()
            }
        );
        if !source.starts_with('+') && digits <= 8 {
            reason.push_str(&format!(
                ", nor an extension ({} digits){}; an extra rule `_{}` would dial such numbers as they are",
                self.extension_length,
                match self.local_length {
                    Some(len) => format!(" or a local number ({len} digits)"),
                    None => String::new(),
                },
                "X".repeat(digits)
            ));
        }
        reason
    }
}

fn parse_country(entry: &str) -> Result<Country, String> {
    let entry = entry.trim();
    let code = entry.strip_prefix('+').unwrap_or(entry);
    if digits_only(code) {
        return match code.parse::<u16>() {
            Ok(code) if DATABASE.region(&code).is_some() => Ok(Country::Code(code)),
            _ => Err(format!("`{entry}` is not a country calling code")),
        };
    }
    entry
        .parse::<Region>()
        .map(|r| Country::Region(r.code()))
        .map_err(|_| {
            format!("`{entry}` is neither a country calling code (`+48`) nor an ISO region (`PL`)")
        })
}

fn refused(
    class: Option<DestinationClass>,
    code: RefusalCode,
    reason: impl Into<String>,
) -> Outcome {
    Outcome::Refused {
        class,
        reason: reason.into(),
        code,
    }
}

/// Digits with at most one leading `+`.
fn dialable(s: &str) -> bool {
    digits_only(s.strip_prefix('+').unwrap_or(s))
}

/// Drops the formatting people type (spaces, dashes, dots, brackets,
/// slashes); refuses anything else, naming it.
fn strip(input: &str) -> Result<String, String> {
    let mut out = String::new();
    for c in input.chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' if out.is_empty() => out.push(c),
            '+' => return Err(format!("`{input}`: a `+` may only stand at the start")),
            '-' | '.' | '(' | ')' | '/' | '\u{2010}'..='\u{2015}' => {}
            c if c.is_whitespace() => {}
            other => {
                return Err(format!(
                    "`{input}` holds `{other}`, which cannot be dialled"
                ))
            }
        }
    }
    let digits = out.trim_start_matches('+').len();
    if digits == 0 {
        return Err(if input.is_empty() {
            "nothing to dial".to_string()
        } else {
            format!("`{input}` holds no digits")
        });
    }
    if digits > MAX_DIGITS {
        return Err(format!("`{input}` is too long to be a phone number"));
    }
    Ok(out)
}

struct Trace {
    steps: Vec<Step>,
}

impl Trace {
    fn step(&mut self, name: impl Into<String>, before: &str, after: impl Into<String>) {
        self.steps.push(Step {
            name: name.into(),
            before: before.to_string(),
            after: after.into(),
        });
    }
}
