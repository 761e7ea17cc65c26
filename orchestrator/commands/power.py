"""stop and start: AKS stop/start of every cluster."""

from __future__ import annotations

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
    from steps.power import power_steps

    command = "stop" if target == "Stopped" else "start"
    with make_app(state, command) as app:
        title = "stop clusters" if command == "stop" else "start clusters"
        result = app.session.act(title, power_steps(app.config, target), needs_phase=2)  # type: ignore[arg-type]
        code = errors.EXIT_STEP_FAILED if result.failed or result.interrupted else 0
        emit(state, app, command, [result], code)
        return code
