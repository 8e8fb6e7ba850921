use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong with a case. Every variant about a file names it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("case database {}: {source}", path.display())]
    Db {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{}: not a spector case (no case.db)", .0.display())]
    NotACase(PathBuf),
    #[error("{}: already holds a spector case", .0.display())]
    AlreadyACase(PathBuf),
    #[error(
        "case database {} has schema version {found}; this build of spector understands up to {supported}",
        path.display()
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{}: parquet: {source}", path.display())]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error("{}: arrow: {source}", path.display())]
    Arrow {
        path: PathBuf,
        #[source]
        source: arrow::error::ArrowError,
    },
    /// A table part that is readable Parquet but not what spector wrote (wrong columns, bad values).
    #[error("{}: {message}", path.display())]
    CorruptPart { path: PathBuf, message: String },
    #[error("{}: listed in case.db as a part of table {table} but missing on disk", path.display())]
    MissingPart { table: String, path: PathBuf },
    #[error("source {sha256} is already ingested in this case")]
    AlreadyIngested { sha256: String },
    #[error("no evidence {sha256} in this case")]
    UnknownEvidence { sha256: String },
    #[error("'{0}' is not a SHA-256 (64 lower-case hex digits)")]
    InvalidSha(String),
    #[error("{}: stored evidence does not hash to its name (found {actual}); it has been altered", path.display())]
    EvidenceAltered { path: PathBuf, actual: String },
    #[error(
        "record {id} has provenance from source {found} but is being stored for source {expected}"
    )]
    ForeignProvenance {
        id: String,
        found: String,
        expected: String,
    },
    #[error("not a judgement: {0}")]
    InvalidJudgement(String),
    #[error("no judgement {0} in this case")]
    UnknownJudgement(spector_model::JudgementId),
    #[error("judgement {id} was already withdrawn (at unix time {at})")]
    JudgementWithdrawn {
        id: spector_model::JudgementId,
        at: i64,
    },
    #[error("judgement {id} in case.db is damaged: {message}")]
    CorruptJudgement {
        id: spector_model::JudgementId,
        message: String,
    },
    /// Only raised by tests that simulate a crash in the middle of a commit.
    #[cfg(test)]
    #[error("injected failure: {0}")]
    Injected(&'static str),
}

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

/// `map_err` adapter attaching the path an I/O error happened on.
pub(crate) fn io_at(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn parquet_at(
    path: &Path,
) -> impl FnOnce(parquet::errors::ParquetError) -> StoreError + '_ {
    move |source| StoreError::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn arrow_at(path: &Path) -> impl FnOnce(arrow::error::ArrowError) -> StoreError + '_ {
    move |source| StoreError::Arrow {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn db_at(path: &Path) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Db {
        path: path.to_path_buf(),
        source,
    }
}
