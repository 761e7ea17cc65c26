"""CLI conventions: global options before or after the command (after wins), exactly one JSON document
on stdout with --output json whatever happens, and exit codes from one mapping."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest

from orchestrator import errors
from orchestrator.cli import build_cli, wants_json
from orchestrator.config.template import render_default_config
from orchestrator.engine.context import Interrupted
from tests.support.cli import CliResult
from tests.support.inprocess import run_main


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path


def one_document(result: CliResult) -> dict[str, Any]:
    """stdout is exactly one JSON document (json.loads refuses two, or text around one)."""
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    assert document["exit_code"] == result.code, result
    return document


# -- one mapping decides the exit code -------------------------------------------------------------
RAISED = [
    (errors.ConfigError([]), 2),
    (errors.UsageError("x"), 2),
    (errors.PreflightError([]), 2),
    (errors.StateError("x"), 2),
    (errors.StateLockedError("s.json", "pid 1"), 4),
    (errors.CloudError("x"), 1),
    (errors.StepTimeout("x"), 1),
    (Interrupted("x"), 130),
    (KeyboardInterrupt(), 130),
    (click.exceptions.Abort(), 130),
    (click.UsageError("x"), 2),
    (click.BadParameter("x"), 2),
    (click.ClickException("x"), 2),
    (RuntimeError("a bug"), 1),
]


@pytest.mark.parametrize(("exc", "code"), RAISED, ids=[type(e).__name__ for e, _ in RAISED])
def test_what_a_command_raises_maps_to_one_exit_code(exc: BaseException, code: int) -> None:
    assert errors.exit_code_for(exc) == code


@dataclass
class Ended:
    failed: bool = False
    interrupted: bool = False


ENDINGS = [
    ([], False, 0),
    ([Ended()], False, 0),
    ([Ended(), Ended(failed=True)], False, 1),
    ([Ended(interrupted=True)], False, 130),
    ([Ended(failed=True), Ended(interrupted=True)], True, 130),
    ([Ended(failed=True)], True, 1),
    ([Ended()], True, 3),
    ([], True, 3),
]


@pytest.mark.parametrize(("results", "stopped", "code"), ENDINGS)
def test_how_a_command_ended_maps_to_one_exit_code(results: list[Ended], stopped: bool, code: int) -> None:
    assert errors.exit_code_of(*results, stopped=stopped) == code


# -- global options after the command --------------------------------------------------------------
def test_output_json_after_the_command(root: Path) -> None:
    result = run_main(["plan", "--output", "json"], cwd=root)
    document = one_document(result)
    assert (document["command"], document["error"], result.code) == ("plan", "UsageError", 2)
    assert "orchestrate init" in document["messages"][0]


def test_the_value_after_the_command_wins(root: Path) -> None:
    assert one_document(run_main(["--output", "text", "status", "--output", "json"], cwd=root))
    text = run_main(["--output", "json", "status", "--output", "text", "--state", "none.json"], cwd=root)
    assert text.code == 0 and not text.stdout.lstrip().startswith("{"), text
    result = run_main(["--config", "a.yaml", "plan", "--config", "b.yaml"], cwd=root)
    assert result.code == 2 and "b.yaml not found" in result.stderr and "a.yaml" not in result.stderr


def test_every_global_option_is_accepted_after_the_command(root: Path) -> None:
    (root / "deployment.yaml").write_text(render_default_config())
    args = [
        "status",
        "--config",
        "deployment.yaml",
        "--state",
        "s.json",
        "--cloud",
        "local",
        "--output",
        "json",
        "-v",
    ]
    document = one_document(run_main(args, cwd=root))
    assert (document["command"], document["deployment"]) == ("status", None)


def test_a_bad_value_after_the_command_is_bad_input_in_json_too(root: Path) -> None:
    result = run_main(["plan", "--cloud", "nowhere", "--output", "json"], cwd=root)
    document = one_document(result)
    assert result.code == 2 and document["error"] == "BadParameter" and "nowhere" in document["messages"][0]


def test_a_command_help_lists_the_global_options(root: Path) -> None:
    result = run_main(["run", "--help"], cwd=root)
    assert result.code == 0
    assert all(opt in result.stdout for opt in ("--config", "--state", "--cloud", "--output", "--verbose"))


def test_building_the_cli_twice_does_not_add_the_options_twice() -> None:
    build_cli()
    plan = build_cli().commands["plan"]
    names = [p.name for p in plan.params]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("args", "json_wanted"),
    [
        (["--output", "json", "plan"], True),
        (["plan", "--output=json"], True),
        (["--output", "json", "plan", "--output", "text"], False),
        (["plan", "--", "--output", "json"], False),
        (["plan"], False),
    ],
)
def test_json_is_recognised_where_click_may_have_refused_the_line(args: list[str], json_wanted: bool) -> None:
    assert wants_json(args) is json_wanted


# -- exactly one JSON document, success or failure ------------------------------------------------
def test_init_cost_and_status_print_one_document(root: Path) -> None:
    init = one_document(run_main(["init", "--output", "json"], cwd=root))
    assert init["command"] == "init" and (root / "deployment.yaml").exists()
    again = one_document(run_main(["init", "--output", "json"], cwd=root))
    assert again["exit_code"] == 2 and "--force" in again["messages"][0]
    cost = one_document(run_main(["cost", "--output", "json"], cwd=root))
    assert cost["command"] == "cost" and cost["demo"]["monthly_total"] > 0
    status = one_document(run_main(["status", "--output", "json"], cwd=root))
    assert status["command"] == "status"


NEEDS_CONFIG = [
    ["plan"],
    ["run", "--phase", "1", "--yes"],
    ["resume", "--yes"],
    ["destroy", "--yes"],
    ["stop"],
    ["start"],
    ["kubeconfig", "--dir", "kube"],
    ["cost"],
]


@pytest.mark.parametrize("args", NEEDS_CONFIG, ids=[a[0] for a in NEEDS_CONFIG])
def test_a_failing_command_still_prints_one_document(root: Path, args: list[str]) -> None:
    result = run_main([*args, "--cloud", "local", "--output", "json"], cwd=root)
    document = one_document(result)
    assert (document["command"], document["exit_code"]) == (args[0], 2)
    assert document["messages"] and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args", [["--output", "json", "plan", "--phase", "x"], ["--output", "json", "nosuchcommand"]]
)
def test_a_usage_error_prints_one_document(root: Path, args: list[str]) -> None:
    result = run_main(args, cwd=root)
    assert result.code == 2 and one_document(result)["messages"], result
    assert "Usage:" in result.stderr


@pytest.mark.parametrize(("raised", "code"), [(RuntimeError("boom"), 1), (KeyboardInterrupt(), 130)])
def test_a_bug_or_ctrl_c_inside_a_command_prints_one_document_and_no_traceback(
    root: Path, raised: BaseException, code: int
) -> None:
    (root / "deployment.yaml").write_text(render_default_config())

    def services(app: Any) -> Any:
        raise raised

    result = run_main(["plan", "--output", "json"], cwd=root, cli=build_cli(services_factory=services))
    document = one_document(result)
    assert result.code == code and "Traceback" not in result.stderr
    if code == 1:
        assert document["messages"][0].startswith("internal error: RuntimeError: boom")


def test_status_with_an_unreadable_config_says_so_and_still_works(root: Path) -> None:
    (root / "deployment.yaml").write_bytes(b"\xff\xfe" + "name: x".encode("utf-16-le"))
    result = run_main(["status", "--output", "json"], cwd=root)
    assert one_document(result)["command"] == "status" and "UTF-16" in result.stderr


# -- the real-subscription test does not pass when preflight refuses -------------------------------
def test_the_real_subscription_test_fails_when_preflight_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tests.azure.test_real_subscription as real

    refused = {"command": "plan", "error": "PreflightError", "messages": ["quota: too low"], "exit_code": 2}
    monkeypatch.setattr(real, "run_cli", lambda *a, **k: CliResult(2, json.dumps(refused), ""))
    with pytest.raises(pytest.fail.Exception, match="quota: too low"):
        real.test_plan_phases_1_and_2_against_a_real_subscription_makes_no_writes(tmp_path)
