use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use spector_analyze::Target;
use spector_enrich::PriceTable;
use spector_store::Case;

use crate::output::Output;
use crate::progress::Bar;

#[derive(Args)]
pub struct TargetsArgs {
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    /// How many targets to show.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

#[derive(Serialize)]
struct TargetJson<'a> {
    rank: usize,
    persona: &'a str,
    accounts: Vec<serde_json::Value>,
    markets: &'a [String],
    sales_orders: u64,
    sales_usd: f64,
    feedback_sales: u64,
    feedback_sales_usd: f64,
    total_usd: f64,
    buyers: u64,
    fentanyl_listings: u64,
    fentanyl_sales_usd: f64,
    unconverted_sales: u64,
    explanation: &'a str,
}

pub fn run(args: TargetsArgs, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(&args.case)?;
    let prices = PriceTable::shipped();
    let targets = spector_pipeline::targets(&case, prices, &Bar::new())?;
    print_targets(&targets, args.top, out)
}

pub fn print_targets(targets: &[Target], top: usize, out: &Output) -> anyhow::Result<()> {
    let shown = &targets[..targets.len().min(top)];
    if out.json {
        let json: Vec<TargetJson<'_>> = shown
            .iter()
            .map(|t| TargetJson {
                rank: t.rank,
                persona: &t.persona_id,
                accounts: t
                    .accounts
                    .iter()
                    .map(|a| serde_json::json!({"market": a.market, "account": a.name, "role": a.role.as_str()}))
                    .collect(),
                markets: &t.markets,
                sales_orders: t.sales_orders,
                sales_usd: round2(t.sales_usd),
                feedback_sales: t.feedback_sales,
                feedback_sales_usd: round2(t.feedback_sales_usd),
                total_usd: round2(t.total_usd()),
                buyers: t.buyers,
                fentanyl_listings: t.fentanyl_listings,
                fentanyl_sales_usd: round2(t.fentanyl_sales_usd),
                unconverted_sales: t.unconverted_sales,
                explanation: &t.explanation,
            })
            .collect();
        return out.print_json(&json);
    }
    out.table(
        &[
            "#", "persona", "accounts", "sales", "USD", "buyers", "fentanyl",
        ],
        shown
            .iter()
            .map(|t| {
                let mut names: Vec<String> = t
                    .accounts
                    .iter()
                    .map(|a| format!("{}:{}", a.market, a.name))
                    .collect();
                if names.len() > 4 {
                    let more = names.len() - 3;
                    names.truncate(3);
                    names.push(format!("+{more} more"));
                }
                vec![
                    t.rank.to_string(),
                    t.persona_id.clone(),
                    names.join("\n"),
                    (t.sales_orders + t.feedback_sales).to_string(),
                    format!("{:.0}", t.total_usd()),
                    t.buyers.to_string(),
                    if t.fentanyl_listings > 0 {
                        format!(
                            "{} listings, ${:.0}",
                            t.fentanyl_listings, t.fentanyl_sales_usd
                        )
                    } else {
                        "-".into()
                    },
                ]
            })
            .collect(),
    );
    Ok(())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
