"""Validator for decks in our format (the bundled deck's quality gate): schema, ids, domains,
task areas, MCQ soundness, duplicates, blueprint proportions, and HTML the sanitiser accepts."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cehrs_cards.core.domains import DOMAINS, TASK_AREA_BY_ID, TASK_AREAS
from cehrs_cards.core.notetypes import MCQ, MCQ_OPTION_FIELDS
from cehrs_cards.core.sanitize import sanitize_html, strip_html
from cehrs_cards.interchange.deck_quality import Quality, assess
from cehrs_cards.interchange.native import read_native_file
from cehrs_cards.interchange.package import DeckFormatError, NoteIn

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DIFFICULTIES = {"easy", "medium", "hard"}
NEAR_DUPLICATE = 0.8  # Jaccard similarity of stem word sets
BLUEPRINT_TOLERANCE = 0.01
MIN_NOTES, MIN_MCQ, MOCKS = 900, 600, 3


@dataclass
class DeckReport:
    notes: list[NoteIn] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    bundled: bool = True
    quality: Quality = field(default_factory=Quality)

    def cell(self, task: str) -> tuple[int, int]:
        """(notes, mcq) in a task area."""
        ns = [n for n in self.notes if n.task == task]
        return len(ns), sum(n.notetype == MCQ.name for n in ns)

    def to_json(self) -> dict[str, Any]:
        tasks = {
            t.id: dict(zip(("notes", "mcq"), self.cell(t.id), strict=True)) for t in TASK_AREAS
        }
        q = self.quality
        return {
            "notes": len(self.notes),
            "problems": self.problems,
            "task_areas": tasks,
            "quality": {
                "mcq": q.mcq,
                "application": q.apply,
                "application_share": round(q.apply_share, 3),
                "flags": [{"id": g, "flag": f, "detail": d} for g, f, d in q.flags],
                "waived": [{"id": g, "flag": f, "reason": r} for g, f, r in q.waived],
                "mcq_per_task_area": q.task_mcq,
                "groups": q.groups,
                "no_primary_source": q.no_primary,
                "dated": {g: d.isoformat() for g, d in q.dated},
                "stale": [g for g, _ in q.stale],
                "heldout": {str(d): n for d, n in q.heldout.items()},
                "gaps": q.gaps,
            },
        }


def check_deck(
    path: Path, bundled: bool = True, quality: bool = True, today: date | None = None
) -> DeckReport:
    """Check one deck file or a folder of them. `bundled` adds the size and coverage rules;
    `quality` (with `bundled`) the item-bank rules of interchange/deck_quality.py."""
    report = DeckReport(bundled=bundled)
    files = sorted(path.rglob("*.toml")) if path.is_dir() else [path]
    for f in files:
        try:
            report.notes.extend(read_native_file(f))
        except DeckFormatError as exc:
            report.problems.append(str(exc))
    for note in report.notes:
        report.problems.extend(f"{note.guid}: {p}" for p in note_problems(note))
    report.problems.extend(_duplicates(report.notes))
    report.quality = assess(report.notes, today or date.today())
    if bundled:
        report.problems.extend(_coverage(report.notes))
        if quality:
            report.problems.extend(report.quality.problems())
    return report


def note_problems(note: NoteIn) -> list[str]:
    out = []
    if not ID_RE.match(note.guid):
        out.append("id must be lower-case letters, digits and hyphens")
    if note.domain not in {d.id for d in DOMAINS}:
        out.append(f"domain {note.domain} is not 1..5")
    task = TASK_AREA_BY_ID.get(note.task or "")
    if task is None or task.domain != note.domain:
        out.append(f"task {note.task!r} is not a task area of domain {note.domain}")
    if note.difficulty not in DIFFICULTIES:
        out.append("difficulty must be easy, medium or hard")
    if not (note.source or "").strip():
        out.append("source is missing")
    for name, value in note.fields.items():
        # Escaping differences (a bare "&" or "<" in text) are fine; removed markup is not.
        if html.unescape(sanitize_html(value)) != html.unescape(value):
            out.append(f"field {name} has HTML the sanitiser would change")
    if note.notetype == MCQ.name:
        out.extend(_mcq_problems(note.fields))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", strip_html(text).lower()).strip(" .")


def _mcq_problems(f: dict[str, str]) -> list[str]:
    out = []
    options = [_norm(f[k]) for k in MCQ_OPTION_FIELDS]
    if len(set(options)) != 4 or not all(options):
        out.append("options must be 4 distinct, non-empty texts")
    right = _norm(f[f["Answer"]])
    if len(right) >= 8 and right in _norm(f["Stem"]):
        out.append("the stem gives the answer away (it contains the correct option)")
    if not _norm(f.get("Explanation", "")):
        out.append("explanation is empty")
    if any(o in {"all of the above", "none of the above"} for o in options):
        out.append("'all/none of the above' is not allowed")
    whys = [f.get(f"Why {k}", "") for k in MCQ_OPTION_FIELDS]
    if any(whys) and not all(whys):
        out.append("rationales must cover all 4 options")
    return out


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", _norm(text)))


def _duplicates(notes: list[NoteIn]) -> list[str]:
    out = [
        f"{guid}: id used more than once"
        for guid, n in Counter(n.guid for n in notes).items()
        if n > 1
    ]
    prompts = [(n.guid, _words(next(iter(n.fields.values()), ""))) for n in notes]
    for i, (gi, wi) in enumerate(prompts):
        for gj, wj in prompts[i + 1 :]:
            if wi and wj and len(wi & wj) / len(wi | wj) >= NEAR_DUPLICATE and len(wi) > 3:
                out.append(f"{gi} and {gj}: near-duplicate prompts")
    return out


def _coverage(notes: list[NoteIn]) -> list[str]:
    out = []
    mcq = [n for n in notes if n.notetype == MCQ.name]
    if len(notes) < MIN_NOTES:
        out.append(f"deck has {len(notes)} notes; the bundled deck needs at least {MIN_NOTES}")
    if len(mcq) < MIN_MCQ:
        out.append(f"deck has {len(mcq)} MCQ; the bundled deck needs at least {MIN_MCQ}")
    for d in DOMAINS:
        share = sum(n.domain == d.id for n in notes) / max(1, len(notes))
        if abs(share - d.weight) > BLUEPRINT_TOLERANCE:
            out.append(f"domain {d.id} is {share:.1%} of notes, blueprint {d.weight:.0%}")
        if sum(n.domain == d.id for n in mcq) < MOCKS * d.scored_items:
            out.append(f"domain {d.id} has too few MCQ for {MOCKS} mocks without repeats")
    out.extend(
        f"task area {t.id} has no notes"
        for t in TASK_AREAS
        if not any(n.task == t.id for n in notes)
    )
    return out


def coverage_table(report: DeckReport) -> str:
    """Markdown table: notes and MCQ per domain and task area."""
    lines = ["| domain | task area | notes | MCQ |", "|---|---|---:|---:|"]
    for d in DOMAINS:
        for t in (t for t in TASK_AREAS if t.domain == d.id):
            n, m = report.cell(t.id)
            lines.append(f"| {d.id} {d.name} | {t.name} | {n} | {m} |")
        total = [x for x in report.notes if x.domain == d.id]
        share = len(total) / max(1, len(report.notes))
        mcq = sum(x.notetype == MCQ.name for x in total)
        label = f"{share:.1%} of notes (blueprint {d.weight:.0%})"
        lines.append(f"| **{d.id} total** | {label} | **{len(total)}** | **{mcq}** |")
    mcq_all = sum(x.notetype == MCQ.name for x in report.notes)
    lines.append(f"| **all** | | **{len(report.notes)}** | **{mcq_all}** |")
    return "\n".join(lines)
