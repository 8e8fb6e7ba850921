use std::collections::{BTreeMap, HashMap};

use spector_link::{
    Continuity, HardLinkInput, IgnoredIdentifier, Overruled, PersonaChange, SharedIdentifierGuard,
    link_hard,
};
use spector_model::{JudgementId, PersonaMember, RecordId, RefusedLink};
use spector_store::Case;

use crate::{PipelineError, Progress};

#[derive(Debug, Clone)]
pub struct LinkReport {
    pub accounts: usize,
    pub personas: usize,
    /// Personas of more than one account.
    pub multi_account_personas: usize,
    pub links: usize,
    pub links_by_rule: BTreeMap<String, usize>,
    pub ignored: Vec<IgnoredIdentifier>,
    /// Analysts' judgements in force (not withdrawn) that this run obeyed.
    pub judgements_applied: usize,
    /// Evidence not applied because a judgement keeps its accounts apart.
    pub refused: Vec<RefusedLink>,
    /// Confirmations that contradict a rejection or split (which wins).
    pub overruled: Vec<Overruled>,
    /// Judgements naming accounts the case does not hold.
    pub unmatched: Vec<JudgementId>,
    /// Personas that kept their id from the last run.
    pub kept_ids: usize,
    /// How the last run's personas split or merged.
    pub changes: Vec<PersonaChange>,
}

/// Links the accounts of the case into personas and stores them (replacing the previous run's), obeying the
/// analysts' judgements and keeping the previous run's persona ids where the personas carry on.
pub fn run_link(case: &Case, progress: &dyn Progress) -> Result<LinkReport, PipelineError> {
    progress.begin("link: reading identifiers", None);
    let accounts = case.accounts()?;
    let pgp_keys = case.pgp_keys()?;
    let crypto_addresses = case.crypto_addresses()?;
    let contact_handles = case.contact_handles()?;
    let judgements = case.judgements()?;
    let previous = case.personas()?;
    progress.end();
    progress.begin("link: joining accounts", None);
    let result = link_hard(
        &HardLinkInput {
            accounts: &accounts,
            pgp_keys: &pgp_keys,
            crypto_addresses: &crypto_addresses,
            contact_handles: &contact_handles,
        },
        &SharedIdentifierGuard::default(),
        &Continuity {
            judgements: &judgements,
            previous: &previous,
        },
    );
    progress.end();
    let members: Vec<PersonaMember> = result
        .personas
        .iter()
        .flat_map(|p| {
            p.accounts.iter().map(|a| PersonaMember {
                persona_id: p.id.clone(),
                account_id: a.clone(),
            })
        })
        .collect();
    case.replace_links(&members, &result.evidence, &result.refused)?;
    let previous_ids: std::collections::HashSet<&str> =
        previous.iter().map(|m| m.persona_id.as_str()).collect();
    let mut links_by_rule = BTreeMap::new();
    for e in &result.evidence {
        *links_by_rule.entry(e.rule.clone()).or_default() += 1;
    }
    Ok(LinkReport {
        accounts: accounts.len(),
        personas: result.personas.len(),
        multi_account_personas: result
            .personas
            .iter()
            .filter(|p| p.accounts.len() > 1)
            .count(),
        links: result.evidence.len(),
        links_by_rule,
        ignored: result.ignored,
        judgements_applied: result.judgements_applied,
        refused: result.refused,
        overruled: result.overruled,
        unmatched: result.unmatched,
        kept_ids: result
            .personas
            .iter()
            .filter(|p| previous_ids.contains(p.id.as_str()))
            .count(),
        changes: result.changes,
    })
}

/// A persona with its accounts as an analyst reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonaView {
    pub persona: String,
    /// Sorted by market, then name.
    pub accounts: Vec<AccountView>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AccountView {
    pub market: String,
    /// The account name as the market shows it.
    pub name: String,
    /// The record id, by which judgements name the account.
    pub id: RecordId,
}

/// Every persona of the last link run, with its accounts.
pub fn personas(case: &Case) -> Result<Vec<PersonaView>, PipelineError> {
    let accounts = case.accounts()?;
    let by_id: HashMap<&RecordId, (&str, &str)> = accounts
        .iter()
        .map(|a| (&a.id, (a.market.as_str(), a.name.as_str())))
        .collect();
    let mut grouped: BTreeMap<String, Vec<AccountView>> = BTreeMap::new();
    for m in case.personas()? {
        let (market, name) = by_id
            .get(&m.account_id)
            .map(|(m, n)| (m.to_string(), n.to_string()))
            .unwrap_or_else(|| {
                (
                    m.account_id.market().to_string(),
                    m.account_id.native_key().to_string(),
                )
            });
        grouped.entry(m.persona_id).or_default().push(AccountView {
            market,
            name,
            id: m.account_id,
        });
    }
    Ok(grouped
        .into_iter()
        .map(|(persona, mut accounts)| {
            accounts.sort();
            PersonaView { persona, accounts }
        })
        .collect())
}
