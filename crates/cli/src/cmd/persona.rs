//! `spector persona confirm|reject|split|judgements|withdraw`: analysts' judgements about personas.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::json;
use spector_model::{Judgement, JudgementId, JudgementKind};
use spector_pipeline::{Verdict, judge, persona_detail};
use spector_store::Case;

use crate::output::Output;

const TAKES_EFFECT: &str = "takes effect at the next `spector link`";

#[derive(Subcommand)]
pub enum PersonaAction {
    /// Show a persona: its accounts, every piece of evidence that joined them, links a judgement refused,
    /// and the estimated error of the rules used.
    ///
    /// A soft link shows its match probability and, per comparison, the level, the measured value and
    /// the weight of evidence in bits (positive: for one seller; negative: against). Example:
    ///
    ///   spector persona show --case ./case P-3fa1c0d2e9b4
    #[command(verbatim_doc_comment)]
    Show(ShowArgs),
    /// Judge two accounts to be one seller: every later `spector link` joins them, evidence or not.
    ///
    /// Accounts are named by id as `spector personas --json` prints them (market/account/key), or as
    /// market:name. Example:
    ///
    ///   spector persona confirm --case ./case abyss/account/17 tortuga/account/902 --reason "same photos"
    #[command(verbatim_doc_comment)]
    Confirm(PairArgs),
    /// Judge two accounts to be different sellers: no later `spector link` puts them in one persona.
    ///
    /// Evidence that would join them is refused, weakest first, and kept as `refused_links` naming this
    /// judgement. Example:
    ///
    ///   spector persona reject --case ./case abyss/account/17 tortuga/account/5 --reason "key is the market's"
    #[command(verbatim_doc_comment)]
    Reject(PairArgs),
    /// Judge some accounts of a persona to be a different seller from the rest of it.
    ///
    /// The persona is recorded as it is now, so the judgement keeps its meaning when later runs regroup
    /// accounts: the named accounts are never again joined with the others. It does not say the named
    /// accounts are one seller among themselves. Example:
    ///
    ///   spector persona split --case ./case P-3fa1c0d2e9b4 tortuga/account/5 --reason "writes in Dutch"
    #[command(verbatim_doc_comment)]
    Split(SplitArgs),
    /// List every judgement of the case, withdrawn ones included (the audit trail).
    Judgements(ListArgs),
    /// Withdraw a judgement: it stays on record with who withdrew it and why, and binds no later run.
    Withdraw(WithdrawArgs),
}

#[derive(Args)]
pub struct PairArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    case: PathBuf,
    account_a: String,
    account_b: String,
    /// Why, in words a colleague or a court can follow. Required.
    #[arg(long)]
    reason: String,
    /// Who judges (default: the USER environment variable).
    #[arg(long, env = "USER")]
    analyst: String,
}

#[derive(Args)]
pub struct SplitArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    case: PathBuf,
    /// The persona as `spector personas` names it (P-...).
    persona: String,
    /// The accounts that are a different seller from the rest of the persona.
    #[arg(required = true)]
    accounts: Vec<String>,
    /// Why, in words a colleague or a court can follow. Required.
    #[arg(long)]
    reason: String,
    /// Who judges (default: the USER environment variable).
    #[arg(long, env = "USER")]
    analyst: String,
}

#[derive(Args)]
pub struct ShowArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    case: PathBuf,
    /// The persona as `spector personas` names it (P-...).
    persona: String,
}

#[derive(Args)]
pub struct ListArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    case: PathBuf,
}

#[derive(Args)]
pub struct WithdrawArgs {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    case: PathBuf,
    /// The judgement, as `spector persona judgements` shows it (J-12, or 12).
    judgement: String,
    /// Why it no longer holds. Required.
    #[arg(long)]
    reason: String,
    /// Who withdraws it (default: the USER environment variable).
    #[arg(long, env = "USER")]
    analyst: String,
}

pub fn run(action: PersonaAction, out: &Output) -> anyhow::Result<()> {
    match action {
        PersonaAction::Confirm(p) => record(
            &p.case,
            &Verdict::Confirm {
                a: p.account_a,
                b: p.account_b,
            },
            &p.analyst,
            &p.reason,
            out,
        ),
        PersonaAction::Reject(p) => record(
            &p.case,
            &Verdict::Reject {
                a: p.account_a,
                b: p.account_b,
            },
            &p.analyst,
            &p.reason,
            out,
        ),
        PersonaAction::Split(s) => record(
            &s.case,
            &Verdict::Split {
                persona: s.persona,
                accounts: s.accounts,
            },
            &s.analyst,
            &s.reason,
            out,
        ),
        PersonaAction::Judgements(l) => list(&l.case, out),
        PersonaAction::Withdraw(w) => withdraw(w, out),
        PersonaAction::Show(a) => show(&a, out),
    }
}

fn show(args: &ShowArgs, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(&args.case)?;
    let d = persona_detail(&case, &args.persona)?;
    let money = spector_pipeline::persona_money(&case, &args.persona)?;
    if out.json {
        return out.print_json(&json!({
            "persona": d.persona,
            "accounts": d.accounts.iter().map(|a| json!({
                "market": a.market, "account": a.name, "id": a.id.to_string(),
            })).collect::<Vec<_>>(),
            "evidence": d.evidence.iter().map(|e| json!({
                "account_a": e.account_a, "account_b": e.account_b, "rule": e.rule,
                "value": e.value, "score": e.score,
            })).collect::<Vec<_>>(),
            "refused_links": d.refused.iter().map(|r| json!({
                "account_a": r.evidence.account_a, "account_b": r.evidence.account_b,
                "rule": r.evidence.rule, "value": r.evidence.value,
                "judgement": r.judgement.to_string(),
            })).collect::<Vec<_>>(),
            "rules": d.rules.iter().map(|r| json!({
                "rule": r.rule, "links": r.links, "threshold": r.threshold,
                "expected_precision": r.expected_precision, "expected_recall": r.expected_recall,
                "basis": r.basis,
            })).collect::<Vec<_>>(),
            "chain": money.as_ref().map(money_json),
        }));
    }
    let name: std::collections::HashMap<&spector_model::RecordId, String> = d
        .accounts
        .iter()
        .map(|a| (&a.id, format!("{}:{}", a.market, a.name)))
        .collect();
    let label =
        |id: &spector_model::RecordId| name.get(id).cloned().unwrap_or_else(|| id.to_string());
    out.line(&format!("{}: {} account(s)", d.persona, d.accounts.len()));
    for a in &d.accounts {
        out.line(&format!("  {}:{}  ({})", a.market, a.name, a.id));
    }
    // A value held by several accounts backs a link between each two of them; it is shown once, with its
    // holders. Soft links are per pair, each with its comparisons.
    let mut shared: std::collections::BTreeMap<(&str, &str), std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    let mut soft_lines: Vec<String> = Vec::new();
    for e in &d.evidence {
        if let Some(comparison) = e.rule.strip_prefix("soft:") {
            soft_lines.push(format!(
                "      {comparison:<16} {:<28} {:+6.1} bits",
                e.value, e.score
            ));
        } else if e.rule == spector_pipeline::SOFT_RULE {
            soft_lines.push(format!(
                "  {} ~ {}  {}",
                label(&e.account_a),
                label(&e.account_b),
                e.value
            ));
        } else {
            let holders = shared
                .entry((e.rule.as_str(), e.value.as_str()))
                .or_default();
            holders.insert(label(&e.account_a));
            holders.insert(label(&e.account_b));
        }
    }
    if !shared.is_empty() {
        out.line("shared identifiers and confirmations:");
    }
    for ((rule, value), holders) in &shared {
        out.line(&format!("  {rule} {value}"));
        out.line(&format!(
            "      held by {}",
            holders.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if !soft_lines.is_empty() {
        out.line("soft evidence (weights in bits: positive for one seller, negative against):");
    }
    for l in &soft_lines {
        out.line(l);
    }
    for r in &d.refused {
        out.line(&format!(
            "  refused by {}: {} ~ {}  {}: {}",
            r.judgement,
            r.evidence.account_a,
            r.evidence.account_b,
            r.evidence.rule,
            r.evidence.value
        ));
    }
    for r in &d.rules {
        out.line(&format!(
            "rule {}: estimated precision {}, recall {} ({})",
            r.rule,
            r.expected_precision
                .map_or("–".to_string(), |p| format!("{:.1}%", p * 100.0)),
            r.expected_recall
                .map_or("–".to_string(), |p| format!("{:.1}%", p * 100.0)),
            r.basis
        ));
    }
    if let Some(m) = &money {
        print_money(m, out);
    }
    Ok(())
}

fn btc(sat: f64) -> f64 {
    sat / 1e8
}

fn money_json(m: &spector_pipeline::PersonaMoney) -> serde_json::Value {
    json!({
        "addresses": m.addresses.iter().map(|a| json!({
            "market_address": a.market_address, "chain_address": a.chain_address, "cluster": a.cluster,
            "cluster_size": a.cluster_size, "received_btc": btc(a.received as f64),
            "spent_btc": btc(a.spent as f64),
        })).collect::<Vec<_>>(),
        "clusters": m.clusters.iter().map(|(c, size, received, label)| json!({
            "cluster": c, "addresses": size, "received_btc": btc(*received as f64), "label": label,
        })).collect::<Vec<_>>(),
        "cash_outs": m.cash_outs.as_ref().map(|t| json!({
            "policy": t.trace.policy.name(),
            "hops": spector_chain::TraceOptions::default().hops,
            "by_label": t.trace.by_label.iter().map(|(l, sat)| json!({
                "label": l, "btc": btc(*sat), "usd": t.by_label_usd.get(l),
            })).collect::<Vec<_>>(),
        })),
    })
}

fn print_money(m: &spector_pipeline::PersonaMoney, out: &Output) {
    out.line("on the Bitcoin chain:");
    for a in &m.addresses {
        match &a.cluster {
            Some(c) => out.line(&format!(
                "  {} received {:.8} BTC, spent {:.8}; cluster {c} ({} addresses)",
                a.market_address,
                btc(a.received as f64),
                btc(a.spent as f64),
                a.cluster_size
            )),
            None => out.line(&format!(
                "  {} never paid in the blocks read",
                a.market_address
            )),
        }
    }
    for (c, size, received, label) in &m.clusters {
        out.line(&format!(
            "  cluster {c}: {size} addresses received {:.8} BTC{}",
            btc(*received as f64),
            label
                .as_ref()
                .map_or(String::new(), |l| format!(" (labelled {l})"))
        ));
    }
    if let Some(t) = &m.cash_outs {
        for (label, sat) in &t.trace.by_label {
            out.line(&format!(
                "  cash-out point {label}: {:.8} BTC{} ({} trace, {} hops)",
                btc(*sat),
                t.by_label_usd
                    .get(label)
                    .map_or(String::new(), |u| format!(", ${u:.0} at the dates")),
                t.trace.policy.name(),
                spector_chain::TraceOptions::default().hops
            ));
        }
    }
}

fn record(
    case_dir: &Path,
    verdict: &Verdict,
    analyst: &str,
    reason: &str,
    out: &Output,
) -> anyhow::Result<()> {
    let case = Case::open(case_dir)?;
    let j = judge(&case, verdict, analyst, reason)?;
    if out.json {
        return out.print_json(&json!({ "judgement": judgement_json(&j), "note": TAKES_EFFECT }));
    }
    out.line(&format!("recorded {}: {}", j.id, describe(&j.kind)));
    out.line(&format!("  by {}: {}", j.analyst, j.reason));
    out.line(&format!("It {TAKES_EFFECT}."));
    Ok(())
}

fn list(case_dir: &Path, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(case_dir)?;
    let all = case.judgements()?;
    if out.json {
        return out.print_json(&all.iter().map(judgement_json).collect::<Vec<_>>());
    }
    if all.is_empty() {
        out.line("no judgements in this case");
        return Ok(());
    }
    let rows = all
        .iter()
        .map(|j| {
            vec![
                j.id.to_string(),
                time(j.made_at),
                j.analyst.clone(),
                describe(&j.kind),
                j.reason.clone(),
                j.withdrawn.as_ref().map_or_else(
                    || "in force".to_string(),
                    |w| format!("withdrawn {} by {}: {}", time(w.at), w.analyst, w.reason),
                ),
            ]
        })
        .collect();
    out.table(
        &["id", "made", "analyst", "judgement", "reason", "status"],
        rows,
    );
    Ok(())
}

fn withdraw(w: WithdrawArgs, out: &Output) -> anyhow::Result<()> {
    let id = JudgementId::parse(w.judgement.trim()).ok_or_else(|| {
        anyhow::anyhow!(
            "{:?} is not a judgement id (J-12 or 12; see `spector persona judgements`)",
            w.judgement
        )
    })?;
    let case = Case::open(&w.case)?;
    let j = case.withdraw_judgement(id, &w.analyst, &w.reason)?;
    if out.json {
        return out.print_json(&json!({ "judgement": judgement_json(&j), "note": TAKES_EFFECT }));
    }
    out.line(&format!("withdrew {}: {}", j.id, describe(&j.kind)));
    out.line(&format!("The withdrawal {TAKES_EFFECT}."));
    Ok(())
}

fn describe(kind: &JudgementKind) -> String {
    match kind {
        JudgementKind::SameSeller { a, b } => format!("{a} and {b} are one seller"),
        JudgementKind::DifferentSellers { a, b } => format!("{a} and {b} are different sellers"),
        JudgementKind::Split {
            persona,
            accounts,
            members,
        } => format!(
            "{} of persona {persona} ({} accounts when judged) {} a different seller from the rest",
            accounts
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            members.len(),
            if accounts.len() == 1 { "is" } else { "are" }
        ),
    }
}

fn time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0).map_or_else(
        || unix.to_string(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

fn judgement_json(j: &Judgement) -> serde_json::Value {
    let mut v = json!({
        "id": j.id.to_string(),
        "kind": j.kind.name(),
        "analyst": j.analyst,
        "reason": j.reason,
        "made_at": j.made_at,
        "active": j.is_active(),
        "withdrawn": j.withdrawn.as_ref().map(|w| json!({
            "analyst": w.analyst, "reason": w.reason, "at": w.at,
        })),
    });
    match &j.kind {
        JudgementKind::SameSeller { a, b } | JudgementKind::DifferentSellers { a, b } => {
            v["accounts"] = json!([a, b]);
        }
        JudgementKind::Split {
            persona,
            accounts,
            members,
        } => {
            v["persona"] = json!(persona);
            v["accounts"] = json!(accounts);
            v["members_when_judged"] = json!(members);
        }
    }
    v
}
