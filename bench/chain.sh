#!/usr/bin/env bash
# Parsing and clustering a chain at scale (issue 6). spector-synth's bulk generator writes a regtest chain of
# N transactions (default 10,000,000; about 4.4 GB of blk files, kept in $WORK for later runs);
# crates/chain/examples/chain_speed.rs reads it as `spector chain import` does (headers, best chain, every
# block read and checked on a thread per core with its merkle root and witness commitment, every input
# resolved in chain order, addresses clustered; no table rows), then once more reading and checking only,
# then reading and hashing txids only, and, in the same run, the peer crates parse the same files
# (bench/chain-peer: bitcoin-block-parser's BlockParser and blocks_iterator's iter, built in their own
# workspace).
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
    && cargo build -q --release -p spector-chain --example chain_speed)
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
for peer in block-parser blocks-iterator; do
    /usr/bin/time -f '%e %M' -o "$WORK/$peer.time" "$TARGET/chain-peer/release/spector-chain-peers" "$peer" "$BLOCKS" regtest \
        >"$WORK/$peer.json"
    read -r P_WALL P_RSS <"$WORK/$peer.time"
    P_TXS=$(field "$WORK/$peer.json" txs)
    rows+=("| $peer (peer): parse only$([ "$peer" = blocks-iterator ] && echo ', with previous outputs') | $(field "$WORK/$peer.json" blocks) | $P_TXS | $P_WALL | $(python3 -c "print(round($P_TXS/$P_WALL))") | $((P_RSS / 1024)) |")
done

{
    echo "Chain of $N transactions, $SIZE_MB MB of blk files; spector's figures: $(cat "$WORK/spector.json")"
    echo
    echo "| reader | blocks | transactions | wall s | tx/s | peak RSS MB |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$WORK/result.md"
