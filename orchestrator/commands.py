"""The CLI commands. Each parses its options, calls the session, and hands results to `report`."""

from __future__ import annotations

import functools
import logging
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orchestrator import errors
from orchestrator.cli import CliState

if TYPE_CHECKING:  # the engine and its pydantic models load only when a command runs
    from orchestrator.engine.phases import Phase
    from orchestrator.engine.results import PhaseResult
    from orchestrator.engine.session import Decision, SessionResult

F = TypeVar("F", bound=Callable[..., Any])


def handled(fn: F) -> F:
    """Run a command; render any product error (text or JSON) and return its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> int:
        state = click.get_current_context().find_object(CliState)
        assert state is not None
        try:
            return int(fn(state, *args, **kwargs) or 0)
        except errors.OrchestrateError as exc:
            return report_error(state, exc)
        except KeyboardInterrupt:
            return report_error(
                state,
                errors.OrchestrateError("interrupted; run `orchestrate resume` to continue"),
                code=errors.EXIT_INTERRUPTED,
            )
        except Exception as exc:  # a bug: say so plainly, keep the traceback for -v
            logging.getLogger("orchestrate").debug("internal error", exc_info=True)
            message = f"internal error: {type(exc).__name__}: {exc} (run with -v for details and report it)"
            return report_error(state, errors.OrchestrateError(message))

    return wrapper  # type: ignore[return-value]


def report_error(state: CliState, exc: errors.OrchestrateError, *, code: int | None = None) -> int:
    from orchestrator.output import emit_json

    exit_code = code if code is not None else exc.exit_code
    lines = [str(p) for p in getattr(exc, "problems", [])] or [str(exc)]
    if state.json:
        emit_json(sys.stdout, {"error": type(exc).__name__, "messages": lines, "exit_code": exit_code})
    for line in lines:
        state.stderr.print(f"[red]error:[/red] {line}", highlight=False, markup=True, soft_wrap=True)
    return exit_code


def _app(state: CliState, command: str) -> Any:
    from orchestrator.app import App, AppOptions
    from orchestrator.config import load_config
    from orchestrator.output import ProgressReporter

    if not state.config_path.exists():
        raise errors.UsageError(f"{state.config_path} not found; run `orchestrate init` to write one")
    config = load_config(state.config_path)
    reporter = ProgressReporter(state.stderr, verbose=state.verbose)
    options = AppOptions(state.config_path, state.state_path, state.cloud)
    return App(options, config, state.registry_factory(), state.services_factory, reporter, command)


def _document(
    app: Any, command: str, phases: list[PhaseResult], statuses: dict[int, str], code: int, **extra: Any
) -> dict[str, Any]:
    from orchestrator.output import change_totals, phase_document

    return {
        "command": command,
        "deployment": app.config.name,
        "phases": [phase_document(p, statuses.get(p.number, "planned")) for p in phases],
        "changes": change_totals(phases),
        "api_requests": app.counts.snapshot(),
        "duration_s": round(app.elapsed(), 3),
        "exit_code": code,
        **extra,
    }


def _statuses(app: Any, phases: list[PhaseResult]) -> dict[int, str]:
    """Each phase's status from the state; actions outside the phases (number 0) from their result."""
    return {
        p.number: app.store.phase(p.number).status.value if p.number else ("failed" if p.failed else "done")
        for p in phases
    }


def _continue_command(state: CliState, next_phase: int | None) -> str:
    words = ["orchestrate"]
    if state.config_path != Path("deployment.yaml"):
        words += ["--config", str(state.config_path)]
    if state.state_path is not None:
        words += ["--state", str(state.state_path)]
    if state.cloud != "azure":
        words += ["--cloud", state.cloud]
    words += ["run"] + (["--phase", str(next_phase)] if next_phase else [])
    return shlex.join(words)


# -- init -----------------------------------------------------------------------------------------
@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handled
def init(state: CliState, force: bool) -> int:
    """Write a deployment.yaml with the seed's topology as defaults."""
    from orchestrator.config.template import render_default_config

    path = state.config_path
    if path.exists() and not force:
        raise errors.UsageError(f"{path} already exists; pass --force to overwrite it")
    path.write_text(render_default_config(), encoding="utf-8")
    state.stdout.print(f"Wrote {path}. Next: `orchestrate plan`.")
    return 0


# -- plan -----------------------------------------------------------------------------------------
@click.command()
@click.option("--phase", type=int, default=None, help="Plan only this phase.")
@click.option("--strict-budget", is_flag=True, help="Fail when the always-on estimate exceeds the budget.")
@handled
def plan(state: CliState, phase: int | None, strict_budget: bool) -> int:
    """Preflight and show what would change, per step and field, and what it costs. Makes no writes."""
    with _app(state, "plan") as app:
        verdict = _budget_preflight(state, app, strict_budget)
        numbers = [phase] if phase else app.session.runnable()
        app.session.preflight(numbers)
        results = app.session.plan(numbers)
        code = errors.EXIT_STEP_FAILED if any(p.failed for p in results) else 0
        cost = _cost_delta(app)
        _emit(state, app, "plan", results, code, plan=True, cost=cost, budget=verdict)
        return code


def _budget_preflight(state: CliState, app: Any, strict: bool) -> dict[str, Any]:
    from orchestrator.cost import render_verdict_text, verdict_to_json
    from orchestrator.preflight import budget_verdict, enforce_budget

    verdict = budget_verdict(app.config)
    if not verdict.ok:
        render_verdict_text(verdict, state.stderr)
    enforce_budget(verdict, strict=strict)
    return verdict_to_json(verdict)


def _cost_delta(app: Any) -> dict[str, Any]:
    """How this plan moves the monthly bill, from the config of the last successful run."""
    from orchestrator.config.model import Deployment
    from orchestrator.cost import delta_to_json, estimate_delta

    applied = app.store.document.applied_config
    before = Deployment.model_validate(applied) if applied else None
    return delta_to_json(estimate_delta(before, app.config))


# -- run ------------------------------------------------------------------------------------------
@click.command()
@click.option("--phase", type=int, default=None, help="Run only this phase.")
@click.option("--yes", is_flag=True, help="Do not stop for confirmation between phases.")
@click.option("--dry-run", is_flag=True, help="Show what would change; make no writes.")
@click.option("--force", is_flag=True, help="Run --phase N even if an earlier phase is incomplete.")
@click.option("--strict-budget", is_flag=True, help="Fail when the always-on estimate exceeds the budget.")
@handled
def run(
    state: CliState, phase: int | None, yes: bool, dry_run: bool, force: bool, strict_budget: bool
) -> int:
    """Run phase N, or every pending phase in order, asking between phases."""
    from orchestrator.engine.session import SessionResult

    with _app(state, "run") as app:
        _budget_preflight(state, app, strict_budget)
        if not dry_run:
            app.session.preflight([phase] if phase is not None else app.session.runnable())
        if phase is not None:
            result = app.session.run_phase(phase, force=force, dry_run=dry_run)
            outcome = SessionResult(phases=[result])
        else:
            outcome = app.session.run_all(_confirm(state, yes, app.config), dry_run=dry_run)
        return _finish_run(state, app, "run", outcome, dry_run)


@click.command()
@click.option("--yes", is_flag=True, help="Do not stop for confirmation between phases.")
@handled
def resume(state: CliState, yes: bool) -> int:
    """Finish the interrupted phase from the state file, then go on as `run` would (asking first)."""
    from orchestrator.engine.session import SessionResult

    with _app(state, "resume") as app:
        if not app.store.exists or not app.session.resumable():
            state.stderr.print("Nothing to resume: no phase was interrupted. Use `orchestrate run`.")
            return _finish_run(state, app, "resume", SessionResult(), False)
        outcome = app.session.run_all(_confirm(state, yes, app.config))
        return _finish_run(state, app, "resume", outcome, False)


def _finish_run(state: CliState, app: Any, command: str, outcome: SessionResult, dry_run: bool) -> int:
    if not dry_run and outcome.phases and not (outcome.failed or outcome.interrupted):
        app.store.set_applied_config(app.config.model_dump(mode="json"))
    if outcome.interrupted:
        code = errors.EXIT_INTERRUPTED
    elif outcome.failed:
        code = errors.EXIT_STEP_FAILED
    elif outcome.stopped_at_confirmation:
        code = errors.EXIT_CONFIRMATION
    else:
        code = errors.EXIT_OK
    _emit(
        state,
        app,
        command,
        outcome.phases,
        code,
        plan=dry_run,
        next_command=_continue_command(state, None) if code == errors.EXIT_CONFIRMATION else None,
    )
    if code == errors.EXIT_CONFIRMATION:
        state.stderr.print(
            f"Stopped before phase {outcome.next_phase}. To continue: {_continue_command(state, None)} --yes",
            highlight=False,
        )
    elif code == errors.EXIT_INTERRUPTED:
        state.stderr.print(
            "Interrupted. To continue: " + _continue_command(state, None).replace(" run", " resume")
        )
    elif code == errors.EXIT_STEP_FAILED:
        state.stderr.print("A step failed; fix the cause above and run the same command again (it resumes).")
    return code


def _phase_cost_line(config: Any, phase: int) -> str:
    from orchestrator.cost import estimate

    demo = estimate(config).demo
    adds = sum((i.monthly for i in demo.items if i.phase == phase), start=type(demo.monthly_total)(0))
    return (
        f"Phase {phase} adds about ${adds:.2f}/month; all phases together: ${demo.monthly_total:.2f}/month."
    )


def _confirm(state: CliState, yes: bool, config: Any = None) -> Callable[[PhaseResult, Phase], Decision]:
    from orchestrator.engine.session import Decision
    from orchestrator.output import change_totals

    def ask(done: PhaseResult, upcoming: Phase) -> Decision:
        if yes:
            return Decision.CONTINUE
        if not state.interactive:
            return Decision.STOP
        totals = change_totals([done])
        state.stderr.print(
            f"\nPhase {done.number} ({done.name}) complete: {totals['create']} created, {totals['update']} updated,"
            f" {totals['noop']} unchanged."
        )
        if config is not None:
            state.stderr.print(_phase_cost_line(config, upcoming.number))
        ok = click.confirm(
            f"Continue with phase {upcoming.number} ({upcoming.name})?", default=False, err=True
        )
        return Decision.CONTINUE if ok else Decision.STOP

    return ask


# -- destroy --------------------------------------------------------------------------------------
@click.command()
@click.option("--phase", type=int, default=None, help="Destroy only this phase.")
@click.option("--yes", is_flag=True, help="Do not ask for the deployment name.")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; delete nothing.")
@handled
def destroy(state: CliState, phase: int | None, yes: bool, dry_run: bool) -> int:
    """Tear down in reverse order, only what this deployment owns."""
    with _app(state, "destroy") as app:
        numbers = [phase] if phase else app.session.destroy_candidates()
        preview = app.session.destroy(numbers, dry_run=True)
        if dry_run:
            _emit(state, app, "destroy", preview, 0, plan=True)
            return 0
        if not yes and not _confirm_destroy(state, app, preview):
            _emit(state, app, "destroy", preview, errors.EXIT_CONFIRMATION, plan=True)
            return errors.EXIT_CONFIRMATION
        results = app.session.destroy(numbers, dry_run=False)
        code = errors.EXIT_STEP_FAILED if any(p.failed or p.interrupted for p in results) else 0
        _emit(state, app, "destroy", results, code)
        return code


def _confirm_destroy(state: CliState, app: Any, preview: list[PhaseResult]) -> bool:
    from orchestrator.output import render_plan

    render_plan(state.stderr, preview)
    if not state.interactive:
        state.stderr.print("Not deleting: no terminal to confirm on. Pass --yes to destroy without asking.")
        return False
    typed = click.prompt(
        f"Type the deployment name ({app.config.name}) to delete these resources",
        err=True,
        default="",
        show_default=False,
    )
    return bool(typed.strip() == app.config.name)


# -- status ---------------------------------------------------------------------------------------
@click.command()
@handled
def status(state: CliState) -> int:
    """Phases and steps with their state, read from the state file (no API calls)."""
    from orchestrator.output import emit_json, render_status
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
        emit_json(sys.stdout, _status_document(doc, names))
    else:
        render_status(state.stdout, doc, names, available)
    return 0


def _deployment_name(state: CliState) -> str:
    if not state.config_path.exists():
        raise errors.UsageError(f"{state.config_path} not found; pass --config or --state")
    from orchestrator.paths import deployment_name_of

    return deployment_name_of(state.config_path)


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
    from orchestrator.output import emit_json

    if not state.config_path.exists():
        raise errors.UsageError(f"{state.config_path} not found; run `orchestrate init` to write one")
    config = load_config(state.config_path)
    prices_path = _prices_path(state, config.name)
    table = costs.load_prices(prices_path if prices_path.exists() else None)
    if refresh:
        table = _refresh_prices(state, table, prices_path)
    report = costs.estimate(config, table)
    if state.json:
        emit_json(sys.stdout, costs.cost_to_json(report))
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
    with _app(state, "kubeconfig") as app:
        if not app.session.is_complete(2):
            raise errors.UsageError("phase 2 (AKS cluster provisioning) is not complete; run it first")
        docs = {
            c.name: kc.fetch(app.services.azure, clusters_rg(app.config), c.name, admin=admin)
            for c in app.config.clusters
        }
    written = []
    if directory:
        for name, doc in docs.items():
            kc.write_private(directory / f"{name}.kubeconfig", doc)
            written.append(str(directory / f"{name}.kubeconfig"))
    if merge:
        target = kc.default_kubeconfig_path()
        kc.write_private(target, kc.merge(kc.read_existing(target), docs.values()))
        written.append(f"{target} (merged {len(docs)} contexts)")
    for line in written:
        state.stdout.print(f"wrote {line}")
    return 0


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
    with _app(state, command) as app:
        title = "stop clusters" if command == "stop" else "start clusters"
        result = app.session.act(title, power_steps(app.config, target), needs_phase=2)  # type: ignore[arg-type]
        code = errors.EXIT_STEP_FAILED if result.failed or result.interrupted else 0
        _emit(state, app, command, [result], code)
        return code


# -- shared rendering -----------------------------------------------------------------------------
def _emit(
    state: CliState,
    app: Any,
    command: str,
    phases: list[PhaseResult],
    code: int,
    *,
    plan: bool = False,
    **extra: Any,
) -> None:
    from orchestrator.output import emit_json, render_plan

    if state.json:
        doc = _document(
            app,
            command,
            phases,
            {} if plan else _statuses(app, phases),
            code,
            **{k: v for k, v in extra.items() if v is not None},
        )
        emit_json(sys.stdout, doc)
        return
    render_plan(state.stdout, phases, applied=not plan)
    if extra.get("cost"):
        cost = extra["cost"]
        state.stdout.print(
            f"Monthly estimate: ${cost['before_monthly']:.2f} -> ${cost['after_monthly']:.2f}"
            f" ({cost['delta_monthly']:+.2f}); `orchestrate cost` itemises it."
        )
    counts = app.counts.snapshot()
    state.stdout.print(
        f"API requests: Azure {counts['azure']['read']} read / {counts['azure']['write']} write;"
        f" Kubernetes {counts['kubernetes']['read']} read / {counts['kubernetes']['write']} write."
        f" {app.elapsed():.1f}s",
        highlight=False,
    )


ALL = [init, plan, run, resume, destroy, status, cost, kubeconfig, stop, start]
