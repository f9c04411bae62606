"""Fuzz the package importers with mutated real packages, for a fixed time budget.

    .venv/bin/python benchmarks/fuzz_import.py [--seconds 120] [--seed 1] [--save]

Packages come from tests/fixtures/apkg/make_fixtures.py (genanki and Anki itself). Each case
mutates one: raw bytes, a zip member's bytes, the media list, or the collection's SQL (bad
JSON, foreign ids, huge or binary fields, unknown versions, dropped tables; and what issue 14
found: tables replaced by views, endless recursive SQL, computed columns, CHECK constraints
that cost, templates nested deep, deck names thousands of levels deep, deeply nested JSON,
fields of markup that made the sanitiser and the cloze regex quadratic, percent-encoded
paths, media names Windows or the eye would misread). Each is imported into an empty
collection and every card it made is rendered. The only outcomes allowed are a successful
import or our own DeckFormatError with nothing written, each within SLOW seconds; anything
else is harm (a finding). --save keeps it in tests/fixtures/fuzz/, which
tests/interchange/test_fuzz.py replays on every test run. An import whose rendered cards
still point at a percent-encoded path outside the media folder is counted apart: that harm
is stopped by the card viewers' own resource check (they decode and check every path).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import random
import re
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import zstandard  # noqa: E402
from sqlmodel import select  # noqa: E402

from cehrs_cards.db.models import Card, Note, NoteType  # noqa: E402
from cehrs_cards.db.repo import fields_dict, notetype_from_row  # noqa: E402
from cehrs_cards.interchange.package import DeckFormatError  # noqa: E402
from cehrs_cards.services.collection import Collection  # noqa: E402
from cehrs_cards.services.transfer import ImportOptions, import_file  # noqa: E402

FINDINGS = ROOT / "tests" / "fixtures" / "fuzz"
SLOW = 10.0  # seconds one case may take, import and rendering together


def _rep(piece: str, n: int) -> str:
    """SQL for `piece` repeated n times (a few bytes of SQL for a large value)."""
    return "replace(printf('%.*c', " + str(n) + ", 'x'), 'x', '" + piece.replace("'", "''") + "')"


def _set_template(side: str, value_sql: str) -> str:
    """SQL setting the first legacy note type's first template side to `value_sql`."""
    path = "'$.\"' || (SELECT key FROM json_each(models) LIMIT 1) || '\".tmpls[0]." + side + "'"
    return "UPDATE col SET models = json_set(models, " + path + ", " + value_sql + ")"


_RECURSE = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r)"
_LAST_DECK = "'$.\"' || (SELECT key FROM json_each(decks) ORDER BY key DESC LIMIT 1) || '\".name'"
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
    # issue 14: tables that are views (endless or huge), computed columns, costly checks
    "ALTER TABLE notes RENAME TO n0; CREATE VIEW notes AS SELECT * FROM n0",
    "ALTER TABLE cards RENAME TO c0; CREATE VIEW cards AS " + _RECURSE + " SELECT c0.* FROM c0, r",
    "DROP TABLE revlog; CREATE VIEW revlog AS " + _RECURSE + " SELECT 1600000000000 + i AS id, "
    "(SELECT id FROM cards LIMIT 1) AS cid, 0 AS usn, 3 AS ease, 1 AS ivl, 0 AS lastIvl, "
    "2500 AS factor, 1000 AS time, 1 AS type FROM r LIMIT 50000000",
    "ALTER TABLE col RENAME TO col0; CREATE VIEW col AS "
    + _RECURSE
    + " SELECT col0.* FROM col0, r",
    "ALTER TABLE notes ADD COLUMN big TEXT AS (printf('%.*c', 50000000, 'x'))",
    "CREATE TABLE bomb (x CHECK (length(printf('%.*c', 20000000, 'x')) > 0)); "
    "INSERT INTO bomb " + _RECURSE + " SELECT i FROM r LIMIT 200",
    "CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM cards; END",
    # templates nested deep (refused) or just within the cap (rendered), huge, '<![ '
    _set_template("qfmt", _rep("{{#Front}}", 500) + " || 'x' || " + _rep("{{/Front}}", 500)),
    _set_template("qfmt", _rep("{{#Front}}", 90) + " || '{{Front}}' || " + _rep("{{/Front}}", 90)),
    _set_template("afmt", _rep("{{#Back}}<![ {{Back}}{{/Back}}", 15000)),
    # deck names thousands of levels deep; JSON nested far past Python's recursion limit
    "UPDATE col SET decks = json_set(decks, " + _LAST_DECK + ", " + _rep("L::", 5000) + ")",
    "UPDATE decks SET name = " + _rep("L\x1f", 5000) + " || id",
    "UPDATE col SET models = '{\"1\": ' || " + _rep("[", 100000) + " || '}'",
    'UPDATE col SET decks = \'{"1": {"name": \' || ' + _rep('{"a":', 50000) + " || '}'",
    # fields the renderer and the sanitiser once spent minutes on, and encoded paths
    "UPDATE notes SET flds = " + _rep("</", 100000) + " || char(31) || " + _rep("<a ", 50000),
    "UPDATE notes SET flds = " + _rep("{{c1::", 100000) + " || char(31) || 'x <![ y'",
    "UPDATE notes SET flds = " + _rep("<div>", 20000) + " || char(31) || " + _rep("<!--", 50000),
    "UPDATE notes SET flds = '&#' || printf('%.*c', 5000, '9') || ';' || char(31) || "
    + _rep("<![cdata[", 20000),
    "UPDATE notes SET flds = '<img src=\"%2Fetc%2Fpasswd\">' || char(31) || "
    '\'<img src="%2E%2E%2F%2E%2E%2Fx.png"><img src="%5C%5Chost%5Cshare%5Cx.png">\'',
)
HOSTILE_MEDIA_NAMES = ("COM¹", "CONIN$", "con .png", "x\u202egnp.exe", "zero\u200bwidth.png",
                       "\ufeffbom.png", "../x.png", "a\\b.png", "nul.tar.gz")  # fmt: skip


@dataclass
class Outcome:
    kind: str  # ok | refused | FINDING | encoded (see the module's docstring)
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
                con.executescript(sql)
        con.commit()
        con.close()
        return path.read_bytes()


def _mutate_member(name: str, data: bytes, rng: random.Random) -> bytes:
    if name == "media" and data.startswith(b"{") and rng.random() < 0.5:
        return json.dumps({"0": rng.choice(HOSTILE_MEDIA_NAMES)}).encode()
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
    """Import one candidate into an empty collection, render what it made; classify."""
    shutil.rmtree(work, ignore_errors=True)
    pkg = work / "case.apkg"
    work.mkdir(parents=True)
    pkg.write_bytes(data)
    col = Collection(work / "data")
    start = time.monotonic()
    try:
        outcome = _import_and_render(col, pkg)
    except DeckFormatError as exc:
        con = sqlite3.connect(col.db_path)
        left = con.execute("SELECT COUNT(*) FROM note").fetchone()[0]
        con.close()
        outcome = Outcome("refused" if left == 0 else "FINDING", str(exc)[:120])
    except Exception:
        outcome = Outcome("FINDING", traceback.format_exc(limit=4))
    finally:
        col.close()
    took = time.monotonic() - start
    if took > SLOW:
        return Outcome("FINDING", f"took {took:.1f} s ({outcome.kind}: {outcome.detail[:80]})")
    return outcome


def _import_and_render(col: Collection, pkg: Path) -> Outcome:
    """Import with review history, then render every card made (as the review screen does)."""
    import_file(col, pkg, ImportOptions(with_scheduling=True))
    with col.read() as s:
        rows = s.exec(select(Note, NoteType, Card).where(Card.note_id == Note.id)
                      .where(Note.notetype_id == NoteType.id)).all()  # fmt: skip
        for note, row, card in rows:
            nt = notetype_from_row(row)
            front, back = nt.render(fields_dict(nt, note.fields), card.ord)
            if _outside_media(front + back):
                return Outcome("encoded", f"card {card.id}: {front[:60]!r}")
    return Outcome("ok", "")


_SRC = re.compile(r'src="([^"]*)"')


def _outside_media(html: str) -> bool:
    """Whether a rendered card points, once percent-decoded, outside the media folder."""
    for src in _SRC.findall(html):
        path = unquote(unescape(src))
        if "/" in path or "\\" in path or path.startswith("."):
            return True
    return False


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
    counts = {"ok": 0, "refused": 0, "encoded": 0, "FINDING": 0}
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
    cap = 4 * 1024**3  # a case that runs out of memory is a finding, not the machine's end
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    counts = fuzz(args.seconds, args.seed, args.save)
    total = sum(counts.values())
    print(f"{total} cases: {counts['ok']} imported, {counts['refused']} refused cleanly, "
          f"{counts['FINDING']} findings (harm), {counts['encoded']} imported with a "
          "percent-encoded path outside the media folder")  # fmt: skip
    return 1 if counts["FINDING"] else 0


if __name__ == "__main__":
    sys.exit(main())
