"""Where phase 3 finds the user-editable files under the top-level `manifests/` folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV = "ORCHESTRATE_MANIFESTS"  # another checkout of manifests/ (a fork's values), for reviews and tests


def manifests_dir() -> Path:
    """`manifests/` next to the `steps` package (the repository root), unless ORCHESTRATE_MANIFESTS says."""
    override = os.environ.get(ENV)
    return Path(override) if override else Path(__file__).resolve().parents[2] / "manifests"


def cilium_values_file() -> Path:
    return manifests_dir() / "cilium" / "values.yaml"


def cilium_overlay_file(cluster: str) -> Path:
    return manifests_dir() / "cilium" / "overlays" / f"{cluster}.yaml"


def kustomize_overlay(component: str, cluster: str) -> Path:
    """`manifests/<component>/overlays/<cluster>`: the Kustomize entry point for one cluster."""
    return manifests_dir() / component / "overlays" / cluster
