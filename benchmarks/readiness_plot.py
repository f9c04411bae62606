"""The reliability diagram of the readiness calibration study, drawn with QPainter offscreen."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

COLOURS = {"old": "#e37400", "new": "#1a73e8"}
NAMES = {"old": "memory only (before)", "new": "held-out model (now)"}


def draw_reliability(models: dict[str, Any], path: Path) -> None:
    """Observed pass rate against predicted pass chance, per decile, for both models."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    app = QGuiApplication.instance() or QGuiApplication([])
    w, left, right, top, bottom = 820, 80, 250, 60, 70
    size = w - left - right
    h = top + size + bottom
    img = QImage(w, h, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)

    def at(x: float, y: float) -> QPointF:
        return QPointF(left + x * size, top + (1 - y) * size)

    p.setFont(QFont("Sans", 10))
    for i in range(11):
        v = i / 10
        p.setPen(QPen(QColor("#ddd"), 1))
        p.drawLine(at(v, 0), at(v, 1))
        p.drawLine(at(0, v), at(1, v))
        p.setPen(QColor("#333"))
        label = f"{i * 10}%"
        p.drawText(QRectF(0, at(0, v).y() - 9, left - 8, 18), Qt.AlignmentFlag.AlignRight, label)
        p.drawText(
            QRectF(at(v, 0).x() - 25, top + size + 6, 50, 18), Qt.AlignmentFlag.AlignCenter, label
        )
    band = [at(0, 0.05), at(0.95, 1), at(1, 1), at(1, 0.95), at(0.05, 0), at(0, 0)]
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0, 0, 0, 18))
    p.drawPolygon(band)
    p.setPen(QPen(QColor("#888"), 1.5, Qt.PenStyle.DashLine))
    p.drawLine(at(0, 0), at(1, 1))
    for i, (m, colour) in enumerate(COLOURS.items()):
        pts = [d for d in models[m]["deciles"] if d["n"]]
        p.setPen(QPen(QColor(colour), 2))
        for a, b in itertools.pairwise(pts):
            p.drawLine(at(a["predicted"], a["observed"]), at(b["predicted"], b["observed"]))
        for d in pts:
            c = at(d["predicted"], d["observed"])
            lo, hi = max(0.0, d["observed"] - 2 * d["se"]), min(1.0, d["observed"] + 2 * d["se"])
            p.drawLine(at(d["predicted"], lo), at(d["predicted"], hi))
            r = 2.5 + 5 * (d["n"] / max(x["n"] for x in pts)) ** 0.5
            p.setBrush(QColor(colour))
            p.drawEllipse(c, r, r)
        ly = top + 20 + i * 44
        p.drawLine(QPointF(w - right + 15, ly), QPointF(w - right + 45, ly))
        p.setPen(QColor("#222"))
        s = models[m]
        p.drawText(QPointF(w - right + 52, ly + 4), NAMES[m])
        p.drawText(
            QPointF(w - right + 52, ly + 20), f"Brier {s['brier']:.3f}, MAE {s['mae_raw']:.1f}"
        )
    p.setPen(QColor("#444"))
    notes = ("dashed: perfect calibration", "shaded: within 5 points", "bars: ±2 SE; dot size: n")
    for i, t in enumerate(notes):
        p.drawText(QPointF(w - right + 15, top + 120 + i * 18), t)
    p.setFont(QFont("Sans", 11))
    p.drawText(
        QRectF(0, 12, w, 24),
        Qt.AlignmentFlag.AlignCenter,
        "Readiness: predicted pass chance vs simulated outcome (by decile)",
    )
    p.drawText(
        QRectF(left, h - 34, size, 24), Qt.AlignmentFlag.AlignCenter, "predicted pass chance"
    )
    p.save()
    p.translate(18, top + size / 2)
    p.rotate(-90)
    p.drawText(QRectF(-120, -10, 240, 20), Qt.AlignmentFlag.AlignCenter, "observed pass rate")
    p.restore()
    p.end()
    img.save(str(path))
    del app
