"""Commands that look rather than change: status, cost, kubeconfig."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from orchestrator import errors
from orchestrator.cli import CliState
from orchestrator.commands.common import emit_document, handled, make_app


# -- status ---------------------------------------------------------------------------------------
@click.command()
@handled
def status(state: CliState) -> int:
    """Phases and steps with their state, read from the state file (no API calls)."""
    from orchestrator.output import render_status
    from orchestrator.paths import default_state_path
    from state.local import LocalBackend
    from state.migrations import load_document

    path = state.state_path or default_state_path(_deployment_name(state))
    raw = LocalBackend(path).load()
    doc = load_document(raw, source=str(path)) if raw is not None else None
    registry = state.registry_factory()
    names = {p.number: p.name for p in registry}
    available = {p.number for p in registry if p.available}
    if state.json:
        emit_document(state, {**_status_document(doc, names), "releases": releases_of(doc)})
    else:
        render_status(state.stdout, doc, names, available)
        _render_releases(state, releases_of(doc))
    return 0


def releases_of(doc: Any) -> list[dict[str, Any]]:
    """The chart releases the state records (a release step's outputs: chart, version, digest and
    object count; never an object's content), as `helm list` would show Helm's own."""
    if doc is None:
        return []
    keys = ("cluster", "release", "namespace", "chart", "version", "digest", "objects")
    return [
        {"step": sid, **{k: s.outputs.get(k) for k in keys}, "status": s.status.value}
        for sid, s in sorted(doc.steps.items())
        if s.outputs.get("release") and s.outputs.get("chart")
    ]


def _render_releases(state: CliState, releases: list[dict[str, Any]]) -> None:
    if not releases:
        return
    from rich.table import Table

    table = Table(
        title="Chart releases (rendered and applied by orchestrate; `helm list` does not show them)"
    )
    for column in ("cluster", "release", "namespace", "chart", "version", "objects", "status"):
        table.add_column(column)
    for r in releases:
        table.add_row(
            *(str(r[c]) for c in ("cluster", "release", "namespace", "chart", "version", "objects", "status"))
        )
    state.stdout.print(table)


def _deployment_name(state: CliState) -> str:
    """The `name:` of the deployment file, read without validating the rest: status works even when
    the file has other problems, and says so when it cannot tell the name at all."""
    if not state.config_path.exists():
        raise errors.UsageError(f"{state.config_path} not found; pass --config or --state")
    from orchestrator.config import rules
    from orchestrator.config.source import load_mapping
    from orchestrator.paths import DEFAULT_DEPLOYMENT

    try:
        name = load_mapping(state.config_path).get("name", DEFAULT_DEPLOYMENT)
        return rules.check_deployment_name(name if isinstance(name, str) else "")
    except (errors.ConfigError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        state.stderr.print(
            f"warning: cannot tell the deployment's name ({reason}); showing {DEFAULT_DEPLOYMENT!r}."
            " Pass --state to choose the state file.",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return DEFAULT_DEPLOYMENT


def _status_document(doc: Any, names: dict[int, str]) -> dict[str, Any]:
    if doc is None:
        return {"command": "status", "deployment": None, "phases": [], "exit_code": 0}
    phases = []
    for number, name in names.items():
        record = doc.phases.get(str(number))
        steps = [
            {
                "id": sid,
                "action": s.action,
                "status": s.status.value,
                "changes": s.changes,
                "duration_s": round((s.finished_at or 0) - (s.started_at or 0), 3) if s.finished_at else None,
            }
            for sid, s in doc.steps.items()
            if s.phase == number
        ]
        phases.append(
            {
                "number": number,
                "name": name,
                "status": record.status.value if record else "pending",
                "steps": steps,
            }
        )
    return {"command": "status", "deployment": doc.deployment, "phases": phases, "exit_code": 0}


# -- cost -----------------------------------------------------------------------------------------
@click.command()
@click.option("--refresh", is_flag=True, help="Update prices from the Azure Retail Prices API first.")
@handled
def cost(state: CliState, refresh: bool) -> int:
    """Itemised monthly estimate: demo vs production, and the hours-per-month budget mode."""
    from orchestrator import cost as costs
    from orchestrator.config import load_config

    if not state.config_path.exists():
        raise errors.UsageError(f"{state.config_path} not found; run `orchestrate init` to write one")
    config = load_config(state.config_path)
    prices_path = _prices_path(state, config.name)
    table = costs.load_prices(prices_path if prices_path.exists() else None)
    if refresh:
        table = _refresh_prices(state, table, prices_path)
    report = costs.estimate(config, table)
    if state.json:
        emit_document(state, {"command": "cost", **costs.cost_to_json(report), "exit_code": 0})
    else:
        costs.render_cost_text(report, state.stdout)
    return 0


def _prices_path(state: CliState, deployment: str) -> Path:
    from orchestrator.paths import default_state_path

    return (state.state_path or default_state_path(deployment)).parent / "prices.json"


def _refresh_prices(state: CliState, table: Any, path: Path) -> Any:
    import datetime
    import os

    import requests

    from orchestrator import cost as costs

    try:
        url = os.environ.get("ORCHESTRATE_RETAIL_PRICES_URL") or costs.RETAIL_PRICES_URL  # a proxy or mirror
        result = costs.refresh_prices(table, url, today=datetime.date.today())
    except requests.RequestException as exc:
        raise errors.CloudError(f"could not reach the Azure Retail Prices API: {exc}") from None
    costs.save_prices(result.table, path)
    state.stderr.print(
        f"Prices refreshed into {path}: {len(result.changed)} changed, {len(result.unchanged)} unchanged,"
        f" {len(result.missing)} kept (meter not found), {len(result.duplicates)} duplicate meters logged."
    )
    return result.table


# -- kubeconfig -----------------------------------------------------------------------------------
@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=None,
    help="Write DIR/<cluster>.kubeconfig for each cluster (mode 0600).",
)
@click.option(
    "--merge", is_flag=True, help="Add the contexts to your kubeconfig ($KUBECONFIG or ~/.kube/config)."
)
@click.option("--admin", is_flag=True, help="Cluster-admin credentials instead of the cluster-user ones.")
@handled
def kubeconfig(state: CliState, directory: Path | None, merge: bool, admin: bool) -> int:
    """Write kubeconfigs for the clusters. Credentials never enter the state file."""
    from orchestrator import kubeconfig as kc
    from steps.names import clusters_rg

    if not directory and not merge:
        raise errors.UsageError("pass --dir DIR, --merge, or both")
    with make_app(state, "kubeconfig") as app:
        if not app.session.is_complete(2):
            raise errors.UsageError("phase 2 (AKS cluster provisioning) is not complete; run it first")
        docs = {
            c.name: kc.fetch(app.services.azure, clusters_rg(app.config), c.name, admin=admin)
            for c in app.config.clusters
        }
    files = _write_kubeconfigs(docs, directory, merge)
    for line in files:
        state.stdout.print(f"wrote {line}", highlight=False, markup=False)
    if state.json:
        emit_document(
            state,
            {
                "command": "kubeconfig",
                "deployment": app.config.name,
                "contexts": list(docs),
                "admin": admin,
                "files": files,
                "api_requests": app.counts.snapshot(),
                "duration_s": round(app.elapsed(), 3),
                "exit_code": 0,
            },
        )
    return 0


def _write_kubeconfigs(docs: dict[str, Any], directory: Path | None, merge: bool) -> list[str]:
    from orchestrator import kubeconfig as kc

    written = []
    if directory:
        for name, doc in docs.items():
            kc.write_private(directory / f"{name}.kubeconfig", doc)
            written.append(str(directory / f"{name}.kubeconfig"))
    if merge:
        target = kc.default_kubeconfig_path()
        kc.write_private(target, kc.merge(kc.read_existing(target), docs.values()))
        written.append(f"{target} (merged {len(docs)} contexts)")
    return written
