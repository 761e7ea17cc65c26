"""The JSONPath subset CRD ``additionalPrinterColumns`` use: ``.a.b``, ``['k']``, ``[0]``, ``[*]``,
``[?(@.type=="Ready")]`` (``==``/``!=``), evaluated the way kubectl's JSONPath does (a list of matches).
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(
    r"""\.(?P<field>[A-Za-z0-9_$-]+)          # .field
      | \[\s*'(?P<quoted>[^']*)'\s*\]        # ['field']
      | \[\s*"(?P<dquoted>[^"]*)"\s*\]       # ["field"]
      | \[\s*(?P<index>-?\d+)\s*\]           # [0]
      | \[\s*\*\s*\]                         # [*]
      | \[\s*\?\(\s*@(?P<fpath>(?:\.[A-Za-z0-9_$-]+)+)\s*(?P<op>==|!=)\s*
        (?:"(?P<fs>[^"]*)"|'(?P<fs2>[^']*)'|(?P<fn>[^)\s]+))\s*\)\s*\]   # [?(@.a=="x")]
      | \.\*                                  # .*
    """,
    re.VERBOSE,
)


class JsonPathError(ValueError):
    pass


def _steps(path: str) -> list[re.Match[str]]:
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    if text.startswith("$"):
        text = text[1:]
    if text and not text.startswith((".", "[")):
        text = "." + text
    steps, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise JsonPathError(f"unsupported JSONPath {path!r} at {text[pos:]!r}")
        steps.append(match)
        pos = match.end()
    return steps


def _filter_value(match: re.Match[str]) -> str:
    for group in ("fs", "fs2", "fn"):
        if match.group(group) is not None:
            return str(match.group(group))
    return ""


def _lookup(value: Any, dotted: str) -> Any:
    for part in dotted.strip(".").split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


def _apply(match: re.Match[str], node: Any) -> list[Any]:
    field = match.group("field") or match.group("quoted") or match.group("dquoted")
    if field is not None:
        return [node[field]] if isinstance(node, dict) and field in node else []
    if match.group("index") is not None:
        index = int(match.group("index"))
        return [node[index]] if isinstance(node, list) and -len(node) <= index < len(node) else []
    if match.group("op") is not None:
        wanted, equal = _filter_value(match), match.group("op") == "=="
        items = node if isinstance(node, list) else []
        return [i for i in items if (_text(_lookup(i, match.group("fpath"))) == wanted) == equal]
    if isinstance(node, list):
        return list(node)
    return list(node.values()) if isinstance(node, dict) else []


def evaluate(path: str, obj: Any) -> list[Any]:
    """Every value ``path`` selects in ``obj`` (empty when nothing matches)."""
    nodes = [obj]
    for step in _steps(path):
        nodes = [found for node in nodes for found in _apply(step, node)]
    return nodes
