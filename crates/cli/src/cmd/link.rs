use std::path::Path;

use serde::Serialize;
use spector_pipeline::{PersonaChange, personas as list_personas, run_link};
use spector_store::Case;

use crate::output::Output;
use crate::progress::Bar;

pub fn run(case_dir: &Path, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(case_dir)?;
    let r = run_link(&case, &Bar::new())?;
    if out.json {
        return out.print_json(&serde_json::json!({
            "accounts": r.accounts,
            "personas": r.personas,
            "multi_account_personas": r.multi_account_personas,
            "links": r.links,
            "links_by_rule": r.links_by_rule,
            "ignored_identifiers": r.ignored.iter().map(|i| serde_json::json!({
                "kind": i.kind.rule_name(), "value": i.value, "accounts": i.accounts,
                "markets": i.markets, "reason": i.reason,
            })).collect::<Vec<_>>(),
            "judgements_applied": r.judgements_applied,
            "refused_links": r.refused.iter().map(|x| serde_json::json!({
                "account_a": x.evidence.account_a, "account_b": x.evidence.account_b,
                "rule": x.evidence.rule, "value": x.evidence.value,
                "judgement": x.judgement.to_string(),
            })).collect::<Vec<_>>(),
            "overruled_judgements": r.overruled.iter().map(|o| serde_json::json!({
                "judgement": o.judgement.to_string(), "by": o.by.to_string(),
            })).collect::<Vec<_>>(),
            "unmatched_judgements": r.unmatched.iter().map(|j| j.to_string()).collect::<Vec<_>>(),
            "kept_ids": r.kept_ids,
            "persona_changes": r.changes.iter().map(|c| match c {
                PersonaChange::Split { from, into } =>
                    serde_json::json!({ "change": "split", "from": [from], "into": into }),
                PersonaChange::Merged { into, from } =>
                    serde_json::json!({ "change": "merged", "from": from, "into": [into] }),
            }).collect::<Vec<_>>(),
        }));
    }
    out.line(&format!(
        "{} accounts → {} personas ({} with several accounts), {} links",
        r.accounts, r.personas, r.multi_account_personas, r.links
    ));
    for (rule, n) in &r.links_by_rule {
        out.line(&format!("  {rule}: {n}"));
    }
    if r.judgements_applied > 0 || !r.refused.is_empty() {
        out.line(&format!(
            "{} analyst judgement(s) applied; {} link(s) refused by them",
            r.judgements_applied,
            r.refused.len()
        ));
        for x in r.refused.iter().take(20) {
            out.line(&format!(
                "  refused {} {} ({} {}) by {}",
                x.evidence.account_a,
                x.evidence.account_b,
                x.evidence.rule,
                x.evidence.value,
                x.judgement
            ));
        }
    }
    for o in &r.overruled {
        out.line(&format!(
            "  {} (one seller) contradicts {} and was not applied: withdraw one of them",
            o.judgement, o.by
        ));
    }
    for j in &r.unmatched {
        out.line(&format!("  {j} names an account this case does not hold"));
    }
    out.line(&format!(
        "{} persona(s) kept their id from the last run",
        r.kept_ids
    ));
    for c in &r.changes {
        out.line(&format!("  {}", describe_change(c)));
    }
    if !r.ignored.is_empty() {
        out.line(&format!(
            "{} shared identifier(s) set aside as market infrastructure:",
            r.ignored.len()
        ));
        for i in r.ignored.iter().take(20) {
            out.line(&format!(
                "  {} {}: {}",
                i.kind.rule_name(),
                i.value,
                i.reason
            ));
        }
    }
    Ok(())
}

/// "P-a split into P-a and P-b", "P-a and P-b merged into P-a".
fn describe_change(c: &PersonaChange) -> String {
    fn and(ids: &[String]) -> String {
        match ids {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
    match c {
        PersonaChange::Split { from, into } => format!("{from} split into {}", and(into)),
        PersonaChange::Merged { into, from } => format!("{} merged into {into}", and(from)),
    }
}

#[derive(Serialize)]
struct AccountJson {
    market: String,
    account: String,
    /// The record id, by which `spector persona` judgements name the account.
    id: String,
}

#[derive(Serialize)]
struct PersonaJson {
    persona: String,
    accounts: Vec<AccountJson>,
}

pub fn personas(case_dir: &Path, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(case_dir)?;
    let personas = list_personas(&case)?;
    if out.json {
        let json: Vec<PersonaJson> = personas
            .into_iter()
            .map(|p| PersonaJson {
                persona: p.persona,
                accounts: p
                    .accounts
                    .into_iter()
                    .map(|a| AccountJson {
                        market: a.market,
                        account: a.name,
                        id: a.id.to_string(),
                    })
                    .collect(),
            })
            .collect();
        return out.print_json(&json);
    }
    for p in personas {
        let accounts: Vec<String> = p
            .accounts
            .iter()
            .map(|a| format!("{}:{}", a.market, a.name))
            .collect();
        out.line(&format!("{}  {}", p.persona, accounts.join("  ")));
    }
    Ok(())
}
