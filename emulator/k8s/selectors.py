"""Label selectors (string and LabelSelector forms) and field selectors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

_SET_RE = re.compile(r"^\s*([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist, Gt, Lt
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.operator == "In":
            return present and value in self.values
        if self.operator == "NotIn":
            return not present or value not in self.values
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        if self.operator in ("Gt", "Lt") and present and self.values:
            try:
                left, right = int(value or ""), int(self.values[0])
            except ValueError:
                return False
            return left > right if self.operator == "Gt" else left < right
        return False


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _parse_term(term: str) -> Requirement:
    match = _SET_RE.match(term)
    if match:
        values = tuple(v.strip() for v in match.group(3).split(",") if v.strip())
        return Requirement(match.group(1), "In" if match.group(2) == "in" else "NotIn", values)
    for op, name in (("!=", "NotIn"), ("==", "In"), ("=", "In")):
        if op in term:
            key, _, value = term.partition(op)
            return Requirement(key.strip(), name, (value.strip(),))
    if term.startswith("!"):
        return Requirement(term[1:].strip(), "DoesNotExist")
    if re.fullmatch(r"[A-Za-z0-9._/-]+", term):
        return Requirement(term, "Exists")
    raise bad_request(f"unable to parse requirement: {term!r}")


def parse_label_selector(text: str | None) -> list[Requirement]:
    return [_parse_term(t) for t in _split_top_level(text or "")]


def from_label_selector(selector: Mapping[str, Any] | None) -> list[Requirement]:
    """Requirements of a ``metav1.LabelSelector`` (matchLabels + matchExpressions)."""
    if not selector:
        return []
    reqs = [Requirement(k, "In", (str(v),)) for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        reqs.append(Requirement(expr["key"], expr["operator"], tuple(expr.get("values") or ())))
    return reqs


def matches(reqs: list[Requirement], labels: Mapping[str, str] | None) -> bool:
    labels = labels or {}
    return all(r.matches(labels) for r in reqs)


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str] | None) -> bool:
    """A LabelSelector; an empty or missing selector matches nothing (as for controllers and PDBs)."""
    reqs = from_label_selector(selector)
    return bool(reqs) and matches(reqs, labels)


@dataclass(frozen=True)
class FieldRequirement:
    path: tuple[str, ...]
    value: str
    negate: bool

    def matches(self, obj: Mapping[str, Any]) -> bool:
        current: Any = obj
        for part in self.path:
            current = current.get(part) if isinstance(current, Mapping) else None
        actual = (
            "" if current is None else str(current).lower() if isinstance(current, bool) else str(current)
        )
        return (actual != self.value) if self.negate else (actual == self.value)


def parse_field_selector(text: str | None) -> list[FieldRequirement]:
    out = []
    for term in _split_top_level(text or ""):
        for op in ("!=", "==", "="):
            if op in term:
                key, _, value = term.partition(op)
                out.append(FieldRequirement(tuple(key.strip().split(".")), value.strip(), op == "!="))
                break
        else:
            raise bad_request(f"invalid field selector: {term!r}")
    return out


def fields_match(reqs: list[FieldRequirement], obj: Mapping[str, Any]) -> bool:
    return all(r.matches(obj) for r in reqs)
