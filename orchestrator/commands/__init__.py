"""The CLI commands. Each parses its options, calls the session, and hands results to `common.emit`."""

from orchestrator.commands.inspect import cost, kubeconfig, status
from orchestrator.commands.phases import destroy, init, plan, resume, run
from orchestrator.commands.power import start, stop
from orchestrator.commands.render import render
from orchestrator.commands.verify import verify

ALL = [init, plan, run, resume, destroy, verify, status, cost, render, kubeconfig, stop, start]
