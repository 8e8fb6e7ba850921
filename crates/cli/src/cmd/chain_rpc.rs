//! Fetching blocks from a Bitcoin node over JSON-RPC (`--rpc-url`). The blocks are asked for raw
//! (`getblock HASH 0`: the consensus bytes, nothing reinterpreted) and written in blk framing with the
//! node's network magic to one file, which is then imported like any blk file: it becomes evidence, named
//! after the node and the heights it holds.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine;
use serde_json::{Value, json};
use spector_chain::bitcoin::Network;
use spector_chain::bitcoin::p2p::Magic;

/// A node's JSON-RPC endpoint with its credentials.
pub struct Node {
    url: String,
    auth: Option<String>,
    agent: ureq::Agent,
}

impl Node {
    /// `cookie`: the node's `.cookie` file (`__cookie__:password`), or `user:password` given directly.
    pub fn new(url: &str, credentials: Option<String>) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            // A node answers RPC errors with HTTP 500 and a JSON body that says why: read it.
            .http_status_as_error(false)
            .build()
            .into();
        Node {
            url: url.to_string(),
            auth: credentials.map(|c| {
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(c.trim())
                )
            }),
            agent,
        }
    }

    pub fn call(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        let body = json!({"jsonrpc": "1.0", "id": "spector", "method": method, "params": params});
        let mut request = self.agent.post(&self.url);
        if let Some(auth) = &self.auth {
            request = request.header("Authorization", auth);
        }
        let mut response = request
            .send_json(&body)
            .with_context(|| format!("{}: {method}", self.url))?;
        let status = response.status();
        if status.as_u16() == 401 {
            bail!(
                "{}: the node refused the credentials (pass --rpc-cookie with its .cookie file, or --rpc-user and --rpc-password)",
                self.url
            );
        }
        let answer: Value = response.body_mut().read_json().with_context(|| {
            format!(
                "{}: {method}: HTTP {status}, not a JSON-RPC answer",
                self.url
            )
        })?;
        if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
            bail!("{}: {method}: {error}", self.url);
        }
        answer
            .get("result")
            .cloned()
            .with_context(|| format!("{}: {method}: no result in the answer", self.url))
    }
}

fn network_of_chain(chain: &str) -> anyhow::Result<Network> {
    Ok(match chain {
        "main" => Network::Bitcoin,
        "test" => Network::Testnet,
        "testnet4" => Network::Testnet4,
        "signet" => Network::Signet,
        "regtest" => Network::Regtest,
        other => bail!("the node serves chain {other:?}, which spector does not know"),
    })
}

fn hex_bytes(hex: &str) -> anyhow::Result<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        bail!("odd-length hex from the node");
    }
    // `get`, not indexing: a node's answer is input, and a multi-byte character must not panic here.
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .context("not hex from the node")
        })
        .collect()
}

/// Fetches the blocks of `heights` (inclusive) into a blk file in `dir`; returns its path.
pub fn fetch_blocks(
    node: &Node,
    from: u64,
    to: u64,
    dir: &Path,
    progress: &dyn Fn(u64),
) -> anyhow::Result<PathBuf> {
    let info = node.call("getblockchaininfo", json!([]))?;
    let chain = info.get("chain").and_then(Value::as_str).unwrap_or("main");
    let network = network_of_chain(chain)?;
    let tip = info.get("blocks").and_then(Value::as_u64).unwrap_or(0);
    if from > to || to > tip {
        bail!("heights {from}..{to}: the node's best chain ends at {tip}");
    }
    let host = node
        .url
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .replace([':', '/'], "_");
    let path = dir.join(format!("rpc_{host}_{chain}_{from}-{to}.dat"));
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
    );
    let magic = Magic::from(network);
    for height in from..=to {
        let hash = node.call("getblockhash", json!([height]))?;
        let raw = node.call("getblock", json!([hash, 0]))?;
        let bytes = hex_bytes(raw.as_str().context("getblock HASH 0 answered no hex")?)?;
        out.write_all(&magic.to_bytes())?;
        out.write_all(&(bytes.len() as u32).to_le_bytes())?;
        out.write_all(&bytes)?;
        progress(height - from + 1);
    }
    out.flush()?;
    Ok(path)
}

/// Credentials from the options: a cookie file, or a user and password.
pub fn credentials(
    cookie: Option<&Path>,
    user: Option<&str>,
    password: Option<&str>,
) -> anyhow::Result<Option<String>> {
    match (cookie, user) {
        (Some(c), _) => Ok(Some(
            std::fs::read_to_string(c).with_context(|| format!("reading {}", c.display()))?,
        )),
        (None, Some(u)) => Ok(Some(format!("{u}:{}", password.unwrap_or_default()))),
        (None, None) => Ok(None),
    }
}
