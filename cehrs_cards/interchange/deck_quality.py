"""Item-writing quality of a deck in our format, the standard of a professional item bank:
mechanical give-away patterns in MCQs, the share of job-task (application) items, MCQs per
task area, same-fact groups, primary sources, facts that age, the held-out diagnostic pool and
the topics the bank must cover. Pure: takes parsed notes, returns a report."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from cehrs_cards.core.domains import DOMAINS, TASK_AREAS
from cehrs_cards.core.notetypes import MCQ, MCQ_OPTION_FIELDS
from cehrs_cards.core.sanitize import strip_html
from cehrs_cards.interchange.package import NoteIn

ABSOLUTE = frozenset(
    "always never only all every none entirely completely automatically guaranteed".split()
)
"""Absolute words: in two or more distractors and not in the key, they mark the key."""

STOP = frozenset(
    """about above after again against because before being below between could does doing
    during each every from further have having here itself more most other ought should
    their theirs them themselves then there these they this those through under until very
    were what when where which while whom with would your yours patient patients record
    records which information health that than into also must some such same next used uses
    will been once just like over upon onto both many much well what's it's can't don't""".split()
)
MIN_TASK_MCQ = 12
MIN_APPLY_SHARE = 0.60
MIN_GAP_MCQ = 5
MIN_HELDOUT = 150
STALE_AFTER_DAYS = 365
FLAGS = ("absolute", "echo")

GAPS: dict[str, str] = {
    "rooming": "rooming, vital signs and intake",
    "preventive-reminders": "preventive and health-maintenance reminders",
    "portal-messaging": "patient-portal secure messaging",
    "telehealth": "telehealth visits",
    "law-enforcement": "disclosures to law enforcement, 45 CFR 164.512(f)",
    "incident-reports": "incident reports",
    "backup-types": "backup types",
    "retention-destruction": "retention and destruction of records",
    "claim-metrics": "clean-claim and denial-rate measures",
    "lcd-ncd": "LCD/NCD coverage",
    "workers-comp": "workers' compensation",
    "collections-writeoffs": "collections, write-offs and refunds",
    "chart-abstraction": "chart abstraction",
    "dashboards": "dashboards and benchmarks",
}
"""Topics the bank must cover with scenario MCQs: tag an item with the key to count it."""

PRIMARY = re.compile(
    r"\b(CFR|U\.S\.C\.|USC|CMS|ONC|HHS|OCR|OIG|FDA|DEA|CDC|NCHS|NLM|AHRQ|NIST|FTC|SAMHSA|"
    r"HL7|FHIR|X12|NCPDP|NUCC|NUBC|LOINC|SNOMED|RxNorm|DICOM|IHE|ISO|ASTM|CAQH|NCQA|NQF|"
    r"Joint Commission|AMA|WHO|ICD-10|HCPCS|CPT|Medicare|Medicaid|Federal Register|"
    r"Public Law|Pub\. ?L\.|HIPAA|HITECH|Cures Act|ISMP|USP|AHIMA|state law)(?!\w)"
)
"""A source names a primary authority: a regulation, agency, standard or code-set owner."""
IN_HOUSE = re.compile(r"fact sheet|CEHRS_FACTS|shared/", re.IGNORECASE)


@dataclass
class Quality:
    """What `deck check` reports beside the schema problems."""

    flags: list[tuple[str, str, str]] = field(default_factory=list)  # guid, flag, detail
    waived: list[tuple[str, str, str]] = field(default_factory=list)  # guid, flag, reason
    mcq: int = 0
    apply: int = 0
    unleveled: list[str] = field(default_factory=list)
    task_mcq: dict[str, int] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    no_primary: list[str] = field(default_factory=list)
    dated: list[tuple[str, date]] = field(default_factory=list)
    stale: list[tuple[str, date]] = field(default_factory=list)
    heldout: dict[int, int] = field(default_factory=dict)
    gaps: dict[str, int] = field(default_factory=dict)

    @property
    def apply_share(self) -> float:
        return self.apply / self.mcq if self.mcq else 0.0

    def problems(self) -> list[str]:
        """The bundled deck's quality rules, as problems (an empty list passes)."""
        out = [f"{g}: {flag} pattern ({d}); rewrite or waive" for g, flag, d in self.flags]
        out += [f"{g}: MCQ needs level = apply or recall" for g in self.unleveled]
        if self.apply_share < MIN_APPLY_SHARE:
            out.append(f"application MCQs are {self.apply_share:.0%}; need {MIN_APPLY_SHARE:.0%}")
        out += [
            f"task area {t} has {n} MCQ; needs {MIN_TASK_MCQ}"
            for t, n in self.task_mcq.items()
            if n < MIN_TASK_MCQ
        ]
        out += [f"{g}: source names no primary authority" for g in self.no_primary]
        out += [f"group {g} has one item ({m[0]}): pair it or drop the key" for g, m in
                self.groups.items() if len(m) == 1]  # fmt: skip
        out += [f"{g}: fact last checked {d}, over a year ago" for g, d in self.stale]
        out += [
            f"gap '{GAPS[k]}' has {n} application MCQ tagged {k}; needs {MIN_GAP_MCQ}"
            for k, n in self.gaps.items()
            if n < MIN_GAP_MCQ
        ]
        return out + _heldout_problems(self.heldout)


def assess(notes: list[NoteIn], today: date) -> Quality:
    q = Quality(task_mcq={t.id: 0 for t in TASK_AREAS}, gaps=dict.fromkeys(GAPS, 0))
    groups: dict[str, list[str]] = defaultdict(list)
    held: Counter[int] = Counter()
    for n in notes:
        _assess_note(q, n, today)
        if n.group:
            groups[n.group].append(n.guid)
        if n.heldout:
            held[n.domain or 0] += 1
    q.groups = dict(sorted(groups.items()))
    q.heldout = {d.id: held[d.id] for d in DOMAINS}
    return q


def _assess_note(q: Quality, n: NoteIn, today: date) -> None:
    src = n.source or ""
    if IN_HOUSE.search(src) or not PRIMARY.search(src):
        q.no_primary.append(n.guid)
    if n.checked is not None:
        q.dated.append((n.guid, n.checked))
        if (today - n.checked).days > STALE_AFTER_DAYS:
            q.stale.append((n.guid, n.checked))
    if n.notetype != MCQ.name:
        return
    q.mcq += 1
    if n.task in q.task_mcq:
        q.task_mcq[n.task] += 1
    if n.level is None:
        q.unleveled.append(n.guid)
    if n.level == "apply":
        q.apply += 1
        for tag in n.tags:
            if tag in q.gaps:
                q.gaps[tag] += 1
    waivers = dict(_waiver(w) for w in n.waive)
    for flag, detail in mcq_patterns(n.fields):
        if flag in waivers:
            q.waived.append((n.guid, flag, waivers[flag]))
        else:
            q.flags.append((n.guid, flag, detail))


def _waiver(text: str) -> tuple[str, str]:
    flag, _, reason = text.partition(":")
    return flag.strip().lower(), reason.strip()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", strip_html(text).lower())


def _stem(word: str) -> str:
    """A crude stem so that 'claims' echoes 'claim' and 'verified' echoes 'verify'."""
    for suffix in ("ing", "ied", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def mcq_patterns(fields: dict[str, str]) -> list[tuple[str, str]]:
    """The give-away patterns of one MCQ: (flag, detail) for each found."""
    key = fields.get("Answer", "A")
    options = {k: _words(fields.get(k, "")) for k in MCQ_OPTION_FIELDS}
    distractors = [w for k, w in options.items() if k != key]
    out = []
    absolutes = [sorted(ABSOLUTE & set(w)) for w in distractors]
    if sum(bool(a) for a in absolutes) >= 2 and not ABSOLUTE & set(options.get(key, [])):
        used = sorted({w for a in absolutes for w in a})
        out.append(("absolute", "distractors use " + ", ".join(used)))
    stem = {_stem(w) for w in _words(fields.get("Stem", ""))}
    elsewhere = {_stem(w) for ws in distractors for w in ws}
    echoed = sorted(
        {
            w
            for w in options.get(key, [])
            if len(w) >= 4 and w not in STOP and _stem(w) in stem and _stem(w) not in elsewhere
        }
    )
    if echoed:
        out.append(("echo", "key repeats the stem's " + ", ".join(echoed)))
    return out


def _heldout_problems(held: dict[int, int]) -> list[str]:
    total = sum(held.values())
    if total < MIN_HELDOUT:
        return [f"held-out pool has {total} MCQ; needs {MIN_HELDOUT}"]
    out = []
    for d in DOMAINS:
        share = held.get(d.id, 0) / total
        if abs(share - d.weight) > 0.01:
            out.append(f"held-out domain {d.id} is {share:.1%}, blueprint {d.weight:.0%}")
    return out


def quality_text(q: Quality) -> str:
    """The report `deck check` prints: one section per rule."""
    lines = [
        f"Application MCQs: {q.apply} of {q.mcq} ({q.apply_share:.0%}; "
        f"need {MIN_APPLY_SHARE:.0%}); without a level: {len(q.unleveled)}",
        f"Pattern flags: {len(q.flags)} open, {len(q.waived)} waived "
        f"({', '.join(f'{f} {sum(x[1] == f for x in q.flags)}' for f in FLAGS)})",
    ]
    lines += [f"  {g}: {flag}: {d}" for g, flag, d in q.flags]
    thin = {t: n for t, n in q.task_mcq.items() if n < MIN_TASK_MCQ}
    lines.append(f"Task areas under {MIN_TASK_MCQ} MCQ: {len(thin)} of {len(q.task_mcq)}")
    lines += [f"  {t}: {n}" for t, n in thin.items()]
    lines.append("Gap topics (application MCQs tagged): ")
    lines += [f"  {k} ({GAPS[k]}): {n}" for k, n in q.gaps.items()]
    sizes = Counter(len(v) for v in q.groups.values())
    lines.append(
        f"Same-fact groups: {len(q.groups)} "
        f"({', '.join(f'{n} of size {s}' for s, n in sorted(sizes.items()))})"
    )
    lines.append(f"Sources without a primary authority: {len(q.no_primary)}")
    lines += [f"  {g}" for g in q.no_primary[:40]]
    lines.append(f"Dated facts: {len(q.dated)}; checked over a year ago: {len(q.stale)}")
    lines += [f"  {g}: {d}" for g, d in q.stale]
    held = ", ".join(f"d{d}: {n}" for d, n in q.heldout.items())
    lines.append(f"Held-out diagnostic pool: {sum(q.heldout.values())} ({held})")
    return "\n".join(lines)
