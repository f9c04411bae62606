"""The layering rule as a test: Qt only in ui/, SQL never in core/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).parents[2] / "cehrs_cards"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", ["core", "db", "interchange", "services"])
def test_no_qt_outside_ui(layer):
    offenders = [
        p.name for p in (PKG / layer).rglob("*.py") if _imports(p) & {"PySide6", "shiboken6"}
    ]
    assert offenders == []


def test_core_has_no_sql():
    offenders = [
        p.name
        for p in (PKG / "core").rglob("*.py")
        if _imports(p) & {"sqlalchemy", "sqlmodel", "sqlite3"}
    ]
    assert offenders == []


def test_cli_does_not_import_qt_for_sub_commands():
    offenders = [p.name for p in (PKG / "cli").rglob("*.py") if "PySide6" in _imports(p)]
    assert offenders == []
