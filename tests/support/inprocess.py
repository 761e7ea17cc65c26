"""Run `orchestrate` in this process: the real `main` (exit code, stdout and stderr apart), without the
second or so a subprocess spends importing. For the many fast cases; `tests.support.cli` stays the
way to run it as a user does."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import click

from orchestrator.cli import main
from tests.support.cli import CliResult


def run_main(args: list[str], *, cwd: Path, cli: click.Group | None = None) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("ORCHESTRATE_")}
    try:
        with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(args, cli=cli)
            except SystemExit as exc:
                code = exc.code
    finally:
        os.environ.update(saved)
    return CliResult(code if isinstance(code, int) else 1, out.getvalue(), err.getvalue())
