//! What analysts decide about personas. Linking must obey them on every run, and they are the audit trail of
//! who decided what and why: a judgement is never deleted, only withdrawn.

use crate::RecordId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A judgement's number in its case, shown as `J-<n>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JudgementId(pub i64);

impl JudgementId {
    /// Reads `J-12`, `j-12` or `12`.
    pub fn parse(s: &str) -> Option<Self> {
        let digits = s
            .strip_prefix("J-")
            .or_else(|| s.strip_prefix("j-"))
            .unwrap_or(s);
        digits.parse().ok().filter(|n| *n > 0).map(JudgementId)
    }
}

impl fmt::Display for JudgementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "J-{}", self.0)
    }
}

/// What an analyst decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JudgementKind {
    /// The two accounts are one seller (must-link), whatever the evidence says.
    SameSeller { a: RecordId, b: RecordId },
    /// The two accounts are different sellers (cannot-link): no evidence may join them.
    DifferentSellers { a: RecordId, b: RecordId },
    /// `accounts` are a different seller from the rest of `persona` as it was when judged (`members`, which
    /// includes `accounts`). Kept whole so that the judgement means the same after re-runs regroup accounts.
    /// Says nothing about whether `accounts` are one seller among themselves.
    Split {
        persona: String,
        accounts: Vec<RecordId>,
        members: Vec<RecordId>,
    },
}

impl JudgementKind {
    /// The name stored and shown: `same_seller`, `different_sellers`, `split`.
    pub fn name(&self) -> &'static str {
        match self {
            JudgementKind::SameSeller { .. } => "same_seller",
            JudgementKind::DifferentSellers { .. } => "different_sellers",
            JudgementKind::Split { .. } => "split",
        }
    }

    /// Why this cannot be a judgement, if it cannot: a pair of one account, a split of nothing or of
    /// everything, split accounts that were not members.
    pub fn problem(&self) -> Option<String> {
        match self {
            JudgementKind::SameSeller { a, b } | JudgementKind::DifferentSellers { a, b } => {
                (a == b).then(|| format!("both accounts are {a}"))
            }
            JudgementKind::Split {
                persona,
                accounts,
                members,
            } => {
                if accounts.is_empty() {
                    return Some("a split names at least one account".into());
                }
                if let Some(a) = accounts.iter().find(|a| !members.contains(a)) {
                    return Some(format!("{a} is not an account of persona {persona}"));
                }
                if members.iter().all(|m| accounts.contains(m)) {
                    return Some(format!(
                        "these are all the accounts of persona {persona}: nothing is left to split from"
                    ));
                }
                None
            }
        }
    }

    /// The accounts this judgement names to be split apart from the others, with those others: the two
    /// sides of a cannot-link. `None` for a confirmation.
    pub fn sides(&self) -> Option<(Vec<RecordId>, Vec<RecordId>)> {
        match self {
            JudgementKind::SameSeller { .. } => None,
            JudgementKind::DifferentSellers { a, b } => Some((vec![a.clone()], vec![b.clone()])),
            JudgementKind::Split {
                accounts, members, ..
            } => {
                let rest = members
                    .iter()
                    .filter(|m| !accounts.contains(m))
                    .cloned()
                    .collect();
                Some((accounts.clone(), rest))
            }
        }
    }
}

/// The withdrawal of a judgement, kept beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub analyst: String,
    pub reason: String,
    /// Unix seconds, UTC.
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    pub id: JudgementId,
    #[serde(flatten)]
    pub kind: JudgementKind,
    pub analyst: String,
    /// Why: required, free text.
    pub reason: String,
    /// Unix seconds, UTC.
    pub made_at: i64,
    pub withdrawn: Option<Withdrawal>,
}

impl Judgement {
    pub fn is_active(&self) -> bool {
        self.withdrawn.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EntityKind;

    fn acc(n: &str) -> RecordId {
        RecordId::new("m", EntityKind::Account, n)
    }

    #[test]
    fn judgement_ids_read_with_or_without_prefix() {
        assert_eq!(JudgementId::parse("J-12"), Some(JudgementId(12)));
        assert_eq!(JudgementId::parse("12"), Some(JudgementId(12)));
        assert_eq!(JudgementId::parse("J-0"), None);
        assert_eq!(JudgementId::parse("P-12"), None);
        assert_eq!(JudgementId(7).to_string(), "J-7");
    }

    #[test]
    fn a_split_sides_the_named_accounts_against_the_rest_of_the_persona() {
        let split = JudgementKind::Split {
            persona: "P-1".into(),
            accounts: vec![acc("b")],
            members: vec![acc("a"), acc("b"), acc("c")],
        };
        assert_eq!(split.problem(), None);
        assert_eq!(
            split.sides(),
            Some((vec![acc("b")], vec![acc("a"), acc("c")]))
        );
        let everything = JudgementKind::Split {
            persona: "P-1".into(),
            accounts: vec![acc("a"), acc("b")],
            members: vec![acc("a"), acc("b")],
        };
        assert!(everything.problem().unwrap().contains("nothing is left"));
        let stranger = JudgementKind::Split {
            persona: "P-1".into(),
            accounts: vec![acc("z")],
            members: vec![acc("a"), acc("b")],
        };
        assert!(stranger.problem().unwrap().contains("not an account"));
        let same = JudgementKind::DifferentSellers {
            a: acc("a"),
            b: acc("a"),
        };
        assert!(same.problem().is_some());
    }
}
