#!/usr/bin/env python3
"""Splink (DuckDB backend) as the peer for deduplicating darknet-market accounts.

    splink_accounts.py ACCOUNTS.{csv,parquet} [--threads N] [--seed S]
                       [--predictions OUT.parquet] [-v]

Input columns: account_id, market, username, pgp_fingerprint (nullable),
ships_from (nullable), first_seen (date, nullable; not used by the model), and
optionally persona_id (ground truth). With persona_id the JSON line carries pairwise
precision / recall / F1; without it those fields are null.

Prints one JSON line on stdout; Splink's log goes to stderr.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

T_IMPORT = time.perf_counter()

import duckdb  # noqa: E402
import splink  # noqa: E402
import splink.comparison_level_library as cll  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402

from common import (Stopwatch, emit, one_row, peak_rss_mb, quiet_splink,  # noqa: E402
                    score_predictions)

REQUIRED = ["account_id", "market", "username", "pgp_fingerprint", "ships_from"]


def source_sql(path: Path) -> str:
    p = str(path).replace("'", "''")
    if path.suffix.lower() in (".parquet", ".pq"):
        return f"read_parquet('{p}')"
    # all_varchar: ids and fingerprints must not be sniffed into numbers.
    return f"read_csv('{p}', header = true, all_varchar = true)"


def prepare(con: duckdb.DuckDBPyConnection, path: Path, lead_len: int = 2) -> bool:
    """Load the table and derive the normalised columns the model uses.

    Splink compares and blocks on columns, so feature engineering happens up front
    in SQL (the usual Splink workflow), not inside comparisons:
      username_norm  lower case, trailing digits dropped, leetspeak folded back
                     (4->a, 3->e, 1->i, 0->o, 5->s, 7->t), separators removed, so
                     N4me_99 and name compare and block together;
      uname_prefix   first 4 chars of username_norm, the main blocking key;
      uname_lead     first `lead_len` chars, paired with ships_from in the third
                     blocking rule.
    Returns whether a persona_id truth column is present.
    """
    src = source_sql(path)
    cols = {r[0] for r in con.execute(f"describe select * from {src}").fetchall()}
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise SystemExit(f"{path}: missing columns {missing}")
    has_truth = "persona_id" in cols
    truth = ", cast(persona_id as varchar) as persona_id" if has_truth else ""
    con.execute(f"""
        create table accounts as
        with raw as (
            select cast(account_id as varchar) as account_id,
                   nullif(trim(cast(market as varchar)), '') as market,
                   nullif(trim(cast(username as varchar)), '') as username,
                   nullif(upper(replace(trim(cast(pgp_fingerprint as varchar)), ' ', '')), '')
                       as pgp_fingerprint,
                   nullif(upper(trim(cast(ships_from as varchar))), '') as ships_from
                   {truth}
            from {src}
        ), norm as (
            select *,
                   nullif(regexp_replace(
                       translate(regexp_replace(lower(username), '[0-9]+$', ''),
                                 '431057', 'aeiost'),
                       '[^a-z]', '', 'g'), '') as username_norm
            from raw
        )
        select *, left(username_norm, 4) as uname_prefix,
                  left(username_norm, {int(lead_len)}) as uname_lead
        from norm
    """)
    return has_truth


def settings(has_truth: bool) -> SettingsCreator:
    return SettingsCreator(
        unique_id_column_name="account_id",
        link_type="dedupe_only",
        # Tight rules: each is a plain equi-join on a selective key (no fuzzy or OR
        # joins), so DuckDB hash-joins them and candidate pairs stay a small
        # fraction of N^2 (they still grow ~N^2 for a fixed key distribution).
        blocking_rules_to_generate_predictions=[
            block_on("uname_prefix"),
            block_on("pgp_fingerprint"),
            # Catches typos inside the first four characters when the origin agrees.
            # Two leading chars, not one: on the 100k synthetic table one char gives
            # 21.9M candidate pairs for this rule alone vs 3.4M, for ~1 point of
            # blocking recall (see README).
            block_on("ships_from", "uname_lead"),
        ],
        comparisons=[
            cl.CustomComparison(
                output_column_name="username",
                comparison_description="username, raw and normalised",
                comparison_levels=[
                    cll.NullLevel("username_norm"),
                    cll.ExactMatchLevel("username"),
                    cll.ExactMatchLevel("username_norm"),
                    cll.DamerauLevenshteinLevel("username_norm", 1),
                    cll.JaroWinklerLevel("username_norm", 0.92),
                    # Suffix variants (name vs name_official) land here: JW rewards
                    # the long shared prefix.
                    cll.JaroWinklerLevel("username_norm", 0.85),
                    cll.JaroWinklerLevel("username_norm", 0.7),
                    cll.ElseLevel(),
                ],
            ),
            cl.ExactMatch("pgp_fingerprint"),
            cl.ExactMatch("ships_from").configure(term_frequency_adjustments=True),
        ],
        # Carry the truth through to the predictions table for scoring; it takes
        # no part in the model.
        additional_columns_to_retain=["persona_id"] if has_truth else [],
        retain_intermediate_calculation_columns=False,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", type=Path)
    ap.add_argument("--threads", type=int, default=0,
                    help="DuckDB threads (0 = DuckDB default: all cores)")
    ap.add_argument("--seed", type=int, default=42, help="seed for u sampling")
    ap.add_argument("--u-max-pairs", type=float, default=1e7)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--lead-len", type=int, default=2,
                    help="username chars joined with ships_from in the 3rd blocking rule")
    ap.add_argument("--predictions", type=Path,
                    help="also write the scored pairs >= threshold to this Parquet file")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not args.input.is_file():
        ap.error(f"no such file: {args.input}")

    watch = Stopwatch()
    watch.start = T_IMPORT

    with watch.section("load"):
        con = duckdb.connect(":memory:")
        if args.threads:
            con.execute(f"SET threads = {int(args.threads)}")
        has_truth = prepare(con, args.input, args.lead_len)
        n_records = one_row(con, "select count(*) from accounts")[0]
        db_api = DuckDBAPI(connection=con)
        # A str registers an existing DuckDB table without copying it.
        sdf = db_api.register("accounts", dataset_display_name="accounts")
        pairs_true = None
        if has_truth:
            # Pairwise truth: every pair of accounts sharing a persona.
            pairs_true = one_row(con, """
                select coalesce(sum(n * (n - 1) // 2), 0) from (
                    select count(*) as n from accounts
                    where persona_id is not null group by persona_id)
            """)[0]

    quiet_splink(args.verbose)
    linker = Linker(sdf, settings(has_truth), log_level=None)

    with watch.section("train"):
        # Prior from near-certain rules; 0.6 is a guess at how many true pairs they
        # find (many personas show no key and change the spelling).
        linker.training.estimate_probability_two_random_records_match(
            [block_on("pgp_fingerprint"), block_on("username", "ships_from")],
            recall=0.6,
        )
        linker.training.estimate_u_using_random_sampling(
            max_pairs=args.u_max_pairs, seed=args.seed
        )
        # m for username from key-sharing pairs; m for pgp and ships_from from pairs
        # with the same normalised name. ships_from is in the first rule too: when
        # every key-sharing pair also shares its country, the "different" level is
        # never seen there and Splink 5 refuses the underflowing m (seen at 1M rows).
        em_failed = []
        for name, rule in (("pgp_fingerprint+ships_from", block_on("pgp_fingerprint", "ships_from")),
                           ("username_norm", block_on("username_norm"))):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True
                )
            except ValueError as e:
                # Splink 5 refuses an m that underflows (seen on 1M generated accounts); the
                # pass is skipped, the other pass's estimates stand, and the JSON says so.
                em_failed.append(f"{name}: {e}")

    with watch.section("predict"):
        # All candidate pairs are scored either way; no threshold here so the
        # comparison count and best-F1 cut come from the same table.
        predictions = linker.inference.predict(warning_mode="never")

    with watch.section("evaluate"):
        table = predictions.physical_name
        if has_truth:
            scores = score_predictions(
                con, table, "persona_id_l = persona_id_r", pairs_true, args.threshold
            )
        else:
            n_pairs, n_links = one_row(con, f"""
                select count(*), count(*) filter (where match_probability >= {args.threshold})
                from {table}""")
            scores = {"pairs_true": None, "comparisons": n_pairs,
                      "threshold": args.threshold, "links": n_links,
                      "tp": None, "fp": None, "fn": None,
                      "precision": None, "recall": None, "f1": None}
        if args.predictions:
            out = str(args.predictions).replace("'", "''")
            con.execute(f"""copy (select * from {table}
                                 where match_probability >= {args.threshold})
                            to '{out}' (format parquet)""")

    emit({
        "engine": "splink",
        "version": splink.__version__,
        "duckdb_version": duckdb.__version__,
        "dataset": args.input.name,
        "records": n_records,
        **scores,
        "seconds_total": watch.total(),
        "seconds_load": watch.sections["load"],
        "seconds_train": watch.sections["train"],
        "seconds_predict": watch.sections["predict"],
        "threads": args.threads or None,
        "em_passes_failed": em_failed,
        "peak_rss_mb": peak_rss_mb(),
    })


if __name__ == "__main__":
    main()
