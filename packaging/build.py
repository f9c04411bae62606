"""Build the frozen app for this platform into dist/, pack it, and smoke-test it.

One script for every platform (make bundle here, .github/workflows/release.yml on tags):

  python packaging/build.py            freeze (PyInstaller one folder) + pack for this platform
  python packaging/build.py smoke      run the built binary: --version, info --json, the GUI
  python packaging/build.py pack       pack an existing dist/cehrs-cards again

Packs: Linux dist/cehrs-cards-<version>-linux-<arch>.tar.gz (the folder, the .desktop file,
the AppStream file, the icon and install-desktop-entry.sh); Windows dist/...-setup.exe (Inno
Setup, when ISCC is installed); macOS dist/...-macos.dmg (hdiutil). Why one folder and not
one file: a one-file app unpacks itself to a temp folder on every start (seconds), and the
folder lets a user replace the Qt libraries (LGPL).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
APP_NAME = "CEHRS Cards"
BINARY = "cehrs-cards"
APP_ID = "io.github.cehrscards.CEHRSCards"
NOTICE_DISTRIBUTIONS = (
    "PySide6-Essentials",
    "shiboken6",
    "fsrs",
    "fsrs-rs-python",
    "sqlmodel",
    "SQLAlchemy",
    "pydantic",
    "pydantic_core",
    "annotated-types",
    "typing-inspection",
    "typing_extensions",
    "platformdirs",
    "zstandard",
    "tomli_w",
    "miniaudio",
    "cffi",
    "pycparser",
)
# Qt parts the app never loads (it uses QtCore, QtGui and QtWidgets only): dropping them keeps
# the bundle small. Matched against the path of each collected library or data file.
UNUSED_QT = re.compile(
    r"Qt6?(Qml|Quick|Pdf|Network|Designer|VirtualKeyboard|SvgWidgets|LabsStyleKit|ShaderTools"
    r"|WaylandCompositor)"
    r"|EglFS|EglFs"
    r"|plugins[/\\](qmltooling|designer|tls|networkinformation|sqldrivers|printsupport|generic"
    r"|wayland-graphics-integration-server|egldeviceintegrations)[/\\]"
    r"|imageformats[/\\](lib)?q(pdf|tga|tiff|wbmp|icns)"
    r"|platforms[/\\]libq(eglfs|linuxfb|vnc|vkkhrdisplay|minimalegl)"
    r"|platformthemes[/\\]libqgtk3"  # GTK 3 and its 40 libraries; the portal theme stays
    r"|[/\\]qml[/\\]"
)
# Python modules the dependency scan finds but the app never runs (dev tools in the build
# environment, optional backends).
EXCLUDED_MODULES = (
    "tkinter",
    "PIL",
    "mypy",
    "ast_serialize",
    "orjson",
    "readline",
    "curses",
    "zstandard.backend_cffi",
    "zstandard._cffi",
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtPdf",
)
TRANSLATIONS = re.compile(r"[/\\]translations[/\\]")


def keep_binary(dest: str) -> bool:
    return not UNUSED_QT.search(dest)


def keep_data(dest: str) -> bool:
    """Qt's translations go too: the app is in English and loads no translator."""
    return not UNUSED_QT.search(dest) and not TRANSLATIONS.search(dest)


def prune_unneeded(binaries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Linux: drop the system libraries that only dropped plugins linked to (GTK for the GTK
    theme...). A top-level library stays if any kept binary needs it (ldd lists them all)."""
    if not sys.platform.startswith("linux"):
        return binaries
    from PyInstaller.depend.bindepend import get_imports

    def system_lib(dest: str, kind: str) -> bool:
        """A shared library at the top (not a Python extension module: _miniaudio.abi3.so
        is one, and was dropped as if it were a system library)."""
        top = "/" not in dest and ".so" in dest and not dest.startswith("libpython")
        return top and kind != "EXTENSION"

    needed: set[str] = set()
    for dest, src, kind in binaries:
        if not system_lib(dest, kind):
            needed |= {Path(name).name for name, _path in get_imports(src)}
    return [b for b in binaries if not system_lib(b[0], b[2]) or b[0] in needed]


def version() -> str:
    text = (ROOT / "cehrs_cards" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not found:
        raise SystemExit("no __version__ in cehrs_cards/__init__.py")
    return found.group(1)


def app_dir() -> Path:
    """The built one-folder app (inside the .app on macOS)."""
    if sys.platform == "darwin":
        return DIST / f"{APP_NAME}.app" / "Contents" / "MacOS"
    return DIST / BINARY


def binary() -> Path:
    return app_dir() / (f"{BINARY}.exe" if sys.platform == "win32" else BINARY)


def freeze() -> None:
    shutil.rmtree(DIST / BINARY, ignore_errors=True)
    shutil.rmtree(DIST / f"{APP_NAME}.app", ignore_errors=True)
    spec = ROOT / "packaging" / "cehrs-cards.spec"
    args = [str(spec), "--noconfirm", "--log-level=WARN"]
    args += ["--distpath", str(DIST), "--workpath", str(WORK)]
    subprocess.run([sys.executable, "-m", "PyInstaller", *args], check=True, cwd=ROOT)


def arch() -> str:
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(
        platform.machine().lower(), platform.machine()
    )


def pack_linux() -> Path:
    """dist/cehrs-cards-<v>-linux-<arch>.tar.gz: cehrs-cards/ with the desktop files inside."""
    out = DIST / f"{BINARY}-{version()}-linux-{arch()}.tar.gz"
    res = ROOT / "resources"
    extra = {
        f"{APP_ID}.desktop": res / f"{APP_ID}.desktop",
        f"{APP_ID}.metainfo.xml": res / f"{APP_ID}.metainfo.xml",
        f"{APP_ID}.png": res / "icons" / "cehrs-cards-256.png",
        "install-desktop-entry.sh": ROOT / "packaging" / "linux" / "install-desktop-entry.sh",
    }
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(app_dir(), arcname=BINARY)
        for name, src in extra.items():
            tar.add(src, arcname=f"{BINARY}/{name}")
    return out


def sign_windows(files: list[Path]) -> None:
    """Sign with $WINDOWS_SIGN_COMMAND ({file} stands for each file), when a maintainer set it
    (docs/releasing.md); unsigned builds work, with a SmartScreen warning."""
    command = os.environ.get("WINDOWS_SIGN_COMMAND")
    for f in files if command else []:
        subprocess.run(command.replace("{file}", f'"{f}"'), shell=True, check=True)


def sign_macos(app: Path) -> None:
    """codesign with $MACOS_SIGN_IDENTITY (hardened runtime, for notarisation), when set."""
    identity = os.environ.get("MACOS_SIGN_IDENTITY")
    if not identity:
        return
    plist = ROOT / "packaging" / "macos" / "entitlements.plist"
    cmd = ["codesign", "--force", "--deep", "--timestamp", "--options", "runtime"]
    subprocess.run([*cmd, "--entitlements", str(plist), "--sign", identity, str(app)], check=True)


def notarise_macos(dmg: Path) -> None:
    """Send the .dmg to Apple's notary service and staple the ticket, when credentials are set."""
    keys = ("MACOS_NOTARY_APPLE_ID", "MACOS_NOTARY_PASSWORD", "MACOS_NOTARY_TEAM_ID")
    if not all(os.environ.get(k) for k in keys):
        return
    apple_id, password, team = (os.environ[k] for k in keys)
    submit = ["xcrun", "notarytool", "submit", str(dmg), "--wait"]
    creds = ["--apple-id", apple_id, "--password", password, "--team-id", team]
    subprocess.run([*submit, *creds], check=True)
    subprocess.run(["xcrun", "stapler", "staple", str(dmg)], check=True)


def pack_windows() -> Path | None:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    default = Path(os.environ.get("PROGRAMFILES(X86)", "C:/Program Files (x86)"))
    iscc = iscc or str(default / "Inno Setup 6" / "ISCC.exe")
    if not Path(iscc).exists():
        print("Inno Setup (ISCC) not found: no installer made", file=sys.stderr)
        return None
    sign_windows(sorted(app_dir().glob("*.exe")))
    script = ROOT / "packaging" / "windows" / "cehrs-cards.iss"
    defs = [f"/DAppVersion={version()}", f"/DAppDir={app_dir()}", f"/DOutputDir={DIST}"]
    subprocess.run([iscc, *defs, str(script)], check=True)
    setup = DIST / f"{BINARY}-{version()}-windows-setup.exe"
    sign_windows([setup])
    return setup


def pack_macos() -> Path:
    out = DIST / f"{BINARY}-{version()}-macos.dmg"
    out.unlink(missing_ok=True)
    sign_macos(DIST / f"{APP_NAME}.app")
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / APP_NAME
        stage.mkdir()
        shutil.copytree(DIST / f"{APP_NAME}.app", stage / f"{APP_NAME}.app", symlinks=True)
        os.symlink("/Applications", stage / "Applications")
        cmd = ["hdiutil", "create", "-volname", APP_NAME, "-srcfolder", str(stage)]
        subprocess.run([*cmd, "-ov", "-format", "UDZO", str(out)], check=True)
    notarise_macos(out)
    return out


def pack() -> Path | None:
    if sys.platform == "win32":
        return pack_windows()
    if sys.platform == "darwin":
        return pack_macos()
    return pack_linux()


def expected_cards() -> int:
    """Cards the bundled deck makes, counted from its files: one per basic or MCQ note, two
    per reversed note, one per distinct cloze number."""
    total = 0
    for f in sorted((ROOT / "decks" / "cehrs").glob("*.toml")):
        for note in tomllib.loads(f.read_text(encoding="utf-8")).get("notes", []):
            kind = note["type"]
            if kind == "cloze":
                total += len(set(re.findall(r"\{\{c(\d+)::", note["text"])))
            else:
                total += 2 if kind == "reversed" else 1
    return total


def run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    proc = subprocess.run(
        [str(binary()), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )
    if proc.returncode != 0:
        raise SystemExit(f"{binary().name} {' '.join(args)}: exit {proc.returncode}\n{proc.stderr}")
    return proc.stdout


def smoke() -> None:
    """Run the built app from another folder, offscreen, on a fresh data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CEHRS_CARDS_", "PYTHON"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory() as tmp:
        cwd, data = Path(tmp), Path(tmp) / "data"
        shown = run(["--version"], env, cwd).strip()
        if shown != f"{BINARY} {version()}":
            raise SystemExit(f"--version printed {shown!r}")
        info = json.loads(run(["--data-dir", str(data), "info", "--json"], env, cwd))
        counted = info["cards"] + info.get("held_out_cards", 0)  # studied + diagnostic pool
        if counted != expected_cards():
            raise SystemExit(f"info counts {counted} cards, the deck has {expected_cards()}")
        out = run(["--data-dir", str(data), "--quit-after-start"], env, cwd)
        if "ready" not in out.split():
            raise SystemExit(f"the GUI did not report ready: {out!r}")
    print(f"{shown}: {counted} cards; the GUI started and closed cleanly")
    print("smoke: 3 passed, 0 failed")  # --version, info --json, the GUI


def main(argv: list[str]) -> int:
    step = argv[0] if argv else "all"
    if step in ("all", "freeze"):
        freeze()
    if step in ("all", "pack"):
        packed = pack()
        if packed:
            print(f"packed {packed.relative_to(ROOT)}")
    if step == "smoke":
        smoke()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
