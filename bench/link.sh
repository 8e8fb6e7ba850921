#!/usr/bin/env bash
# Linking at scale (issue 5): N accounts over 10 markets (default 1,000,000; about 4.9% sellers), generated
# in memory by crates/link/examples/link_speed.rs, linked by `link_accounts` (hard identifiers for everyone,
# soft evidence for sellers), timed and scored against the generator's truth. In the same run the same
# accounts, exported as a table (account_id, market, username, pgp_fingerprint, ships_from, first_seen),
# are deduplicated by Splink 5 with DuckDB (bench/linkage/splink_accounts.py), on all rows and, as a second
# peer row, on the sellers' rows only (the rows spector reads soft evidence for).
#
#   bench/link.sh              # N=1000000
#   N=100000 bench/link.sh
#   SKIP_SPLINK=1 bench/link.sh
#
# Both engines get 2 threads. Prints a Markdown table (also in $WORK/result.md). Needs GNU time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${WORK:-/tmp/spector-bench-link}
VENV=${VENV:-$TARGET/splink-venv}
N=${N:-1000000}
SPLINK_TIMEOUT=${SPLINK_TIMEOUT:-3600}
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time: install the Debian package time" >&2; exit 1; }
mkdir -p "$WORK"

echo "building (release) ..." >&2
(cd "$ROOT" && cargo build -q --release -p spector-link --example link_speed)
# The allocator settings the `spector` binary makes at start (crates/cli/src/alloc.rs: freed memory kept,
# arena committed up front, no transparent huge pages), given to the example's mimalloc by its variables.
MIMALLOC_PURGE_DELAY=-1 MIMALLOC_ARENA_EAGER_COMMIT=1 MIMALLOC_ALLOW_THP=0 \
    /usr/bin/time -f '%e %M' -o "$WORK/spector.time" "$TARGET/release/examples/link_speed" "$N" \
    --export "$WORK/accounts.csv" --json >"$WORK/spector.json"
read -r S_WALL S_RSS <"$WORK/spector.time"
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

rows=()
rows+=("| spector link_accounts ($N accounts, $(field "$WORK/spector.json" seller_accounts) sellers) | $(field "$WORK/spector.json" link_s) | $S_WALL | $((S_RSS / 1024)) | $(field "$WORK/spector.json" seller_precision) | $(field "$WORK/spector.json" seller_recall) | $(field "$WORK/spector.json" seller_f1) |")

if [ -z "${SKIP_SPLINK:-}" ]; then
    if [ ! -x "$VENV/bin/python" ]; then
        echo "creating the Splink virtualenv in $VENV ..." >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q -r "$ROOT/bench/linkage/requirements.txt"
    fi
    # Sellers are the accounts with a PGP key or a ships-from country in the export.
    python3 - "$WORK/accounts.csv" "$WORK/sellers.csv" <<'PY'
import csv, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w", newline="") as g:
    r = csv.DictReader(f); w = csv.DictWriter(g, r.fieldnames); w.writeheader()
    for row in r:
        if row["pgp_fingerprint"] or row["ships_from"]:
            w.writerow(row)
PY
    for input in sellers accounts; do
        echo "Splink on $input.csv ..." >&2
        if (cd "$ROOT/bench/linkage" && timeout "$SPLINK_TIMEOUT" /usr/bin/time -f '%e %M' -o "$WORK/splink-$input.time" \
            "$VENV/bin/python" splink_accounts.py "$WORK/$input.csv" --threads 2 >"$WORK/splink-$input.json" 2>"$WORK/splink-$input.err"); then
            read -r P_WALL P_RSS <"$WORK/splink-$input.time"
            rows+=("| Splink 5 dedupe, $input.csv ($(($(wc -l <"$WORK/$input.csv") - 1)) rows) | – | $P_WALL | $((P_RSS / 1024)) | $(field "$WORK/splink-$input.json" precision) | $(field "$WORK/splink-$input.json" recall) | $(field "$WORK/splink-$input.json" f1) |")
        else
            rows+=("| Splink 5 dedupe, $input.csv | – | failed or over ${SPLINK_TIMEOUT} s (see $WORK/splink-$input.err) | | | | |")
        fi
    done
fi

{
    # Precision/recall: pairs of one persona among the rows each engine was given (spector: seller
    # accounts, whose personas it links on soft evidence; Splink: all rows of its input).
    echo "| engine | link s | wall s (process) | peak RSS MB | pair precision | recall | F1 |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$WORK/result.md"
