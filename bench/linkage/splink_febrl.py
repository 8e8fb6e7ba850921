#!/usr/bin/env python3
"""Splink (DuckDB backend) as the peer on FEBRL4: link dataset4a to dataset4b.

The model follows Splink's own FEBRL4 example ("detailed model"): the same blocking
rules, comparisons and training steps, so the peer figures are what a Splink user
following the docs would get, not a model tuned against the ground truth.

    splink_febrl.py [DATA_DIR] [--threads N] [--seed S] [--u-max-pairs P] [-v]

Prints one JSON line on stdout; Splink's log goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

T_IMPORT = time.perf_counter()

import duckdb  # noqa: E402
import splink  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402

from common import Stopwatch, emit, peak_rss_mb, quiet_splink, score_predictions  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "linkage"
COLUMNS = [
    "rec_id", "given_name", "surname", "street_number", "address_1", "address_2",
    "suburb", "postcode", "state", "date_of_birth", "soc_sec_id",
]


def read_febrl(path: Path) -> dict[str, list]:
    """Read one FEBRL file as columns of strings.

    The files put a space after every comma (header included), hence
    skipinitialspace. Everything stays a string: postcode, soc_sec_id and
    date_of_birth have meaningful leading zeros / fixed formats, and the Splink
    example casts them to varchar too. Blank fields become NULL so Splink scores
    them with its null level instead of as an exact match of two empty strings.
    """
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, skipinitialspace=True)
        missing = set(COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: missing columns {sorted(missing)}")
        for row in reader:
            for c in COLUMNS:
                v = (row[c] or "").strip()
                cols[c].append(v or None)
    return cols


def settings() -> SettingsCreator:
    # Blocking rules for prediction: the union of these must cover (nearly) every
    # true pair; each alone is cheap on 5k x 5k.
    blocking_rules = [
        block_on("given_name", "surname"),
        # FEBRL swaps given name and surname in some duplicates.
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    return SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
            # Other address columns are left out: they are strongly correlated with
            # postcode, and Fellegi-Sunter assumes independent comparisons.
        ],
        retain_intermediate_calculation_columns=False,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--threads", type=int, default=0,
                    help="DuckDB threads (0 = DuckDB default: all cores)")
    ap.add_argument("--seed", type=int, default=42,
                    help="seed for u sampling (the only random step Splink exposes)")
    ap.add_argument("--u-max-pairs", type=float, default=1e7,
                    help="pairs sampled to estimate u (Splink suggests >= 1e7)")
    ap.add_argument("--threshold", type=float, default=0.5,
                    help="match_probability at or above which a pair is a link")
    ap.add_argument("-v", "--verbose", action="store_true", help="Splink INFO log on stderr")
    args = ap.parse_args()
    for name in ("dataset4a.csv", "dataset4b.csv"):
        if not (args.data_dir / name).is_file():
            ap.error(f"{args.data_dir / name} not found (pass the FEBRL data directory)")

    watch = Stopwatch()
    watch.start = T_IMPORT  # count library import as part of the peer's total cost

    with watch.section("load"):
        a = read_febrl(args.data_dir / "dataset4a.csv")
        b = read_febrl(args.data_dir / "dataset4b.csv")
        con = duckdb.connect(":memory:")
        if args.threads:
            con.execute(f"SET threads = {int(args.threads)}")
        db_api = DuckDBAPI(connection=con)
        # Splink 5: tables are registered on the DB API first, then handed to Linker.
        sdf_a = db_api.register(a, dataset_display_name="febrl4a")
        sdf_b = db_api.register(b, dataset_display_name="febrl4b")

        # Ground truth: rec-N-org in 4a is the same entity as rec-N-dup-0 in 4b.
        org = {r.split("-")[1] for r in a["rec_id"] if r.endswith("-org")}
        dup = {r.split("-")[1] for r in b["rec_id"] if r.endswith("-dup-0")}
        pairs_true = len(org & dup)

    quiet_splink(args.verbose)
    # log_level=None: leave logging as configured above instead of forcing INFO.
    linker = Linker([sdf_a, sdf_b], settings(), log_level=None)

    with watch.section("train"):
        # Prior: deterministic rules assumed to find ~80% of matches (as in the example).
        linker.training.estimate_probability_two_random_records_match(
            [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
            recall=0.8,
        )
        linker.training.estimate_u_using_random_sampling(
            max_pairs=args.u_max_pairs, seed=args.seed
        )
        # Two EM passes so every comparison gets an m estimate from a pass whose
        # blocking rule does not involve it.
        for rule in (block_on("date_of_birth"), block_on("postcode")):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )

    with watch.section("predict"):
        # No threshold here: we want every scored pair to find the best-F1 cut too.
        # Splink's threshold is only a WHERE on the same query, so the cost is the same.
        predictions = linker.inference.predict(warning_mode="never")

    with watch.section("evaluate"):
        same_entity = "split_part(rec_id_l, '-', 2) = split_part(rec_id_r, '-', 2)"
        scores = score_predictions(
            con, predictions.physical_name, same_entity, pairs_true, args.threshold
        )

    emit({
        "engine": "splink",
        "version": splink.__version__,
        "duckdb_version": duckdb.__version__,
        "dataset": "febrl4",
        **scores,
        "seconds_total": watch.total(),
        "seconds_load": watch.sections["load"],
        "seconds_train": watch.sections["train"],
        "seconds_predict": watch.sections["predict"],
        "threads": args.threads or None,
        "peak_rss_mb": peak_rss_mb(),
    })


if __name__ == "__main__":
    main()
