"""Time and memory of each hostile input of issue 14, every one in a child process of its own.

    .venv/bin/python benchmarks/hostile_report.py [--timeout 60] [--mem-gb 4] [--big] [CASE ...]

Each case builds its input (packages from tests/interchange/hostile.py, derived from packages
made by genanki and Anki itself; TOML files; templates and fields), runs the import, preview,
render or sanitiser on it under an address-space cap of --mem-gb, and prints the wall time,
the peak memory and the outcome: "ok", "refused: <our message>", the Python error, or
"killed" once --timeout passes. --big adds the 3,000,000-note package (94 MB, a minute to
build). Run it from an older checkout to get the figures before a change.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLOZE_16K = "{{c1::" * 2700  # 16,200 characters, no closing braces
NESTED = (
    "".join(f"{{{{#F{i}}}}}" for i in range(1000))
    + "x"
    + "".join(f"{{{{/F{i}}}}}" for i in reversed(range(1000)))
)
TEMPLATE_200K = "{{#Front}}" * 20_000  # 200 KB of sections that never close


def _render(tpl: str, fields: dict[str, str]) -> Callable[[], object]:
    def run() -> object:
        from cehrs_cards.core.render import render_template

        return len(render_template(tpl, fields, 0, True))

    return run


def _cloze(text: str) -> Callable[[], object]:
    def run() -> object:
        from cehrs_cards.core.render import render_cloze

        return len(render_cloze(text, 1, True))

    return run


def _sanitize(*texts: str) -> Callable[[], object]:
    def run() -> object:
        from cehrs_cards.core.sanitize import sanitize_html

        return sum(len(sanitize_html(t)) for t in texts)

    return run


def _qt_laid_out(html: str) -> Callable[[], object]:
    """Sanitise `html`, then lay it out in a QTextDocument (what a card view does with a
    rendered card): deep nesting is flattened (divs past 64 elements, tables past 8 levels:
    Qt's time for nested tables doubles with each level past ten)."""

    def run() -> object:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QTextDocument
        from PySide6.QtWidgets import QApplication

        from cehrs_cards.core.sanitize import sanitize_html

        _app = QApplication.instance() or QApplication([])
        doc = QTextDocument()
        doc.setHtml(sanitize_html(html))
        doc.setTextWidth(600)
        return int(doc.size().height())

    return run


def _qt_long_run(what: str) -> Callable[[], object]:
    """A field of 900,000 letters without a space (the importer takes up to a million) as the
    browser shows it: its preview (`preview`: ui/safe_html.inline_media, then Qt's layout) or
    its editor (`editor`: ui/widgets.FieldEdit)."""

    def run() -> object:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from cehrs_cards.ui.safe_html import SafeTextBrowser, inline_media
        from cehrs_cards.ui.widgets import FieldEdit

        app = QApplication.instance() or QApplication([])
        text = "x" * 900_000
        if what == "editor":
            widget: Any = FieldEdit(text, "Back")
        else:
            widget = SafeTextBrowser()
            widget.setHtml(inline_media(f"<p>{text}</p>", None))
        widget.resize(400, 300)
        widget.show()
        app.processEvents()
        return widget.document().lineCount() if what == "editor" else widget.document().size()

    return run


SIMPLE: dict[str, tuple[str, Callable[[], object]]] = {
    "cloze regex, 16K characters": ("render", _cloze(CLOZE_16K)),
    "cloze regex, 1M characters": ("render", _cloze("{{c1::" * 166_000)),
    "nested {{#F}} sections, depth 1000": (
        "render",
        _render(NESTED, {f"F{i}": "x" for i in range(1000)}),
    ),
    "200 KB template": ("render", _render(TEMPLATE_200K, {"Front": "x"})),
    "template with '<![ '": ("render", _render("<![ {{Front}}", {"Front": "x"})),
    "sanitise 'x <![ y'": ("sanitise", _sanitize("x <![ y")),
    "sanitise '</' * 500,000, three notes": ("sanitise", _sanitize(*(["</" * 500_000] * 3))),
    "sanitise '&#' + 5,000 digits": ("sanitise", _sanitize("&#" + "1" * 5000)),
    "20,000 nested divs, sanitised and laid out by Qt": (
        "Qt",
        _qt_laid_out("<div>" * 20_000 + "deep" + "</div>" * 20_000),
    ),
    "tables nested 50 deep, sanitised and laid out by Qt": (
        "Qt",
        _qt_laid_out("<table><tr><td>" * 50 + "deep" + "</td></tr></table>" * 50),
    ),
    "900,000 letters without a space, the browser's preview": ("Qt", _qt_long_run("preview")),
    "900,000 letters without a space, the field's editor": ("Qt", _qt_long_run("editor")),
}


def _package_cases(tmp: Path, big: bool) -> dict[str, tuple[str, Path]]:
    from tests.fixtures.apkg.make_fixtures import build_all
    from tests.interchange import hostile

    made = build_all(tmp / "made")
    legacy, current = made["anki21"], made["anki21b"]
    cases = {
        "endless recursive view as notes": ("import", hostile.notes_view(legacy, tmp, None)),
        "20M-row view as notes": ("import", hostile.notes_view(legacy, tmp, 20_000_000, "v20m")),
        "50M-row view as revlog, preview": (
            "preview",
            hostile.revlog_view(legacy, tmp, 50_000_000),
        ),
        "generated column in notes": ("import", hostile.generated_column(legacy, tmp)),
        "note-type JSON nested 100,000 deep": ("import", hostile.deep_models_json(legacy, tmp)),
        "deck name 5,000 levels deep": ("import", hostile.deep_deck(legacy, tmp)),
        "newer collection schema (19)": ("import", hostile.newer_schema(current, tmp)),
    }
    deep = tmp / "deep.toml"
    deep.write_text("format = 1\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    typed = tmp / "mistyped.toml"
    typed.write_text('format = 1\nnotes = [{id = "a", type = "basic", domain = 1, front = {x = 1}, '
                     'back = "b", tags = "abc"}]\n')  # fmt: skip
    huge = tmp / "huge.toml"
    with huge.open("wb") as f:
        f.truncate(2 * 1024**3)
    cases |= {
        "TOML nested 100,000 deep": ("import", deep),
        "TOML with mistyped fields": ("import", typed),
        "TOML file of 2 GB": ("import", huge),
    }
    if big:
        start = time.perf_counter()
        path = hostile.many_notes(legacy, tmp, 3_000_000, "m3")
        took = time.perf_counter() - start
        print(f"(built the 3M-note package: {path.stat().st_size / 1024**2:.0f} MB, {took:.0f} s)")
        cases["3,000,000 real notes (94 MB package)"] = ("import", path)
        at_cap = hostile.many_notes(legacy, tmp, 1_999_000, "m2")
        cases["1,999,003 real notes (at the cap)"] = ("import", at_cap)
        cases["1,999,003 real notes, Cancel after 1 s"] = ("cancel", at_cap)
    return cases


def _child_package(action: str, path: Path) -> object:
    from cehrs_cards.services.collection import Collection
    from cehrs_cards.services.transfer import import_file, preview_file

    if action == "cancel":
        return _cancel(path)

    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(Path(tmp) / "data")
        try:
            if action == "preview":
                p = preview_file(col, path)
                return f"{p.notes} notes, history {p.has_scheduling}"
            r = import_file(col, path)
            return f"{r.summary.added} notes added"
        finally:
            col.close()


def _cancel(path: Path) -> object:
    """Read the package and press Cancel after a second: how long until the read stops."""
    from cehrs_cards.interchange.apkg_read import read_apkg

    start = time.monotonic()
    pressed: list[float] = []

    def should_stop() -> bool:
        if time.monotonic() - start > 1.0 and not pressed:
            pressed.append(time.monotonic())
        return bool(pressed)

    try:
        read_apkg(path, should_stop=should_stop)
    except Exception as exc:
        took = time.monotonic() - pressed[0] if pressed else float("nan")
        return f"{type(exc).__name__} {took:.2f} s after Cancel"
    return "read to the end: Cancel was not seen"


def child(spec: str, mem_gb: float) -> None:
    """Run one case (in this, the child process) and print its outcome as JSON."""
    cap = int(mem_gb * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    kind, name, path = json.loads(spec)
    from cehrs_cards.interchange.package import DeckFormatError

    try:
        result = _child_package(kind, Path(path)) if path else SIMPLE[name][1]()
        outcome = f"ok ({result})"
    except DeckFormatError as exc:
        outcome = f"refused: {str(exc)[:150]}"
    except BaseException as exc:
        outcome = f"{type(exc).__name__}: {str(exc)[:100]}"
    print(json.dumps([outcome, _peak_mb()]))


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not carried over
    from the parent that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(kind: str, name: str, path: Path | None, timeout: float, mem_gb: float) -> str:
    spec = json.dumps([kind, name, str(path) if path else ""])
    cmd = [sys.executable, __file__, "--child", spec, "--mem-gb", str(mem_gb)]
    start = time.perf_counter()
    mem = "?"
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        lines = done.stdout.strip().splitlines()
        if lines:
            outcome, peak = json.loads(lines[-1])
            mem = f"{peak:,.0f} MB"
        else:
            outcome = f"crashed: {done.stderr.strip()[-150:]}"
    except subprocess.TimeoutExpired:
        outcome = f"killed after {timeout:.0f} s"
    took = time.perf_counter() - start
    return f"{took:7.2f} s  {mem:>9}  {outcome}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cases", nargs="*", help="only the cases whose name contains one of these")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--mem-gb", type=float, default=4)
    p.add_argument("--big", action="store_true")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, args.mem_gb)
        return
    wanted = (lambda n: any(c.lower() in n.lower() for c in args.cases)) if args.cases else None
    with tempfile.TemporaryDirectory() as tmp:
        cases = {n: (k, None) for n, (k, _) in SIMPLE.items()}
        cases |= _package_cases(Path(tmp), args.big)
        for name, (kind, path) in cases.items():
            if wanted is None or wanted(name):
                line = run(kind, name, path, args.timeout, args.mem_gb)
                print(f"{kind:8} {name:52} {line}", flush=True)


if __name__ == "__main__":
    main()
