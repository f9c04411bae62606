"""Synthetic decks for benchmarks and crash tests: many plausible notes across the five domains."""

from __future__ import annotations

import random

from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.interchange.package import NoteIn, Package

WORDS = (
    "patient record claim payer audit consent order result referral schedule eligibility "
    "portal template alert charge denial appeal remittance modifier code report measure "
    "registry breach access backup downtime interface message segment document review"
).split()


def make_package(n_notes: int, seed: int = 1, prefix: str = "syn") -> Package:
    """`n_notes` basic and MCQ notes, domains in blueprint proportion, deterministic."""
    rng = random.Random(seed)
    pkg = Package()
    weights = [d.weight for d in DOMAINS]
    for i in range(n_notes):
        dom = rng.choices(DOMAINS, weights)[0]
        text = " ".join(rng.choices(WORDS, k=12))
        if i % 3 == 0:
            opts = [" ".join(rng.choices(WORDS, k=4)) + f" {i}-{k}" for k in range(4)]
            fields = dict(zip(("A", "B", "C", "D"), opts, strict=True))
            fields |= {"Stem": f"{text}?", "Answer": "ABCD"[i % 4], "Explanation": text}
            notetype = "Multiple choice"
        else:
            fields = {"Front": f"{text} #{i}?", "Back": " ".join(rng.choices(WORDS, k=6))}
            notetype = "Basic"
        pkg.notes.append(
            NoteIn(f"{prefix}-{i}", notetype, f"Synthetic::{dom.name}", fields, domain=dom.id)
        )
    return pkg
