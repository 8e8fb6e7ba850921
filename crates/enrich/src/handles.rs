//! Off-market contact handles written in free text: e-mail, Wickr, Telegram, Session, Signal,
//! Threema, Jabber/XMPP and ICQ.
//!
//! Apart from e-mail, a handle is only taken when it follows its app's label and a separator
//! ("wickr: name", "tg - @name", "t.me/name", "icq# 123456"): a bare word is not a handle, and prose
//! that merely names an app ("I use telegram sometimes") has no separator after the label. Labels match
//! in any case. The one exception is a Jabber ID on a known public XMPP server (listed in
//! `data/handles.toml`), which is a Jabber ID whatever precedes it.
//! A shared handle is hard linking evidence, so the rules prefer missing a handle to inventing one.
//!
//! Normalisation (what [`FoundHandle::handle`] holds, and what linking compares):
//! - e-mail, Jabber IDs, Wickr, Telegram, Signal usernames: lower case (the services ignore case),
//!   without a leading `@`;
//! - Session IDs: 66 lower-case hex digits starting `05`;
//! - Threema IDs: 8 upper-case characters (the form the app shows), `*` kept for gateway IDs; eight
//!   letters not written in upper case are taken for prose ("threema: required") and skipped;
//! - ICQ: the UIN's digits without spaces or dashes;
//! - Signal phone numbers: E.164 (`+` and digits). A number written with `00` instead of `+` is
//!   converted; a number without either has no country code and is not taken, since the country would
//!   be a guess.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::{Captures, Regex, RegexSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandleKind {
    Email,
    Wickr,
    Telegram,
    Session,
    Signal,
    Threema,
    Xmpp,
    Icq,
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
            HandleKind::Threema => "threema",
            HandleKind::Xmpp => "xmpp",
            HandleKind::Icq => "icq",
        }
    }
}

/// A handle found in text. `raw` is `text[start..end]`: the handle with its label, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundHandle {
    pub kind: HandleKind,
    /// What linking compares; see the module documentation for each kind's normal form.
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
    /// Words (a regex of literals, matched without regard to case) of which every match of `pattern` holds
    /// one: the rule runs only on a text that has one.
    cue: &'static str,
    normalise: fn(&str, &Vocabulary) -> Option<String>,
}

/// A label, optional words that often follow it, the separator that makes it a label, the value, and
/// the end of the value: a handle ends where a word would end, so the regex backs off to a shorter
/// value rather than cut one ("signal: +15550104477 10g" is the number, not "+15550104477 10").
macro_rules! labelled {
    ($label:literal, $value:expr) => {
        labelled!($label, r"(?::|=|-|–|—)", $value)
    };
    ($label:literal, $separator:literal, $value:expr) => {
        concat!(
            r"(?i)\b",
            $label,
            r"\s*",
            $separator,
            r"\s*",
            $value,
            r"(?:[^\p{L}\p{N}@]|$)"
        )
    };
}

/// The e-mail pattern, shared by the Jabber rule: a JID has the same shape.
macro_rules! email_address {
    () => {
        r"([a-z0-9._%+-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,24})"
    };
}

// App names are taken wider than the apps allow (letters, digits and `._-`, up to 64 long, where
// Telegram stops at 32) so that a name is seen whole even when written against one app's rules. The
// upper bound acts as a look-ahead: a longer run fails the boundary check in `accept` instead of being
// cut into a handle nobody wrote.
const RULES: &[HandleRule] = &[
    HandleRule {
        kind: HandleKind::Email,
        cue: r"@",
        pattern: concat!(r"(?i)", email_address!()),
        normalise: email,
    },
    HandleRule {
        kind: HandleKind::Wickr,
        cue: r"wickr",
        pattern: labelled!(
            r"wickr(?:\s*me)?(?:\s*id)?",
            r"@?([a-z0-9_][a-z0-9._-]{1,63})"
        ),
        normalise: app_name,
    },
    HandleRule {
        kind: HandleKind::Telegram,
        cue: r"telegram|tg",
        pattern: labelled!(
            r"(?:telegram|tg)(?:\s*id)?",
            r"@?([a-z0-9_][a-z0-9._-]{1,63})"
        ),
        normalise: app_name,
    },
    HandleRule {
        kind: HandleKind::Telegram,
        cue: r"t\.me|telegram",
        pattern: r"(?i)\b(?:https?://)?(?:t|telegram)\.me/@?([a-z0-9_][a-z0-9._-]{1,63})(?:[^\p{L}\p{N}@]|$)",
        normalise: app_name,
    },
    HandleRule {
        kind: HandleKind::Session,
        cue: r"session",
        pattern: labelled!(r"session(?:\s*id)?", r"(05[0-9a-f]{64})"),
        normalise: session_id,
    },
    HandleRule {
        kind: HandleKind::Signal,
        cue: r"signal",
        pattern: labelled!(
            r"signal(?:\s*(?:number|no\.?|nr\.?|#|id))?",
            r"(\+[0-9][0-9 ().-]{5,22}[0-9]|00[1-9][0-9 ().-]{4,21}[0-9]|@?[a-z][a-z0-9_]{2,31}\.[0-9]{2,9})"
        ),
        normalise: signal_id,
    },
    // Threema IDs are 8 characters of A-Z and 0-9; gateway IDs start with `*`.
    HandleRule {
        kind: HandleKind::Threema,
        cue: r"threema",
        pattern: labelled!(r"threema(?:\s*id)?", r"(\*[a-z0-9]{7}|[a-z0-9]{8})"),
        normalise: threema_id,
    },
    HandleRule {
        kind: HandleKind::Threema,
        cue: r"threema",
        pattern: r"(?i)\b(?:https?://)?threema\.id/(\*[a-z0-9]{7}|[a-z0-9]{8})(?:[^\p{L}\p{N}@]|$)",
        normalise: threema_id,
    },
    HandleRule {
        kind: HandleKind::Xmpp,
        cue: r"jabber|xmpp|jid",
        pattern: labelled!(r"(?:jabber|xmpp|jid)(?:\s*id)?", email_address!()),
        normalise: jabber_id,
    },
    // ICQ numbers are 5-9 digit UINs, often grouped ("123-456-789"); "icq#" is a common label.
    HandleRule {
        kind: HandleKind::Icq,
        cue: r"icq",
        pattern: labelled!(
            r"icq(?:\s*(?:uin|id|number|no\.?|nr\.?))?",
            r"(?::|=|-|–|—|#:?)",
            r"([0-9](?:[ -]?[0-9]){4,8})"
        ),
        normalise: icq_uin,
    },
];

/// The word lists of `data/handles.toml`.
#[derive(Debug, Clone, Default)]
struct Vocabulary {
    not_a_name: HashSet<String>,
    xmpp_servers: HashSet<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum HandleDataError {
    #[error("handle vocabulary: {0}")]
    Toml(String),
    #[error("handle vocabulary: {field} entry {value:?} must be non-empty lower case")]
    NotLowerCase { field: &'static str, value: String },
}

/// The shape of `data/handles.toml`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    not_a_name: Vec<String>,
    xmpp: XmppSection,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct XmppSection {
    servers: Vec<String>,
}

/// The shipped vocabulary.
pub const SHIPPED_HANDLES_TOML: &str = include_str!("../data/handles.toml");

/// The handle rules with a vocabulary. [`find_contact_handles`] uses the shipped one; build your own
/// with [`HandleFinder::from_toml`].
pub struct HandleFinder {
    vocabulary: Vocabulary,
    rules: Vec<(Regex, &'static HandleRule)>,
}

/// What every rule needs in the text: the `@` of an address, or a label or link word (the rules' cues,
/// together). The corpus tests fail when a rule's cue is wrong.
static CUES: LazyLock<Regex> = LazyLock::new(|| {
    let any = RULES.iter().map(|r| r.cue).collect::<Vec<_>>().join("|");
    Regex::new(&format!("(?i){any}")).expect("the cue patterns are valid")
});

/// Which rules' cues a text holds: literals only, so the set runs on a DFA, where a set of the rules
/// themselves (Unicode word boundaries and classes) ran on the PikeVM: the handle search over a 106 MB
/// dump's messages took 275M instructions with that set, 108M with this one.
static RULE_CUES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(RULES.iter().map(|r| format!("(?i){}", r.cue)))
        .expect("the cue patterns are valid")
});

static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|rule| Regex::new(rule.pattern).expect("handle patterns are valid"))
        .collect()
});

static SHIPPED: LazyLock<HandleFinder> = LazyLock::new(|| {
    HandleFinder::from_toml(SHIPPED_HANDLES_TOML).expect("the shipped handles.toml is valid")
});

impl HandleFinder {
    /// Rules with the vocabulary in `toml` (the shape of `data/handles.toml`).
    pub fn from_toml(toml: &str) -> Result<Self, HandleDataError> {
        let file: VocabularyFile =
            toml::from_str(toml).map_err(|e| HandleDataError::Toml(e.to_string()))?;
        let lower_case = |field: &'static str, values: Vec<String>| {
            values
                .into_iter()
                .map(|value| {
                    if value.is_empty() || value != value.to_lowercase() {
                        Err(HandleDataError::NotLowerCase { field, value })
                    } else {
                        Ok(value)
                    }
                })
                .collect::<Result<HashSet<String>, _>>()
        };
        let vocabulary = Vocabulary {
            not_a_name: lower_case("not_a_name", file.not_a_name)?,
            xmpp_servers: lower_case("xmpp.servers", file.xmpp.servers)?,
        };
        Ok(HandleFinder {
            vocabulary,
            rules: COMPILED.iter().cloned().zip(RULES.iter()).collect(),
        })
    }

    /// The shipped rules and vocabulary.
    pub fn shipped() -> &'static HandleFinder {
        &SHIPPED
    }

    /// Every handle in `text`, in order of appearance, one entry per occurrence. Where two rules match
    /// overlapping text, the one starting first (then the longer, then the earlier rule) is kept.
    pub fn find(&self, text: &str) -> Vec<FoundHandle> {
        // Most texts hold no handle, and the rules' Unicode classes keep the regex engines off their
        // fast paths (a fifth of ingest's enrichment time on message bodies): a literal search for the
        // cues every rule needs turns most texts away first.
        if !CUES.is_match(text) {
            return Vec::new();
        }
        let hits = RULE_CUES.matches(text);
        let mut found: Vec<FoundHandle> = self
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| hits.matched(*i))
            .flat_map(|(_, (regex, rule))| {
                regex
                    .captures_iter(text)
                    .filter_map(move |caps| self.accept(text, &caps, rule))
            })
            .collect();
        // Stable: among equal spans the earlier rule (e-mail before the labelled ones) stays first.
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut kept: Vec<FoundHandle> = Vec::with_capacity(found.len());
        for handle in found {
            if kept.last().is_none_or(|last| handle.start >= last.end) {
                kept.push(handle);
            }
        }
        kept
    }

    fn accept(&self, text: &str, caps: &Captures<'_>, rule: &HandleRule) -> Option<FoundHandle> {
        let whole = caps.get(0)?;
        let value = caps.get(1)?;
        // A handle cut short by the regex's length bound or class is not the handle that was written.
        let next = text[value.end()..].chars().next();
        if next.is_some_and(|c| c.is_alphanumeric() || c == '@') {
            return None;
        }
        let mut kind = rule.kind;
        let (start, end) = if rule.kind == HandleKind::Email {
            // The match may start inside a longer word or on dots ("mail...me@x.org"): the local part
            // starts after the dots and only at a word start.
            let dots = value.as_str().len() - value.as_str().trim_start_matches('.').len();
            let start = value.start() + dots;
            let previous = text[..start].chars().next_back();
            if previous.is_some_and(|c| c.is_alphanumeric()) {
                return None;
            }
            // An address on a public XMPP server is a Jabber ID, not a mailbox.
            let domain = value.as_str().rsplit_once('@')?.1.to_ascii_lowercase();
            if self.vocabulary.xmpp_servers.contains(&domain) {
                kind = HandleKind::Xmpp;
            }
            (start, value.end())
        } else {
            // Sentence punctuation after a name ("wickr: darkside." / "tg: @x_y-") is not part of it.
            let kept = value.as_str().trim_end_matches(['.', '-']);
            (whole.start(), value.start() + kept.len())
        };
        let value_start = value.start().max(start);
        let handle = (rule.normalise)(&text[value_start..end], &self.vocabulary)?;
        Some(FoundHandle {
            kind,
            handle,
            raw: text[start..end].to_string(),
            start,
            end,
        })
    }
}

/// Every handle in `text` by the shipped rules; see [`HandleFinder::find`].
pub fn find_contact_handles(text: &str) -> Vec<FoundHandle> {
    SHIPPED.find(text)
}

fn email(value: &str, _: &Vocabulary) -> Option<String> {
    let (local, _domain) = value.split_once('@')?;
    (!local.is_empty() && !local.ends_with('.')).then(|| value.to_lowercase())
}

fn jabber_id(value: &str, vocabulary: &Vocabulary) -> Option<String> {
    email(value, vocabulary)
}

fn app_name(value: &str, vocabulary: &Vocabulary) -> Option<String> {
    let name = value.trim_start_matches('@').to_lowercase();
    let plausible = name.len() >= 3 && name.chars().any(|c| c.is_ascii_alphabetic());
    (plausible && !vocabulary.not_a_name.contains(&name)).then_some(name)
}

fn session_id(value: &str, _: &Vocabulary) -> Option<String> {
    Some(value.to_ascii_lowercase())
}

fn signal_id(value: &str, _: &Vocabulary) -> Option<String> {
    if value.starts_with('+') || value.starts_with("00") {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        let digits = if value.starts_with('+') {
            digits.as_str()
        } else {
            digits.get(2..)?
        };
        // E.164 numbers have at most 15 digits; fewer than 7 is no phone number.
        return (7..=15)
            .contains(&digits.len())
            .then(|| format!("+{digits}"));
    }
    Some(value.trim_start_matches('@').to_lowercase())
}

/// IDs are random over A-Z and 0-9, and the app shows them in upper case. Eight letters that are
/// not written in upper case ("threema: required") are prose rather than an ID; an ID without digits
/// written in lower case is missed, which the module's rule of preferring a miss allows.
fn threema_id(value: &str, vocabulary: &Vocabulary) -> Option<String> {
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    let upper_case = !value.bytes().any(|b| b.is_ascii_lowercase());
    let word = vocabulary.not_a_name.contains(&value.to_lowercase());
    ((has_digit || upper_case) && !word).then(|| value.to_ascii_uppercase())
}

fn icq_uin(value: &str, _: &Vocabulary) -> Option<String> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    (5..=9).contains(&digits.len()).then_some(digits)
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

    #[test]
    fn threema_ids_need_their_label() {
        assert_eq!(pairs("Threema: ECHOECHO"), one("threema", "ECHOECHO"));
        assert_eq!(pairs("threema id - k4p9x2wz"), one("threema", "K4P9X2WZ"));
        assert_eq!(
            pairs("https://threema.id/ECHOECHO"),
            one("threema", "ECHOECHO")
        );
        assert_eq!(pairs("threema: *THREEMA"), one("threema", "*THREEMA"));
        // Bare IDs, IDs of the wrong length and prose after the label are not taken.
        for text in [
            "ECHOECHO",
            "threema: ECHOECH",
            "threema: ECHOECHO1",
            "threema: required",
            "Threema: Optional",
            "threema is safer",
        ] {
            assert!(pairs(text).is_empty(), "{text}: {:?}", pairs(text));
        }
    }

    #[test]
    fn jabber_ids_by_label_or_known_server() {
        assert_eq!(
            pairs("jabber: DarkSide@Example.org"),
            one("xmpp", "darkside@example.org")
        );
        assert_eq!(
            pairs("XMPP - vendor@xmpp.is"),
            one("xmpp", "vendor@xmpp.is")
        );
        assert_eq!(pairs("jid: a.b@jabb.im/phone"), one("xmpp", "a.b@jabb.im"));
        // Known public servers need no label and win over the e-mail reading.
        let found = find_contact_handles("contact Vendor@Jabber.CCC.de or mail v@cock.li");
        let got: Vec<_> = found
            .iter()
            .map(|h| (h.kind.as_str(), h.raw.as_str()))
            .collect();
        assert_eq!(
            got,
            [("xmpp", "Vendor@Jabber.CCC.de"), ("email", "v@cock.li")]
        );
        assert_eq!(found[0].handle, "vendor@jabber.ccc.de");
        // A longer domain that merely starts with a known server is not that server.
        assert_eq!(
            pairs("bob@xmpp.jp.example.com"),
            one("email", "bob@xmpp.jp.example.com")
        );
        assert_eq!(
            pairs("bob@sub.exploit.im"),
            one("email", "bob@sub.exploit.im")
        );
    }

    #[test]
    fn icq_numbers_without_grouping() {
        assert_eq!(pairs("ICQ: 123-456-789"), one("icq", "123456789"));
        assert_eq!(pairs("icq# 7654321"), one("icq", "7654321"));
        assert_eq!(pairs("icq uin: 12 345 678."), one("icq", "12345678"));
        for text in ["icq: 1234", "icq: 1234567890", "icq 123456", "icq: abcdefg"] {
            assert!(pairs(text).is_empty(), "{text}: {:?}", pairs(text));
        }
    }

    #[test]
    fn signal_numbers_with_00_become_e164_and_national_ones_are_not_guessed() {
        assert_eq!(
            pairs("signal: 0049 151 2345 6789"),
            one("signal", "+4915123456789")
        );
        assert!(pairs("signal: 0151 23456789").is_empty());
    }

    #[test]
    fn the_shipped_vocabulary_parses_and_bad_files_are_refused() {
        let finder = HandleFinder::from_toml(SHIPPED_HANDLES_TOML).unwrap();
        assert!(finder.vocabulary.xmpp_servers.contains("jabber.ccc.de"));
        assert!(finder.vocabulary.not_a_name.contains("ask"));
        assert!(HandleFinder::from_toml("not_a_name = [").is_err());
        assert!(
            HandleFinder::from_toml("not_a_name = []\n[xmpp]\nservers = [\"Jabber.org\"]").is_err()
        );
        // A user file changes what is found.
        let custom =
            HandleFinder::from_toml("not_a_name = []\n[xmpp]\nservers = [\"chat.example\"]")
                .unwrap();
        let found = custom.find("x@chat.example wickr: ask");
        let got: Vec<_> = found
            .iter()
            .map(|h| (h.kind.as_str(), h.handle.as_str()))
            .collect();
        assert_eq!(got, [("xmpp", "x@chat.example"), ("wickr", "ask")]);
    }
}
