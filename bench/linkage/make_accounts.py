#!/usr/bin/env python3
"""Synthetic darknet-market account table for the dedupe benchmark.

    make_accounts.py N OUT.csv [--seed S]

Writes N accounts (plus a header) with columns
account_id, market, username, pgp_fingerprint, ships_from, first_seen, persona_id.

Each persona (one real vendor) gets 1-5 accounts, about 3 on average, on different
markets, under variants of one base name: the name itself, name_official, leetspeak
(n4me), a digit suffix, a doubled letter, a dropped letter, a case change. A persona
has a PGP key about half the time and then shows it on most, not all, accounts;
ships_from and first_seen are sometimes missing. Base names mix common themed words with random
syllables, so unrelated personas sometimes collide or come close (hard negatives),
as real handles do.
The output depends only on N and the seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys

# Handles mix themed words (shared by many vendors, so prefixes collide as on real
# markets) with random pronounceable syllables (which keep the key space wide).
WORDS = (
    "dark kush king dope moon star ice snow zen max rex neo tox fox wolf lab cat dog "
    "bud hash weed pill med rx bit coin shop plug vend direct green gold black white "
    "red blue pure top best prime royal street city cali dutch swiss euro uk "
    "doc pharma chem candy sugar crystal magic dream shadow ghost silent stealth fast "
    "quick safe trusted real true old new big mr the el los club house farm garden"
).split()
CONSONANTS = "bcdfghjklmnprstvwxz"
VOWELS = "aeiouy"
SUFFIXES = ["_official", "_shop", "official", "_store", "_vendor", "_direct", "_uk", "_eu", "_us"]
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
MARKETS = ["alphabay", "dream", "wallstreet", "empire", "versus", "torrez",
           "darkfox", "cannazon", "abacus", "archetyp", "incognito", "bohemia"]
# Skewed, as on real markets: a few origin countries dominate.
COUNTRIES = (["US"] * 20 + ["UK"] * 12 + ["DE"] * 10 + ["NL"] * 9 + ["CA"] * 5 +
             ["AU"] * 4 + ["FR"] * 4 + ["ES"] * 3 + ["PL"] * 3 + ["IT"] * 2 +
             ["SE", "BE", "CZ", "CH", "AT", "PT", "IE", "DK", "NO", "FI", "CN", "IN"])
START = dt.date(2015, 1, 1)
SPAN_DAYS = 9 * 365


def syllables(rng: random.Random) -> str:
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) +
                   (rng.choice(CONSONANTS) if rng.random() < 0.3 else "")
                   for _ in range(rng.randint(1, 3)))


def base_name(rng: random.Random) -> str:
    parts = [rng.choice(WORDS) if rng.random() < 0.25 else syllables(rng)
             for _ in range(rng.choice((1, 2, 2, 3)))]
    name = "".join(parts)
    if len(name) < 4:
        name += syllables(rng)
    if rng.random() < 0.2:
        name += str(rng.randint(1, 99))
    return name


def variant(name: str, rng: random.Random) -> str:
    """One spelling of `name` as a vendor might register it on another market."""
    kind = rng.choice(("same", "same", "suffix", "leet", "digits", "double", "drop", "case"))
    if kind == "suffix":
        return name + rng.choice(SUFFIXES)
    if kind == "leet":
        leetable = [i for i, c in enumerate(name) if c in LEET]
        if leetable:
            chosen = set(rng.sample(leetable, k=min(len(leetable), rng.randint(1, 2))))
            return "".join(LEET[c] if i in chosen else c for i, c in enumerate(name))
        return name
    if kind == "digits":
        return name + str(rng.randint(1, 999))
    if kind == "double" and len(name) > 2:
        i = rng.randrange(1, len(name))
        return name[:i] + name[i] + name[i:]
    if kind == "drop" and len(name) > 5:
        i = rng.randrange(1, len(name))  # keep the first letter: typos rarely hit it
        return name[:i] + name[i + 1:]
    if kind == "case":
        return name.capitalize() if rng.random() < 0.5 else name.upper()
    return name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of accounts")
    ap.add_argument("out", help="output CSV path ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")
    w = csv.writer(out)
    w.writerow(["account_id", "market", "username", "pgp_fingerprint", "ships_from",
                "first_seen", "persona_id"])

    written, persona = 0, 0
    while written < args.n:
        persona += 1
        name = base_name(rng)
        pgp = "%040X" % rng.getrandbits(160) if rng.random() < 0.5 else None
        country = rng.choice(COUNTRIES)
        seen = START + dt.timedelta(days=rng.randrange(SPAN_DAYS))
        k = min(rng.choice((1, 2, 3, 3, 4, 5)), args.n - written)
        for market in rng.sample(MARKETS, k):
            written += 1
            # Per-account noise: key not pasted, origin not stated, join date drifts.
            acct_pgp = pgp if pgp and rng.random() < 0.8 else None
            acct_country = country if rng.random() < 0.85 else None
            if acct_country and rng.random() < 0.05:
                acct_country = rng.choice(COUNTRIES)  # relocated or lying
            acct_seen = None
            if rng.random() < 0.9:
                acct_seen = (seen + dt.timedelta(days=rng.randint(-200, 400))).isoformat()
            w.writerow([f"a{written:08d}", market, variant(name, rng), acct_pgp or "",
                        acct_country or "", acct_seen or "", f"p{persona:08d}"])
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
