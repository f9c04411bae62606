"""Nothing the product says points outside the repository: users have only what we ship."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT = {".py", ".md", ".toml", ".txt", ".xml", ".desktop", ".svg", ".html", ".css"}
OUTSIDE = re.compile(r"(?<![\w.])(?:/work/|~/work|shared/[\w.-]+)")
MD_NAME = re.compile(r"(?<![\w.-])([\w-]+\.md)\b")
PARENT = re.compile(r"(?<![\w.])((?:\.\./)+[\w./-]*[\w-])")
DOCS = re.compile(r"(?<![\w./-])(docs/[\w.-]*[\w-])")
MD_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def product_files() -> list[Path]:
    """The package, the README, the docs, the bundled decks and resources."""
    files = [ROOT / "README.md"]
    for folder in ("cehrs_cards", "docs", "decks", "resources"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in TEXT and p.is_file()]
    return [p for p in files if "__pycache__" not in p.parts]


def repo_md_names() -> set[str]:
    skip = {".venv", ".git", "build", "dist", "node_modules"}
    return {p.name for p in ROOT.rglob("*.md") if not skip & set(p.relative_to(ROOT).parts)}


def problems_in(path: Path, md_names: set[str]) -> list[str]:
    text = path.read_text(encoding="utf-8")
    out = [f"names {m.group(0)!r}" for m in OUTSIDE.finditer(text)]
    out += [
        f"names {m.group(1)!r}, no file of ours"
        for m in MD_NAME.finditer(text)
        if m.group(1) not in md_names
    ]
    for m in PARENT.finditer(text):
        target = (path.parent / m.group(1)).resolve()
        if not target.is_relative_to(ROOT) or not target.exists():
            out.append(f"{m.group(1)!r} is not a file of the repository")
    for m in DOCS.finditer(text):
        if not (ROOT / m.group(1)).exists():
            out.append(f"{m.group(1)!r} does not exist")
    if path.suffix == ".md":
        for m in MD_LINK.finditer(text):
            link = m.group(1)
            if "://" in link or link.startswith("mailto:"):
                continue
            target = (path.parent / link).resolve()
            if not target.is_relative_to(ROOT) or not target.exists():
                out.append(f"link {link!r} does not resolve inside the repository")
    return out


def test_no_product_file_names_a_file_outside_the_repository():
    names = repo_md_names()
    found = {
        str(p.relative_to(ROOT)): problems
        for p in product_files()
        if (problems := problems_in(p, names))
    }
    assert found == {}


def test_the_check_catches_outside_references():
    bad = ROOT / "docs" / "_reference_probe.md"
    bad.write_text(
        "See shared/NOTES.md, [notes](../../elsewhere.md), docs/no-such-page.md, EXAM.md and "
        "[ok](exam-model.md).\n",
        encoding="utf-8",
    )
    try:
        problems = problems_in(bad, repo_md_names())
    finally:
        bad.unlink()
    flagged = " ".join(problems)
    for bad_name in ("shared/NOTES.md", "../../elsewhere.md", "docs/no-such-page.md", "'EXAM.md'"):
        assert bad_name in flagged
    assert "exam-model" not in flagged
