"""Where things live on disk by default. Kept free of heavy imports: `status` uses it."""

from __future__ import annotations

from pathlib import Path

DEFAULT_DEPLOYMENT = "aks-demo"


def default_state_path(deployment: str) -> Path:
    return Path(".orchestrate") / f"{deployment}.json"
