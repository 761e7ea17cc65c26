"""Where things live on disk by default. Kept free of heavy imports: `status` uses it."""

from __future__ import annotations

from pathlib import Path

DEFAULT_DEPLOYMENT = "aks-demo"


def default_state_path(deployment: str) -> Path:
    return Path(".orchestrate") / f"{deployment}.json"


def deployment_name_of(config_path: Path) -> str:
    """The `name:` of a deployment file, read without validating the rest (status must work even
    when the file has other problems)."""
    import yaml

    try:
        data = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return DEFAULT_DEPLOYMENT
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else DEFAULT_DEPLOYMENT
