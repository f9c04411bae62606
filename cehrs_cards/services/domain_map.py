"""Which CEHRS domain an imported note belongs to, from its tags and deck names.

Rules are (pattern, domain, where) triples, tried in order, first match wins: a note's own
cehrs::domain::N tag, then tag rules, then deck rules (deepest deck level first). The rules
are configurable: they are stored in the collection's settings table as JSON.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cehrs_cards.core.domains import DOMAIN_BY_ID, UNASSIGNED
from cehrs_cards.core.ops import OpError
from cehrs_cards.db.settings import load_section, save_section
from cehrs_cards.interchange.package import NoteIn

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows

RULES_KEY = "import_domain_rules"
WHERE = ("any", "deck", "tag")


class RuleError(OpError, ValueError):
    """A domain rule that cannot be read; the message names the rule and why."""


@dataclass(frozen=True)
class DomainRule:
    pattern: str  # case-insensitive regular expression
    domain: int
    where: str = "any"  # any | deck | tag

    def matches(self, text: str) -> bool:
        return re.search(self.pattern, text, re.IGNORECASE) is not None


DEFAULT_RULES: tuple[DomainRule, ...] = (
    DomainRule(r"non[-_ ]?clinical|registration|schedul|check[-_ ]?in|front[-_ ]?desk", 1),
    DomainRule(r"patient[-_ ]?portal|demographic|master[-_ ]patient|release[-_ ]of[-_ ]info", 1),
    DomainRule(r"revenue|billing|coding|claims?\b|icd|cpt|hcpcs|reimburse|insurance|finance", 3),
    DomainRule(r"regulat|complian|hipaa|privacy|security|hitech|fraud|legal|ethic", 4),
    DomainRule(r"reporting|reports?\b|statistic|quality[-_ ]measure|analytics|registr(y|ies)", 5),
    DomainRule(r"clinical|cpoe|order|medication|prescri|nursing|chart|documentation|vital", 2),
)


@dataclass(frozen=True)
class Proposal:
    domain: int
    reason: str


def propose(note: NoteIn, rules: tuple[DomainRule, ...]) -> Proposal:
    """The domain this note should get, and why; 0 ("unassigned") if nothing matches."""
    return DomainMapper(rules).propose(note)


class DomainMapper:
    """The rules with a cache per tag and per deck name: imports repeat the same few names."""

    def __init__(self, rules: tuple[DomainRule, ...]) -> None:
        self.rules = rules
        self._tags: dict[str, int | None] = {}
        self._decks: dict[str, Proposal] = {}

    def propose(self, note: NoteIn) -> Proposal:
        if note.domain:
            return Proposal(note.domain, "its cehrs::domain tag")
        hits = [(i, t) for t in note.tags if (i := self._tag_rule(t)) is not None]
        if hits:
            index, tag = min(hits)
            return Proposal(self.rules[index].domain, f"tag {tag!r}")
        got = self._decks.get(note.deck)
        if got is None:
            got = self._decks[note.deck] = self._deck_proposal(note.deck)
        return got

    def _tag_rule(self, tag: str) -> int | None:
        if tag not in self._tags:
            self._tags[tag] = self._first_rule(tag, "tag")
        return self._tags[tag]

    def _first_rule(self, text: str, where: str) -> int | None:
        for i, rule in enumerate(self.rules):
            if rule.where in ("any", where) and rule.matches(text):
                return i
        return None

    def _deck_proposal(self, deck: str) -> Proposal:
        """The deepest deck level a rule matches."""
        for name in reversed(deck.split("::")):
            i = self._first_rule(name, "deck")
            if i is not None:
                return Proposal(self.rules[i].domain, f"deck name {name!r}")
        return Proposal(UNASSIGNED, "no rule matched")


def majority(proposals: list[Proposal]) -> int:
    """The most common assigned domain among proposals (0 if none is assigned)."""
    counts = Counter(p.domain for p in proposals if p.domain)
    return counts.most_common(1)[0][0] if counts else UNASSIGNED


def load_rules(session: Rows) -> tuple[DomainRule, ...]:
    """The stored rules, or the defaults when none are stored (or they are unreadable)."""
    stored = load_section(session, RULES_KEY)
    if stored is None:
        return DEFAULT_RULES
    try:
        return parse_rules(stored)
    except (ValueError, TypeError):
        return DEFAULT_RULES


def save_rules(session: Rows, rules: tuple[DomainRule, ...]) -> None:
    save_section(session, RULES_KEY, [[r.pattern, r.domain, r.where] for r in rules])


def parse_rules(raw: object) -> tuple[DomainRule, ...]:
    """Rules from JSON [[pattern, domain, where?], ...]; ValueError says which one is wrong."""
    if not isinstance(raw, list):
        raise RuleError("rules must be a list")
    out = []
    for i, item in enumerate(raw):
        pattern, domain, where = [*item, "any"][:3] if isinstance(item, list) else ("", 0, "")
        out.append(parse_rule(str(pattern), domain, str(where), f"rule {i + 1}"))
    return tuple(out)


def parse_rule(pattern: str, domain: object, where: str = "any", label: str = "rule") -> DomainRule:
    if not isinstance(domain, int) or domain not in DOMAIN_BY_ID:
        raise RuleError(f"{label}: domain must be 1..5, not {domain!r}")
    if where not in WHERE:
        raise RuleError(f"{label}: where must be one of {', '.join(WHERE)}")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"{label}: bad pattern {pattern!r} ({exc})") from exc
    if not pattern:
        raise RuleError(f"{label}: empty pattern")
    return DomainRule(pattern, domain, where)


def rules_to_text(rules: tuple[DomainRule, ...]) -> str:
    """One rule per line: DOMAIN WHERE PATTERN (the form the rules editor shows)."""
    return "\n".join(f"{r.domain} {r.where} {r.pattern}" for r in rules)


def rules_from_text(text: str) -> tuple[DomainRule, ...]:
    """Inverse of rules_to_text; blank lines and # comments are skipped."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[0].isdigit():
            raise RuleError(f"line {n}: write DOMAIN WHERE PATTERN, e.g. '4 tag hipaa'")
        out.append(parse_rule(parts[2].strip(), int(parts[0]), parts[1], f"line {n}"))
    return tuple(out)
