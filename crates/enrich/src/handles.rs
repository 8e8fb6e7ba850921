//! Off-market contact handles written in free text: e-mail, Wickr, Telegram, Session, Signal.
//!
//! Apart from e-mail, a handle is only taken when it follows its app's label and a separator
//! ("wickr: name", "tg - @name", "t.me/name"): a bare word is not a handle, and prose that merely names
//! an app ("I use telegram sometimes") has no separator after the label. Labels match in any case.
//! A shared handle is hard linking evidence, so the rules prefer missing a handle to inventing one.

use std::sync::LazyLock;

use regex::{Captures, Regex, RegexSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandleKind {
    Email,
    Wickr,
    Telegram,
    Session,
    Signal,
}

impl HandleKind {
    /// The value stored in `contact_handles.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            HandleKind::Email => "email",
            HandleKind::Wickr => "wickr",
            HandleKind::Telegram => "telegram",
            HandleKind::Session => "session",
            HandleKind::Signal => "signal",
        }
    }
}

/// A handle found in text. `raw` is `text[start..end]`: the handle with its label, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundHandle {
    pub kind: HandleKind,
    /// What linking compares: lower-case, without a leading @; Signal phone numbers as +digits.
    pub handle: String,
    pub raw: String,
    pub start: usize,
    pub end: usize,
}

/// One recogniser: a regex whose group 1 is the handle, and how to turn that into the stored value
/// (`None` rejects the match).
struct HandleRule {
    kind: HandleKind,
    pattern: &'static str,
    normalise: fn(&str) -> Option<String>,
}

/// A label, optional words that often follow it, the separator that makes it a label, the value, and
/// the end of the value: a handle ends where a word would end, so the regex backs off to a shorter
/// value rather than cut one ("signal: +15550104477 10g" is the number, not "+15550104477 10").
macro_rules! labelled {
    ($label:literal, $value:literal) => {
        concat!(
            r"(?i)\b",
            $label,
            r"\s*(?::|=|-|–|—)\s*",
            $value,
            r"(?:[^\p{L}\p{N}@]|$)"
        )
    };
}

// App names are taken wider than the apps allow (letters, digits and `._-`, up to 64 long, where
// Telegram stops at 32) so that a name is seen whole even when written against one app's rules. The
// upper bound acts as a look-ahead: a longer run fails the boundary check in `accept` instead of being
// cut into a handle nobody wrote.
const RULES: &[HandleRule] = &[
    HandleRule {
        kind: HandleKind::Email,
        pattern: r"(?i)([a-z0-9._%+-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,24})",
        normalise: email,
    },
    HandleRule {
        kind: HandleKind::Wickr,
        pattern: labelled!(
            r"wickr(?:\s*me)?(?:\s*id)?",
            r"@?([a-z0-9_][a-z0-9._-]{1,63})"
        ),
        normalise: app_name,
    },
    HandleRule {
        kind: HandleKind::Telegram,
        pattern: labelled!(
            r"(?:telegram|tg)(?:\s*id)?",
            r"@?([a-z0-9_][a-z0-9._-]{1,63})"
        ),
        normalise: app_name,
    },
    HandleRule {
        kind: HandleKind::Telegram,
        pattern: r"(?i)\b(?:https?://)?(?:t|telegram)\.me/@?([a-z0-9_][a-z0-9._-]{1,63})(?:[^\p{L}\p{N}@]|$)",
        normalise: app_name,
    },
    HandleRule {
        kind: HandleKind::Session,
        pattern: labelled!(r"session(?:\s*id)?", r"(05[0-9a-f]{64})"),
        normalise: session_id,
    },
    HandleRule {
        kind: HandleKind::Signal,
        pattern: labelled!(
            r"signal(?:\s*(?:number|no\.?|nr\.?|#|id))?",
            r"(\+[0-9][0-9 ().-]{5,22}[0-9]|@?[a-z][a-z0-9_]{2,31}\.[0-9]{2,9})"
        ),
        normalise: signal_id,
    },
];

/// Words that follow a label in prose ("wickr: ask me", "telegram - coming soon") and are not names.
const NOT_A_NAME: &[&str] = &[
    "ask",
    "available",
    "below",
    "coming",
    "contact",
    "dm",
    "here",
    "inbox",
    "joinchat",
    "message",
    "msg",
    "na",
    "none",
    "only",
    "pm",
    "request",
    "same",
    "see",
    "soon",
    "the",
    "upon",
    "via",
];

static COMPILED: LazyLock<Vec<(Regex, &'static HandleRule)>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|rule| {
            let regex = Regex::new(rule.pattern).expect("handle patterns are valid");
            (regex, rule)
        })
        .collect()
});

/// One pass telling which rules match at all: most text has no handle, and then no rule runs.
static ANY_RULE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(RULES.iter().map(|r| r.pattern)).expect("handle patterns are valid")
});

/// Every handle in `text`, in order of appearance, one entry per occurrence. Where two rules match
/// overlapping text, the one starting first (then the longer) is kept.
pub fn find_contact_handles(text: &str) -> Vec<FoundHandle> {
    let hits = ANY_RULE.matches(text);
    let mut found: Vec<FoundHandle> = COMPILED
        .iter()
        .enumerate()
        .filter(|(i, _)| hits.matched(*i))
        .flat_map(|(_, (regex, rule))| {
            regex
                .captures_iter(text)
                .filter_map(move |caps| accept(text, &caps, rule))
        })
        .collect();
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<FoundHandle> = Vec::with_capacity(found.len());
    for handle in found {
        if kept.last().is_none_or(|last| handle.start >= last.end) {
            kept.push(handle);
        }
    }
    kept
}

fn accept(text: &str, caps: &Captures<'_>, rule: &HandleRule) -> Option<FoundHandle> {
    let whole = caps.get(0)?;
    let value = caps.get(1)?;
    // A handle cut short by the regex's length bound or class is not the handle that was written.
    let next = text[value.end()..].chars().next();
    if next.is_some_and(|c| c.is_alphanumeric() || c == '@') {
        return None;
    }
    let (start, end) = if rule.kind == HandleKind::Email {
        // The match may start inside a longer word or on dots ("mail...me@x.org"): the local part
        // starts after the dots and only at a word start.
        let dots = value.as_str().len() - value.as_str().trim_start_matches('.').len();
        let start = value.start() + dots;
        let previous = text[..start].chars().next_back();
        if previous.is_some_and(|c| c.is_alphanumeric()) {
            return None;
        }
        (start, value.end())
    } else {
        // Sentence punctuation after a name ("wickr: darkside." / "tg: @x_y-") is not part of it.
        let kept = value.as_str().trim_end_matches(['.', '-']);
        (whole.start(), value.start() + kept.len())
    };
    let value_start = value.start().max(start);
    let handle = (rule.normalise)(&text[value_start..end])?;
    Some(FoundHandle {
        kind: rule.kind,
        handle,
        raw: text[start..end].to_string(),
        start,
        end,
    })
}

fn email(value: &str) -> Option<String> {
    let (local, _domain) = value.split_once('@')?;
    (!local.is_empty() && !local.ends_with('.')).then(|| value.to_lowercase())
}

fn app_name(value: &str) -> Option<String> {
    let name = value.trim_start_matches('@').to_lowercase();
    let plausible = name.len() >= 3 && name.chars().any(|c| c.is_ascii_alphabetic());
    (plausible && !NOT_A_NAME.contains(&name.as_str())).then_some(name)
}

fn session_id(value: &str) -> Option<String> {
    Some(value.to_ascii_lowercase())
}

fn signal_id(value: &str) -> Option<String> {
    if value.starts_with('+') {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        // E.164 numbers have at most 15 digits; fewer than 7 is no phone number.
        return (7..=15)
            .contains(&digits.len())
            .then(|| format!("+{digits}"));
    }
    Some(value.trim_start_matches('@').to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(&'static str, String)> {
        find_contact_handles(text)
            .into_iter()
            .map(|h| (h.kind.as_str(), h.handle))
            .collect()
    }

    fn one(kind: &'static str, handle: &str) -> Vec<(&'static str, String)> {
        vec![(kind, handle.to_string())]
    }

    const SESSION: &str = "05a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    #[test]
    fn the_synthetic_world_formats() {
        assert_eq!(pairs("wickr: darkside_77"), one("wickr", "darkside_77"));
        assert_eq!(
            pairs("telegram: @NorthernLights"),
            one("telegram", "northernlights")
        );
        assert_eq!(
            pairs(&format!("session: {SESSION}")),
            one("session", SESSION)
        );
        assert_eq!(
            pairs("Mail.Me@ProtonMail.com"),
            one("email", "mail.me@protonmail.com")
        );
    }

    #[test]
    fn label_variants() {
        for text in [
            "Wickr Me: DrFeelgood",
            "WICKR - drfeelgood",
            "wickr:drfeelgood",
            "wickr id: drfeelgood",
        ] {
            assert_eq!(pairs(text), one("wickr", "drfeelgood"), "{text}");
        }
        for text in [
            "tg: @cand_man",
            "Telegram - cand_man",
            "https://t.me/cand_man",
            "t.me/Cand_Man",
        ] {
            assert_eq!(pairs(text), one("telegram", "cand_man"), "{text}");
        }
        let upper = format!("Session ID: {}", SESSION.to_uppercase());
        assert_eq!(pairs(&upper), one("session", SESSION));
    }

    #[test]
    fn signal_phone_numbers_and_usernames() {
        assert_eq!(
            pairs("signal: +1 (555) 010-4477"),
            one("signal", "+15550104477")
        );
        assert_eq!(
            pairs("Signal: +4915123456789."),
            one("signal", "+4915123456789")
        );
        assert_eq!(pairs("signal - ghost.42"), one("signal", "ghost.42"));
        assert_eq!(
            pairs("signal: +15550104477 10g for $80"),
            one("signal", "+15550104477")
        );
        assert!(pairs("signal: +12").is_empty());
        assert!(pairs("signal: strong").is_empty());
    }

    #[test]
    fn raw_and_offsets_cover_label_and_handle() {
        let text = "Reach me. Wickr Me: DrFeelgood. Or mail x.y@cock.li!";
        let found = find_contact_handles(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].raw, "Wickr Me: DrFeelgood");
        assert_eq!(found[1].raw, "x.y@cock.li");
        for h in &found {
            assert_eq!(&text[h.start..h.end], h.raw);
        }
    }

    #[test]
    fn every_occurrence_counts() {
        let text = "wickr: abc123 ... again wickr: abc123 and WICKR: ABC123";
        assert_eq!(pairs(text).len(), 3);
    }

    #[test]
    fn plain_prose_has_no_handles() {
        for text in [
            "I use telegram sometimes",
            "email me via the market",
            "Contact me on wickr or signal for bulk",
            "session expired, log in again",
            "Telegram: coming soon",
            "wickr: ask in PM",
            "signal: strong, stealth is great",
            "price @ 50 each, 10g@$80",
            "the @vendor team ships fast",
            "tg bot down",
            "5 stars, got it in 3 days - will order again",
        ] {
            assert!(pairs(text).is_empty(), "{text}: {:?}", pairs(text));
        }
    }

    #[test]
    fn handles_cut_short_are_rejected() {
        // Longer than the 64 characters taken: not a handle, rather than a truncated one.
        assert_eq!(pairs(&format!("wickr: {}", "a".repeat(64))).len(), 1);
        assert!(pairs(&format!("wickr: {}", "a".repeat(65))).is_empty());
        assert!(pairs(&format!("session: {}0", SESSION)).is_empty());
        assert!(pairs("xmail@host.org").len() == 1);
        assert!(pairs("wickr: bob@mail.org") == one("email", "bob@mail.org"));
    }
}
