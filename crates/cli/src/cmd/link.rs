use std::path::Path;

use serde::Serialize;
use spector_pipeline::{personas as list_personas, run_link};
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
        }));
    }
    out.line(&format!(
        "{} accounts → {} personas ({} with several accounts), {} links",
        r.accounts, r.personas, r.multi_account_personas, r.links
    ));
    for (rule, n) in &r.links_by_rule {
        out.line(&format!("  {rule}: {n}"));
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

#[derive(Serialize)]
struct AccountJson {
    market: String,
    account: String,
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
                    .map(|(market, account)| AccountJson { market, account })
                    .collect(),
            })
            .collect();
        return out.print_json(&json);
    }
    for p in personas {
        let accounts: Vec<String> = p.accounts.iter().map(|(m, a)| format!("{m}:{a}")).collect();
        out.line(&format!("{}  {}", p.persona, accounts.join("  ")));
    }
    Ok(())
}
