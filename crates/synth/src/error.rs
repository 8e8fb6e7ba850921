use std::path::PathBuf;

/// Why a synthetic world could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("invalid synth configuration: {0}")]
    InvalidConfig(String),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("CSV error on {path}: {source}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("embedded price table {table} is unusable: {reason}")]
    PriceTable { table: &'static str, reason: String },
    #[error(transparent)]
    KeyGen(#[from] crate::ids::pgp::KeyGenError),
    #[error("cannot encode a product photo: {0}")]
    Image(String),
    #[error("synthetic chain: {0}")]
    Chain(String),
    #[error("JSON error on {path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

impl SynthError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SynthError {
        let path = path.into();
        move |source| SynthError::Io { path, source }
    }

    pub(crate) fn csv(path: impl Into<PathBuf>) -> impl FnOnce(csv::Error) -> SynthError {
        let path = path.into();
        move |source| SynthError::Csv { path, source }
    }
}
