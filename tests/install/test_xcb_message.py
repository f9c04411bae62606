"""What a start that cannot load its window modules says: Qt's system libraries only when Qt
is what failed (the frozen app once blamed Qt for a missing _miniaudio module)."""

from __future__ import annotations

from cehrs_cards.cli import qt_missing_text


def test_a_missing_qt_library_names_the_packages_to_install():
    exc = ImportError("libEGL.so.1: cannot open shared object file", name="PySide6.QtGui")
    text = qt_missing_text(exc)
    assert "sudo apt install" in text and "libegl1" in text


def test_a_missing_module_of_the_app_says_reinstall_not_apt():
    exc = ImportError("No module named '_miniaudio'", name="_miniaudio")
    text = qt_missing_text(exc)
    assert "Reinstall CEHRS Cards" in text and "apt" not in text
