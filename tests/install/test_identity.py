"""The desktop entry, the AppStream file and the icons pass the freedesktop validators."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from cehrs_cards.ui.about_dialog import APP_ID, ICON_SIZES

RES = Path(__file__).resolve().parents[2] / "resources"
DESKTOP = RES / f"{APP_ID}.desktop"
METAINFO = RES / f"{APP_ID}.metainfo.xml"
TOOLS = {"desktop-file-validate": "desktop-file-utils", "appstreamcli": "appstream"}


def tool(name: str) -> str:
    """The validator's path; in CI (CI=1, as .ci/run sets) a missing one fails the test."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is missing: apt-get install {TOOLS[name]} (.ci/run installs it)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    if path.suffix == ".desktop":
        cmd = [tool("desktop-file-validate"), str(path)]
    else:
        cmd = [tool("appstreamcli"), "validate", "--no-net", "--explain", str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def test_the_desktop_entry_is_valid_and_names_our_icon_and_binary():
    proc = validate(DESKTOP)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr
    text = DESKTOP.read_text(encoding="utf-8")
    assert f"Icon={APP_ID}\n" in text and "Exec=cehrs-cards\n" in text


def test_the_appstream_metainfo_is_valid_and_launches_the_desktop_entry():
    proc = validate(METAINFO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = METAINFO.read_text(encoding="utf-8")
    assert f"<id>{APP_ID}</id>" in text
    assert f'<launchable type="desktop-id">{DESKTOP.name}</launchable>' in text


def test_the_validators_do_reject_a_broken_file(tmp_path):
    broken = tmp_path / DESKTOP.name
    broken.write_text(DESKTOP.read_text(encoding="utf-8").replace("Type=Application\n", ""))
    assert validate(broken).returncode != 0
    bad_meta = tmp_path / METAINFO.name
    bad_meta.write_text(re.sub(r"<summary>.*</summary>", "", METAINFO.read_text(encoding="utf-8")))
    assert validate(bad_meta).returncode != 0


def test_every_icon_is_rendered_at_its_size():
    for size in ICON_SIZES:
        with Image.open(RES / "icons" / f"cehrs-cards-{size}.png") as img:
            assert img.size == (size, size) and img.mode == "RGBA"
            assert img.getpixel((size // 2, size // 2))[3] == 255  # opaque middle, not blank
    with Image.open(RES / "icons" / "cehrs-cards.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(RES / "icons" / "cehrs-cards.icns") as icns:
        assert icns.size == (1024, 1024)
