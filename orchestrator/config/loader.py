"""Read deployment.yaml into a validated `Deployment`, or raise `ConfigError` with every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from orchestrator.config.checks import Problem, check_deployment
from orchestrator.config.model import Deployment
from orchestrator.errors import ConfigError


def load_config(path: Path) -> Deployment:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([Problem(str(path), f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse_config(text, source=str(path))


def parse_config(text: str, *, source: str = "deployment.yaml") -> Deployment:
    data = _parse_yaml(text, source)
    try:
        config = Deployment.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_problem_from(err) for err in exc.errors()]) from None
    problems = check_deployment(config)
    if problems:
        raise ConfigError(problems)
    return config


def _parse_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([Problem(where, f"not valid YAML: {reason}")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([Problem(source, "the top level must be a mapping of settings")])
    return data


def yaml_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _problem_from(err: Any) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
    message: str = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown setting (check the spelling; `orchestrate init` writes every valid key)"
    elif err["type"] == "missing":
        message = "required setting is missing"
    message = message.removeprefix("Value error, ")
    return Problem(yaml_path(loc), message)
