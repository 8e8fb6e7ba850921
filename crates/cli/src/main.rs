//! The `spector` command: a thin shell over the library crates. Only this crate knows about terminals and JSON.

mod alloc;
mod cmd;
mod output;
mod progress;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// spector — combine seized darknet-market databases into ranked, explained leads.
///
/// A typical session:
///
///   spector case init ./case
///   spector ingest --case ./case --market abyss   seized/abyss.sql
///   spector ingest --case ./case --market tortuga seized/tortuga.pgdump.sql
///   spector enrich --case ./case
///   spector link --case ./case
///   spector targets --case ./case --top 20
///   spector sql --case ./case "SELECT market, count(*) FROM accounts GROUP BY market"
///
/// A market whose schema spector does not know yet gets a profile with `spector profile draft`.
/// `spector demo` does all of this on a synthetic world in a temporary directory.
#[derive(Parser)]
#[command(
    name = "spector",
    version,
    propagate_version = true,
    max_term_width = 110,
    verbatim_doc_comment
)]
struct Cli {
    /// Print machine-readable JSON on stdout instead of tables (for scripts).
    #[arg(long, global = true)]
    json: bool,
    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create or inspect a case (a directory holding evidence, tables and analyst state).
    Case {
        #[command(subcommand)]
        action: cmd::case::CaseAction,
    },
    /// Write a synthetic world of seized markets, with ground truth, for tests, demos and benchmarks.
    Synth(cmd::synth::SynthArgs),
    /// Draft a mapping profile for a market never seen before, check one, or list the shipped ones.
    ///
    /// spector profile draft seized/x.sql -o x.toml; edit x.toml; spector profile check x.toml seized/x.sql;
    /// then spector ingest --profile x.toml ...
    Profile {
        #[command(subcommand)]
        action: cmd::profile::ProfileAction,
    },
    /// Bring seized files of one market into a case.
    ///
    /// Each SOURCE is copied into the case's evidence area and hashed (SHA-256), then read from that copy.
    /// The schema is recognised from the source unless --profile names one. A file is stored whole or not at
    /// all: an error leaves the case exactly as it was. Ingesting the same bytes again does nothing.
    ///
    /// A directory of image files (a market server's uploads) is stored as one batch, each file its own
    /// evidence: its format, size and perceptual hash are read so that linking can compare sellers' product
    /// photos; a file that does not decode is kept with the reason.
    Ingest(cmd::ingest::IngestArgs),
    /// Show what enrichment reads in any text: class, flags, matched words, amounts, identifiers
    ///
    /// The class and flags come with the words that decided them and how each matched (exact, leetspeak,
    /// split word, misspelling); then amounts, doses and purity, price tiers, addresses, handles and PGP
    /// keys. Example:
    ///
    ///   spector classify "100x M30 blues - pressed in USA" "f3nt@nyl 1g" "Kokain 1 Gramm 90%"
    #[command(verbatim_doc_comment)]
    Classify(cmd::classify::ClassifyArgs),
    /// Classify listings, read amounts, value prices and orders in USD, normalise places
    ///
    /// Every listing gets its drug class and the flags fentanyl-related, counterfeit pill and aimed at
    /// young buyers, with the words that decided them; grams, pills, dose and purity; its price in USD at
    /// its date; ships-from/to as ISO 3166 codes. Every order gets its amount in USD at its date. Results
    /// go to the tables `listing_facts` and `order_values`, replaced at each run, for `spector sql`:
    ///
    ///   SELECT f.vendor_id, sum(v.usd) FROM order_values v
    ///     JOIN listing_facts f ON f.listing_id = v.listing_id
    ///   WHERE f.fentanyl GROUP BY f.vendor_id ORDER BY 2 DESC
    #[command(verbatim_doc_comment)]
    Enrich(cmd::enrich::EnrichArgs),
    /// Join accounts across markets into personas, on hard identifiers and on soft evidence.
    ///
    /// Hard: the same PGP key, payout address or contact handle. Identifiers that markets share among many
    /// users (escrow, deposit and bond wallets, an address quoted on every vendor page) are set aside and
    /// listed, never used to link.
    ///
    /// Soft (sellers only; off with --no-soft): username stems, writing, listing titles, product mix, price
    /// level, ships-from country, hours and window of activity, shared product photos (perceptual hashes;
    /// pictures many sellers show left out), combined by a Fellegi–Sunter model into a match probability.
    /// Its m comes from seller pairs that share a hard identifier, its u from random seller pairs. Two
    /// groups join only when their accounts are alike on average, so one strong pair cannot chain two
    /// sellers together.
    ///
    /// Every link keeps its evidence (`spector persona show ID`). The run prints, and stores in the table
    /// `link_rules`, each rule's estimated error with what the estimate rests on. Analysts' judgements
    /// (`spector persona`) are obeyed, and personas keep their ids from the last run where they carry on.
    #[command(verbatim_doc_comment)]
    Link(cmd::link::LinkArgs),
    /// List every persona with its accounts (one line each, or JSON with --json, which gives each account's
    /// id as judgements name it).
    Personas(CaseArg),
    /// Record an analyst's judgement about personas, list judgements, withdraw one.
    ///
    /// Judgements are kept in the case and obeyed by every later `spector link`: confirm (two accounts are one
    /// seller), reject (two accounts are different sellers), split (some accounts of a persona are a
    /// different seller from the rest). They are never deleted, only withdrawn, so the record shows who
    /// decided what, when and why. Persona ids stay the same across runs where personas carry on.
    Persona {
        #[command(subcommand)]
        action: cmd::persona::PersonaAction,
    },
    /// Rank personas by sales, showing fentanyl involvement, markets and buyers reached.
    Targets(cmd::targets::TargetsArgs),
    /// Follow the money: import Bitcoin blocks into the case and count what it holds.
    Chain {
        #[command(subcommand)]
        action: cmd::chain::ChainAction,
    },
    /// Run SQL over the case's tables (markets, accounts, listings, orders, feedback, messages, pgp_keys,
    /// crypto_addresses, contact_handles, shipping_info, images, photo_refs, rejects, persona_members, link_evidence,
    /// refused_links, listing_facts, order_values, chain_blocks, chain_txs, chain_inputs, chain_outputs,
    /// chain_addresses, sources).
    #[cfg(feature = "sql")]
    Sql(cmd::sql::SqlArgs),
    /// Synthesise a small world into a temporary case, ingest, enrich and link it, print the top targets.
    Demo(cmd::demo::DemoArgs),
}

#[derive(clap::Args)]
pub struct CaseArg {
    /// The case directory (made by `spector case init`).
    #[arg(long, env = "SPECTOR_CASE")]
    case: PathBuf,
}

// Ingest allocates records on one thread and frees them on another; glibc's malloc spends a fifth of the
// reading thread's time on that, mimalloc next to nothing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    alloc::keep_freed_memory();
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let out = output::Output::new(cli.json);
    let result = match cli.command {
        Command::Case { action } => cmd::case::run(action, &out),
        Command::Synth(args) => cmd::synth::run(args, &out),
        Command::Profile { action } => cmd::profile::run(action, &out),
        Command::Ingest(args) => cmd::ingest::run(args, &out),
        Command::Classify(args) => cmd::classify::run(args, &out),
        Command::Enrich(args) => cmd::enrich::run(args, &out),
        Command::Link(args) => cmd::link::run(&args, &out),
        Command::Personas(args) => cmd::link::personas(&args.case, &out),
        Command::Persona { action } => cmd::persona::run(action, &out),
        Command::Targets(args) => cmd::targets::run(args, &out),
        Command::Chain { action } => cmd::chain::run(action, &out),
        #[cfg(feature = "sql")]
        Command::Sql(args) => cmd::sql::run(args, &out),
        Command::Demo(args) => cmd::demo::run(args, &out),
    };
    if let Err(e) = result {
        eprintln!("error: {}", output::term_safe(&format!("{e:#}")));
        std::process::exit(1);
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
