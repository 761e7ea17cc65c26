"""Patch formats: JSON merge patch (RFC 7386), strategic merge patch (simplified), JSON patch (RFC 6902)."""

from __future__ import annotations

import copy
from typing import Any

from .errors import KubeError

# list fields merged element-wise by key in a strategic merge patch (the rest are replaced)
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}
PORT_KEYS = ("containerPort", "port")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _list_key(field: str, items: list[Any]) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    if field == "ports":
        return next((k for k in PORT_KEYS if all(k in i for i in items)), None)
    key = MERGE_KEYS.get(field)
    if key and all(key in i for i in items):
        return key
    return None


def _merge_list(field: str, target: list[Any], patch: list[Any]) -> list[Any]:
    key = _list_key(field, patch) or _list_key(field, target + patch)
    if key is None or not all(isinstance(i, dict) and key in i for i in target):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and i.get("$patch"))]
    result = [copy.deepcopy(i) for i in target]
    for item in patch:
        index = next((n for n, cur in enumerate(result) if cur.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
        elif index is None:
            result.append(strategic_merge({}, item))
        else:
            result[index] = strategic_merge(result[index], item)
    return result


def strategic_merge(target: Any, patch: Any) -> Any:
    """Merge patch plus: lists of objects with a known merge key merge element-wise; ``$patch`` directives."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$") or key.startswith("$setElementOrder/") or key.startswith("$retainKeys"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(key, result[key], value)
        else:
            result[key] = strategic_merge(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise KubeError(422, f"invalid JSON pointer {path!r}", "Invalid")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(doc, list):
            try:
                doc = doc[int(part)]
            except (ValueError, IndexError) as exc:
                raise KubeError(422, f"index {part!r} out of range", "Invalid") from exc
        elif isinstance(doc, dict) and part in doc:
            doc = doc[part]
        else:
            raise KubeError(422, f"path element {part!r} not found", "Invalid")
    return doc


def _add(doc: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if index > len(parent):
            raise KubeError(422, f"index {last} out of range", "Invalid")
        parent.insert(index, value)
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise KubeError(422, "cannot add to a scalar", "Invalid")
    return doc


def _remove(doc: Any, parts: list[str]) -> tuple[Any, Any]:
    if not parts:
        raise KubeError(422, "cannot remove the whole document", "Invalid")
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    try:
        removed = parent.pop(int(last)) if isinstance(parent, list) else parent.pop(last)
    except (KeyError, ValueError, IndexError, AttributeError) as exc:
        raise KubeError(422, f"path {'/'.join(parts)!r} not found", "Invalid") from exc
    return doc, removed


def json_patch(target: Any, ops: Any) -> Any:
    """RFC 6902 operations add/remove/replace/move/copy/test."""
    if not isinstance(ops, list):
        raise KubeError(400, "json patch body must be a list of operations", "BadRequest")
    doc = copy.deepcopy(target)
    for op in ops:
        name, parts = op.get("op"), _pointer(op.get("path", ""))
        if name == "add":
            doc = _add(doc, parts, copy.deepcopy(op.get("value")))
        elif name == "remove":
            doc, _ = _remove(doc, parts)
        elif name == "replace":
            doc, _ = _remove(doc, parts) if parts else (doc, None)
            doc = _add(doc, parts, copy.deepcopy(op.get("value")))
        elif name in ("move", "copy"):
            source = _pointer(op.get("from", ""))
            value = copy.deepcopy(_walk(doc, source))
            if name == "move":
                doc, value = _remove(doc, source)
            doc = _add(doc, parts, value)
        elif name == "test":
            if _walk(doc, parts) != op.get("value"):
                raise KubeError(422, f"test operation failed at {op.get('path')!r}", "Invalid")
        else:
            raise KubeError(400, f"unsupported json patch operation {name!r}", "BadRequest")
    return doc
