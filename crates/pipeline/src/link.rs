use std::collections::{BTreeMap, HashMap};

use spector_link::soft::{KeyFacts, UserIdForm};
use spector_link::{
    Continuity, HardLinkInput, IgnoredIdentifier, LinkInput, LinkOptions, Overruled, PersonaChange,
    SoftSummary, link_accounts,
};
use spector_model::{JudgementId, LinkRuleRate, PersonaMember, PgpKey, RecordId, RefusedLink};
use spector_store::{Case, LinkRun};

use crate::{PipelineError, Progress};

#[derive(Debug, Clone)]
pub struct LinkReport {
    pub accounts: usize,
    pub personas: usize,
    /// Personas of more than one account.
    pub multi_account_personas: usize,
    /// Accounts in a persona → how many personas have that many (a persona far larger than a seller's
    /// usual handful of accounts is a sign of chaining, worth a look).
    pub persona_sizes: BTreeMap<usize, usize>,
    pub links: usize,
    pub links_by_rule: BTreeMap<String, usize>,
    pub ignored: Vec<IgnoredIdentifier>,
    /// How many accounts one identifier could link in this run, read from the case's holder counts.
    pub holder_limit: Option<spector_link::HolderLimit>,
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
    /// What soft evidence did; `None` when it was off or had nothing to compare (`soft_skipped` says).
    pub soft: Option<SoftSummary>,
    pub soft_skipped: Option<String>,
    /// Each rule's links and estimated error, as stored in `link_rules`.
    pub rules: Vec<LinkRuleRate>,
}

/// How `spector link` links.
#[derive(Debug, Clone)]
pub struct LinkRunOptions {
    /// Read soft evidence (names, writing, products, prices, origin, hours) on top of hard identifiers.
    pub soft: bool,
    /// Match probability at or above which soft evidence links two accounts.
    pub threshold: f64,
}

impl LinkRunOptions {
    /// Hard identifiers only.
    pub fn hard_only() -> Self {
        LinkRunOptions {
            soft: false,
            ..Default::default()
        }
    }
}

impl Default for LinkRunOptions {
    fn default() -> Self {
        LinkRunOptions {
            soft: true,
            threshold: spector_link::soft::SoftOptions::default().threshold,
        }
    }
}

/// Links the accounts of the case into personas and stores them (replacing the previous run's), obeying the
/// analysts' judgements and keeping the previous run's persona ids where the personas carry on.
pub fn run_link(case: &Case, progress: &dyn Progress) -> Result<LinkReport, PipelineError> {
    run_link_with(case, &LinkRunOptions::default(), progress)
}

/// [`run_link`] with options.
pub fn run_link_with(
    case: &Case,
    options: &LinkRunOptions,
    progress: &dyn Progress,
) -> Result<LinkReport, PipelineError> {
    progress.begin("link: reading accounts, identifiers and texts", None);
    let accounts = case.accounts()?;
    let pgp_keys = case.pgp_keys()?;
    let crypto_addresses = case.crypto_addresses()?;
    let contact_handles = case.contact_handles()?;
    let judgements = case.judgements()?;
    let previous = case.personas()?;
    let (listings, listing_facts, messages) = if options.soft {
        (case.listings()?, case.listing_facts()?, case.messages()?)
    } else {
        Default::default()
    };
    let keys = if options.soft {
        key_facts(&pgp_keys)
    } else {
        Vec::new()
    };
    let photos = if options.soft {
        crate::images::account_photos(&listings, &case.photo_refs()?, &case.images()?)
    } else {
        Vec::new()
    };
    progress.end();
    progress.begin("link: joining accounts", None);
    let link_options = LinkOptions {
        soft: options.soft.then(|| spector_link::soft::SoftOptions {
            threshold: options.threshold,
            ..Default::default()
        }),
        ..LinkOptions::default()
    };
    let outcome = link_accounts(
        &LinkInput {
            hard: HardLinkInput {
                accounts: &accounts,
                pgp_keys: &pgp_keys,
                crypto_addresses: &crypto_addresses,
                contact_handles: &contact_handles,
            },
            listings: &listings,
            listing_facts: &listing_facts,
            messages: &messages,
            keys: &keys,
            photos: &photos,
        },
        &link_options,
        &Continuity {
            judgements: &judgements,
            previous: &previous,
        },
    )?;
    progress.end();
    let result = outcome.result;
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
    case.replace_links(&LinkRun {
        members: &members,
        evidence: &result.evidence,
        refused: &result.refused,
        rules: &outcome.rules,
        model: &outcome.model,
    })?;
    let previous_ids: std::collections::HashSet<&str> =
        previous.iter().map(|m| m.persona_id.as_str()).collect();
    // Soft links carry a row per comparison besides their `soft_model` row; count links, not rows.
    let mut links_by_rule = BTreeMap::new();
    for e in result
        .evidence
        .iter()
        .filter(|e| !e.rule.starts_with("soft:"))
    {
        *links_by_rule.entry(e.rule.clone()).or_default() += 1;
    }
    Ok(LinkReport {
        accounts: accounts.len(),
        personas: result.personas.len(),
        persona_sizes: result
            .personas
            .iter()
            .fold(BTreeMap::new(), |mut sizes, p| {
                *sizes.entry(p.accounts.len()).or_default() += 1;
                sizes
            }),
        multi_account_personas: result
            .personas
            .iter()
            .filter(|p| p.accounts.len() > 1)
            .count(),
        links: links_by_rule.values().sum(),
        links_by_rule,
        ignored: result.ignored,
        holder_limit: result.holder_limit,
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
        soft: outcome.soft,
        soft_skipped: outcome.soft_skipped,
        rules: outcome.rules,
    })
}

/// What each key says about how it was made, read again from its armor (the case stores the fingerprint
/// only). Keys without an account, or that enrichment could not read, say nothing; parsed on all cores.
pub fn key_facts(keys: &[PgpKey]) -> Vec<KeyFacts> {
    let readable: Vec<&PgpKey> = keys
        .iter()
        .filter(|k| k.account_id.is_some() && k.fingerprint.is_some())
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = readable.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = readable
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().filter_map(|k| facts_of(k)).collect::<Vec<_>>())
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn facts_of(key: &PgpKey) -> Option<KeyFacts> {
    let info = spector_enrich::parse_public_key(&key.armored).ok()?;
    Some(KeyFacts {
        account_id: key.account_id.clone()?,
        fingerprint: info.fingerprint,
        created_at: info.created_at,
        algorithm: algorithm_name(&info.algorithm, info.curve.as_deref(), info.bits),
        user_id: info
            .user_ids
            .first()
            .map_or(UserIdForm::Missing, |uid| UserIdForm::of(uid)),
    })
}

/// The algorithm with what sets its keys apart: the curve (`ecdsa-nistp256`; `ed25519` alone when the
/// algorithm is named after its curve) or the size (`rsa4096`).
fn algorithm_name(algorithm: &str, curve: Option<&str>, bits: Option<u32>) -> String {
    match (curve, bits) {
        (Some(curve), _) if curve == algorithm => algorithm.to_string(),
        (Some(curve), _) => format!("{algorithm}-{curve}"),
        (None, Some(bits)) => format!("{algorithm}{bits}"),
        (None, None) => algorithm.to_string(),
    }
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

/// One persona of the last link run with everything that joined it: an analyst's "why are these one seller".
#[derive(Debug, Clone)]
pub struct PersonaDetail {
    pub persona: String,
    pub accounts: Vec<AccountView>,
    /// Evidence between two of its accounts: hard rules (rule, shared value), soft links (`soft_model` with
    /// the match probability, then `soft:<comparison>` rows with level, value and bits), confirmations.
    pub evidence: Vec<spector_model::LinkEvidence>,
    /// Links touching its accounts that a judgement refused.
    pub refused: Vec<RefusedLink>,
    /// The estimated error of each rule its evidence uses.
    pub rules: Vec<LinkRuleRate>,
}

/// The persona `id` of the last link run, with its evidence.
pub fn persona_detail(case: &Case, id: &str) -> Result<PersonaDetail, PipelineError> {
    let view = personas(case)?
        .into_iter()
        .find(|p| p.persona == id)
        .ok_or_else(|| PipelineError::UnknownPersona(id.to_string()))?;
    let members: std::collections::HashSet<&RecordId> =
        view.accounts.iter().map(|a| &a.id).collect();
    let evidence: Vec<spector_model::LinkEvidence> = case
        .link_evidence()?
        .into_iter()
        .filter(|e| members.contains(&e.account_a) && members.contains(&e.account_b))
        .collect();
    let refused = case
        .refused_links()?
        .into_iter()
        .filter(|r| {
            members.contains(&r.evidence.account_a) || members.contains(&r.evidence.account_b)
        })
        .collect();
    let used: std::collections::HashSet<&str> = evidence
        .iter()
        .map(|e| e.rule.as_str())
        .filter(|r| !r.starts_with("soft:"))
        .collect();
    let rules = case
        .link_rules()?
        .into_iter()
        .filter(|r| used.contains(r.rule.as_str()))
        .collect();
    Ok(PersonaDetail {
        persona: view.persona,
        accounts: view.accounts,
        evidence,
        refused,
        rules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use spector_model::Provenance;
    use spector_synth::ids::handles::Handle;
    use spector_synth::ids::pgp::{KeyAlgorithm, UserId, generate_key};

    fn stored(id: &str, account: Option<&str>, armored: &str, fingerprint: Option<&str>) -> PgpKey {
        PgpKey {
            id: RecordId::from_stored(format!("m/pgp_key/{id}")),
            market: "m".into(),
            account_id: account.map(|a| RecordId::from_stored(format!("m/account/{a}"))),
            armored: armored.into(),
            fingerprint: fingerprint.map(str::to_string),
            parse_error: None,
            found_in: None,
            provenance: Provenance {
                src_sha256: "0".repeat(64).into(),
                src_table: "users".into(),
                src_row: 1,
                src_offset: 0,
                src_len: 0,
            },
        }
    }

    #[test]
    fn key_facts_read_algorithm_curve_time_and_user_id_form_from_the_armor() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let email = Handle::Email {
            local: "ghost4711".into(),
            domain: "dnmx.org".into(),
        };
        let nist = generate_key(
            &mut rng,
            KeyAlgorithm::NistP384,
            &UserId::WithEmail("GhostPharma".into(), email),
            1_500_000_000,
        )
        .unwrap();
        let ed = generate_key(
            &mut rng,
            KeyAlgorithm::Ed25519Legacy,
            &UserId::WithComment("Blue".into(), "vendor key".into()),
            1_400_000_000,
        )
        .unwrap();
        let keys = [
            stored("1", Some("1"), &nist.armor, Some(&nist.fingerprint)),
            stored("2", Some("2"), &ed.armor, Some(&ed.fingerprint)),
            // No account to speak for, or unreadable: no facts.
            stored("3", None, &ed.armor, Some(&ed.fingerprint)),
            stored(
                "4",
                Some("4"),
                "-----BEGIN PGP PUBLIC KEY BLOCK-----\n",
                None,
            ),
            stored("5", Some("5"), "garbage", Some("ABCD")),
        ];
        let facts = key_facts(&keys);
        assert_eq!(
            facts,
            vec![
                KeyFacts {
                    account_id: RecordId::from_stored("m/account/1"),
                    fingerprint: nist.fingerprint.clone(),
                    created_at: 1_500_000_000,
                    algorithm: "ecdsa-nistp384".into(),
                    user_id: UserIdForm::WithEmail,
                },
                KeyFacts {
                    account_id: RecordId::from_stored("m/account/2"),
                    fingerprint: ed.fingerprint.clone(),
                    created_at: 1_400_000_000,
                    algorithm: "eddsa-legacy-ed25519".into(),
                    user_id: UserIdForm::WithComment,
                },
            ]
        );
    }

    #[test]
    fn algorithm_names_carry_the_curve_or_the_size() {
        assert_eq!(algorithm_name("rsa", None, Some(4096)), "rsa4096");
        assert_eq!(algorithm_name("ed25519", Some("ed25519"), None), "ed25519");
        assert_eq!(
            algorithm_name("ecdsa", Some("secp256k1"), None),
            "ecdsa-secp256k1"
        );
        assert_eq!(algorithm_name("dsa", None, None), "dsa");
    }
}
