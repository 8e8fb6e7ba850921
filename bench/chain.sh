#!/usr/bin/env bash
# Parsing and clustering a chain at scale (issue 6). spector-synth's bulk generator writes a regtest chain of
# N transactions (default 10,000,000; about 4.4 GB of blk files, kept in $WORK for later runs);
# crates/chain/examples/chain_speed.rs reads it as `spector chain import` does (headers, best chain, every
# block read and checked on a thread per core with its merkle root and witness commitment, every input
# resolved in chain order, addresses clustered; no table rows), then once more reading and checking only,
# then reading and hashing txids only, and, in the same run, the peer crates parse the same files
# (bench/chain-peer: bitcoin-block-parser's BlockParser and blocks_iterator's iter, built in their own
# workspace); last, crates/chain/examples/chain_floors.rs counts the SHA-256 work the checks need on this
# chain and times this machine's SHA-256 and random memory access, and a second table holds the floors
# against what the machine's cores give in the fastest peer's time.
#
#   bench/chain.sh
#   N=1000000 bench/chain.sh
#
# Prints a Markdown table (also in $WORK/result.md). Needs GNU time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${WORK:-/tmp/spector-bench-chain}
N=${N:-10000000}
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time: install the Debian package time" >&2; exit 1; }
mkdir -p "$WORK"

echo "building (release) ..." >&2
(cd "$ROOT" && cargo build -q --release -p spector-synth --example chain \
    && cargo build -q --release -p spector-chain --example chain_speed \
    && cargo build -q --release -p spector-chain --example chain_floors)
(cd "$ROOT/bench/chain-peer" && CARGO_TARGET_DIR="$TARGET/chain-peer" cargo build -q --release)

BLOCKS="$WORK/blocks-$N"
if [ ! -f "$BLOCKS/done" ]; then
    echo "writing a chain of $N transactions to $BLOCKS ..." >&2
    rm -rf "$BLOCKS"
    "$TARGET/release/examples/chain" bulk "$N" "$BLOCKS" >&2
    touch "$BLOCKS/done"
fi
SIZE_MB=$(du -sm "$BLOCKS" | cut -f1)

rows=()
# The allocator settings the `spector` binary makes at start (crates/cli/src/alloc.rs).
MIMALLOC_PURGE_DELAY=-1 MIMALLOC_ARENA_EAGER_COMMIT=1 MIMALLOC_ALLOW_THP=0 \
    /usr/bin/time -f '%e %M' -o "$WORK/spector.time" "$TARGET/release/examples/chain_speed" "$BLOCKS" regtest \
    >"$WORK/spector.json"
read -r WALL RSS <"$WORK/spector.time"
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
TXS=$(field "$WORK/spector.json" txs)
rows+=("| spector: parse, resolve every input, cluster | $(field "$WORK/spector.json" blocks) | $TXS | $WALL | $(python3 -c "print(round($TXS/$WALL))") | $((RSS / 1024)) |")
# The floor under it: reading and checking alone (txids, merkle roots, witness commitments).
MIMALLOC_PURGE_DELAY=-1 MIMALLOC_ARENA_EAGER_COMMIT=1 MIMALLOC_ALLOW_THP=0 \
    /usr/bin/time -f '%e %M' -o "$WORK/check.time" "$TARGET/release/examples/chain_speed" "$BLOCKS" regtest --check-only \
    >"$WORK/check.json"
read -r C_WALL C_RSS <"$WORK/check.time"
rows+=("| spector: read and check only (txids, merkle roots, witness commitments) | $(field "$WORK/check.json" blocks) | $(field "$WORK/check.json" txs) | $C_WALL | $(python3 -c "print(round($TXS/$C_WALL))") | $((C_RSS / 1024)) |")
# The floor under any reader that resolves inputs: reading every block and hashing its txids, no checks.
MIMALLOC_PURGE_DELAY=-1 MIMALLOC_ARENA_EAGER_COMMIT=1 MIMALLOC_ALLOW_THP=0 \
    /usr/bin/time -f '%e %M' -o "$WORK/read.time" "$TARGET/release/examples/chain_speed" "$BLOCKS" regtest --read-only \
    >"$WORK/read.json"
read -r R_WALL R_RSS <"$WORK/read.time"
rows+=("| spector: read and hash txids only (no checks, nothing resolved) | $(field "$WORK/read.json" blocks) | $(field "$WORK/read.json" txs) | $R_WALL | $(python3 -c "print(round($TXS/$R_WALL))") | $((R_RSS / 1024)) |")
FASTEST_PEER=
for peer in block-parser blocks-iterator; do
    /usr/bin/time -f '%e %M' -o "$WORK/$peer.time" "$TARGET/chain-peer/release/spector-chain-peers" "$peer" "$BLOCKS" regtest \
        >"$WORK/$peer.json"
    read -r P_WALL P_RSS <"$WORK/$peer.time"
    FASTEST_PEER=$(python3 -c "print(min(x for x in [$P_WALL, ${FASTEST_PEER:-$P_WALL}]))")
    P_TXS=$(field "$WORK/$peer.json" txs)
    rows+=("| $peer (peer): parse only$([ "$peer" = blocks-iterator ] && echo ', with previous outputs') | $(field "$WORK/$peer.json" blocks) | $P_TXS | $P_WALL | $(python3 -c "print(round($P_TXS/$P_WALL))") | $((P_RSS / 1024)) |")
done

"$TARGET/release/examples/chain_floors" "$BLOCKS" regtest >"$WORK/floors.json"
CORES=$(nproc)
floors=$(python3 - "$WORK/floors.json" "$FASTEST_PEER" "$CORES" <<'PY'
import json, sys
f = json.load(open(sys.argv[1])); peer = float(sys.argv[2]); cores = int(sys.argv[3])
access_ns = min(f["random_access_ns"], f["random_access_prefetched_ns"])
walk = (f["inputs"] + f["outputs"]) * access_ns / 1e9
rows = [
    ("SHA-256d of every txid", f["txid_cpu_seconds"]),
    ("merkle trees of the txids", f["merkle_cpu_seconds"]),
    ("witness commitments (every witnessed transaction again, the trees of wtxids)", f["witness_cpu_seconds"]),
    (f"one random memory access per input and per output ({access_ns} ns each)", walk),
]
print(f"| floor, at {f['sha2_ns_per_compression']} ns per SHA-256 compression | CPU s |")
print("|---|---|")
for name, seconds in rows:
    print(f"| {name} | {seconds:.2f} |")
print(f"| **sum** | **{sum(s for _, s in rows):.2f}** |")
print(f"| {cores} cores for the fastest peer's {peer} s | {cores * peer:.2f} |")
PY
)
{
    echo "Chain of $N transactions, $SIZE_MB MB of blk files; spector's figures: $(cat "$WORK/spector.json")"
    echo
    echo "| reader | blocks | transactions | wall s | tx/s | peak RSS MB |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "$floors"
    echo
    echo "Hashing several messages at once (tape-sha256), from chain_floors: $(python3 -c "import json; f=json.load(open('$WORK/floors.json')); print(f['tape_sha256_backend'], json.dumps(f['messages']))")"
} | tee "$WORK/result.md"
