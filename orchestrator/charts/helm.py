"""The `helm` CLI: found on PATH or beside the running Python (the venv's bin), version-checked, and
used only for `helm template` (values through a private temporary file, never on the command line)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from orchestrator.charts.digest import ChartError
from orchestrator.engine.graph import KnownAfterApply
from orchestrator.secret import find_secrets

MIN_VERSION = (3, 14, 0)
INSTALL_HINT = (
    "install helm 3.14 or newer (https://helm.sh/docs/intro/install/, e.g. `brew install helm`,"
    " or `python tools/install_kube_clients.py` for this checkout's .venv/bin) and put it on PATH"
)

Run = Callable[..., "subprocess.CompletedProcess[str]"]


def find_helm(path_env: str | None = None, beside: Path | None = None) -> Path | None:
    """`helm` on PATH, else next to the running interpreter (a virtualenv's bin)."""
    found = shutil.which("helm", path=path_env if path_env is not None else os.environ.get("PATH"))
    if found:
        return Path(found)
    candidate = (beside or Path(sys.executable).parent) / "helm"
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def helm_problem(binary: Path | None, run: Run = subprocess.run) -> str | None:
    """None when a usable helm is there; else what is wrong and how to fix it."""
    if binary is None:
        return f"helm is not installed (not on PATH nor beside {sys.executable}); {INSTALL_HINT}"
    try:
        out = run([str(binary), "version", "--short"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{binary} does not run ({exc}); {INSTALL_HINT}"
    version = parse_version(out.stdout)
    if out.returncode != 0 or version is None:
        return f"{binary} does not report a version ({out.stderr.strip()[:200]}); {INSTALL_HINT}"
    if version < MIN_VERSION:
        have = ".".join(map(str, version))
        return f"{binary} is helm {have}, older than 3.14.0; {INSTALL_HINT}"
    return None


@dataclass(frozen=True)
class TemplateRequest:
    release: str
    chart: Path
    namespace: str
    kube_version: str  # "1.34" or "1.34.2"
    values: Mapping[str, Any]
    api_versions: Sequence[str] = ()


class HelmCli:
    """`helm template` as a subprocess, with helm's own config and cache kept in a temporary home."""

    def __init__(self, binary: Path, run: Run = subprocess.run, timeout_s: float = 120.0) -> None:
        self.binary, self._run, self._timeout = binary, run, timeout_s

    def template(self, request: TemplateRequest) -> str:
        if find_secrets(request.values):
            raise ChartError(f"release {request.release}: a chart value holds a secret; values never do")
        with tempfile.TemporaryDirectory(prefix="orchestrate-helm-") as home:
            values = Path(home) / "values.yaml"
            text = yaml.safe_dump(_known(dict(request.values)), sort_keys=True)
            values.write_text(text, encoding="utf-8")
            values.chmod(0o600)
            out = self._invoke(_template_args(self.binary, request, values), home)
        if out.returncode != 0:
            raise ChartError(f"helm template {request.release} failed: {out.stderr.strip()[:2000]}")
        return out.stdout

    def _invoke(self, args: list[str], home: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "HELM_CONFIG_HOME": f"{home}/config",
            "HELM_CACHE_HOME": f"{home}/cache",
            "HELM_DATA_HOME": f"{home}/data",
        }
        try:
            return self._run(args, capture_output=True, text=True, timeout=self._timeout, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ChartError(f"helm template could not run: {exc}") from None


def _known(value: Any) -> Any:
    """Values with each output not known yet (plan before its producer ran) shown as its placeholder."""
    if isinstance(value, KnownAfterApply):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _known(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_known(v) for v in value]
    return value


def _template_args(binary: Path, request: TemplateRequest, values: Path) -> list[str]:
    version = request.kube_version if request.kube_version.count(".") == 2 else f"{request.kube_version}.0"
    args = [
        str(binary),
        "template",
        request.release,
        str(request.chart),
        "--namespace",
        request.namespace,
        "--kube-version",
        f"v{version.removeprefix('v')}",
        "--include-crds",
        "-f",
        str(values),
    ]
    for api in sorted(set(request.api_versions)):
        args += ["--api-versions", api]
    return args
