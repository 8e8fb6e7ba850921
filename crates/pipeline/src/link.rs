use std::collections::{BTreeMap, HashMap};

use spector_link::{HardLinkInput, IgnoredIdentifier, SharedIdentifierGuard, link_hard};
use spector_model::{PersonaMember, RecordId};
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
}

/// Links the accounts of the case into personas and stores them (replacing the previous run's).
pub fn run_link(case: &Case, progress: &dyn Progress) -> Result<LinkReport, PipelineError> {
    progress.begin("link: reading identifiers", None);
    let accounts = case.accounts()?;
    let pgp_keys = case.pgp_keys()?;
    let crypto_addresses = case.crypto_addresses()?;
    let contact_handles = case.contact_handles()?;
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
    case.replace_personas(&members, &result.evidence)?;
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
    })
}

/// A persona with its accounts as an analyst reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonaView {
    pub persona: String,
    /// (market, account name as the market shows it), sorted.
    pub accounts: Vec<(String, String)>,
}

/// Every persona of the last link run, with its accounts.
pub fn personas(case: &Case) -> Result<Vec<PersonaView>, PipelineError> {
    let accounts = case.accounts()?;
    let by_id: HashMap<&RecordId, (&str, &str)> = accounts
        .iter()
        .map(|a| (&a.id, (a.market.as_str(), a.name.as_str())))
        .collect();
    let mut grouped: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
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
        grouped
            .entry(m.persona_id)
            .or_default()
            .push((market, name));
    }
    Ok(grouped
        .into_iter()
        .map(|(persona, mut accounts)| {
            accounts.sort();
            PersonaView { persona, accounts }
        })
        .collect())
}
