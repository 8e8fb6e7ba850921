//! The chain tables: derived from every file of blocks the case holds, replaced whole by each import,
//! together with the listing of the import's new files (`chain_sources`), in one transaction.

use rusqlite::params;
use spector_model::{
    ChainAddress, ChainBlock, ChainInput, ChainOutput, ChainSkip, ChainSource, ChainTag, ChainTx,
    ChainUnion,
};

use crate::case::Case;
use crate::error::Result;
use crate::parts::PartWriter;
use crate::staging::{StagingDir, unix_now};
use crate::tables::{Row, narrow};

/// What a trace reads of an output row, borrowed from the decoded table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputEdge<'a> {
    pub txid: &'a str,
    pub vout: u32,
    pub value: u64,
    pub address: Option<&'a str>,
}

/// What a trace reads of an input row, borrowed from the decoded table: the outpoint it spends, none for
/// a coinbase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputEdge<'a> {
    pub txid: &'a str,
    pub vin: u32,
    pub prev: Option<(&'a str, u32)>,
}

/// The rows of one chain import, staged until [`ChainWriter::commit`]; dropped before that, nothing of it
/// is kept and the case's chain tables stay as they were.
pub struct ChainWriter<'c> {
    case: &'c Case,
    blocks: PartWriter,
    txs: PartWriter,
    inputs: PartWriter,
    outputs: PartWriter,
    addresses: PartWriter,
    unions: PartWriter,
    skips: PartWriter,
    staging: StagingDir,
}

impl Case {
    /// Starts writing the chain tables anew.
    pub fn begin_chain(&self) -> Result<ChainWriter<'_>> {
        let staging = StagingDir::create(&self.staging_root())?;
        Ok(ChainWriter {
            case: self,
            blocks: PartWriter::create::<ChainBlock>(staging.path())?,
            txs: PartWriter::create::<ChainTx>(staging.path())?,
            inputs: PartWriter::create::<ChainInput>(staging.path())?,
            outputs: PartWriter::create::<ChainOutput>(staging.path())?,
            addresses: PartWriter::create::<ChainAddress>(staging.path())?,
            unions: PartWriter::create::<ChainUnion>(staging.path())?,
            skips: PartWriter::create::<ChainSkip>(staging.path())?,
            staging,
        })
    }

    /// The files of blocks imported so far, in import order.
    pub fn chain_sources(&self) -> Result<Vec<ChainSource>> {
        let conn = self.conn();
        self.db(conn
            .prepare(
                "SELECT c.sha256, e.original_name, c.framing, c.blocks, c.xor_key, c.imported_at
                 FROM chain_sources c JOIN evidence e ON e.sha256 = c.sha256
                 ORDER BY c.imported_at, c.rowid",
            )
            .and_then(|mut st| {
                st.query_map([], |r| {
                    Ok(ChainSource {
                        sha256: r.get(0)?,
                        original_name: r.get(1)?,
                        framing: r.get(2)?,
                        blocks: r.get(3)?,
                        xor_key: r.get(4)?,
                        imported_at: r.get(5)?,
                    })
                })?
                .collect()
            }))
    }

    /// Rows of each chain table, as case.db lists them (without reading them): blocks, transactions,
    /// inputs, outputs, addresses, unions. Each union joined two clusters, so the clusters number the
    /// addresses less the unions.
    pub fn chain_counts(&self) -> Result<[u64; 6]> {
        Ok([
            self.count_rows::<ChainBlock>()?,
            self.count_rows::<ChainTx>()?,
            self.count_rows::<ChainInput>()?,
            self.count_rows::<ChainOutput>()?,
            self.count_rows::<ChainAddress>()?,
            self.count_rows::<ChainUnion>()?,
        ])
    }

    pub fn chain_blocks(&self) -> Result<Vec<ChainBlock>> {
        self.read_table()
    }
    /// The first block of the best chain, read alone (every block names the chain's network).
    pub fn first_chain_block(&self) -> Result<Option<ChainBlock>> {
        self.first_row()
    }
    pub fn chain_txs(&self) -> Result<Vec<ChainTx>> {
        self.read_table()
    }
    pub fn chain_inputs(&self) -> Result<Vec<ChainInput>> {
        self.read_table()
    }
    pub fn chain_outputs(&self) -> Result<Vec<ChainOutput>> {
        self.read_table()
    }
    pub fn chain_addresses(&self) -> Result<Vec<ChainAddress>> {
        self.read_table()
    }
    pub fn chain_unions(&self) -> Result<Vec<ChainUnion>> {
        self.read_table()
    }
    pub fn chain_skips(&self) -> Result<Vec<ChainSkip>> {
        self.read_table()
    }
    /// Each transaction's txid and time, in table order, decoding nothing else: what a trace needs of the
    /// transactions table, borrowed rather than copied (a chain's tables are the largest a case holds).
    pub fn visit_chain_tx_times(&self, visit: &mut dyn FnMut(&str, i64)) -> Result<()> {
        self.visit_columns::<ChainTx>(&["txid", "time"], &mut |r| {
            let txid = r.str()?;
            let time = r.time()?.ok_or("null in required column time")?;
            visit(txid, time);
            Ok(())
        })
    }

    /// Each output's txid, vout, value and address, in table order (see [`Case::visit_chain_tx_times`]).
    pub fn visit_chain_output_edges(&self, visit: &mut dyn FnMut(OutputEdge<'_>)) -> Result<()> {
        self.visit_columns::<ChainOutput>(&["txid", "vout", "value", "address"], &mut |r| {
            visit(OutputEdge {
                txid: r.str()?,
                vout: narrow(r.count()?, "vout")?,
                value: r.count()?,
                address: r.opt_str()?,
            });
            Ok(())
        })
    }

    /// Each input's txid, vin and the outpoint it spends (none for a coinbase), in table order (see
    /// [`Case::visit_chain_tx_times`]).
    pub fn visit_chain_input_edges(&self, visit: &mut dyn FnMut(InputEdge<'_>)) -> Result<()> {
        self.visit_columns::<ChainInput>(&["txid", "vin", "prev_txid", "prev_vout"], &mut |r| {
            let txid = r.str()?;
            let vin = narrow(r.count()?, "vin")?;
            let prev = match (r.opt_str()?, r.opt_count()?) {
                (Some(t), Some(v)) => Some((t, narrow(v, "prev_vout")?)),
                _ => None,
            };
            visit(InputEdge { txid, vin, prev });
            Ok(())
        })
    }

    /// Each address with its cluster and the satoshis it received, in table order (see
    /// [`Case::visit_chain_tx_times`]).
    pub fn visit_chain_address_clusters(
        &self,
        visit: &mut dyn FnMut(&str, &str, u64),
    ) -> Result<()> {
        self.visit_columns::<ChainAddress>(&["address", "received", "cluster"], &mut |r| {
            let address = r.str()?;
            let received = r.count()?;
            visit(address, r.str()?, received);
            Ok(())
        })
    }

    /// The rows of `chain_addresses` whose address `keep` keeps, each read whole (the others are not
    /// copied).
    pub fn chain_addresses_where(&self, keep: &dyn Fn(&str) -> bool) -> Result<Vec<ChainAddress>> {
        self.rows_where_first::<ChainAddress>(keep)
    }

    /// The rows of `chain_unions` whose first address `keep` keeps (see
    /// [`Case::chain_addresses_where`]).
    pub fn chain_unions_where(&self, keep: &dyn Fn(&str) -> bool) -> Result<Vec<ChainUnion>> {
        self.rows_where_first::<ChainUnion>(keep)
    }

    /// The rows of `T`'s table whose first column (text) `keep` keeps, read whole.
    fn rows_where_first<T: Row>(&self, keep: &dyn Fn(&str) -> bool) -> Result<Vec<T>> {
        let columns = T::columns();
        let all: Vec<&str> = columns.iter().map(|c| c.name).collect();
        let mut out = Vec::new();
        self.visit_columns::<T>(&all, &mut |r| {
            if keep(r.str()?) {
                r.rewind();
                out.push(T::read(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Public attributions of addresses (`chain_tags`), from every file of tags imported.
    pub fn chain_tags(&self) -> Result<Vec<ChainTag>> {
        self.read_table()
    }

    /// Replaces the tags with `tags` (those of every file of tags, old and new), listing the new files
    /// among `chain_sources` in the same transaction; their evidence must be in the case already.
    pub fn replace_chain_tags(&self, tags: &[ChainTag], new_files: &[ChainSource]) -> Result<()> {
        let staging = StagingDir::create(&self.staging_root())?;
        let parts = crate::parts::write_part(staging.path(), tags)?
            .into_iter()
            .collect();
        self.replace_derived_with(&[ChainTag::TABLE], parts, &staging, |tx| {
            list_sources(self, tx, new_files)
        })
    }
}

impl ChainWriter<'_> {
    pub fn push_block(&mut self, block: &ChainBlock) -> Result<()> {
        self.blocks.append(block)
    }
    pub fn push_tx(&mut self, tx: &ChainTx) -> Result<()> {
        self.txs.append(tx)
    }
    pub fn push_input(&mut self, input: &ChainInput) -> Result<()> {
        self.inputs.append(input)
    }
    pub fn push_output(&mut self, output: &ChainOutput) -> Result<()> {
        self.outputs.append(output)
    }
    pub fn push_address(&mut self, address: &ChainAddress) -> Result<()> {
        self.addresses.append(address)
    }
    pub fn push_union(&mut self, union: &ChainUnion) -> Result<()> {
        self.unions.append(union)
    }
    pub fn push_skip(&mut self, skip: &ChainSkip) -> Result<()> {
        self.skips.append(skip)
    }

    /// Replaces the chain tables with the rows pushed and lists `new_sources` (evidence the case already
    /// holds, from [`Case::add_evidence`]), all at once.
    pub fn commit(self, new_sources: &[ChainSource]) -> Result<()> {
        let parts = [
            self.blocks.finish()?,
            self.txs.finish()?,
            self.inputs.finish()?,
            self.outputs.finish()?,
            self.addresses.finish()?,
            self.unions.finish()?,
            self.skips.finish()?,
        ]
        .into_iter()
        .filter(|p| p.rows > 0)
        .collect();
        let case = self.case;
        case.replace_derived_with(
            &[
                ChainBlock::TABLE,
                ChainTx::TABLE,
                ChainInput::TABLE,
                ChainOutput::TABLE,
                ChainAddress::TABLE,
                ChainUnion::TABLE,
                ChainSkip::TABLE,
            ],
            parts,
            &self.staging,
            |tx| list_sources(case, tx, new_sources),
        )
    }
}

/// Lists files of blocks or tags among `chain_sources`, inside the caller's transaction.
fn list_sources(
    case: &Case,
    tx: &rusqlite::Transaction<'_>,
    sources: &[ChainSource],
) -> Result<()> {
    let now = unix_now();
    for s in sources {
        case.db(tx.execute(
            "INSERT OR IGNORE INTO chain_sources (sha256, framing, blocks, xor_key, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.sha256, s.framing, s.blocks, s.xor_key, now],
        ))?;
    }
    Ok(())
}
