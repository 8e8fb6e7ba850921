//! SQL over a case, with Apache DataFusion.
//!
//! Every table of the case is registered over exactly the Parquet parts `case.db` lists (never a
//! directory listing, which could see files of an ingest that has not committed). A table without parts
//! still exists, empty, with its schema. The manifest is the table `sources`. Queries are read-only:
//! DDL and DML (`CREATE`, `INSERT`, `COPY`) are refused.
//!
//! Architecture invariant: this is the only crate that links DataFusion.

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::catalog::TableProvider;
use datafusion::datasource::MemTable;
use datafusion::datasource::empty::EmptyTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::DataFusionError;
use datafusion::parquet::file::metadata::ParquetMetaDataReader;
use datafusion::prelude::{SQLOptions, SessionConfig, SessionContext};
use spector_store::{Case, StoreError, table_schema};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Arrow as DataFusion uses it, so that callers format results without a second Arrow dependency.
pub use datafusion::arrow;

/// The table holding the manifest of committed sources.
pub const SOURCES_TABLE: &str = "sources";

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no table named '{name}'; the case has: {}", available.join(", "))]
    UnknownTable {
        name: String,
        available: Vec<String>,
    },
    /// The SQL itself is wrong: syntax, unknown column, type mismatch, or an attempt to modify the case.
    #[error("{message}")]
    Invalid {
        message: String,
        #[source]
        source: Box<DataFusionError>,
    },
    /// The SQL was fine but running it failed (a part could not be read, a cast failed on some row...).
    #[error("query failed: {message}")]
    Failed {
        message: String,
        #[source]
        source: Box<DataFusionError>,
    },
    /// The engine panicked, which damaged Parquet can make it do; the process goes on.
    #[error("query failed: the query engine stopped on unexpected data: {0}")]
    EnginePanicked(String),
    #[error("cannot start the query engine: {0}")]
    Runtime(#[source] std::io::Error),
}

/// Runs one SQL statement over the case and returns all its rows.
pub fn run_sql(case: &Case, sql: &str) -> Result<Vec<RecordBatch>, QueryError> {
    // A current-thread runtime: the caller is synchronous, and one query at a time needs no thread pool.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(QueryError::Runtime)?;
    match panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on(run(case, sql)))) {
        Ok(result) => result.map_err(|e| name_damaged_parts(case, e)),
        Err(panic) => {
            let cause = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_string());
            Err(name_damaged_parts(case, QueryError::EnginePanicked(cause)))
        }
    }
}

/// DataFusion's errors about unreadable Parquet do not say which file; when a query failed, look for
/// parts whose footer no longer parses and name them.
fn name_damaged_parts(case: &Case, error: QueryError) -> QueryError {
    let suffix = |damaged: &[String]| format!("; damaged part(s): {}", damaged.join(", "));
    match error {
        QueryError::Failed { message, source } => {
            let damaged = damaged_parts(case);
            if damaged.is_empty() {
                QueryError::Failed { message, source }
            } else {
                QueryError::Failed {
                    message: message + &suffix(&damaged),
                    source,
                }
            }
        }
        QueryError::EnginePanicked(message) => {
            let damaged = damaged_parts(case);
            if damaged.is_empty() {
                QueryError::EnginePanicked(message)
            } else {
                QueryError::EnginePanicked(message + &suffix(&damaged))
            }
        }
        other => other,
    }
}

fn damaged_parts(case: &Case) -> Vec<String> {
    let Ok(tables) = case.table_files() else {
        return Vec::new();
    };
    tables
        .into_values()
        .flatten()
        .filter(|path| {
            let footer_ok = std::fs::File::open(path)
                .ok()
                .is_some_and(|f| ParquetMetaDataReader::new().parse_and_finish(&f).is_ok());
            !footer_ok
        })
        .map(|path| path.display().to_string())
        .collect()
}

async fn run(case: &Case, sql: &str) -> Result<Vec<RecordBatch>, QueryError> {
    let (ctx, tables) = session(case)?;
    let read_only = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false);
    let frame = match ctx.sql_with_options(sql, read_only).await {
        Ok(frame) => frame,
        Err(e) => return Err(planning_error(&ctx, sql, tables, e)),
    };
    frame.collect().await.map_err(classify)
}

/// A session with every table of the case registered; also returns the table names.
fn session(case: &Case) -> Result<(SessionContext, Vec<String>), QueryError> {
    // One partition: on a current-thread runtime more would only add repartitioning work.
    let config = SessionConfig::new()
        .with_information_schema(true)
        .with_target_partitions(1);
    let ctx = SessionContext::new_with_config(config);
    let mut names = Vec::new();
    for (table, files) in case.table_files()? {
        let Some(schema) = table_schema(&table) else {
            continue;
        };
        let provider: Arc<dyn TableProvider> = if files.is_empty() {
            Arc::new(EmptyTable::new(schema))
        } else {
            Arc::new(listing_table(schema, &files).map_err(classify)?)
        };
        ctx.register_table(table.as_str(), provider)
            .map_err(classify)?;
        names.push(table);
    }
    ctx.register_table(SOURCES_TABLE, Arc::new(sources_table(case)?))
        .map_err(classify)?;
    names.push(SOURCES_TABLE.to_string());
    Ok((ctx, names))
}

/// A table over exactly these Parquet files.
fn listing_table(schema: SchemaRef, files: &[PathBuf]) -> Result<ListingTable, DataFusionError> {
    let urls = files
        .iter()
        .map(|p| file_url(p))
        .collect::<Result<Vec<_>, _>>()?;
    let options =
        ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .with_schema(schema);
    ListingTable::try_new(config)
}

/// The URL of one file. Built from the path rather than parsed from text, so that a case directory whose
/// name contains `*`, `?` or `[` is not taken for a glob pattern.
fn file_url(path: &Path) -> Result<ListingTableUrl, DataFusionError> {
    let url = url::Url::from_file_path(path).map_err(|()| {
        DataFusionError::Execution(format!("{}: not an absolute path", path.display()))
    })?;
    ListingTableUrl::try_new(url, None)
}

/// The manifest as a table, timestamps as timestamps.
fn sources_table(case: &Case) -> Result<MemTable, QueryError> {
    let sources = case.sources()?;
    let text = |f: fn(&spector_store::SourceEntry) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(sources.iter().map(f)))
    };
    let count = |f: fn(&spector_store::SourceEntry) -> u64| -> ArrayRef {
        Arc::new(UInt64Array::from_iter_values(sources.iter().map(f)))
    };
    let utc = DataType::Timestamp(TimeUnit::Second, Some("UTC".into()));
    let time = |f: fn(&spector_store::SourceEntry) -> &str| {
        cast(&text(f), &utc).map_err(DataFusionError::from)
    };
    let columns: Vec<(&str, DataType, ArrayRef)> = vec![
        ("sha256", DataType::Utf8, text(|s| &s.sha256)),
        ("name", DataType::Utf8, text(|s| &s.name)),
        ("size", DataType::UInt64, count(|s| s.size)),
        (
            "added_at",
            utc.clone(),
            time(|s| &s.added_at).map_err(classify)?,
        ),
        ("market", DataType::Utf8, text(|s| &s.market)),
        ("format", DataType::Utf8, text(|s| &s.format)),
        ("profile", DataType::Utf8, text(|s| &s.profile)),
        ("rows_read", DataType::UInt64, count(|s| s.rows_read)),
        (
            "records_stored",
            DataType::UInt64,
            count(|s| s.records_stored),
        ),
        (
            "rows_rejected",
            DataType::UInt64,
            count(|s| s.rows_rejected),
        ),
        (
            "ingested_at",
            utc.clone(),
            time(|s| &s.ingested_at).map_err(classify)?,
        ),
    ];
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, ty, _)| Field::new(*name, ty.clone(), false))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, _, a)| a).collect(),
    )
    .map_err(|e| classify(e.into()))?;
    MemTable::try_new(schema, vec![vec![batch]]).map_err(classify)
}

/// Turns a failure to plan `sql` into the most helpful error: an unknown table names the tables there are.
fn planning_error(
    ctx: &SessionContext,
    sql: &str,
    tables: Vec<String>,
    e: DataFusionError,
) -> QueryError {
    let table_missing =
        matches!(e.find_root(), DataFusionError::Plan(m) if m.contains("not found"));
    if table_missing && let Some(name) = missing_table(ctx, sql) {
        return QueryError::UnknownTable {
            name,
            available: tables,
        };
    }
    classify(e)
}

/// The first table `sql` refers to that the session does not have.
fn missing_table(ctx: &SessionContext, sql: &str) -> Option<String> {
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let statement = state.sql_to_statement(sql, &dialect).ok()?;
    let references = state.resolve_table_references(&statement).ok()?;
    let table_functions = state.table_functions();
    references
        .into_iter()
        .filter(|r| !table_functions.contains_key(r.table()))
        .find(|r| !ctx.table_exist(r.clone()).unwrap_or(true))
        .map(|r| r.to_string())
}

fn classify(e: DataFusionError) -> QueryError {
    let message = e.strip_backtrace();
    let invalid = matches!(
        e.find_root(),
        DataFusionError::SQL(..)
            | DataFusionError::Plan(_)
            | DataFusionError::SchemaError(..)
            | DataFusionError::NotImplemented(_)
    );
    let source = Box::new(e);
    if invalid {
        QueryError::Invalid { message, source }
    } else {
        QueryError::Failed { message, source }
    }
}
