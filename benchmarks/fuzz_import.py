"""Fuzz the package importers with mutated real packages, for a fixed time budget.

    .venv/bin/python benchmarks/fuzz_import.py [--seconds 120] [--seed 1] [--save]

Packages come from tests/fixtures/apkg/make_fixtures.py (genanki and Anki itself). Each case
mutates one: raw bytes, a zip member's bytes, or the collection's SQL (bad JSON, foreign ids,
huge or binary fields, unknown versions, dropped tables), then imports it into an empty
collection. The only outcomes allowed are a successful import or our own DeckFormatError with
nothing written. Anything else is a finding; --save keeps it in tests/fixtures/fuzz/, which
tests/interchange/test_fuzz.py replays on every test run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import zstandard  # noqa: E402

from cehrs_cards.interchange.package import DeckFormatError  # noqa: E402
from cehrs_cards.services.collection import Collection  # noqa: E402
from cehrs_cards.services.transfer import import_file  # noqa: E402

FINDINGS = ROOT / "tests" / "fixtures" / "fuzz"
SQL_MUTATIONS = (
    "UPDATE notes SET flds = randomblob(64)",
    "UPDATE notes SET flds = replace(flds, char(31), '')",
    "UPDATE notes SET flds = flds || char(31) || flds",
    "UPDATE notes SET mid = 12345",
    "UPDATE notes SET guid = NULL",
    "UPDATE notes SET tags = randomblob(16)",
    "UPDATE cards SET nid = 999999",
    "UPDATE cards SET did = 424242",
    "UPDATE cards SET ord = 57",
    "UPDATE cards SET type = 9, queue = -7, ivl = -100",
    "UPDATE col SET models = '{not json'",
    "UPDATE col SET decks = '[]'",
    "UPDATE col SET ver = 99",
    "DROP TABLE notes",
    "DROP TABLE cards",
    "DELETE FROM notes",
    "UPDATE notes SET flds = printf('%.*c', 300000, 'x')",
    "UPDATE revlog SET ease = 9, ivl = -5",
    "DROP TABLE notetypes",
    "UPDATE notetypes SET config = randomblob(40)",
    "UPDATE templates SET config = x'0a05'",
    "UPDATE fields SET name = ''",
    "UPDATE decks SET name = ''",
)


@dataclass
class Outcome:
    kind: str  # ok | refused | FINDING
    detail: str


def _flip(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    if rng.random() < 0.3 and buf:
        del buf[rng.randrange(len(buf)) :]
    return bytes(buf)


def _mutate_sql(db: bytes, rng: random.Random) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.db"
        path.write_bytes(db)
        con = sqlite3.connect(path)
        con.create_collation(
            "unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower())
        )
        for sql in rng.sample(SQL_MUTATIONS, rng.randint(1, 3)):
            with contextlib.suppress(sqlite3.Error):
                con.execute(sql)
        con.commit()
        con.close()
        return path.read_bytes()


def _mutate_member(name: str, data: bytes, rng: random.Random) -> bytes:
    if name.startswith("collection.anki2"):
        if name.endswith("b"):
            raw = zstandard.ZstdDecompressor().decompress(data, max_output_size=1 << 30)
            return zstandard.ZstdCompressor().compress(_mutate_sql(raw, rng))
        return _mutate_sql(data, rng)
    return _flip(data, rng)


def mutate(package: bytes, rng: random.Random) -> bytes:
    """One mutated copy of a package."""
    if rng.random() < 0.25:
        return _flip(package, rng)
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        target = rng.choice(names)
        for name in names:
            data = src.read(name)
            dst.writestr(name, _mutate_member(name, data, rng) if name == target else data)
    return out.getvalue()


def run_case(data: bytes, work: Path) -> Outcome:
    """Import one candidate into an empty collection; classify what happened."""
    shutil.rmtree(work, ignore_errors=True)
    pkg = work / "case.apkg"
    work.mkdir(parents=True)
    pkg.write_bytes(data)
    col = Collection(work / "data")
    try:
        import_file(col, pkg)
        return Outcome("ok", "")
    except DeckFormatError as exc:
        con = sqlite3.connect(col.db_path)
        left = con.execute("SELECT COUNT(*) FROM note").fetchone()[0]
        con.close()
        return Outcome("refused" if left == 0 else "FINDING", str(exc)[:120])
    except Exception:
        return Outcome("FINDING", traceback.format_exc(limit=4))
    finally:
        col.close()


def sources() -> list[bytes]:
    from tests.fixtures.apkg.make_fixtures import build_all

    out = Path(tempfile.mkdtemp(prefix="fuzz-src-"))
    return [p.read_bytes() for k, p in sorted(build_all(out).items()) if p.suffix == ".apkg"]


def fuzz(
    seconds: float,
    seed: int,
    save: bool,
    max_cases: int | None = None,
    packages: list[bytes] | None = None,
) -> dict[str, int]:
    """Run mutated cases until the time budget (or `max_cases`) is spent; count outcomes."""
    rng = random.Random(seed)
    packages = packages or sources()
    work = Path(tempfile.mkdtemp(prefix="fuzz-"))
    counts = {"ok": 0, "refused": 0, "FINDING": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (max_cases is None or sum(counts.values()) < max_cases):
        data = mutate(rng.choice(packages), rng)
        outcome = run_case(data, work / "case")
        counts[outcome.kind] += 1
        if outcome.kind == "FINDING":
            name = hashlib.sha1(data).hexdigest()[:12]
            print(f"finding {name}:\n{outcome.detail}")
            if save:
                FINDINGS.mkdir(parents=True, exist_ok=True)
                (FINDINGS / f"case-{name}.apkg").write_bytes(data)
    shutil.rmtree(work, ignore_errors=True)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    counts = fuzz(args.seconds, args.seed, args.save)
    total = sum(counts.values())
    print(f"{total} cases: {counts['ok']} imported, {counts['refused']} refused cleanly, "
          f"{counts['FINDING']} findings")  # fmt: skip
    return 1 if counts["FINDING"] else 0


if __name__ == "__main__":
    sys.exit(main())
