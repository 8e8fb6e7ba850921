//! `spector chain` end to end: import from files and from a node's JSON-RPC (a stand-in node on loopback
//! serving real mainnet blocks), stats, why, trace. Skipped when `../shared/data/chain` is absent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use base64::Engine;
use spector_chain::BlkFile;
use spector_chain::bitcoin::Block;

mod support;
use support::{json, spector};

fn shared_data(relative: &str) -> Option<PathBuf> {
    support::shared_data(&format!("chain/{relative}"))
}

/// A stand-in for a node's JSON-RPC: serves `blocks` (heights 0..) to requests with the right Basic
/// credentials, until the test ends.
fn node(blocks: Vec<Vec<u8>>, user_password: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(user_password)
    );
    let decoded: Vec<Block> = blocks
        .iter()
        .map(|b| spector_chain::bitcoin::consensus::deserialize(b).unwrap())
        .collect();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut authorised) = (0usize, false);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line.trim_end() == format!("Authorization: {auth}")
                    || line.trim_end() == format!("authorization: {auth}")
                {
                    authorised = true;
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            let request: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let params = &request["params"];
            let (status, answer) = if !authorised {
                ("401 Unauthorized", serde_json::Value::Null)
            } else {
                let result = match request["method"].as_str().unwrap() {
                    "getblockchaininfo" => {
                        serde_json::json!({"chain": "main", "blocks": decoded.len() - 1})
                    }
                    "getblockhash" => serde_json::json!(
                        decoded[params[0].as_u64().unwrap() as usize]
                            .block_hash()
                            .to_string()
                    ),
                    "getblock" => {
                        let hash = params[0].as_str().unwrap();
                        let i = decoded
                            .iter()
                            .position(|b| b.block_hash().to_string() == hash)
                            .unwrap();
                        let hex: String = blocks[i].iter().map(|b| format!("{b:02x}")).collect();
                        serde_json::json!(hex)
                    }
                    _ => serde_json::Value::Null,
                };
                (
                    "200 OK",
                    serde_json::json!({"result": result, "error": null, "id": "spector"}),
                )
            };
            let text = answer.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    url
}

#[test]
fn blocks_fetched_from_a_node_are_imported_like_a_blk_file() {
    let Some(file) = shared_data("mainnet/blkfiles/bitcoinj_first-100k-bytes_blocks0-438.dat")
    else {
        eprintln!("skipped: ../shared/data/chain is absent");
        return;
    };
    let blocks: Vec<Vec<u8>> = BlkFile::open(&file)
        .unwrap()
        .map(|b| b.unwrap().bytes)
        .collect();
    let url = node(blocks, "alice:secret");
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    let case = case.to_str().unwrap();
    assert!(spector(&["case", "init", case]).status.success());

    let refused = spector(&[
        "chain",
        "import",
        "--case",
        case,
        "--rpc-url",
        &url,
        "--heights",
        "0..20",
        "--rpc-user",
        "alice",
        "--rpc-password",
        "wrong",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refused the credentials"));

    let r = json(&[
        "--json",
        "chain",
        "import",
        "--case",
        case,
        "--rpc-url",
        &url,
        "--heights",
        "0..20",
        "--rpc-user",
        "alice",
        "--rpc-password",
        "secret",
    ]);
    assert_eq!(r["blocks_on_chain"], 21);
    assert_eq!(r["network"], "bitcoin");
    let stats = json(&["--json", "chain", "stats", "--case", case]);
    assert_eq!(stats["blocks"], 21);
    assert_eq!(stats["files"], 1);
    // The same blocks from the file: 21 of them are already held, the rest extend the chain.
    let r = json(&[
        "--json",
        "chain",
        "import",
        "--case",
        case,
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        (
            r["blocks_on_chain"].as_u64(),
            r["duplicate_blocks"].as_u64()
        ),
        (Some(439), Some(21))
    );
    // Block 170's payment: Satoshi's coinbase address spends to Hal Finney's; one input, so one cluster
    // of one, and a trace forward reaches Hal's address at hop one.
    let why = json(&[
        "--json",
        "chain",
        "why",
        "--case",
        case,
        "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S",
        "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3",
    ]);
    assert_eq!(why["same_cluster"], false);
    let trace = json(&[
        "--json",
        "chain",
        "trace",
        "--case",
        case,
        "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S",
        "--hops",
        "1",
    ]);
    let to_hal = trace["arrivals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3")
        .expect("Hal's address reached");
    assert_eq!(to_hal["btc"], 10.0);
    assert_eq!(trace["policy"], "haircut");
}

#[test]
fn public_tags_are_imported_with_their_rejects_named() {
    let (Some(packs), Some(lists)) = (
        support::shared_data("attribution/graphsense_tagpacks"),
        support::shared_data("attribution/ofac_sdn_addresses_0xB10C"),
    ) else {
        eprintln!("skipped: ../shared/data/attribution is absent");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    let case = case.to_str().unwrap();
    assert!(spector(&["case", "init", case]).status.success());
    // One address of the OFAC sources is a TRON address listed as Bitcoin: rejected, named, non-zero exit.
    let strict = spector(&[
        "--json",
        "chain",
        "tags",
        "--case",
        case,
        packs.to_str().unwrap(),
    ]);
    assert!(!strict.status.success());
    let report: serde_json::Value = serde_json::from_slice(&strict.stdout).unwrap();
    let rejects = report["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), 1);
    assert!(
        rejects[0]
            .as_str()
            .unwrap()
            .contains("ofac.yaml: line 1069")
    );
    // The rest was stored; a second run holds the same files and adds nothing.
    assert!(report["tags"].as_u64().unwrap() > 1_000);
    let r = json(&[
        "--json",
        "chain",
        "tags",
        "--case",
        case,
        "--allow-rejects",
        packs.to_str().unwrap(),
        lists.to_str().unwrap(),
    ]);
    // 17 lists, two of them (ARB and BSC) the same bytes: one piece of evidence.
    assert_eq!(r["files_new"].as_u64(), Some(16));
    assert_eq!(r["rejects"].as_array().unwrap().len(), 1);
    let again = json(&[
        "--json",
        "chain",
        "tags",
        "--case",
        case,
        packs.to_str().unwrap(),
    ]);
    assert_eq!(
        (again["files_new"].as_u64(), again["tags"].clone()),
        (Some(0), r["tags"].clone())
    );
}
