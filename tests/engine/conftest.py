from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchestrator.config.template import render_default_config
from tests.support.cli import CliResult, run_cli
from tests.support.record_server import RecordServer

RECORD_CLI = "tests.support.record_steps"


@pytest.fixture
def server() -> Iterator[RecordServer]:
    srv = RecordServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "deployment.yaml").write_text(render_default_config())
    return tmp_path


RunRecords = Callable[..., CliResult]


@pytest.fixture
def records_cli(server: RecordServer, workdir: Path) -> RunRecords:
    """`orchestrate` over the record-server phases, with the state in workdir/state.json."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> CliResult:
        return run_cli(
            ["--state", "state.json", *args],
            cwd=workdir,
            module=RECORD_CLI,
            env={"RECORD_SERVER_URL": server.url, **(env or {})},
            stdin=stdin,
        )

    return run
