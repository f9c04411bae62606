"""Before the first window on Linux: are the X11 (xcb) platform plugin's libraries there?

Without them Qt aborts (exit 134) with a message that names only libxcb-cursor0, whatever is
really missing. We ask the dynamic linker (ldd) what the plugin cannot resolve and name the
Debian/Ubuntu packages that provide it, then exit cleanly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
"""Shared library -> the Debian/Ubuntu package that provides it (the same names on both)."""
README_PACKAGES = (
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
)
"""What the README's Install section tells Linux users to install, all at once."""
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found\s*$", re.MULTILINE)


def missing_sonames(ldd_output: str) -> list[str]:
    """The libraries ldd reports as `not found`, in its order, once each."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def packages_for(sonames: Iterable[str]) -> tuple[list[str], list[str]]:
    """(packages to install, libraries no package here is known for)."""
    known = [PACKAGES[s] for s in sonames if s in PACKAGES]
    unknown = [s for s in sonames if s not in PACKAGES]
    return list(dict.fromkeys(known)), unknown


def advice(sonames: list[str]) -> str:
    """What to tell the user when `sonames` are missing."""
    packages, unknown = packages_for(sonames)
    lines = [
        "CEHRS Cards cannot open its window: Qt's X11 (xcb) platform plugin needs system "
        f"libraries that are missing: {', '.join(sonames)}.",
    ]
    if packages:
        lines += ["Install them (Debian/Ubuntu):", f"  sudo apt install {' '.join(packages)}"]
    if unknown:
        lines.append(
            f"{', '.join(unknown)}: not a system package we know; if it is one of Qt's own "
            "libraries, reinstall CEHRS Cards."
        )
    lines += [
        "Everything Qt needs on a minimal Linux (README, Install):",
        f"  sudo apt install {' '.join(README_PACKAGES)}",
    ]
    return "\n".join(lines)


def xcb_plugin() -> Path | None:
    """PySide6's libqxcb.so (None if this Qt has no xcb plugin)."""
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    plugin = plugins / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def check_plugin(plugin: Path) -> list[str]:
    """Libraries `plugin` needs that the dynamic linker cannot find ([] if ldd is absent)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    out = subprocess.run(
        [ldd, str(plugin)], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    return missing_sonames(out)


def wants_xcb(env: dict[str, str] | os._Environ[str]) -> bool:
    """Whether Qt will use the xcb plugin: Linux, QT_QPA_PLATFORM unset or xcb, no Wayland
    session to fall back on."""
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")


def xcb_problem() -> str | None:
    """The message to print instead of starting, or None when the window can open."""
    if not wants_xcb(os.environ):
        return None
    plugin = xcb_plugin()
    missing = check_plugin(plugin) if plugin else []
    return advice(missing) if missing else None
