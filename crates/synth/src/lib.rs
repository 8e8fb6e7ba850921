//! The synthetic seized-market world: darknet markets in their native dump formats plus the ground truth
//! the pipeline is measured against. `docs/synth-world.md` is the contract for every file written here.
//!
//! Determinism: the output is a pure function of ([`SynthConfig::seed`], [`SynthConfig::scale`],
//! [`SynthConfig::markets`]); nothing reads the clock, the environment or hash-map order.
//!
//! Memory: personas, accounts and listings are held in memory (they grow sub-linearly with scale); orders,
//! feedback and messages are derived one at a time from per-record random streams and streamed to disk.

pub mod chain;
mod clock;
mod error;
pub mod formats;
pub mod ids;
mod images;
mod markets;
mod money;
mod orders;
mod prices;
mod seed;
mod text;
mod truth;
mod world;

use std::path::Path;

pub use chain::ChainSummary;
pub use error::SynthError;
pub use truth::Counts;
pub use world::{Family, MARKET_NAMES};

use formats::sink::Progress;

/// Version of the generated world's layout; bump when the output for a given seed changes.
pub const WORLD_FORMAT_VERSION: u32 = 2;

/// What world to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    pub seed: u64,
    /// 1.0 ≈ a few thousand records over all markets; orders grow linearly with it.
    pub scale: f64,
    /// Number of markets, 3..=9 (named from [`MARKET_NAMES`] in order).
    pub markets: usize,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 1,
            scale: 1.0,
            markets: 9,
        }
    }
}

/// What was written for one market.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MarketSummary {
    pub name: String,
    pub family: Family,
    /// Files written, relative to `markets/<name>/`.
    pub files: Vec<String>,
    /// The rows the pipeline must store (same numbers as `truth/counts.csv`).
    pub counts: Counts,
    /// Orders that happened, including those a scrape cannot see.
    pub true_orders: u64,
    pub bytes_written: u64,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSummary {
    pub markets: Vec<MarketSummary>,
    pub personas: usize,
    pub accounts: usize,
    /// Order rows written (purchases + deals).
    pub orders: u64,
    /// Bytes of all files, truth included.
    pub bytes_written: u64,
}

/// Progress notifications, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgressEvent {
    /// The world is built; `orders` order rows are about to be written over `markets` markets.
    Planned {
        markets: usize,
        orders: u64,
    },
    MarketStarted {
        market: String,
        family: Family,
    },
    /// Bytes written so far over all files (reported every few MiB and at each market's end).
    BytesWritten {
        total: u64,
    },
    /// Order rows written so far (every 10,000 and at each market's end).
    OrdersWritten {
        total: u64,
    },
    MarketFinished {
        market: String,
        bytes: u64,
    },
}

/// Writes the world into `out` (created if missing): `markets/<m>/...` and `truth/...`.
pub fn generate(
    config: &SynthConfig,
    out: &Path,
    progress: &dyn Fn(ProgressEvent),
) -> Result<SynthSummary, SynthError> {
    validate(config)?;
    let world = world::build(config)?;
    write_markets(&world, out, progress)
}

/// Like [`generate`], then writes the world's chain: `chain/blk?????.dat` (regtest), `truth/chain_*.csv`
/// and `attribution/exchanges.yaml` (see `docs/synth-world.md`). The rest of the output is the same as
/// [`generate`]'s.
pub fn generate_with_chain(
    config: &SynthConfig,
    out: &Path,
    progress: &dyn Fn(ProgressEvent),
) -> Result<(SynthSummary, ChainSummary), SynthError> {
    validate(config)?;
    let world = world::build(config)?;
    let summary = write_markets(&world, out, progress)?;
    let chain = chain::write_world_chain(&world, out)?;
    Ok((summary, chain))
}

fn write_markets(
    world: &world::World,
    out: &Path,
    progress: &dyn Fn(ProgressEvent),
) -> Result<SynthSummary, SynthError> {
    let progress = Progress::new(progress);
    progress.emit(ProgressEvent::Planned {
        markets: world.markets.len(),
        orders: world
            .markets
            .iter()
            .filter(|m| m.family.has_orders_table())
            .map(|m| m.orders)
            .sum(),
    });

    let mut truths = Vec::new();
    let mut summaries = Vec::new();
    for market in &world.markets {
        progress.emit(ProgressEvent::MarketStarted {
            market: market.name.to_string(),
            family: market.family,
        });
        let dir = out.join("markets").join(market.name);
        std::fs::create_dir_all(&dir).map_err(SynthError::io(&dir))?;
        let (mut truth, mut bytes) = match market.family {
            Family::Laravel => markets::laravel::write(world, market, &dir, &progress)?,
            Family::Pgmarket => markets::pgmarket::write(world, market, &dir, &progress)?,
            Family::Scrape => markets::scrape::write(world, market, &dir, &progress)?,
        };
        bytes += images::write_market(world, market, &dir.join("images"), &progress)?;
        truth.counts.images = market.images.len() as u64;
        progress.flush_totals();
        progress.emit(ProgressEvent::MarketFinished {
            market: market.name.to_string(),
            bytes,
        });
        summaries.push(MarketSummary {
            name: market.name.to_string(),
            family: market.family,
            files: truth::market_files(market),
            counts: truth.counts,
            true_orders: market.orders,
            bytes_written: bytes,
        });
        truths.push(truth);
    }

    let truth_dir = out.join("truth");
    std::fs::create_dir_all(&truth_dir).map_err(SynthError::io(&truth_dir))?;
    truth::write_truth_files(world, &truths, &truth_dir, &progress)?;
    let json_bytes = write_world_json(world, &summaries, &truth_dir.join("world.json"))?;
    let bytes_written = progress.bytes() + json_bytes;
    Ok(SynthSummary {
        personas: world.personas.len(),
        accounts: world.markets.iter().map(|m| m.accounts.len()).sum(),
        orders: summaries.iter().map(|m| m.counts.orders).sum(),
        markets: summaries,
        bytes_written,
    })
}

fn validate(config: &SynthConfig) -> Result<(), SynthError> {
    if !(3..=MARKET_NAMES.len()).contains(&config.markets) {
        return Err(SynthError::InvalidConfig(format!(
            "markets must be 3..={} (got {})",
            MARKET_NAMES.len(),
            config.markets
        )));
    }
    if !config.scale.is_finite() || config.scale <= 0.0 || config.scale > 1e6 {
        return Err(SynthError::InvalidConfig(format!(
            "scale must be a positive number up to 1e6 (got {})",
            config.scale
        )));
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct WorldJson<'a> {
    generator: &'static str,
    generator_version: &'static str,
    format_version: u32,
    seed: u64,
    scale: f64,
    window: [String; 2],
    markets: Vec<MarketJson<'a>>,
    personas: PersonaCounts,
    money: &'static str,
}

#[derive(serde::Serialize)]
struct MarketJson<'a> {
    name: &'a str,
    family: Family,
    files: &'a [String],
    opened: String,
    closed: String,
    /// Seizure time (dumps) or crawl start (scrapes).
    captured: String,
    true_orders: u64,
    /// Market-owned addresses shared by many accounts: they link nobody.
    traps: &'a world::Traps,
}

#[derive(serde::Serialize)]
struct PersonaCounts {
    vendors: usize,
    buyers: usize,
    resellers: usize,
    staff: usize,
}

fn write_world_json(
    world: &world::World,
    summaries: &[MarketSummary],
    path: &Path,
) -> Result<u64, SynthError> {
    let count = |kind: world::PersonaKind| world.personas.iter().filter(|p| p.kind == kind).count();
    let json = WorldJson {
        generator: "spector-synth",
        generator_version: env!("CARGO_PKG_VERSION"),
        format_version: WORLD_FORMAT_VERSION,
        seed: world.seed,
        scale: world.scale,
        window: [
            clock::date(clock::WORLD_START),
            clock::date(clock::WORLD_END),
        ],
        markets: world
            .markets
            .iter()
            .zip(summaries)
            .map(|(m, s)| MarketJson {
                name: m.name,
                family: m.family,
                files: &s.files,
                opened: clock::iso(m.open),
                closed: clock::iso(m.close),
                captured: clock::iso(m.captured),
                true_orders: m.orders,
                traps: &m.traps,
            })
            .collect(),
        personas: PersonaCounts {
            vendors: count(world::PersonaKind::Vendor),
            buyers: count(world::PersonaKind::Buyer),
            resellers: count(world::PersonaKind::Reseller),
            staff: count(world::PersonaKind::Staff),
        },
        money: "USD in exact cents; coin amounts = round(usd / daily close of the order's UTC date, 8 decimals)",
    };
    let mut text = serde_json::to_string_pretty(&json).map_err(|source| SynthError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    text.push('\n');
    std::fs::write(path, &text).map_err(SynthError::io(path))?;
    Ok(text.len() as u64)
}
