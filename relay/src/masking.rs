//! Number masking on the way out: every response and event that carries a
//! phone number to a member of a masked group goes through here
//! (`callcard_shared::masking::Masking` decides what is shown). Free text the
//! relay writes itself (call end causes) is masked too.

use callcard_shared::api::{CallRecord, Contact, ContactCard, ServerEvent};
use callcard_shared::masking::Masking;

/// A contact's phones as the group may see them.
pub fn contact(masking: Masking, contact: &mut Contact) {
    if masking.is_none() {
        return;
    }
    for phone in &mut contact.phones {
        phone.raw = masking.apply(&phone.raw);
        phone.e164 = phone
            .e164
            .as_deref()
            .map(|n| masking.apply(n))
            .filter(|n| !n.is_empty());
    }
}

pub fn card(masking: Masking, card: &mut ContactCard) {
    contact(masking, &mut card.contact);
}

pub fn call(masking: Masking, record: &mut CallRecord) {
    if masking.is_none() {
        return;
    }
    record.number_dialled = masking.apply(&record.number_dialled);
    record.number_e164 = record
        .number_e164
        .as_deref()
        .map(|n| masking.apply(n))
        .filter(|n| !n.is_empty());
    record.end_cause = record.end_cause.as_deref().map(|c| text(masking, c));
    record.note = record.note.as_deref().map(|n| text(masking, n));
}

pub fn event(masking: Masking, event: &mut ServerEvent) {
    if let ServerEvent::IncomingCall {
        number,
        contact: card,
        ..
    } = event
    {
        *number = masking.apply(number);
        if let Some(card) = card {
            contact(masking, card);
        }
    }
}

/// A number-rules verdict (the dial pad's preview) as the group may see it:
/// the dial string, the E.164 form, the steps and the reason.
pub fn verdict(masking: Masking, verdict: &mut callcard_shared::dialplan::Verdict) {
    use callcard_shared::dialplan::Outcome;
    if masking.is_none() {
        return;
    }
    for step in &mut verdict.steps {
        step.before = text(masking, &step.before);
        step.after = text(masking, &step.after);
        step.name = text(masking, &step.name);
    }
    match &mut verdict.outcome {
        Outcome::Allowed { dial, e164, .. } => {
            // Through `text`: an extension (`102`) stays readable.
            *dial = text(masking, dial);
            *e164 = e164.as_deref().map(|n| text(masking, n));
        }
        Outcome::Refused { reason, .. } => *reason = text(masking, reason),
    }
}

/// Masks every phone-number-looking run (5+ digits, with `+`, spaces, dashes,
/// brackets between them) inside free text.
pub fn text(masking: Masking, text: &str) -> String {
    if masking.is_none() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 5 {
            let trimmed = run.trim_end_matches([' ', '-', '(', ')']);
            let tail = &run[trimmed.len()..];
            out.push_str(&masking.apply(trimmed));
            out.push_str(tail);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        let in_number = c.is_ascii_digit()
            || (!run.is_empty() && matches!(c, ' ' | '-' | '(' | ')'))
            || (c == '+' && run.is_empty());
        if in_number {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_inside_text_are_masked_and_the_rest_kept() {
        let m = Masking::ShowLast { n: 2 };
        assert_eq!(
            text(m, "forwarded to +74959876543: normal clearing (BYE)"),
            "forwarded to +*********43: normal clearing (BYE)"
        );
        assert_eq!(text(m, "busy (486)"), "busy (486)");
        assert_eq!(text(Masking::None, "+74959876543"), "+74959876543");
        assert_eq!(text(Masking::Hidden, "to 8 (495) 123-45-67."), "to .");
    }
}
