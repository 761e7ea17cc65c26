"""The pinned kubectl and helm from ``.venv/bin`` (``make install`` puts them there), each run with a
private HOME so no user cache or config leaks in."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
BIN = REPO / ".venv" / "bin"
TIMEOUT_S = 120


def binary(name: str) -> Path:
    """``.venv/bin/<name>``; fails (not skips) when missing, so a broken install cannot pass CI."""
    path = BIN / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"{path} is missing: run `make install` (tools/install_kube_clients.py)")
    return path


class Client:
    """One of the real CLIs against one kubeconfig, with its own HOME and caches."""

    def __init__(self, name: str, kubeconfig: Path, home: Path) -> None:
        self.binary = binary(name)
        self.kubeconfig = kubeconfig
        self.home = home
        home.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        home = str(self.home)
        return {
            "PATH": os.environ.get("PATH", ""),
            "HOME": home,
            "KUBECACHEDIR": f"{home}/kube-cache",
            "HELM_CACHE_HOME": f"{home}/helm-cache",
            "HELM_CONFIG_HOME": f"{home}/helm-config",
            "HELM_DATA_HOME": f"{home}/helm-data",
        }

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = [str(self.binary), "--kubeconfig", str(self.kubeconfig), *args]
        return subprocess.run(
            argv, input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S, env=self.env(), check=False
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, f"{self.binary.name} {' '.join(args)}: {done.stderr}"
        return done.stdout


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def missing(sent: Any, stored: Any, path: str = "") -> list[str]:
    """Where ``stored`` lacks or differs from what ``sent`` says (server-added fields are fine)."""
    if isinstance(sent, dict):
        if not isinstance(stored, dict):
            return [path or "."]
        return [
            p
            for key, value in sent.items()
            if value is not None
            for p in (missing(value, stored[key], f"{path}.{key}") if key in stored else [f"{path}.{key}"])
        ]
    if isinstance(sent, list):
        if not isinstance(stored, list) or len(stored) != len(sent):
            return [path]
        return [
            p
            for i, (a, b) in enumerate(zip(sent, stored, strict=True))
            for p in missing(a, b, f"{path}[{i}]")
        ]
    return [] if sent == stored else [f"{path}: sent {sent!r}, stored {stored!r}"]
