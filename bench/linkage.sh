#!/usr/bin/env bash
# Record-linkage benchmark (issue 5): FEBRL4 (dataset4a x dataset4b, 5,000 true pairs) linked by spector's
# Fellegi-Sunter engine (crates/link/examples/febrl.rs) and by Splink 5 with DuckDB
# (bench/linkage/splink_febrl.py, the model of Splink's own FEBRL4 example), in the same run.
#
#   bench/linkage.sh [DATA_DIR]       # DATA_DIR: the FEBRL folder; default $SPECTOR_SHARED_DATA/linkage,
#                                     # else shared/data/linkage beside the project or an ancestor of it
#   RUNS=1 bench/linkage.sh           # one run per engine instead of the median of 3
#   U_PAIRS=1e7 bench/linkage.sh      # random pairs for u, both engines (default 1e6, as Splink's notebook)
#
# Both engines run on one thread. Prints a Markdown table (also written to $WORK/result.md). The Splink
# virtualenv is created on first use in $VENV (default <target>/splink-venv) from
# bench/linkage/requirements.txt; only PyPI is needed. Needs GNU time (/usr/bin/time).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${WORK:-/tmp/spector-bench-linkage}
VENV=${VENV:-$TARGET/splink-venv}
RUNS=${RUNS:-3}
U_PAIRS=${U_PAIRS:-1e6}

find_data() {
    if [ -n "${SPECTOR_SHARED_DATA:-}" ]; then
        echo "$SPECTOR_SHARED_DATA/linkage"
        return
    fi
    local dir=$ROOT
    while [ "$dir" != / ]; do
        dir=$(dirname "$dir")
        if [ -f "$dir/shared/data/linkage/dataset4a.csv" ]; then
            echo "$dir/shared/data/linkage"
            return
        fi
    done
    echo "no FEBRL data found: pass its folder or set SPECTOR_SHARED_DATA" >&2
    exit 1
}
DATA=${1:-$(find_data)}
for f in dataset4a.csv dataset4b.csv; do
    [ -f "$DATA/$f" ] || { echo "$DATA/$f not found" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time: install the Debian package time" >&2; exit 1; }

echo "building (release) ..." >&2
(cd "$ROOT" && cargo build -q --release -p spector-link --example febrl)
FEBRL=$TARGET/release/examples/febrl

if [ ! -x "$VENV/bin/python" ]; then
    echo "creating the Splink virtualenv in $VENV ..." >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$ROOT/bench/linkage/requirements.txt"
fi

mkdir -p "$WORK"

# run NAME COMMAND...: RUNS runs, each recording wall seconds and peak RSS (KB) after its JSON line; the
# median run by wall time is kept as $WORK/NAME.json and $WORK/NAME.time.
run() {
    local name=$1
    shift
    : >"$WORK/$name.runs"
    for i in $(seq 1 "$RUNS"); do
        /usr/bin/time -f '%e %M' -o "$WORK/$name.time.$i" "$@" >"$WORK/$name.json.$i" 2>"$WORK/$name.err"
        echo "$(cat "$WORK/$name.time.$i") $i" >>"$WORK/$name.runs"
        echo "$name run $i: $(cat "$WORK/$name.time.$i") (wall s, peak KB)" >&2
    done
    local median
    median=$(sort -n "$WORK/$name.runs" | sed -n "$(((RUNS + 1) / 2))p" | awk '{ print $3 }')
    cp "$WORK/$name.json.$median" "$WORK/$name.json"
    cp "$WORK/$name.time.$median" "$WORK/$name.time"
}

run spector "$FEBRL" "$DATA" --json --random-pairs "$U_PAIRS"
(cd "$ROOT/bench/linkage" && run splink "$VENV/bin/python" splink_febrl.py "$DATA" --threads 1 --u-max-pairs "$U_PAIRS")

python3 - "$WORK" "$RUNS" "$U_PAIRS" <<'EOF' | tee "$WORK/result.md"
import json, sys
work, runs, u_pairs = sys.argv[1], sys.argv[2], sys.argv[3]
rows = {}
for name in ("spector", "splink"):
    with open(f"{work}/{name}.json") as f:
        r = json.loads(f.read().strip().splitlines()[-1])
    with open(f"{work}/{name}.time") as f:
        wall, rss_kb = f.read().split()[:2]
    r["wall"], r["rss_mb"] = float(wall), int(rss_kb) / 1024
    rows[name] = r

def fmt(v, d=4):
    return "–" if v is None else f"{v:.{d}f}"

label = {"spector": "spector (Fellegi–Sunter, Rust)", "splink": f"Splink {rows['splink'].get('version', '')} (DuckDB)"}
print(f"FEBRL4 dataset4a x dataset4b, {rows['spector']['pairs_true']} true pairs; threshold "
      f"{rows['spector']['threshold']}; u from {u_pairs} random pairs; 1 thread; median of {runs} run(s)\n")
print("| engine | candidates | tp | fp | fn | P | R | F1 | best F1 (cut) | train s | predict s | total s | peak RSS MB |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, r in rows.items():
    best = r.get("best_f1") or {}
    predict = r["seconds_predict"] + r.get("seconds_block", 0.0)
    print(f"| {label[name]} | {r['comparisons']:,} | {r['tp']} | {r['fp']} | {r['fn']} | {fmt(r['precision'])} "
          f"| {fmt(r['recall'])} | {fmt(r['f1'])} | {fmt(best.get('f1'))} ({fmt(best.get('threshold'), 2)}) "
          f"| {r['seconds_train']:.2f} | {predict:.2f} | {r['wall']:.2f} | {r['rss_mb']:.0f} |")
s, p = rows["spector"], rows["splink"]
print(f"\nspector is {p['wall'] / s['wall']:.1f}x faster than Splink end to end (process wall time), "
      f"{p['seconds_train'] / s['seconds_train']:.1f}x in training; F1 {s['f1']:.4f} vs {p['f1']:.4f}; "
      f"peak RSS {p['rss_mb'] / s['rss_mb']:.1f}x smaller. spector's blocking recall: {s['blocking_recall']:.4f}.")
print("predict s = blocking + comparing + scoring (spector: seconds_block + seconds_predict; Splink: predict()).")
EOF
