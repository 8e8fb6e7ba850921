use spector_analyze::{Target, TargetInput, rank_targets};
use spector_enrich::PriceTable;
use spector_store::Case;

use crate::{PipelineError, Progress};

/// Personas ranked as targets, from the case's last link run.
pub fn targets(
    case: &Case,
    prices: &PriceTable,
    progress: &dyn Progress,
) -> Result<Vec<Target>, PipelineError> {
    progress.begin("measure: reading the case", None);
    let members = case.personas()?;
    let accounts = case.accounts()?;
    let listings = case.listings()?;
    let orders = case.orders()?;
    let feedback = case.feedback()?;
    progress.end();
    Ok(rank_targets(&TargetInput {
        members: &members,
        accounts: &accounts,
        listings: &listings,
        orders: &orders,
        feedback: &feedback,
        prices,
    }))
}
