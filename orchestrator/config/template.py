"""Render a commented deployment.yaml from the model's defaults (what `orchestrate init` writes)."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel

from orchestrator.config.model import Deployment

_HEADER = """\
# deployment.yaml for `orchestrate`: the seed's three-cluster AKS demo platform in Korea Central.
# Every key is shown with its default. Validate with `orchestrate plan`; unknown keys are errors.
# Cost: run `orchestrate cost` to see what this topology costs per month before you create it.
"""


def render_default_config() -> str:
    return _HEADER + "\n".join(_render_model(Deployment(), indent=0)) + "\n"


def _render_model(model: BaseModel, indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if field.description:
            lines.append(f"{pad}# {field.description}")
        lines.extend(_render_value(name, value, indent))
    return lines


def _render_value(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, BaseModel):
        return [f"{pad}{key}:", *_render_model(value, indent + 2)]
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        lines = [f"{pad}{key}:"]
        for item in value:
            body = _render_model(item, indent + 4)
            first = next(i for i, line in enumerate(body) if not line.lstrip().startswith("#"))
            body[first] = f"{pad}  - " + body[first].lstrip()
            lines.extend(body)
        return lines
    return [f"{pad}{key}: {_scalar(value)}"]


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()
