use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use spector_pipeline::{LinkRunOptions, PersonaChange, personas as list_personas, run_link_with};
use spector_store::Case;

use crate::output::Output;
use crate::progress::Bar;

#[derive(Args)]
pub struct LinkArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    case: PathBuf,
    /// Link on hard identifiers only (PGP keys, payout addresses, contact handles), without soft evidence.
    #[arg(long)]
    no_soft: bool,
    /// Match probability (0–1) at or above which soft evidence links two seller accounts. Higher: fewer,
    /// surer links; `spector link` prints the model's own estimate of precision and recall at this value.
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
}

fn rule_json(r: &spector_model::LinkRuleRate) -> serde_json::Value {
    serde_json::json!({
        "rule": r.rule, "links": r.links, "threshold": r.threshold,
        "expected_precision": r.expected_precision, "expected_recall": r.expected_recall,
        "basis": r.basis,
    })
}

fn percent(x: Option<f64>) -> String {
    x.map_or("–".to_string(), |v| format!("{:.1}%", v * 100.0))
}

pub fn run(args: &LinkArgs, out: &Output) -> anyhow::Result<()> {
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        anyhow::bail!(
            "--threshold {} is not a probability in (0, 1]",
            args.threshold
        );
    }
    let case = Case::open(&args.case)?;
    let r = run_link_with(
        &case,
        &LinkRunOptions {
            soft: !args.no_soft,
            threshold: args.threshold,
        },
        &Bar::new(),
    )?;
    if out.json {
        let soft = r.soft.as_ref().map(|s| {
            serde_json::json!({
                "threshold": s.threshold,
                "candidate_pairs": s.blocking.pairs,
                "oversized_blocking_keys": s.blocking.oversized_keys,
                "scored_seller_pairs": s.scored_pairs,
                "links_above_threshold": s.links_above_threshold,
                "links_applied": s.links_applied,
                "refused_by_group_average": s.refused_by_group_average,
                "m_from_known_matches": s.m_from_known_matches,
                "known_matches": s.known_matches,
                "random_pairs": s.random_pairs,
                "expected_precision": s.expected_error.expected_precision,
                "expected_recall": s.expected_error.expected_recall,
                "hard_seller_links": s.hard_seller_links,
                "hard_links_contradicted": s.hard_links_contradicted.iter().map(|(a, b, w)| {
                    serde_json::json!({ "account_a": a, "account_b": b, "soft_weight_bits": w })
                }).collect::<Vec<_>>(),
            })
        });
        return out.print_json(&serde_json::json!({
            "soft": soft,
            "holder_limit": r.holder_limit.as_ref().map(|l| serde_json::json!({
                "limit": l.limit, "gap": l.gap, "values_considered": l.values_considered,
                "explanation": l.explanation,
            })),
            "soft_skipped": r.soft_skipped,
            "rules": r.rules.iter().map(rule_json).collect::<Vec<_>>(),
            "accounts": r.accounts,
            "personas": r.personas,
            "multi_account_personas": r.multi_account_personas,
            "persona_sizes": r.persona_sizes,
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
    let sizes: Vec<String> = r
        .persona_sizes
        .iter()
        .map(|(accounts, personas)| format!("{accounts}: {personas}"))
        .collect();
    out.line(&format!(
        "persona sizes (accounts: personas): {}",
        sizes.join(", ")
    ));
    if let Some(s) = &r.soft {
        out.line(&format!(
            "soft evidence: {} seller pairs compared ({} candidate pairs from blocking{}), {} at or above \
             {:.2}, {} joined two groups, {} refused as the groups were unlike on average",
            s.scored_pairs,
            s.blocking.pairs,
            if s.blocking.oversized_keys > 0 {
                format!(", {} oversized keys skipped", s.blocking.oversized_keys)
            } else {
                String::new()
            },
            s.links_above_threshold,
            s.threshold,
            s.links_applied,
            s.refused_by_group_average
        ));
        out.line(&format!(
            "  model: m from {}, u from {} random seller pairs",
            if s.m_from_known_matches {
                format!("{} seller pairs sharing a hard identifier", s.known_matches)
            } else {
                "EM over the compared pairs (too few pairs share a hard identifier)".to_string()
            },
            s.random_pairs
        ));
        if !s.hard_links_contradicted.is_empty() {
            out.line(&format!(
                "  {} of {} hard links between sellers are contradicted by soft evidence (check them with \
                 `spector persona show`):",
                s.hard_links_contradicted.len(),
                s.hard_seller_links
            ));
            for (a, b, w) in s.hard_links_contradicted.iter().take(10) {
                out.line(&format!("    {a} ~ {b}: {w:.1} bits"));
            }
        }
    } else if let Some(why) = &r.soft_skipped {
        out.line(&format!("soft evidence: nothing scored ({why})"));
    }
    if !r.rules.is_empty() {
        out.line("estimated error of each rule (stored in the table link_rules with its basis):");
        for rule in &r.rules {
            let estimate = match (rule.threshold, rule.expected_precision) {
                // The soft model's own estimate at its threshold.
                (Some(t), _) => format!(
                    "precision {}, recall {} at {t:.2} (model estimate)",
                    percent(rule.expected_precision),
                    percent(rule.expected_recall)
                ),
                (None, Some(p)) => format!(
                    "precision {} (estimated from soft evidence on its links between sellers)",
                    percent(Some(p))
                ),
                (None, None) => "not estimated".to_string(),
            };
            out.line(&format!(
                "  {:<24} {:>7} links  {estimate}",
                rule.rule, rule.links
            ));
        }
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
    if let Some(l) = &r.holder_limit {
        out.line(&format!(
            "an identifier links at most {} accounts in this case: {}",
            l.limit, l.explanation
        ));
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
