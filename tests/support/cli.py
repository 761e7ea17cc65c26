"""Run `orchestrate` as a user does: a separate process, real exit codes, stdout and stderr apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRATE_")}
    env["PYTHONPATH"] = str(REPO)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    env.update(extra or {})
    return env


def command(module: str | None, args: list[str]) -> list[str]:
    entry = ["-m", module] if module else ["-c", "from orchestrator.cli import main; main()"]
    return [sys.executable, *entry, *args]


def run_cli(
    args: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    module: str | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> CliResult:
    proc = subprocess.run(
        command(module, args),
        cwd=cwd,
        env=cli_env(env),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
