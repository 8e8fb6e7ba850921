//! Derived tables: recomputed whole by their producer (linking, enrichment) and swapped in atomically.

use crate::case::Case;
use crate::error::Result;
use crate::parts::{FinishedPart, PartWriter, write_part};
use crate::staging::{StagingDir, remove_file_if_present};
use crate::tables::Row;
use spector_model::{
    LinkEvidence, LinkModelLevel, LinkRuleRate, ListingFacts, OrderValue, PersonaMember,
    RefusedLink,
};

/// Everything one link run produces, replaced together by [`Case::replace_links`].
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkRun<'a> {
    pub members: &'a [PersonaMember],
    pub evidence: &'a [LinkEvidence],
    pub refused: &'a [RefusedLink],
    /// The estimated error of each rule, as the run estimated it.
    pub rules: &'a [LinkRuleRate],
    /// The soft-evidence model the run used (empty when it used none).
    pub model: &'a [LinkModelLevel],
}

impl Case {
    /// Replaces `persona_members` and `link_evidence` with these rows, both at once: a reader sees the old
    /// pair or the new pair, never a mix. The other tables of a link run are emptied with them.
    pub fn replace_personas(
        &self,
        members: &[PersonaMember],
        evidence: &[LinkEvidence],
    ) -> Result<()> {
        self.replace_links(&LinkRun {
            members,
            evidence,
            ..LinkRun::default()
        })
    }

    /// Replaces the results of linking (`persona_members`, `link_evidence`, `refused_links`, `link_rules`,
    /// `link_model`) all at once.
    pub fn replace_links(&self, run: &LinkRun<'_>) -> Result<()> {
        let staging = StagingDir::create(&self.staging_root())?;
        let parts = [
            write_part(staging.path(), run.members)?,
            write_part(staging.path(), run.evidence)?,
            write_part(staging.path(), run.refused)?,
            write_part(staging.path(), run.rules)?,
            write_part(staging.path(), run.model)?,
        ];
        self.replace_derived(
            &[
                PersonaMember::TABLE,
                LinkEvidence::TABLE,
                RefusedLink::TABLE,
                LinkRuleRate::TABLE,
                LinkModelLevel::TABLE,
            ],
            parts.into_iter().flatten().collect(),
            &staging,
        )
    }

    /// Replaces `listing_facts` and `order_values` with these rows, both at once.
    pub fn replace_enrichment(
        &self,
        listings: &[ListingFacts],
        orders: &[OrderValue],
    ) -> Result<()> {
        let mut run = self.begin_enrichment()?;
        for facts in listings {
            run.push_listing(facts)?;
        }
        for value in orders {
            run.push_order(value)?;
        }
        run.commit()
    }

    /// Starts a run of enrichment whose rows are written as they come, so that its memory does not grow
    /// with the case; [`EnrichmentWriter::commit`] swaps them in like [`Case::replace_enrichment`].
    pub fn begin_enrichment(&self) -> Result<EnrichmentWriter<'_>> {
        let staging = StagingDir::create(&self.staging_root())?;
        Ok(EnrichmentWriter {
            case: self,
            listings: PartWriter::create::<ListingFacts>(staging.path())?,
            orders: PartWriter::create::<OrderValue>(staging.path())?,
            staging,
        })
    }

    /// Swaps the listing of `tables` to `parts` in one transaction, then removes the old files.
    fn replace_derived(
        &self,
        tables: &[&str],
        parts: Vec<FinishedPart>,
        staging: &StagingDir,
    ) -> Result<()> {
        self.replace_derived_with(tables, parts, staging, |_| Ok(()))
    }

    /// [`Case::replace_derived`], running `also` in the same transaction (which it may refuse).
    pub(crate) fn replace_derived_with(
        &self,
        tables: &[&str],
        parts: Vec<FinishedPart>,
        staging: &StagingDir,
        also: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<()> {
        let old_files = {
            let mut conn = self.conn();
            let tx = self.write_tx(&mut conn)?;
            also(&tx)?;
            let mut old = Vec::new();
            for table in tables {
                let paths: Vec<String> = self.db(tx
                    .prepare("SELECT path FROM parts WHERE table_name = ?1")
                    .and_then(|mut st| st.query_map([table], |r| r.get(0))?.collect()))?;
                old.extend(paths);
                self.db(tx.execute("DELETE FROM parts WHERE table_name = ?1", [table]))?;
            }
            let published =
                self.publish_parts(&tx, parts, staging.token(), crate::case::PartOwner::Derived)?;
            self.db(tx.commit())?;
            published.keep();
            old
        };
        // Unlisted now, so already gone as far as the case is concerned; a file that resists is swept later.
        for relative in old_files {
            let _ = remove_file_if_present(&self.root().join(relative));
        }
        Ok(())
    }
}

/// The rows of one enrichment run, staged until [`EnrichmentWriter::commit`]; dropped before that, nothing
/// of it is kept and the last run's tables stay.
pub struct EnrichmentWriter<'c> {
    case: &'c Case,
    listings: PartWriter,
    orders: PartWriter,
    staging: StagingDir,
}

impl EnrichmentWriter<'_> {
    pub fn push_listing(&mut self, facts: &ListingFacts) -> Result<()> {
        self.listings.append(facts)
    }

    pub fn push_order(&mut self, value: &OrderValue) -> Result<()> {
        self.orders.append(value)
    }

    /// Replaces `listing_facts` and `order_values` with the rows pushed, both at once.
    pub fn commit(self) -> Result<()> {
        let parts = [self.listings.finish()?, self.orders.finish()?]
            .into_iter()
            .filter(|p| p.rows > 0)
            .collect();
        self.case.replace_derived(
            &[ListingFacts::TABLE, OrderValue::TABLE],
            parts,
            &self.staging,
        )
    }
}
