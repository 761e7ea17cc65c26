"""stop and start: AKS stop/start of every cluster."""

from __future__ import annotations

from typing import Any

import click

from orchestrator import errors
from orchestrator.cli import CliState
from orchestrator.commands.common import emit, handled, make_app


# -- stop / start ---------------------------------------------------------------------------------
@click.command()
@handled
def stop(state: CliState) -> int:
    """Stop every cluster (AKS stop). Load balancers, IPs and disks keep billing; see `cost`."""
    return _power(state, "Stopped")


@click.command()
@handled
def start(state: CliState) -> int:
    """Start every cluster again (AKS start). The API server's IP may change."""
    return _power(state, "Running")


def _power(state: CliState, target: str) -> int:
    command = "stop" if target == "Stopped" else "start"
    with make_app(state, command) as app:
        return power_with(state, app, command)


def power_with(state: CliState, app: Any, command: str) -> int:
    """Stop or start every cluster in an open app (also what `resume` calls to finish one)."""
    from steps.power import power_steps

    target = "Stopped" if command == "stop" else "Running"
    title = "stop clusters" if command == "stop" else "start clusters"
    steps = power_steps(app.config, target)  # type: ignore[arg-type]
    result = app.session.act(title, steps, needs_phase=2, command=command)
    code = errors.exit_code_of(result)
    emit(state, app, command, [result], code)
    return code
