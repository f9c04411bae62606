"""Render resources/cehrs-cards.svg to every icon file the platforms need (committed output).

  resources/icons/cehrs-cards-<N>.png   N = 16 24 32 48 64 128 256 512: window icon, Linux
  resources/icons/cehrs-cards.ico       Windows executable and installer (16-256 inside)
  resources/icons/cehrs-cards.icns      macOS .app bundle (16-1024 inside)

Qt's QSvgRenderer draws the SVG (the same renderer the app uses); Pillow packs ICO and ICNS.
Run after editing the SVG: .venv/bin/python packaging/render_icons.py
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "cehrs-cards.svg"
OUT = ROOT / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    """The SVG drawn at size x size, antialiased, as a Pillow RGBA image."""
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    painter = QPainter(img)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return Image.open(io.BytesIO(bytes(buf.data().data()))).convert("RGBA")


def main() -> int:
    _app = QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot read {SVG}", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    images = {s: render(renderer, s) for s in sorted({*PNG_SIZES, *ICO_SIZES, *ICNS_SIZES})}
    for s in PNG_SIZES:
        images[s].save(OUT / f"cehrs-cards-{s}.png", optimize=True)
    big = images[256]
    big.save(OUT / "cehrs-cards.ico", sizes=[(s, s) for s in ICO_SIZES])
    images[1024].save(
        OUT / "cehrs-cards.icns", append_images=[images[s] for s in ICNS_SIZES if s < 1024]
    )
    print(f"wrote {len(PNG_SIZES)} PNGs, an ICO and an ICNS to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
