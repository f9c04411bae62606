"""Hostile and broken packages, each derived from a real package (or built by genanki)."""

from __future__ import annotations

import json
import sqlite3
import struct
import zipfile
from pathlib import Path

import zstandard

from cehrs_cards.interchange import protobuf_lite as pb


def rezip(src: Path, dest: Path, replace: dict[str, bytes | None]) -> Path:
    """Copy of `src` with members replaced (bytes) or dropped (None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                continue
            zout.writestr(info.filename, zin.read(info.filename))
        for name, data in replace.items():
            if data is not None:
                zout.writestr(name, data)
    return dest


def not_a_zip(d: Path) -> Path:
    p = d / "notazip.apkg"
    p.write_text("This is a text file pretending to be a deck.\n" * 20)
    return p


def truncated(src: Path, d: Path) -> Path:
    p = d / "truncated.apkg"
    p.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    return p


def empty(d: Path) -> Path:
    p = d / "empty.apkg"
    with zipfile.ZipFile(p, "w"):
        pass
    return p


def corrupt_sqlite(legacy: Path, d: Path) -> Path:
    """A legacy package whose collection has a valid SQLite header and garbage pages."""
    with zipfile.ZipFile(legacy) as z:
        data = bytearray(z.read("collection.anki21"))
    for i in range(1024, len(data), 7):
        data[i] = (data[i] * 31 + 17) % 256
    return rezip(legacy, d / "corrupt-sqlite.apkg", {"collection.anki21": bytes(data)})


def damaged_unused_index(legacy: Path, d: Path) -> Path:
    """A legacy package whose tables read cleanly but one index we never use (ix_cards_usn)
    has a garbage page: only SQLite's own check of the whole file can tell."""
    with zipfile.ZipFile(legacy) as z:
        data = bytearray(z.read("collection.anki21"))
    db = d / "index.db"
    db.write_bytes(data)
    con = sqlite3.connect(db)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_cards_usn'").fetchone()
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    start = (root[0] - 1) * page_size
    data[start + 8 : start + page_size] = bytes([0xEE]) * (page_size - 8)
    return rezip(legacy, d / "damaged-index.apkg", {"collection.anki21": bytes(data)})


def garbage_zstd(current: Path, d: Path) -> Path:
    return rezip(current, d / "garbage-zstd.apkg", {"collection.anki21b": b"\x28\xb5\x2f\xfd junk"})


def dummy_only(current: Path, d: Path) -> Path:
    """A current package without its real collection or meta: only the 'please update' note."""
    return rezip(current, d / "dummy-only.apkg", {"collection.anki21b": None, "meta": None})


def meta_too_new(current: Path, d: Path) -> Path:
    return rezip(current, d / "too-new.apkg", {"meta": pb.field_varint(1, 7)})


def edited_collection(legacy: Path, d: Path, name: str, sql: str) -> Path:
    """A legacy package whose collection was changed by `sql`."""
    with zipfile.ZipFile(legacy) as z:
        db = d / f"{name}.db"
        db.write_bytes(z.read("collection.anki21"))
    con = sqlite3.connect(db)
    con.execute(sql)
    con.commit()
    con.close()
    return rezip(legacy, d / f"{name}.apkg", {"collection.anki21": db.read_bytes()})


def schema_unknown(legacy: Path, d: Path) -> Path:
    """A legacy package whose collection says schema 99."""
    return edited_collection(legacy, d, "schema99", "UPDATE col SET ver = 99")


def legacy_media_name(legacy: Path, d: Path, name: str, tag: str) -> Path:
    return rezip(legacy, d / f"media-{tag}.apkg", {"media": json.dumps({"0": name}).encode()})


def current_media_name(current: Path, d: Path, name: str) -> Path:
    """A current package whose zstd protobuf media list names `name`."""
    entry = pb.field_bytes(1, name.encode()) + pb.field_varint(2, 10) + pb.field_bytes(3, b"x" * 20)
    listing = zstandard.ZstdCompressor().compress(pb.field_bytes(1, entry))
    return rezip(current, d / "media-current.apkg", {"media": listing})


def declared_bomb(d: Path, declared: int = 3 * 1024**3) -> Path:
    """A small zip whose headers claim `declared` bytes uncompressed."""
    p = d / "bomb-declared.apkg"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("collection.anki21", b"\0" * 1024 * 1024)
    data = bytearray(p.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    p.write_bytes(bytes(data))
    return p


def real_bomb(d: Path, size: int) -> Path:
    """An honest zip of `size` zero bytes: tiny on disk, large unpacked."""
    p = d / "bomb-real.apkg"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("collection.anki21", b"\0" * size)
    return p


def zstd_bomb(current: Path, d: Path, size: int) -> Path:
    """A current package whose zstd collection unpacks to `size` bytes."""
    blob = zstandard.ZstdCompressor(level=3).compress(b"\0" * size)
    return rezip(current, d / "bomb-zstd.apkg", {"collection.anki21b": blob})


def genanki_notes(d: Path, name: str, fields_list: list[list[str]]) -> Path:
    """A genanki package of Basic notes with these fields."""
    import genanki

    deck = genanki.Deck(1_600_000_001, "Hostile")
    for i, fields in enumerate(fields_list):
        deck.add_note(genanki.Note(genanki.BASIC_MODEL, fields, guid=f"hostile-{i}"))
    p = d / name
    genanki.Package(deck).write_to_file(p)
    return p


# ----- issue 14: packages that cost time or memory ------------------------------------------


def _legacy_db(legacy: Path, d: Path, name: str) -> Path:
    db = d / f"{name}.db"
    with zipfile.ZipFile(legacy) as z:
        db.write_bytes(z.read("collection.anki21"))
    return db


def _current_db(current: Path, d: Path, name: str) -> Path:
    db = d / f"{name}.db"
    with zipfile.ZipFile(current) as z:
        raw = z.read("collection.anki21b")
    db.write_bytes(zstandard.ZstdDecompressor().decompress(raw, max_output_size=1 << 30))
    return db


def _run(db: Path, *sql: str) -> None:
    con = sqlite3.connect(db)
    con.create_collation("unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))
    for s in sql:
        con.executescript(s)
    con.commit()
    con.close()


def _repack_legacy(legacy: Path, d: Path, name: str, db: Path) -> Path:
    return rezip(legacy, d / f"{name}.apkg", {"collection.anki21": db.read_bytes()})


def _repack_current(current: Path, d: Path, name: str, db: Path) -> Path:
    blob = zstandard.ZstdCompressor().compress(db.read_bytes())
    return rezip(current, d / f"{name}.apkg", {"collection.anki21b": blob})


def note_mid(db: Path) -> int:
    con = sqlite3.connect(db)
    mid = int(con.execute("SELECT mid FROM notes LIMIT 1").fetchone()[0])
    con.close()
    return mid


def _rows(limit: int | None) -> str:
    """A recursive CTE counting from 1, endless without a limit."""
    tail = f" LIMIT {limit}" if limit else ""
    return f"WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r{tail})"


def notes_view(legacy: Path, d: Path, rows: int | None, name: str = "notes-view") -> Path:
    """A legacy package whose `notes` is a VIEW of `rows` generated notes (None: endless,
    padded like the issue's 18 KB view): a few KB that cost unbounded time or memory."""
    db = _legacy_db(legacy, d, name)
    mid = note_mid(db)
    pad = " ".join(f"/* {'x' * 60} */" for _ in range(250)) if rows is None else ""
    view = (
        f"ALTER TABLE notes RENAME TO notes_real; CREATE VIEW notes AS {_rows(rows)} "
        f"SELECT i AS id, 'g' || i AS guid, {mid} AS mid, 0 AS mod, 0 AS usn, '' AS tags, "
        f"'front ' || i || char(31) || 'back' AS flds, '' AS sfld, 0 AS csum, 0 AS flags, "
        f"'' AS data FROM r {pad};"
    )
    _run(db, view)
    return _repack_legacy(legacy, d, name, db)


def revlog_view(legacy: Path, d: Path, rows: int, name: str = "revlog-view") -> Path:
    """A legacy package whose review log is a VIEW of `rows` generated entries."""
    db = _legacy_db(legacy, d, name)
    con = sqlite3.connect(db)
    cid = int(con.execute("SELECT id FROM cards LIMIT 1").fetchone()[0])
    con.close()
    _run(
        db,
        f"DROP TABLE revlog; CREATE VIEW revlog AS {_rows(rows)} SELECT 1600000000000 + i AS id, "
        f"{cid} AS cid, 0 AS usn, 3 AS ease, 1 AS ivl, 0 AS lastIvl, 2500 AS factor, "
        "1000 AS time, 1 AS type FROM r;",
    )
    return _repack_legacy(legacy, d, name, db)


def generated_column(legacy: Path, d: Path) -> Path:
    """A legacy package whose notes table computes `flds` (a generated column): reading it
    would run the package's own expression for every row."""
    db = _legacy_db(legacy, d, "generated")
    _run(
        db,
        "ALTER TABLE notes RENAME TO notes_real; CREATE TABLE notes (id INTEGER PRIMARY KEY, "
        "guid TEXT, mid INTEGER, mod INTEGER, usn INTEGER, tags TEXT, sfld TEXT, csum INTEGER, "
        "flags INTEGER, data TEXT, flds TEXT AS (printf('%.*c', 50000000, 'x'))); "
        "INSERT INTO notes (id, guid, mid, mod, usn, tags, sfld, csum, flags, data) "
        "SELECT id, guid, mid, mod, usn, tags, sfld, csum, flags, data FROM notes_real;",
    )
    return _repack_legacy(legacy, d, "generated", db)


def many_notes(legacy: Path, d: Path, count: int, name: str = "many-notes") -> Path:
    """A legacy package with `count` real notes (one card each) added to its own: the issue's
    3M-note package is this with count=3_000_000 (94 MB)."""
    db = _legacy_db(legacy, d, name)
    mid = note_mid(db)
    con = sqlite3.connect(db)
    did = int(con.execute("SELECT did FROM cards LIMIT 1").fetchone()[0])
    con.close()
    _run(
        db,
        f"{_rows(count)} INSERT INTO notes SELECT 10000000 + i, 'bulk' || i, {mid}, 0, -1, '', "
        "'question number ' || i || char(31) || 'answer ' || i, 'question', 0, 0, '' FROM r;",
        f"{_rows(count)} INSERT INTO cards SELECT 10000000 + i, 10000000 + i, {did}, 0, 0, -1, "
        "0, 0, i, 0, 0, 0, 0, 0, 0, 0, 0, '' FROM r;",
    )
    return _repack_legacy(legacy, d, name, db)


def deep_models_json(legacy: Path, d: Path, depth: int = 100_000) -> Path:
    """A legacy package whose note-type JSON nests `depth` arrays (RecursionError in json)."""
    deep = "[" * depth + "]" * depth
    db = _legacy_db(legacy, d, "deep-json")
    con = sqlite3.connect(db)
    con.execute("UPDATE col SET models = ?", (f'{{"1": {{"name": {deep}}}}}',))
    con.commit()
    con.close()
    return _repack_legacy(legacy, d, "deep-json", db)


def deep_deck(legacy: Path, d: Path, levels: int = 5000) -> Path:
    """A legacy package whose notes' deck is `levels` levels deep."""
    db = _legacy_db(legacy, d, "deep-deck")
    con = sqlite3.connect(db)
    decks = json.loads(con.execute("SELECT decks FROM col").fetchone()[0])
    for deck in decks.values():
        deck["name"] = "::".join(f"L{i}" for i in range(levels))
    con.execute("UPDATE col SET decks = ?", (json.dumps(decks),))
    con.commit()
    con.close()
    return _repack_legacy(legacy, d, "deep-deck", db)


def newer_schema(current: Path, d: Path) -> Path:
    """A current package whose collection says schema 19 (a newer Anki than we know)."""
    db = _current_db(current, d, "schema19")
    _run(db, "UPDATE col SET ver = 19")
    return _repack_current(current, d, "schema19", db)


def template_edit(legacy: Path, d: Path, name: str, front: str) -> Path:
    """A legacy package whose first note type's first template front is `front`."""
    db = _legacy_db(legacy, d, name)
    con = sqlite3.connect(db)
    models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    model = next(iter(models.values()))
    model["tmpls"][0]["qfmt"] = front
    con.execute("UPDATE col SET models = ?", (json.dumps(models),))
    con.commit()
    con.close()
    return _repack_legacy(legacy, d, name, db)
