use std::path::PathBuf;

use clap::Args;
use spector_query::arrow;
use spector_store::Case;

use crate::output::{Output, term_safe};

#[derive(Args)]
pub struct SqlArgs {
    #[arg(long, env = "SPECTOR_CASE")]
    pub case: PathBuf,
    /// Write CSV instead of a table.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Print JSON (an array of row objects).
    #[arg(long)]
    pub json: bool,
    /// The query, in DataFusion's SQL dialect (PostgreSQL-like).
    pub query: String,
}

pub fn run(args: SqlArgs, out: &Output) -> anyhow::Result<()> {
    let case = Case::open(&args.case)?;
    let batches = spector_query::run_sql(&case, &args.query)?;
    let mut stdout = std::io::stdout().lock();
    if args.json || out.json {
        let mut w = arrow::json::ArrayWriter::new(&mut stdout);
        let refs: Vec<&arrow::record_batch::RecordBatch> = batches.iter().collect();
        w.write_batches(&refs)?;
        w.finish()?;
        println!();
    } else if args.csv {
        let mut w = arrow::csv::Writer::new(&mut stdout);
        for b in &batches {
            w.write(b)?;
        }
    } else {
        let table = arrow::util::pretty::pretty_format_batches(&batches)?;
        println!("{}", term_safe(&table.to_string()));
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        eprintln!("{rows} row(s)");
    }
    Ok(())
}
