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
