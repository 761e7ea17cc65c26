"""Write kubeconfigs for the clusters: one file per cluster, or merged into the user's kubeconfig.

Credentials go only to these files (mode 0600), never to the state file or the logs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from orchestrator.azure.retry import call_azure


def fetch(azure: Any, rg: str, cluster: str, *, admin: bool) -> dict[str, Any]:
    """The cluster's kubeconfig as a dict, in memory only."""
    ops = azure.containerservice().managed_clusters
    call = ops.list_cluster_admin_credentials if admin else ops.list_cluster_user_credentials
    result = call_azure(lambda: call(rg, cluster))
    doc = yaml.safe_load(result.kubeconfigs[0].value)
    if not isinstance(doc, dict):
        raise ValueError(f"the credential of {cluster} is not a kubeconfig")
    return doc


def write_private(path: Path, doc: dict[str, Any]) -> None:
    """Write YAML atomically with mode 0600 from the start (no window where others can read it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yaml.safe_dump(doc, handle, sort_keys=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def merge(base: dict[str, Any], incoming: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Add or replace the clusters, users and contexts of `incoming` in `base`, by name."""
    out = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": [], **base}
    for doc in incoming:
        for section in ("clusters", "users", "contexts"):
            by_name = {item["name"]: item for item in out.get(section) or []}
            by_name.update({item["name"]: item for item in doc.get(section) or []})
            out[section] = list(by_name.values())
        if not out.get("current-context"):  # keep the user's current context when there is one
            out["current-context"] = doc.get("current-context")
    return out


def default_kubeconfig_path() -> Path:
    first = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
    return Path(first) if first else Path.home() / ".kube" / "config"


def read_existing(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc if isinstance(doc, dict) else {}
