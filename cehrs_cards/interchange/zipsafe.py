"""Reading untrusted zip packages: size caps against zip bombs, safe member names, zstd streams.

Every limit is checked while bytes are produced, never trusted from the headers alone, so a
package that lies about its sizes is stopped as soon as it exceeds a cap.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import zstandard

from cehrs_cards.interchange.package import DeckFormatError

CHUNK = 1 << 20
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


class PackageError(DeckFormatError):
    """A package that is damaged, hostile or of an unknown version; nothing was imported."""


@dataclass(frozen=True)
class Limits:
    """Caps on what one package may make us read or write."""

    max_total: int = 2 * 1024**3  # all members, uncompressed
    max_member: int = 1024**3  # one member (the collection or one media file)
    max_members: int = 200_000
    max_field_chars: int = 1_000_000


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

    def extract(self, name: str, target: Path, zstd: bool = False) -> None:
        with target.open("wb") as out:
            for chunk in self.chunks(name, zstd):
                out.write(chunk)


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
    """`name` if it is a plain file name we can write into the media folder, else PackageError.

    Rejects paths, parent references, absolute and drive paths, hidden and reserved names and
    control characters: Anki itself once shipped a path-traversal bug here.
    """
    bad = (
        not name
        or len(name.encode("utf-8")) > 255
        or any(c in name for c in '/\\:*?"<>|')
        or any(unicodedata.category(c) == "Cc" for c in name)
        or name.startswith(".")
        or name.strip() != name
        or name.endswith(".")
        or _WINDOWS_RESERVED.match(name) is not None
    )
    if bad:
        raise PackageError(f"unsafe media file name in the package: {name[:80]!r}")
    return unicodedata.normalize("NFC", name)
