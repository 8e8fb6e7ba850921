//! The building blocks of profile field rules that are more than a column name: regular expressions,
//! templates over several columns, short hashes and times relative to a page's crawl date. Each is parsed
//! and checked when the profile is loaded, so a bad pattern is a profile error, never a row error.

use std::fmt;

use regex::Regex;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// A regular expression (Rust `regex` syntax), compiled once when the profile is read.
#[derive(Clone)]
pub struct Pattern(Regex);

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, String> {
        regex::RegexBuilder::new(source)
            // Profiles come from investigators' files; a pattern that compiles to a huge automaton is a
            // mistake, not a need.
            .size_limit(1 << 22)
            .build()
            .map(Pattern)
            .map_err(|e| format!("bad regex {source:?}: {e}"))
    }

    pub fn regex(&self) -> &Regex {
        &self.0
    }

    /// The part of `text` a field rule keeps: capture group 1 if the pattern has groups (and it took part in
    /// the match), else the whole match. `None` when the pattern does not match.
    pub fn extract<'t>(&self, text: &'t str) -> Option<&'t str> {
        let caps = self.0.captures(text)?;
        if self.0.captures_len() > 1 {
            caps.get(1).map(|m| m.as_str())
        } else {
            caps.get(0).map(|m| m.as_str())
        }
    }

    /// The named capture groups, in order.
    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.0.capture_names().flatten()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Pattern::new(&s).map_err(serde::de::Error::custom)
    }
}

/// A field built from several columns: `"{list}/{vendor}"`. `{name?}` marks a placeholder whose column may
/// be missing from the table, NULL or empty: it is then left out together with the literal text just before
/// it (so `"{cat}/{subcat?}"` gives `Drugs` when there is no subcat). `{{` and `}}` are literal braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub source: String,
    parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TemplatePart {
    Literal(String),
    Column { name: String, optional: bool },
}

/// Why a template could not be filled in for a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateGap {
    /// A required placeholder names a column the row does not have.
    NoColumn(String),
    /// A required placeholder's column is NULL or empty in this row.
    Empty(String),
}

impl Template {
    pub fn parse(source: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => {
                                return Err(format!(
                                    "template {source:?}: a '{{' is not closed by '}}' (write '{{{{' for a literal brace)"
                                ));
                            }
                            Some(c) => name.push(c),
                        }
                    }
                    let (name, optional) = match name.strip_suffix('?') {
                        Some(n) => (n.to_string(), true),
                        None => (name, false),
                    };
                    if name.trim().is_empty() || name.contains('?') {
                        return Err(format!(
                            "template {source:?}: placeholder {{{name}}} must name a column"
                        ));
                    }
                    if !literal.is_empty() {
                        parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(TemplatePart::Column { name, optional });
                }
                '}' => {
                    return Err(format!(
                        "template {source:?}: a '}}' without '{{' (write '}}}}' for a literal brace)"
                    ));
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(TemplatePart::Literal(literal));
        }
        if !parts
            .iter()
            .any(|p| matches!(p, TemplatePart::Column { .. }))
        {
            return Err(format!(
                "template {source:?} has no {{column}} placeholder (use `const` for a constant)"
            ));
        }
        Ok(Template {
            source: source.to_string(),
            parts,
        })
    }

    /// The columns of the template, each with whether it is optional.
    pub fn columns(&self) -> impl Iterator<Item = (&str, bool)> {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Column { name, optional } => Some((name.as_str(), *optional)),
            TemplatePart::Literal(_) => None,
        })
    }

    /// Fills the template in. `value` gives a column's text: `None` when the row has no such column,
    /// `Some(None)` when it has it but the value is missing (NULL, empty, a `null_if` value).
    pub fn render<'a>(
        &self,
        mut value: impl FnMut(&str) -> Option<Option<std::borrow::Cow<'a, str>>>,
    ) -> Result<String, TemplateGap> {
        let mut out = String::new();
        // Literal text waits until it is known whether the placeholder after it is left out.
        let mut pending = "";
        for part in &self.parts {
            match part {
                TemplatePart::Literal(s) => pending = s,
                TemplatePart::Column { name, optional } => {
                    let v = match value(name) {
                        Some(Some(v)) => v,
                        Some(None) if *optional => {
                            pending = "";
                            continue;
                        }
                        None if *optional => {
                            pending = "";
                            continue;
                        }
                        Some(None) => return Err(TemplateGap::Empty(name.clone())),
                        None => return Err(TemplateGap::NoColumn(name.clone())),
                    };
                    out.push_str(pending);
                    out.push_str(&v);
                    pending = "";
                }
            }
        }
        out.push_str(pending);
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Template::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A short stable key for sources without one: the first 16 hex digits (64 bits) of the SHA-256 of the
/// text. The same text always gives the same key; two different texts share one with odds of about 1 in
/// 2^64 / n² for n keys — never seen in practice at market scale.
pub fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(&digest[..8])
}

const DAY: i64 = 86_400;

/// Resolves a time the way market pages show them, against `anchor` (Unix seconds, e.g. the page's crawl
/// date): "5 days ago", "an hour ago", "3 weeks ago", "yesterday", "today", "just now". An absolute time in
/// any form [`crate::parse_time`] reads is taken as it is.
///
/// The result is as coarse as the text: "2 days ago" against a crawl *date* (midnight) is somewhere in a
/// 24-hour window, a month is counted as 30 days and a year as 365, so "2 months ago" is approximate to a
/// few days. The unit the page used is not kept: a profile for evidence should say what its anchor is.
pub fn resolve_relative_time(text: &str, anchor: i64) -> Result<Option<i64>, String> {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let back = |seconds: i64| Ok(Some(anchor.saturating_sub(seconds)));
    match words.as_slice() {
        ["now"] | ["just", "now"] | ["today"] => return back(0),
        ["yesterday"] => return back(DAY),
        [count, unit, "ago"] => {
            let n: i64 = match *count {
                "a" | "an" | "one" => 1,
                digits => match digits.parse::<u32>() {
                    Ok(n) => i64::from(n),
                    Err(_) => return Err(format!("cannot read {text:?} as a relative time")),
                },
            };
            let unit = unit.trim_end_matches('s');
            let seconds = match unit {
                "sec" | "second" => 1,
                "min" | "minute" => 60,
                "hr" | "hour" => 3_600,
                "day" => DAY,
                "week" => 7 * DAY,
                "month" => 30 * DAY,
                "year" => 365 * DAY,
                _ => return Err(format!("{text:?}: unknown time unit {unit:?}")),
            };
            return back(n.saturating_mul(seconds));
        }
        _ => {}
    }
    crate::mapper::parse_time(text).map_err(|_| {
        format!("cannot read {text:?} as a time (absolute, or relative such as \"5 days ago\")")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn patterns_keep_group_one_or_the_whole_match() {
        let p = Pattern::new(r"^\d{4}-\d\d-\d\d__(\w+)\.html$").unwrap();
        assert_eq!(p.extract("2014-01-01__a1BkWEipyk.html"), Some("a1BkWEipyk"));
        assert_eq!(p.extract("a1BkWEipyk.html"), None);
        let whole = Pattern::new(r"\d+").unwrap();
        assert_eq!(whole.extract("abc 123 def"), Some("123"));
        // A group that did not take part in the match gives nothing rather than the whole match.
        let optional = Pattern::new(r"x(y)?").unwrap();
        assert_eq!(optional.extract("x"), None);
        let err = Pattern::new("(unclosed").unwrap_err();
        assert!(err.contains("bad regex \"(unclosed\""), "{err}");
    }

    fn fill(t: &Template, cols: &[(&str, Option<&'static str>)]) -> Result<String, TemplateGap> {
        t.render(|name| {
            cols.iter()
                .find(|(c, _)| *c == name)
                .map(|(_, v)| v.map(Cow::Borrowed))
        })
    }

    #[test]
    fn templates_fill_columns_and_drop_missing_optional_parts() {
        let t = Template::parse("{cat}/{subcat?}/{subsubcat?}").unwrap();
        let cols = [
            ("cat", Some("Drugs")),
            ("subcat", Some("Cannabis")),
            ("subsubcat", Some("Weed")),
        ];
        assert_eq!(fill(&t, &cols).unwrap(), "Drugs/Cannabis/Weed");
        assert_eq!(
            fill(
                &t,
                &[
                    ("cat", Some("Drugs")),
                    ("subcat", Some("Cannabis")),
                    ("subsubcat", None)
                ]
            )
            .unwrap(),
            "Drugs/Cannabis"
        );
        // The column missing from the table altogether (an older export) is the same as empty.
        assert_eq!(
            fill(&t, &[("cat", Some("Drugs")), ("subcat", Some("Opioids"))]).unwrap(),
            "Drugs/Opioids"
        );
        assert_eq!(
            fill(&t, &[("subcat", Some("x"))]),
            Err(TemplateGap::NoColumn("cat".into()))
        );
        assert_eq!(
            fill(&t, &[("cat", None)]),
            Err(TemplateGap::Empty("cat".into()))
        );
        let braces = Template::parse("{{{a}}}:{b}!").unwrap();
        assert_eq!(
            fill(&braces, &[("a", Some("1")), ("b", Some("2"))]).unwrap(),
            "{1}:2!"
        );
        assert_eq!(
            braces.columns().collect::<Vec<_>>(),
            [("a", false), ("b", false)]
        );
    }

    #[test]
    fn bad_templates_are_refused_with_the_reason() {
        for (bad, why) in [
            ("{a", "not closed"),
            ("a}", "without '{'"),
            ("{}", "must name a column"),
            ("{?}", "must name a column"),
            ("plain", "no {column} placeholder"),
            ("{a{b}}", "not closed"),
        ] {
            let err = Template::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn short_hashes_are_sha256_prefixes() {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(short_hash("abc"), "ba7816bf8f01cfea");
        assert_eq!(short_hash(""), "e3b0c44298fc1c14");
    }

    #[test]
    fn relative_times_resolve_against_the_anchor() {
        let crawl = 1_391_212_800; // 2014-02-01 00:00:00 UTC
        let r = |s: &str| resolve_relative_time(s, crawl);
        assert_eq!(r("5 days ago"), Ok(Some(crawl - 5 * 86_400)));
        assert_eq!(r("1 days ago"), Ok(Some(crawl - 86_400)));
        assert_eq!(r("  2 Hours  ago "), Ok(Some(crawl - 7_200)));
        assert_eq!(r("an hour ago"), Ok(Some(crawl - 3_600)));
        assert_eq!(r("a minute ago"), Ok(Some(crawl - 60)));
        assert_eq!(r("3 weeks ago"), Ok(Some(crawl - 21 * 86_400)));
        assert_eq!(r("1 month ago"), Ok(Some(crawl - 30 * 86_400)));
        assert_eq!(r("2 years ago"), Ok(Some(crawl - 730 * 86_400)));
        assert_eq!(r("yesterday"), Ok(Some(crawl - 86_400)));
        assert_eq!(r("Today"), Ok(Some(crawl)));
        assert_eq!(r("just now"), Ok(Some(crawl)));
        assert_eq!(r("0 days ago"), Ok(Some(crawl)));
        // Absolute times pass through.
        assert_eq!(r("2014-01-05"), Ok(Some(1_388_880_000)));
        assert!(
            r("5 fortnights ago")
                .unwrap_err()
                .contains("unknown time unit")
        );
        assert!(r("soon").unwrap_err().contains("relative such as"));
        assert!(r("-3 days ago").is_err());
    }
}
