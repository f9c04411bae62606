"""Printing results: JSON for scripts, key: value lines for people."""

from __future__ import annotations

import json
from typing import Any


def emit(data: dict[str, Any] | list[Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if isinstance(data, list):
        for item in data:
            print(item)
        return
    for key, value in data.items():
        print(f"{key}: {value}")
