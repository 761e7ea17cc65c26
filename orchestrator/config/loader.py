"""Read deployment.yaml into a validated `Deployment`, or raise `ConfigError` with every problem.

Whatever the file holds, the result is a `Deployment` or a `ConfigError` whose problems are each one
short line `path: message`; `source.py` bounds what the file may be before any setting is looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from orchestrator.config import source as files
from orchestrator.config.checks import Problem, check_deployment, key_path
from orchestrator.config.model import Deployment
from orchestrator.errors import ConfigError

MAX_PROBLEMS = 50
_MAX_LINE = 300


def load_config(path: Path) -> Deployment:
    with _one_line_problems():
        source = str(path)
        return _validate(files.read_mapping(files.decode(files.read_bytes(path), source), source))


def parse_config_bytes(data: bytes, *, source: str = "deployment.yaml") -> Deployment:
    with _one_line_problems():
        return _validate(files.read_mapping(files.decode(data, source), source))


def parse_config(text: str, *, source: str = "deployment.yaml") -> Deployment:
    with _one_line_problems():
        return _validate(files.read_mapping(text, source))


@contextmanager
def _one_line_problems() -> Iterator[None]:
    try:
        yield
    except ConfigError as exc:
        raise ConfigError(tidy(exc.problems)) from None


def validate(data: dict[str, Any]) -> Deployment:
    """A document already read (from YAML or elsewhere) into a `Deployment`, refused as a file is."""
    with _one_line_problems():
        return _validate(data)


def _validate(data: dict[str, Any]) -> Deployment:
    try:
        config = Deployment.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_problem_from(err) for err in exc.errors()]) from None
    problems = check_deployment(config)
    if problems:
        raise ConfigError(problems)
    return config


def tidy(problems: list[Problem]) -> list[Problem]:
    """Each problem on one line of bounded length, and not more of them than anyone reads."""
    shown = [
        Problem(_one_line(p.path, 120), _one_line(p.message, _MAX_LINE)) for p in problems[:MAX_PROBLEMS]
    ]
    if len(problems) > MAX_PROBLEMS:
        shown.append(
            Problem("(more)", f"{len(problems) - MAX_PROBLEMS} more problems; fix the ones above first")
        )
    return shown


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def yaml_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out = f"{out}[{part}]" if isinstance(part, int) else key_path(out, part)
    return out or "(top level)"


def _problem_from(err: Any) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
    message: str = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown setting (check the spelling; `orchestrate init` writes every valid key)"
    elif err["type"] == "missing":
        message = "required setting is missing"
    elif err["type"] == "finite_number":
        message = "must be a finite number (not .inf or .nan)"
    message = message.removeprefix("Value error, ")
    if "[key]" in loc:  # pydantic's marker for a problem with a mapping's key rather than its value
        loc, message = tuple(p for p in loc if p != "[key]"), f"the key: {message}"
    return Problem(yaml_path(loc), message)
