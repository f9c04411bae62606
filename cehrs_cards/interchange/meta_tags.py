"""Our note metadata as Anki tags, so domain, task, difficulty and source survive a round trip.

Exported notes carry tags like cehrs::domain::2, cehrs::task::2.cpoe, cehrs::difficulty::easy
and cehrs::source::<percent-encoded text>; importing strips them back into the note.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from cehrs_cards.interchange.package import NoteIn

PREFIX = "cehrs::"
KEYS = ("domain", "task", "difficulty", "source")


def with_meta_tags(note: NoteIn) -> list[str]:
    """The note's tags plus its metadata as cehrs:: tags (no spaces inside a tag)."""
    tags = [t for t in note.tags if not t.lower().startswith(PREFIX)]
    if note.domain:
        tags.append(f"{PREFIX}domain::{note.domain}")
    for key in ("task", "difficulty", "source"):
        value = getattr(note, key)
        if value:
            tags.append(f"{PREFIX}{key}::{quote(str(value), safe='.-_()')}")
    return tags


def apply_meta_tags(note: NoteIn) -> None:
    """Move cehrs:: tags into the note's domain/task/difficulty/source; keep other tags."""
    kept: list[str] = []
    for tag in note.tags:
        key, value = _split(tag)
        if key is None:
            kept.append(tag)
        elif key == "domain":
            if value.isdigit() and 0 <= int(value) <= 5:
                note.domain = int(value)
        else:
            setattr(note, key, unquote(value))
    note.tags = kept


def domain_from_tags(tags: list[str]) -> int | None:
    """The domain a cehrs::domain::N tag names, if any."""
    for tag in tags:
        key, value = _split(tag)
        if key == "domain" and value.isdigit() and 0 <= int(value) <= 5:
            return int(value)
    return None


def _split(tag: str) -> tuple[str | None, str]:
    if not tag.lower().startswith(PREFIX):
        return None, ""
    key, _, value = tag[len(PREFIX) :].partition("::")
    key = key.lower()
    return (key, value) if key in KEYS and value else (None, "")
