//! Importing files of Bitcoin blocks into a case: each new file becomes evidence, then the chain tables
//! are rebuilt from every file of blocks the case holds (a new file may change which branch is the best
//! chain), streamed block by block in chain order, and swapped in with the listing of the new files in
//! one transaction.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use spector_chain::assemble::{self, BlockFile, FoundBlock};
use spector_chain::bitcoin::Network;
use spector_chain::read::Framing;
use spector_chain::{ClusterOptions, FlatBlock, Flattener, Skip, Union, XorKey, read_xor_key};
use spector_model::{ChainAddress, ChainSkip, ChainSource, ChainUnion};
use spector_store::{Case, ChainWriter};

use crate::{PipelineError, Progress};

#[derive(Debug, Clone)]
pub struct ChainImportOptions {
    /// The network of raw blocks and getblock answers, which do not say (blk files do, by their magic).
    pub network: Network,
    /// How addresses are clustered (common-input ownership; change heuristics off by default).
    pub cluster: ClusterOptions,
}

impl Default for ChainImportOptions {
    fn default() -> Self {
        ChainImportOptions {
            network: Network::Bitcoin,
            cluster: ClusterOptions::default(),
        }
    }
}

/// What an import did, for the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainImportReport {
    /// Files handed in (directories expanded), and how many of them the case did not hold yet.
    pub files_given: usize,
    pub files_new: usize,
    /// Files of blocks the tables are now built from.
    pub files_in_case: usize,
    /// `false` when nothing new was handed in: the tables were left as they were.
    pub rebuilt: bool,
    pub network: String,
    pub blocks_found: u64,
    pub blocks_on_chain: u64,
    /// Pieces of chain that do not meet (excerpts of the chain), and blocks of losing branches.
    pub segments: u64,
    pub side_blocks: u64,
    pub duplicate_blocks: u64,
    pub transactions: u64,
    pub inputs: u64,
    /// Inputs whose spent output was among the blocks read (value and address known).
    pub inputs_resolved: u64,
    pub outputs: u64,
    pub addresses: u64,
    /// Address clusters (a lone address is a cluster of one), the largest one's size, the unions made,
    /// transactions left apart as CoinJoins, and unions the super-cluster guard refused.
    pub clusters: u64,
    pub largest_cluster: u64,
    pub unions: u64,
    pub coinjoins: u64,
    pub guarded_unions: u64,
    /// What could not be read, each naming file and byte offset; the blocks before each were kept.
    pub problems: Vec<String>,
}

/// The files a path stands for: a file as given; in a directory, its `*.dat` files but Bitcoin Core's
/// `rev*.dat` undo files and `xor.dat` key (its `blocks/` directory holds `blk*.dat`, `rev*.dat`,
/// `xor.dat` and `index/`), and its `*.raw` and `*.json` files, by name. Each with the obfuscation key
/// of the directory it lies in (`xor.dat`, Bitcoin Core 28+), if any.
pub fn chain_files(path: &Path) -> Result<Vec<(PathBuf, Option<XorKey>)>, PipelineError> {
    if !path.is_dir() {
        let dir = path.parent().unwrap_or(Path::new("."));
        return Ok(vec![(path.to_path_buf(), read_xor_key(dir)?)]);
    }
    let key = read_xor_key(path)?;
    let listing = std::fs::read_dir(path).map_err(|source| PipelineError::ChainDir {
        dir: path.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|source| PipelineError::ChainDir {
            dir: path.to_path_buf(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().to_lowercase();
        let wanted = (name.ends_with(".dat") && !name.starts_with("rev") && name != "xor.dat")
            || name.ends_with(".raw")
            || name.ends_with(".json");
        if wanted && entry.path().is_file() {
            files.push((entry.path(), key));
        }
    }
    files.sort();
    Ok(files)
}

/// Imports `paths` (files or directories, see [`chain_files`]) into the case's chain tables.
pub fn import_chain(
    case: &Case,
    paths: &[PathBuf],
    options: &ChainImportOptions,
    progress: &dyn Progress,
) -> Result<ChainImportReport, PipelineError> {
    let mut files: Vec<(PathBuf, Option<XorKey>)> = Vec::new();
    for p in paths {
        files.extend(chain_files(p)?);
    }
    let mut report = ChainImportReport {
        files_given: files.len(),
        ..ChainImportReport::default()
    };
    let held: Vec<ChainSource> = case
        .chain_sources()?
        .into_iter()
        .filter(|s| is_blocks(&s.framing))
        .collect();
    // New files become evidence first, so that the bytes parsed are the bytes hashed.
    let mut new: Vec<(ChainSource, bool)> = Vec::new();
    for (file, key) in &files {
        let framing = assemble::detect(file, key.as_ref())?;
        // The key matters only to blk framing; a raw block beside xor.dat is not obfuscated.
        let key = key.filter(|_| framing == Framing::Blk);
        let evidence = case.add_evidence(file, "chain")?;
        if held.iter().any(|s| s.sha256 == evidence.sha256)
            || new.iter().any(|(s, _)| s.sha256 == evidence.sha256)
        {
            continue;
        }
        new.push((
            ChainSource {
                sha256: evidence.sha256,
                original_name: evidence.original_name,
                framing: framing.name().to_string(),
                blocks: 0,
                xor_key: key.map(|k| k.iter().map(|b| format!("{b:02x}")).collect()),
                imported_at: 0,
            },
            evidence.already_held,
        ));
    }
    report.files_new = new.len();
    if new.is_empty() {
        report.files_in_case = held.len();
        return Ok(report);
    }
    let result = rebuild(case, &held, &mut new, options, progress, &mut report);
    if result.is_err() {
        // Leave the case as it was: evidence this run brought in goes again.
        for (source, already_held) in &new {
            if !already_held {
                let _ = case.discard_evidence(&source.sha256);
            }
        }
    }
    result.map(|()| report)
}

/// Whether a file of `chain_sources` holds blocks (the others hold tags).
fn is_blocks(framing: &str) -> bool {
    matches!(framing, "blk" | "raw" | "getblock")
}

fn parse_key(hex: &str) -> Result<XorKey, PipelineError> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    bytes
        .and_then(|b| XorKey::try_from(b.as_slice()).ok())
        .ok_or_else(|| PipelineError::Chain(format!("case.db holds a bad obfuscation key {hex:?}")))
}

fn framing_of(name: &str) -> Framing {
    match name {
        "blk" => Framing::Blk,
        "getblock" => Framing::Getblock,
        _ => Framing::Raw,
    }
}

fn rebuild(
    case: &Case,
    held: &[ChainSource],
    new: &mut [(ChainSource, bool)],
    options: &ChainImportOptions,
    progress: &dyn Progress,
    report: &mut ChainImportReport,
) -> Result<(), PipelineError> {
    let mut sources: Vec<ChainSource> = held.to_vec();
    sources.extend(new.iter().map(|(s, _)| s.clone()));
    report.files_in_case = sources.len();
    let files = sources
        .iter()
        .map(|s| {
            Ok(BlockFile {
                path: case.evidence_path(&s.sha256),
                framing: framing_of(&s.framing),
                xor_key: s.xor_key.as_deref().map(parse_key).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, PipelineError>>()?;

    progress.begin_items("reading block headers", files.len() as u64);
    let mut per_file = vec![0u64; files.len()];
    let scan = assemble::scan(&files, |found: &FoundBlock| per_file[found.file] += 1);
    progress.end();
    report.problems = scan.problems.iter().map(|p| p.to_string()).collect();
    report.blocks_found = scan.found.len() as u64;
    // The new files are the last of `sources`.
    let first_new = sources.len() - new.len();
    for (i, (source, _)) in new.iter_mut().enumerate() {
        source.blocks = per_file[first_new + i];
    }
    let network = assemble::network_of(&scan, options.network).map_err(PipelineError::Chain)?;
    report.network = network.to_string();
    let ordered = assemble::order(&scan, network);
    report.segments = ordered.segments.len() as u64;
    report.side_blocks = ordered.side as u64;
    report.duplicate_blocks = ordered.duplicates as u64;

    let writer = case.begin_chain()?;
    let mut flattener = Flattener::with_clusters(network, &options.cluster);
    let mut unions_done = 0usize;
    // By address number: numbers are given in order of first sight, so this is also the order the
    // addresses are written in, the same for every import of the same files.
    let mut stats: Vec<AddressCounts> = Vec::new();
    // The script type names met, for `AddressCounts::kind` (Bitcoin Core has ten).
    let mut kinds: Vec<String> = Vec::new();
    let sha_of: Vec<Arc<str>> = sources.iter().map(|s| s.sha256.as_str().into()).collect();
    let total: u64 = ordered.segments.iter().map(|(s, _)| s.len() as u64).sum();
    progress.begin_items("flattening the best chain", total);
    let mut done = 0u64;
    // The segments one after the other; each block with its segment's root height and its step in it.
    let order: Vec<usize> = ordered
        .segments
        .iter()
        .flat_map(|(s, _)| s.iter().copied())
        .collect();
    let place: Vec<(Option<u64>, usize)> = ordered
        .segments
        .iter()
        .flat_map(|(s, root)| (0..s.len()).map(move |step| (*root, step)))
        .collect();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut height = None;
    // Rows are written (Arrow; each table's part encodes its full row groups as Parquet on a thread of
    // its own) on a thread of their own while the next blocks are flattened: writing costs about as much
    // as reading, resolving and clustering together.
    let (rows, to_write) = std::sync::mpsc::sync_channel::<ToWrite>(8);
    let writer = std::thread::scope(|scope| {
        let writing = scope.spawn(move || write_rows(writer, to_write));
        let flattened = assemble::each_checked(&scan.found, &order, workers, |i, block| {
            let found = &scan.found[order[i]];
            let (root_height, step) = place[i];
            if step == 0 {
                height = root_height.or_else(|| block.bip34_height());
            }
            let flat = flattener.flatten(&block, height, &sha_of[found.file]);
            for (input, number) in flat.inputs.iter().zip(&flat.input_addresses) {
                if let (Some(number), Some(value)) = (number, input.value)
                    && let Some(s) = stats.get_mut(*number as usize)
                    && s.outputs > 0
                {
                    s.inputs += 1;
                    s.spent = s.spent.saturating_add(value);
                    s.last_seen = s.last_seen.max(flat.block.time);
                }
                report.inputs += 1;
                report.inputs_resolved += u64::from(input.value.is_some());
            }
            for (output, number) in flat.outputs.iter().zip(&flat.output_addresses) {
                if let (Some(_), Some(number)) = (&output.address, number) {
                    let at = *number as usize;
                    if stats.len() <= at {
                        stats.resize(at + 1, AddressCounts::default());
                    }
                    let s = &mut stats[at];
                    if s.outputs == 0 {
                        let kind = match kinds.iter().position(|k| *k == output.script_type) {
                            Some(k) => k,
                            None => {
                                kinds.push(output.script_type.clone());
                                kinds.len() - 1
                            }
                        };
                        *s = AddressCounts {
                            kind,
                            first_seen: flat.block.time,
                            last_seen: flat.block.time,
                            ..AddressCounts::default()
                        };
                    }
                    s.outputs += 1;
                    s.received = s.received.saturating_add(output.value);
                    s.first_seen = s.first_seen.min(flat.block.time);
                    s.last_seen = s.last_seen.max(flat.block.time);
                }
            }
            // The unions and skips this block made, with their transactions named.
            let (unions, skips): (Vec<Union>, Vec<Skip>) = match &mut flattener.clusters {
                Some(clusters) => {
                    let (unions, skips) = clusters.drain_made();
                    (unions.collect(), skips.collect())
                }
                None => Default::default(),
            };
            unions_done += unions.len();
            let txid = |at: u64| {
                flat.txs
                    .get((at - flat.first_tx) as usize)
                    .map_or_else(String::new, |t| t.txid.clone())
            };
            let unions = unions
                .into_iter()
                .map(|u| ChainUnion {
                    address_a: flattener.address_name(u.a).unwrap_or_default(),
                    address_b: flattener.address_name(u.b).unwrap_or_default(),
                    txid: txid(u.tx),
                    rule: u.rule.to_string(),
                })
                .collect();
            let skips_named = skips
                .iter()
                .map(|k| ChainSkip {
                    txid: txid(k.tx),
                    rule: k.rule.to_string(),
                    size_a: k.sizes.map(|s| s.0 as u64),
                    size_b: k.sizes.map(|s| s.1 as u64),
                })
                .collect();
            for k in &skips {
                if k.sizes.is_some() {
                    report.guarded_unions += 1;
                } else {
                    report.coinjoins += 1;
                }
            }
            report.transactions += flat.txs.len() as u64;
            report.outputs += flat.outputs.len() as u64;
            report.blocks_on_chain += 1;
            height = height.map(|h| h + 1);
            done += 1;
            progress.set(done);
            rows.send(ToWrite::Block(Box::new(BlockRows {
                flat,
                unions,
                skips: skips_named,
            })))
            .map_err(|_| writer_stopped())
        });
        // Then the addresses, named here and written there: the writing thread has at most the last few
        // blocks' rows left to write by now.
        let addressed = flattened.and_then(|()| {
            progress.end();
            // Tens of millions on a long chain: a step of its own, not a bar that stays full.
            progress.begin_items("naming and writing the addresses", stats.len() as u64);
            let mut is_root = vec![false; flattener.addresses.len()];
            let mut batch = Vec::with_capacity(ADDRESS_BATCH);
            for (number, counts) in stats.into_iter().enumerate() {
                if number.is_multiple_of(ADDRESS_BATCH) {
                    progress.set(number as u64);
                }
                if counts.outputs == 0 {
                    continue;
                }
                let mut a = ChainAddress {
                    address: flattener.address_name(number as u32).unwrap_or_default(),
                    script_type: kinds.get(counts.kind).cloned().unwrap_or_default(),
                    first_seen: counts.first_seen,
                    last_seen: counts.last_seen,
                    outputs: counts.outputs,
                    received: counts.received,
                    inputs: counts.inputs,
                    spent: counts.spent,
                    cluster: String::new(),
                    cluster_size: 0,
                };
                if let Some(clusters) = &mut flattener.clusters {
                    let root = clusters.find(number as u32);
                    a.cluster_size = clusters.size_of(root) as u64;
                    a.cluster = flattener.address_name(root).unwrap_or_default();
                    report.largest_cluster = report.largest_cluster.max(a.cluster_size);
                    if let Some(seen) = is_root.get_mut(root as usize) {
                        report.clusters += u64::from(!*seen);
                        *seen = true;
                    }
                }
                report.addresses += 1;
                batch.push(a);
                if batch.len() == ADDRESS_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(ADDRESS_BATCH));
                    rows.send(ToWrite::Addresses(full))
                        .map_err(|_| writer_stopped())?;
                }
            }
            rows.send(ToWrite::Addresses(batch))
                .map_err(|_| writer_stopped())
        });
        drop(rows);
        let written = match writing.join() {
            Ok(written) => written,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        // The writer's own error first: the flattening side only saw that it stopped.
        let writer = written?;
        addressed?;
        Ok::<_, PipelineError>(writer)
    })?;
    progress.end();
    report.unions = unions_done as u64;
    let listed: Vec<ChainSource> = new.iter().map(|(s, _)| s.clone()).collect();
    writer.commit(&listed)?;
    report.rebuilt = true;
    Ok(())
}

/// What the walk counts of an address that an output paid (`outputs` > 0), by its number: its own text
/// and its cluster's are looked up once, when the table is written. Counts alone, rather than a
/// `ChainAddress` with its strings, were a third of the memory (and an allocation per address) of an
/// import.
#[derive(Debug, Clone, Copy, Default)]
struct AddressCounts {
    /// The script type of the first output paying it, by its place among the names met.
    kind: usize,
    first_seen: i64,
    last_seen: i64,
    outputs: u64,
    received: u64,
    inputs: u64,
    spent: u64,
}

/// Addresses handed to the writing thread at a time.
const ADDRESS_BATCH: usize = 4096;

/// What the thread flattening the chain hands the one writing the tables: each block's rows, then the
/// addresses.
enum ToWrite {
    Block(Box<BlockRows>),
    Addresses(Vec<ChainAddress>),
}

fn writer_stopped() -> PipelineError {
    PipelineError::Chain("the thread writing the chain tables stopped".into())
}

/// A block's rows.
struct BlockRows {
    flat: FlatBlock,
    unions: Vec<ChainUnion>,
    skips: Vec<ChainSkip>,
}

fn write_rows(
    mut writer: ChainWriter<'_>,
    received: std::sync::mpsc::Receiver<ToWrite>,
) -> Result<ChainWriter<'_>, PipelineError> {
    for next in received {
        let BlockRows {
            flat,
            unions,
            skips,
        } = match next {
            ToWrite::Block(rows) => *rows,
            ToWrite::Addresses(addresses) => {
                for address in &addresses {
                    writer.push_address(address)?;
                }
                continue;
            }
        };
        writer.push_block(&flat.block)?;
        for tx in &flat.txs {
            writer.push_tx(tx)?;
        }
        for input in &flat.inputs {
            writer.push_input(input)?;
        }
        for output in &flat.outputs {
            writer.push_output(output)?;
        }
        for union in &unions {
            writer.push_union(union)?;
        }
        for skip in &skips {
            writer.push_skip(skip)?;
        }
    }
    Ok(writer)
}

/// What an import of tags did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagImportReport {
    pub files_given: usize,
    pub files_new: usize,
    /// Tags in the case after the import (of every file of tags held), and the BTC ones among them.
    pub tags: u64,
    pub btc_tags: u64,
    /// Tags this import's new files held, and those they rejected (each naming file, line and reason).
    pub new_tags: u64,
    pub rejects: Vec<String>,
    /// Files that are no tag pack or list at all (an ActorPack, say), skipped with the reason.
    pub skipped: Vec<String>,
}

/// Which reader a file of tags needs, by its name: `*.yaml`/`*.yml` GraphSense TagPacks,
/// `sanctioned_addresses_<COIN>.txt` sanctions lists.
fn tag_framing(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?.to_lowercase();
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        Some("tagpack")
    } else if spector_chain::attribution::sanctions_list_currency(&name).is_some() {
        Some("sanctions")
    } else {
        None
    }
}

fn read_tags(
    case: &Case,
    source: &ChainSource,
) -> Result<(Vec<spector_model::ChainTag>, Vec<String>), spector_chain::AttributionError> {
    use spector_chain::attribution::{parse_sanctions_list, parse_tagpack};
    let path = case.evidence_path(&source.sha256);
    let bytes = std::fs::read(&path).map_err(|e| spector_chain::AttributionError::Io {
        path: path.clone(),
        source: e,
    })?;
    // Named as handed in, so that an origin reads as the analyst knows the file.
    let name = Path::new(&source.original_name);
    let (tags, rejects) = if source.framing == "sanctions" {
        let read = parse_sanctions_list(name, &bytes)?;
        (read.tags, read.rejects)
    } else {
        let read = parse_tagpack(name, &bytes)?;
        (read.tags, read.rejects)
    };
    let rows = tags
        .into_iter()
        .map(|t| spector_model::ChainTag {
            address: t.address,
            currency: t.currency,
            label: t.label,
            category: t.category.or(t.abuse),
            actor: t.actor,
            source: t.source,
            confidence: t.confidence,
            file: source.original_name.clone(),
            position: t.origin.line,
            src_sha256: source.sha256.clone(),
        })
        .collect();
    let rejects = rejects
        .iter()
        .map(|r| format!("{}: {}", r.origin, r.reason))
        .collect();
    Ok((rows, rejects))
}

/// Imports files of public attribution (paths: files, or directories of them) into `chain_tags`,
/// rebuilt from every file of tags the case holds. A tag labels the cluster of its address.
pub fn import_tags(case: &Case, paths: &[PathBuf]) -> Result<TagImportReport, PipelineError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let listing = std::fs::read_dir(p).map_err(|source| PipelineError::ChainDir {
                dir: p.clone(),
                source,
            })?;
            let mut found: Vec<PathBuf> = listing
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && tag_framing(f).is_some())
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut report = TagImportReport {
        files_given: files.len(),
        ..TagImportReport::default()
    };
    let held: Vec<ChainSource> = case
        .chain_sources()?
        .into_iter()
        .filter(|s| !is_blocks(&s.framing))
        .collect();
    let mut new: Vec<ChainSource> = Vec::new();
    let mut added: Vec<(String, bool)> = Vec::new();
    for file in &files {
        let framing = tag_framing(file).ok_or_else(|| {
            PipelineError::Chain(format!(
                "{}: not a file of tags (a GraphSense TagPack *.yaml, or sanctioned_addresses_<COIN>.txt)",
                file.display()
            ))
        })?;
        let evidence = case.add_evidence(file, "attribution")?;
        if held.iter().chain(&new).any(|s| s.sha256 == evidence.sha256) {
            continue;
        }
        added.push((evidence.sha256.clone(), evidence.already_held));
        new.push(ChainSource {
            sha256: evidence.sha256,
            original_name: evidence.original_name,
            framing: framing.to_string(),
            blocks: 0,
            xor_key: None,
            imported_at: 0,
        });
    }
    let result = (|| {
        let mut all = Vec::new();
        let mut kept_new = Vec::new();
        for source in held.iter() {
            // Held files were read before; read again, they give the same tags.
            if let Ok((tags, _)) = read_tags(case, source) {
                all.extend(tags);
            }
        }
        for source in &new {
            match read_tags(case, source) {
                Ok((tags, rejects)) => {
                    report.new_tags += tags.len() as u64;
                    report.rejects.extend(rejects);
                    all.extend(tags);
                    kept_new.push(source.clone());
                }
                Err(e) => report
                    .skipped
                    .push(format!("{}: {e}", source.original_name)),
            }
        }
        report.files_new = kept_new.len();
        report.tags = all.len() as u64;
        report.btc_tags = all.iter().filter(|t| t.currency == "BTC").count() as u64;
        if !kept_new.is_empty() {
            case.replace_chain_tags(&all, &kept_new)?;
        }
        Ok::<_, PipelineError>(kept_new)
    })();
    // Evidence this run brought in and did not list (skipped files, or all on failure) goes again.
    let listed: BTreeSet<String> = match &result {
        Ok(kept) => kept.iter().map(|s| s.sha256.clone()).collect(),
        Err(_) => BTreeSet::new(),
    };
    for (sha, already_held) in added {
        if !already_held && !listed.contains(&sha) {
            let _ = case.discard_evidence(&sha);
        }
    }
    result.map(|_| report)
}
