"""Reading untrusted zip packages: size caps against zip bombs, safe member names, zstd streams.

Every limit is checked while bytes are produced, never trusted from the headers alone, so a
package that lies about its sizes is stopped as soon as it exceeds a cap.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import zstandard

from cehrs_cards.interchange.package import DeckFormatError

CHUNK = 1 << 20
# Device names Windows opens instead of a file, whatever the extension; it drops trailing
# spaces and dots before comparing ("con .png"), and counts superscript digits ("COM¹").
_WINDOWS_RESERVED = re.compile(
    r"^(con|prn|aux|nul|conin\$|conout\$|clock\$|com[0-9¹²³]|lpt[0-9¹²³])$", re.IGNORECASE
)
# Characters that are invisible or reorder the text around them (bidi controls, zero-width
# spaces, the byte-order mark...): a name holding one shows as some other name.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


class PackageError(DeckFormatError):
    """A package that is damaged, hostile or of an unknown version; nothing was imported."""


@dataclass(frozen=True)
class Limits:
    """Caps on what one package may make us read or write."""

    max_total: int = 2 * 1024**3  # all members, uncompressed
    max_member: int = 1024**3  # one member (the collection or one media file)
    max_members: int = 200_000
    max_field_chars: int = 1_000_000
    # Rows a collection may hold: ten times what the largest real collections have.
    max_notes: int = 2_000_000
    max_cards: int = 5_000_000
    max_revlog: int = 10_000_000
    max_value_bytes: int = 64 * 1024**2  # one value in the collection (a note, a JSON column)
    # SQLite steps for the whole read: a collection at every row cap needs about a fifth.
    sql_budget: int = 1_000_000_000
    check_budget: int = 1_000_000_000  # SQLite's quick_check of the collection


class SafeZip:
    """An opened package; counts every byte read against the total cap."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.limits = limits
        self.read_total = 0
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
            raise PackageError(
                f"{path.name} is not a valid package: not a zip file, or a truncated one"
            ) from exc
        except OSError as exc:
            raise PackageError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
        self.names = {i.filename: i for i in self.zip.infolist()}
        self._check_declared(path)

    def _check_declared(self, path: Path) -> None:
        infos = list(self.names.values())
        if len(infos) > self.limits.max_members:
            raise PackageError(f"{path.name} holds {len(infos):,} files, more than we accept")
        declared = sum(i.file_size for i in infos)
        if declared > self.limits.max_total:
            raise PackageError(
                f"{path.name} would unpack to {declared / 1024**2:,.0f} MB, over the "
                f"{self.limits.max_total / 1024**2:,.0f} MB limit (a zip bomb?)"
            )

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def chunks(self, name: str, zstd: bool = False) -> Iterator[bytes]:
        """The member's bytes (zstd-decoded if asked) in chunks, every cap enforced."""
        produced = 0
        for chunk in self._decoded(name, zstd):
            produced += len(chunk)
            self.read_total += len(chunk)
            if produced > self.limits.max_member:
                raise PackageError(f"{name!r} in the package is larger than we accept")
            if self.read_total > self.limits.max_total:
                raise PackageError("the package unpacks to more than we accept (a zip bomb?)")
            yield chunk

    def _decoded(self, name: str, zstd: bool) -> Iterator[bytes]:
        if name not in self.names:
            raise PackageError(f"the package has no {name!r}")
        try:
            with self.zip.open(name) as raw:
                source: IO[bytes] = raw
                if zstd:
                    source = zstandard.ZstdDecompressor().stream_reader(raw, closefd=False)
                yield from _read_all(source, name)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise PackageError(f"{name!r} in the package cannot be read ({exc})") from exc

    def read(self, name: str, zstd: bool = False) -> bytes:
        return b"".join(self.chunks(name, zstd))

    def extract(
        self, name: str, target: Path, zstd: bool = False, check: Callable[[], None] | None = None
    ) -> None:
        """Write the member to `target`; `check()` runs between chunks (it raises to stop)."""
        with target.open("wb") as out:
            for chunk in self.chunks(name, zstd):
                out.write(chunk)
                if check is not None:
                    check()


def _read_all(stream: IO[bytes], name: str) -> Iterator[bytes]:
    try:
        while chunk := stream.read(CHUNK):
            yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise PackageError(f"{name!r} in the package is damaged or truncated ({exc})") from exc
    except zstandard.ZstdError as exc:
        raise PackageError(f"{name!r} in the package is not valid zstd data ({exc})") from exc
    except NotImplementedError as exc:
        raise PackageError(f"{name!r} uses an unsupported compression ({exc})") from exc


def safe_media_name(name: str) -> str:
    """`name` (NFC) if it is a plain file name we can write into the media folder on any
    system, else PackageError.

    Rejects paths, parent references, absolute and drive paths, hidden names, Windows device
    names (with any extension, trailing spaces or dots), names ending in a space or dot,
    and control, format (bidi, zero-width), surrogate and private-use characters: Anki
    itself once shipped a path-traversal bug here.
    """
    if not _media_name_ok(name):
        raise PackageError(f"unsafe media file name in the package: {name[:80]!r}")
    return unicodedata.normalize("NFC", name)


def _media_name_ok(name: str) -> bool:
    if not name or len(name) > 255 or any(unicodedata.category(c) in _HIDDEN for c in name):
        return False
    name = unicodedata.normalize("NFC", name)
    stem = name.split(".", 1)[0].rstrip(" .")
    return not (
        len(name.encode("utf-8")) > 255
        or any(c in name for c in '/\\:*?"<>|')
        or name.startswith(".")
        or name.strip() != name
        or name.endswith(".")
        or _WINDOWS_RESERVED.match(stem) is not None
    )
