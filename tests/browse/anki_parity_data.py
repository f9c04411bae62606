"""The package the parity test searches: made by Anki itself (the `anki` package, a test tool),
with HTML, entities, clozes, non-ASCII text, tag hierarchies, several decks, and cards that
are reviewed (intervals, history over several days), suspended, flagged and buried."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

DECKS = ("CEHRS::Privacy", "CEHRS::Billing::Claims", "Other", "Unicode Ünïcode")
BASIC = [
    ("HIPAA breach notification within <b>60</b> days", "Privacy Rule", "dom::privacy hipaa"),
    ("<b>HIPAA</b> minimum necessary", "Use the least PHI", "dom::privacy"),
    ("hipaa-covered entity", "a health plan &amp; clearinghouse", "dom::privacy leech"),
    ("CMS-1500 claim form", "Box 24J: NPI", "dom::billing::claims"),
    ("UB-04 claim", "institutional&nbsp;billing", "dom::billing"),
    ("Café naïve über", "Straße ΕΛΛΆΔΑ Ελλάδα", "unicode"),
    ("CAFÉ UPPER", "ελληνικά lower", "unicode"),
    ("dog", "a dog", ""),
    ("doggy underdog", "dug dig", "animals::dog"),
    ("3:30 meeting", "colon: here", ""),
    ("100% _under_ score*star", 'back\\slash "quoted"', "specials"),
    ("(text) in brackets", "-free guilt-free", "specials"),
    ("exa<b>mple</b> split", "<i>italic</i> word", "markup"),
    ("Unicode check: «Café»", "", "unicode"),
    ("audit trail", "Reporting domain", "dom::reporting"),
    ("ICD-10-CM codes 123", "4567 digits", "dom::billing"),
]
REVERSED = [
    ("MPI", "master patient index", "dom::registration"),
    ("EHR", "electronic health record", "dom::registration hipaa"),
    ("CPOE", "computerized provider order entry", ""),
]
CLOZE = [
    ("Report a breach within {{c1::60}} days", "Domain 4", "dom::privacy"),
    ("The {{c1::capital}} of {{c2::France}} is Paris", "Domain geography", "geo"),
    ("{{c1::mn}}{{c2::e}}monic", "Domain* memory", "memory"),
    ("HIPAA {{c1::Privacy::rule}} and {{c2::Security}} rules", "Reporting extra", "hipaa"),
]
GUID_PREFIX = "parity"


def build(path: Path) -> dict[str, Any]:
    """Make the Anki collection at `path`, study and mark some cards; return it open."""
    from anki.collection import Collection

    col = Collection(str(path))
    decks = [col.decks.id(name) for name in DECKS]
    n = 0
    for stock, rows in (("Basic", BASIC), ("Basic (and reversed card)", REVERSED),
                        ("Cloze", CLOZE)):  # fmt: skip
        model = col.models.by_name(stock)
        for front, back, tags in rows:
            note = col.new_note(model)
            note.fields[0], note.fields[1] = front, back
            note.tags = tags.split()
            note.guid = f"{GUID_PREFIX}{n:03d}"
            col.add_note(note, decks[n % len(decks)])
            n += 1
    _schedule(col)
    return col


def _schedule(col: Any) -> None:
    """Review history over the last days, intervals, and marks on some cards."""
    cids = sorted(col.find_cards(""))
    today, crt = col.sched.today, col.crt
    now_ms = int(time.time() * 1000)
    for k, cid in enumerate(cids[:18]):
        ivl, days_ago = 1 + 3 * k, (k * 7) % 12  # a few overdue
        day_start = (crt + (today - days_ago) * 86_400) * 1000
        reviewed = now_ms - days_ago * 86_400_000 - (k % 3) * 3_600_000
        reviewed = max(day_start + 60_000, min(reviewed, day_start + 86_340_000))
        card = col.get_card(cid)
        card.type = card.queue = 2
        card.ivl = ivl
        card.due = today - days_ago + ivl
        history = _history(reviewed, k)
        card.reps, card.lapses, card.factor = len(history), int(k % 3 == 2), 2500
        col.update_card(card)
        for at, ease, kind in history:
            col.db.execute(
                "insert into revlog values (?, ?, -1, ?, ?, 0, 2500, 3000, ?)",
                at + k, cid, ease, ivl, kind,
            )  # fmt: skip
    col.sched.suspend_cards([cids[1], cids[25]])  # a review card and a new one
    col.sched.bury_cards([cids[2]], manual=True)
    col.set_user_flag_for_cards(1, [cids[3], cids[4]])
    col.set_user_flag_for_cards(3, [cids[5]])
    col.set_user_flag_for_cards(6, [cids[6]])


def _history(last: int, k: int) -> list[tuple[int, int, int]]:
    """(time ms, button, Anki revlog type) of a review card: learnt 20 days before (two
    Goods), then reviews; every third card lapsed (Again, then Good in relearning)."""
    start = last - 20 * 86_400_000
    out = [(start, 3, 0), (start + 600_000, 3, 0)]
    if k % 3 == 2:
        out += [(last - 3_600_000, 1, 1), (last, 3, 2)]
    else:
        out += [(last, 2 + k % 3, 1)]
    return out


def export(col: Any, out: Path) -> Path:
    from anki.collection import ExportAnkiPackageOptions

    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True)
    col.export_anki_package(out_path=str(out), options=options, limit=None)
    return out
