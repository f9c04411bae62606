"""The package as a user gets it: sdist -> wheel -> a fresh venv outside the source tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from cehrs_cards import __version__
from tests.install.test_bundled import _build_module

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
DECK_FILES = sorted(p.name for p in (ROOT / "decks" / "cehrs").glob("*.toml"))
RESOURCES = (
    "cehrs-cards.svg",
    "icons/cehrs-cards-64.png",
    "io.github.cehrscards.CEHRSCards.desktop",
)


def _run(args: list[str | Path], cwd: Path, **kw) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CEHRS_CARDS_", "PYTHON"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kw
    )


def _backend(hook: str, source: Path, out: Path) -> Path:
    """Call setuptools' PEP 517 hook (what pip and `build` call) in `source`."""
    code = f"from setuptools import build_meta as b; print(b.{hook}({str(out)!r}))"
    proc = _run([sys.executable, "-c", code], cwd=source, check=True)
    return out / proc.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """An sdist of the checkout, and the wheel built from that sdist (as `python -m build`)."""
    out = tmp_path_factory.mktemp("dist")
    sdist = _backend("build_sdist", ROOT, out)
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        tar.extractall(out / "src", filter="data")
    top = names[0].split("/")[0]
    assert {f"{top}/decks/cehrs/{f}" for f in DECK_FILES} <= set(names)
    assert {f"{top}/resources/{r}" for r in RESOURCES} <= set(names)
    return _backend("build_wheel", out / "src" / top, out)


def test_the_wheel_carries_the_deck_and_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"cehrs_cards/_decks/cehrs/{f}" for f in DECK_FILES} <= names
    assert {f"cehrs_cards/_resources/{r}" for r in RESOURCES} <= names
    assert not any(n.startswith(("decks/", "resources/", "tests/")) for n in names)


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed by pip (dependencies from pip's cache)."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=venv.parent, check=True)
    pip = _run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], cwd=venv.parent)
    assert pip.returncode == 0, pip.stderr[-2000:]
    return venv


def test_installed_in_a_fresh_venv_it_counts_every_bundled_card(venv, tmp_path):
    app = venv / "bin" / "cehrs-cards"
    code = "import cehrs_cards; print(cehrs_cards.__file__)"
    where = _run([venv / "bin" / "python", "-c", code], cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv)
    assert _run([app, "--version"], cwd=tmp_path).stdout.strip() == f"cehrs-cards {__version__}"
    info = _run([app, "--data-dir", tmp_path / "data", "info", "--json"], cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    counts = json.loads(info.stdout)
    assert counts["held_out_cards"] == 300
    assert counts["cards"] + counts["held_out_cards"] == _build_module().expected_cards()
    gui = _run([app, "--data-dir", tmp_path / "data", "--quit-after-start"], cwd=tmp_path)
    assert gui.returncode == 0 and "ready" in gui.stdout.split(), gui.stderr


def test_without_its_deck_it_says_so_and_loads_the_deck_once_it_is_back(venv, tmp_path):
    deck = next((venv / "lib").glob("python*/site-packages/cehrs_cards/_decks/cehrs"))
    app, data = venv / "bin" / "cehrs-cards", tmp_path / "data"
    shutil.move(deck, deck.with_name("moved-away"))
    try:
        broken = _run([app, "--data-dir", data, "info", "--json"], cwd=tmp_path)
    finally:
        shutil.move(deck.with_name("moved-away"), deck)
    assert broken.returncode == 2 and "bundled CEHRS deck is missing" in broken.stderr
    fixed = _run([app, "--data-dir", data, "info", "--json"], cwd=tmp_path)
    counts = json.loads(fixed.stdout)
    assert counts["cards"] + counts["held_out_cards"] == _build_module().expected_cards()
