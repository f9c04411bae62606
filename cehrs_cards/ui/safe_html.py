"""Rich text from decks, made safe for Qt: Qt's text widgets are loaders.

QTextBrowser, QTextDocument and QLabel fetch every image `src` they meet, percent-decoding it
first, from anywhere on disk (and a rich-text QLabel has no hook to stop it). So no file name
from a deck ever reaches Qt: each image is resolved here, only inside the media folder, read by
us (a regular file, size-capped, a raster format by its magic bytes) and handed to Qt inline as a
data: URL; anything else is dropped. SafeTextBrowser refuses every resource Qt still asks for,
and `esc` escapes every name (deck, tag, file) put into rich text.
"""

from __future__ import annotations

import base64
import html
import re
import stat
from pathlib import Path
from urllib.parse import unquote

from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import QImage, QImageReader, QTextDocument
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QWidget

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_DECODED_MB = 128  # QImageReader's allocation limit: a tiny file cannot unpack to gigabytes
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def esc(text: object) -> str:
    """Text for rich text: every markup character escaped."""
    return html.escape(str(text), quote=True)


def limit_image_decoding() -> None:
    QImageReader.setAllocationLimit(MAX_DECODED_MB)


def media_file(src: str, media_dir: Path) -> Path | None:
    """The file a deck's `src` names, if it is a regular file directly inside `media_dir`.

    The name is percent-decoded as Qt would (repeatedly, so no encoding layer hides a path),
    and then must be a bare name: no separators, no drive, no dot-file, no NUL."""
    name = html.unescape(src).strip()
    for _ in range(4):
        decoded = unquote(name)
        if decoded == name:
            break
        name = decoded
    if (
        not name
        or any(c in name for c in "/\\:\0")
        or name.startswith(".")
        or "%" in name
        or any(ord(c) < 32 for c in name)
    ):
        return None
    root = media_dir.resolve()
    path = (root / name).resolve()
    if path.parent != root:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_IMAGE_BYTES:
        return None
    return path


def _data_url(path: Path) -> str | None:
    try:
        data = path.read_bytes()[: MAX_IMAGE_BYTES + 1]
    except OSError:
        return None
    mime = next((m for magic, m in _MAGIC if data.startswith(magic)), None)
    if mime is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    if mime is None or len(data) > MAX_IMAGE_BYTES:
        return None  # not a raster image we know (an SVG may load other files itself)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


LONG_RUN = 2000
"""A run of text this long without a space gets a zero-width break every BREAK_EVERY
characters: Qt lays out a line that must be broken inside one word in time that grows with
the square of its length (10,000 characters 0.03 s, 100,000 1.3 s, 900,000 minutes), and a
deck's field may hold up to a million."""
BREAK_EVERY = 1000
_LONG_TEXT = re.compile(rf"[^\s<>]{{{LONG_RUN},}}")
_PIECE = re.compile(rf"(?>&#?\w{{1,32}};|[^&]|&){{1,{BREAK_EVERY}}}")
"""Up to BREAK_EVERY characters, an entity counting as one and never cut (atomic)."""
_OPAQUE = re.compile(r"(<style\b.*?</style\s*>|<script\b.*?</script\s*>|<[^>]*>)", re.I | re.S)
ZWSP = "\u200b"


def has_long_run(text: str) -> bool:
    """Whether `text` holds a run of LONG_RUN or more characters without a space."""
    return len(text) >= LONG_RUN and _LONG_TEXT.search(text) is not None


def breakable(text: str) -> str:
    """Deck HTML with a zero-width space every BREAK_EVERY characters inside each run of
    LONG_RUN or more characters of text without a space (never inside a tag, an entity, a
    style or a script), so Qt can break the line there in linear time. Shorter runs, and
    text with none, come back unchanged."""
    if not has_long_run(text):
        return text
    parts = _OPAQUE.split(text)
    for i in range(0, len(parts), 2):  # the text between tags
        parts[i] = _LONG_TEXT.sub(_broken, parts[i])
    return "".join(parts)


def _broken(run: re.Match[str]) -> str:
    return _PIECE.sub(lambda piece: piece.group(0) + ZWSP, run.group(0))[:-1]


def inline_media(text: str, media_dir: Path | None) -> str:
    """Deck HTML as Qt may show it: each <img> pointing at a media file inlined as data,
    every other <img> removed, and long runs of text made breakable (`breakable`). Text with
    neither comes back unchanged."""
    text = breakable(text)
    if "<img" not in text.lower():
        return text
    cache: dict[str, str | None] = {}

    def one(m: re.Match[str]) -> str:
        tag = m.group(0)
        src = _SRC.search(tag)
        if src is None or media_dir is None:
            return ""
        raw = src.group(1).strip("\"'")
        if raw not in cache:
            path = media_file(raw, media_dir)
            cache[raw] = _data_url(path) if path is not None else None
        url = cache[raw]
        if url is None:
            return ""
        return tag[: src.start()] + f' src="{url}"' + tag[src.end() :]

    return _IMG_TAG.sub(one, text)


class SafeTextBrowser(QTextBrowser):
    """A QTextBrowser that loads nothing by itself: images arrive inline (inline_media), and
    any other resource Qt asks for is refused, so Qt never falls back to opening a file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])

    def loadResource(self, _type: int, name: QUrl | str) -> object:
        url = QUrl(name) if isinstance(name, str) else name
        if url.scheme().lower() == "data":
            return None  # Qt decodes data: URLs itself, after this hook declines
        # Never null (an empty QByteArray counts as null): Qt would read the file itself.
        if _type == QTextDocument.ResourceType.ImageResource:
            return _blank()
        return QByteArray(b" ")


def _blank() -> QImage:
    img = QImage(1, 1, QImage.Format.Format_ARGB32)
    img.fill(0)
    return img


SHOWN_CHARS = 80
"""A name (deck, note type, field) longer than this is shown shortened where a line holds it;
a stranger's may be 1,000 characters, and a label as long as that widened its window to
several screens."""


def shortened(name: str, limit: int = SHOWN_CHARS) -> str:
    """The name as one line shows it: whole up to `limit` characters, else its start and its
    end around an ellipsis (a deck's leaf stays readable). Plain text: escape it for rich
    text."""
    if len(name) <= limit:
        return name
    keep = (limit - 1) // 2
    return f"{name[:keep]}…{name[len(name) - keep :]}"


def tip(text: str) -> str:
    """A tooltip showing `text` literally (Qt reads any tooltip that looks like markup as rich
    text, and rich text loads images)."""
    return f"<p style='white-space:pre-wrap'>{esc(text)}</p>"


def message(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.NoButton,
) -> QMessageBox.StandardButton:
    """A message box that shows `text` literally (QMessageBox's static functions read text that
    looks like markup as rich text). Returns the button pressed."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if default != QMessageBox.StandardButton.NoButton:
        box.setDefaultButton(default)
    return QMessageBox.StandardButton(box.exec())
