//! Recording an analyst's judgement about personas: the accounts it names are checked against the case, and a
//! split is stored with the persona as it stands, so that it keeps its meaning when later runs regroup accounts.
//! Judgements take effect at the next [`crate::run_link`].

use std::collections::BTreeSet;

use spector_model::{Account, Judgement, JudgementKind, RecordId};
use spector_store::Case;

use crate::PipelineError;

/// What an analyst decides. Accounts are named by record id, or as `market:name` where that is unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The two accounts are one seller.
    Confirm { a: String, b: String },
    /// The two accounts are different sellers.
    Reject { a: String, b: String },
    /// These accounts of the persona are a different seller from the rest of it.
    Split {
        persona: String,
        accounts: Vec<String>,
    },
}

/// Checks and records a judgement in the case.
pub fn judge(
    case: &Case,
    verdict: &Verdict,
    analyst: &str,
    reason: &str,
) -> Result<Judgement, PipelineError> {
    let accounts = case.accounts()?;
    let resolve = |given: &str| resolve_account(&accounts, given);
    let kind = match verdict {
        Verdict::Confirm { a, b } => JudgementKind::SameSeller {
            a: resolve(a)?,
            b: resolve(b)?,
        },
        Verdict::Reject { a, b } => JudgementKind::DifferentSellers {
            a: resolve(a)?,
            b: resolve(b)?,
        },
        Verdict::Split {
            persona,
            accounts: named,
        } => {
            let members: Vec<RecordId> = case
                .personas()?
                .into_iter()
                .filter(|m| m.persona_id == *persona)
                .map(|m| m.account_id)
                .collect();
            if members.is_empty() {
                return Err(PipelineError::UnknownPersona(persona.clone()));
            }
            JudgementKind::Split {
                persona: persona.clone(),
                accounts: named.iter().map(|a| resolve(a)).collect::<Result<_, _>>()?,
                members,
            }
        }
    };
    Ok(case.add_judgement(&kind, analyst, reason)?)
}

fn resolve_account(accounts: &[Account], given: &str) -> Result<RecordId, PipelineError> {
    if let Some(a) = accounts.iter().find(|a| a.id.as_str() == given) {
        return Ok(a.id.clone());
    }
    let by_name: BTreeSet<&RecordId> = given
        .split_once(':')
        .map(|(market, name)| {
            accounts
                .iter()
                .filter(|a| a.market == market && a.name == name)
                .map(|a| &a.id)
                .collect()
        })
        .unwrap_or_default();
    let mut found = by_name.into_iter();
    match (found.next(), found.next()) {
        (Some(id), None) => Ok(id.clone()),
        (Some(first), Some(second)) => Err(PipelineError::AmbiguousAccount(
            given.to_string(),
            format!("{first}, {second}"),
        )),
        (None, _) => Err(PipelineError::UnknownAccount(given.to_string())),
    }
}
