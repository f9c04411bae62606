"""Before the first window on Linux: a missing xcb library is named with its package."""

from __future__ import annotations

import ctypes
import shutil
import sys

import pytest

from cehrs_cards.ui import xcb_check
from cehrs_cards.ui.xcb_check import (
    README_PACKAGES,
    advice,
    check_plugin,
    missing_sonames,
    packages_for,
    wants_xcb,
    xcb_plugin,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux's")
# ldd's answer for the plugin on a minimal Debian 12 (the machine), shortened
LDD_MINIMAL = """\
\tlinux-vdso.so.1 (0x00007ffd5a1f0000)
\tlibQt6XcbQpa.so.6 => /opt/app/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x1)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x2)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x3)
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x4)
"""


def test_the_libraries_ldd_cannot_find_are_named_once_each():
    assert missing_sonames(LDD_MINIMAL) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert missing_sonames("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


def test_the_advice_names_the_packages_not_qts_guess():
    text = advice(missing_sonames(LDD_MINIMAL))
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1\n" in text
    assert "libxcb-cursor0 libxcb-icccm4" in text  # the README's full list follows
    first = text.splitlines()[0]
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in first and "cursor" not in first


def test_a_library_of_qts_own_says_reinstall():
    packages, unknown = packages_for(["libQt6XcbQpa.so.6", "libxkbcommon-x11.so.0"])
    assert packages == ["libxkbcommon-x11-0"] and unknown == ["libQt6XcbQpa.so.6"]
    assert "reinstall CEHRS Cards" in advice(["libQt6XcbQpa.so.6"])


def test_the_readme_lists_what_the_advice_lists():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"sudo apt install {' '.join(README_PACKAGES)}" in readme


def test_only_an_xcb_start_on_linux_is_checked(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert wants_xcb({}) and wants_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert not wants_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert not wants_xcb({"QT_QPA_PLATFORM": "wayland"})
    assert not wants_xcb({"WAYLAND_DISPLAY": "wayland-0"})
    monkeypatch.setattr(sys, "platform", "win32")
    assert not wants_xcb({})


@linux_only
def test_the_real_check_of_a_plugin_cut_off_from_qt(tmp_path):
    """A copy of the real plugin away from Qt's libraries: ldd cannot resolve them, and the
    dynamic linker agrees (loading it fails)."""
    if shutil.which("ldd") is None:
        pytest.skip("no ldd on this system")
    plugin = xcb_plugin()
    assert plugin is not None
    copy = tmp_path / "platforms" / "libqxcb.so"
    copy.parent.mkdir()
    shutil.copy(plugin, copy)
    missing = check_plugin(copy)
    assert "libQt6XcbQpa.so.6" in missing
    with pytest.raises(OSError):
        ctypes.CDLL(str(copy))
    assert "reinstall CEHRS Cards" in advice(missing)


@linux_only
def test_the_real_check_on_this_machine_agrees_with_the_dynamic_linker():
    plugin = xcb_plugin()
    assert plugin is not None
    missing = check_plugin(plugin)
    try:
        ctypes.CDLL(str(plugin))
        loads = True
    except OSError:
        loads = False
    assert loads == (missing == []), missing
    if missing:  # what the user would read instead of Qt's abort
        print(advice(missing))


def test_no_problem_is_reported_when_qt_is_not_using_xcb(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert xcb_check.xcb_problem() is None


def test_when_qt_itself_cannot_load_the_app_says_what_to_install(monkeypatch, capsys, tmp_path):
    from cehrs_cards.cli import main

    monkeypatch.delitem(sys.modules, "cehrs_cards.ui.app", raising=False)  # imported anew...
    monkeypatch.setitem(sys.modules, "PySide6.QtWidgets", None)  # ...and Qt fails to load
    assert main(["--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "cannot open its window" in err and " ".join(README_PACKAGES) in err
