#!/usr/bin/env bash
# Ingest benchmark (issue 3): `spector ingest` of a >= 1 GB synthetic MySQL dump, end to end into a case
# (evidence copy + hash, parse, map, enrich, Parquet, commit), against restoring the same dump into MariaDB
# (Debian's mariadb-server on a private socket and loopback port) in the same run.
#
#   bench/ingest.sh                # defaults: SCALE=4300 (~1.1 GB dump), WORK=/tmp/spector-bench
#   SCALE=2000 bench/ingest.sh     # a quicker, smaller run
#   SKIP_MARIADB=1 bench/ingest.sh # spector only
#
# After the spector runs, crates/pipeline/examples/ingest_floors.rs times three stages of the ingest alone on
# one core (SHA-256 of the dump, SQL decoding, Parquet encoding of the tables the last run made) and a
# second table holds them against 200 MB/s per core (issue 3's target).
#
# Prints a Markdown table (also written to $WORK/result.md). Needs GNU time (/usr/bin/time); installs
# mariadb-server and time with apt-get when they are missing and the script runs as root.
set -euo pipefail

SCALE=${SCALE:-4300}
WORK=${WORK:-/tmp/spector-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

need_pkg() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
    else
        echo "missing $1: install the Debian package $2" >&2
        exit 1
    fi
}
need_pkg /usr/bin/time time
[ -n "${SKIP_MARIADB:-}" ] || need_pkg mariadbd mariadb-server

echo "building (release) ..." >&2
(cd "$ROOT" && cargo build -q --release -p spector --no-default-features \
    && cargo build -q --release -p spector-synth --example synth \
    && cargo build -q --release -p spector-pipeline --example ingest_floors)
SPECTOR=$TARGET/release/spector
SYNTH=$TARGET/release/examples/synth

mkdir -p "$WORK"
WORLD=$WORK/world-$SCALE
if [ ! -d "$WORLD" ]; then
    echo "synth scale $SCALE -> $WORLD ..." >&2
    "$SYNTH" 1 "$SCALE" "$WORLD" 3 >&2
fi
DUMP=$(find "$WORLD/markets/abyss" -name '*.sql' | head -n1)
BYTES=$(stat -c %s "$DUMP")
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "dump: $DUMP ($MB MB)" >&2

# Drop the page cache effect as far as an unprivileged run can: read the dump once before each contender.
warm() { cat "$DUMP" >/dev/null; }

# --- spector -----------------------------------------------------------------------------------------
# Several runs, each into a fresh case; the table shows the median run (by wall time) and the range.
RUNS=${RUNS:-3}
CASE=$WORK/case
: >"$WORK/spector.runs"
for run in $(seq 1 "$RUNS"); do
    rm -rf "$CASE"
    "$SPECTOR" case init "$CASE" >/dev/null
    warm
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/spector.time" \
        "$SPECTOR" --json ingest --case "$CASE" --market abyss "$DUMP" >"$WORK/spector.json" 2>"$WORK/spector.err"
    cat "$WORK/spector.time" >>"$WORK/spector.runs"
    echo "spector run $run: $(cat "$WORK/spector.time") (wall s, user s, sys s, peak KB)" >&2
done
read -r S_WALL S_USER S_SYS S_RSS < <(sort -n "$WORK/spector.runs" | sed -n "$(((RUNS + 1) / 2))p")
S_RANGE=$(sort -n "$WORK/spector.runs" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }')
S_RECORDS=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(sum(x["stored"].values()) for x in r))' "$WORK/spector.json")
S_ROWS=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(x["rows_read"] for x in r))' "$WORK/spector.json")
"$TARGET/release/examples/ingest_floors" "$DUMP" "$CASE" >"$WORK/floors.json"

# --- MariaDB -----------------------------------------------------------------------------------------
M_WALL=""
if [ -z "${SKIP_MARIADB:-}" ]; then
    DATADIR=$WORK/mariadb-data
    SOCK=$WORK/mariadb.sock
    rm -rf "$DATADIR"
    mariadb-install-db --no-defaults --datadir="$DATADIR" --user="$(id -un)" \
        --auth-root-authentication-method=normal >"$WORK/mariadb-install.log" 2>&1
    # A restore-friendly but durable-on-commit-to-OS configuration, as a DBA would set for a one-off load.
    mariadbd --no-defaults --datadir="$DATADIR" --socket="$SOCK" --port=33306 --bind-address=127.0.0.1 \
        --user="$(id -un)" --innodb-buffer-pool-size=2G --innodb-log-file-size=512M \
        --innodb-flush-log-at-trx-commit=2 --max-allowed-packet=1G --skip-log-bin \
        >"$WORK/mariadbd.log" 2>&1 &
    MPID=$!
    trap 'kill $MPID 2>/dev/null || true' EXIT
    for _ in $(seq 1 60); do
        mariadb --no-defaults -S "$SOCK" -uroot -e 'select 1' >/dev/null 2>&1 && break
        sleep 1
    done
    mariadb --no-defaults -S "$SOCK" -uroot -e 'create database bench'
    warm
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/mariadb.time" \
        sh -c "mariadb --no-defaults -S '$SOCK' -uroot --max-allowed-packet=1G bench <'$DUMP'"
    read -r M_WALL M_USER M_SYS M_RSS <"$WORK/mariadb.time"
    M_ROWS=$(mariadb --no-defaults -S "$SOCK" -uroot -N -e \
        "select sum(table_rows) from information_schema.tables where table_schema='bench'")
    # mariadbd's own peak RSS (the client's is small).
    M_SERVER_RSS=$(awk '/VmHWM/ { print $2 }' "/proc/$MPID/status")
    kill "$MPID"; wait "$MPID" 2>/dev/null || true
fi

rate() { awk -v b="$BYTES" -v t="$1" 'BEGIN { printf "%.1f", b / 1e6 / t }'; }
{
    echo "| contender | wall s | MB/s wall | CPU s (user+sys) | MB per CPU-s | peak RSS MB | rows |"
    echo "|---|---|---|---|---|---|---|"
    S_CPU=$(awk -v u="$S_USER" -v s="$S_SYS" 'BEGIN { printf "%.1f", u + s }')
    echo "| spector ingest ($MB MB dump, $S_RECORDS records; median of $RUNS runs, wall $S_RANGE s) | $S_WALL | $(rate "$S_WALL") | $S_CPU | $(rate "$S_CPU") | $((S_RSS / 1024)) | $S_ROWS |"
    if [ -n "$M_WALL" ]; then
        echo "| MariaDB restore (mariadb client < dump) | $M_WALL | $(rate "$M_WALL") | client only | - | server $((M_SERVER_RSS / 1024)) | ~$M_ROWS (InnoDB estimate) |"
        echo
        echo "spector is $(awk -v a="$M_WALL" -v b="$S_WALL" 'BEGIN { printf "%.1f", a / b }')x faster than the MariaDB restore (wall)."
    fi
    echo
    python3 - "$WORK/floors.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
print("| stage alone, one core | CPU s |")
print("|---|---|")
print(f"| SHA-256 of the dump (the evidence's hash) | {f['sha256_seconds']:.2f} |")
print(f"| decoding its SQL into {f['rows']} rows | {f['decode_seconds']:.2f} |")
print(f"| encoding the {f['records']} records' tables as Parquet, each column as the store wrote it ({f['parquet_mb_written']} MB; the parts: {f['parquet_mb_on_disk']} MB) | {f['parquet_seconds']:.2f} |")
print(f"| **sum** | **{f['sum_seconds']:.2f}** |")
print(f"| 200 MB/s per core for {f['dump_mb']} MB | {f['budget_seconds_at_200_mb_s_per_core']:.2f} |")
print(f"| left to map, enrich and keep the books | {f['left_seconds']:.2f} ({f['left_ns_per_record']} ns a record) |")
PY
} | tee "$WORK/result.md"
