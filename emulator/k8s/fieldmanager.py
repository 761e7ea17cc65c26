"""Simplified server-side apply: per-manager field ownership stored as ``managedFields`` (FieldsV1).

A field path is a tuple of FieldsV1 segments: ``f:<key>`` for map keys and ``k:{"name":"x"}`` for the
elements of lists with a merge key (containers, env, ports, ...). Other lists are atomic leaves.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .errors import KubeError
from .patching import _list_key, strategic_merge

Path = tuple[str, ...]
Owners = dict[tuple[str, str], set[Path]]  # (manager, operation) -> owned leaf paths
_IGNORED_META = ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp")


def _flatten(value: Any, prefix: Path, field: str, out: dict[Path, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _flatten(child, (*prefix, f"f:{key}"), key, out)
    elif isinstance(value, list) and value and (key := _list_key(field, value)):
        for item in value:
            segment = "k:" + json.dumps({key: item[key]}, separators=(",", ":"))
            _flatten(item, (*prefix, segment), "", out)
    else:
        out[prefix] = value


def flatten(obj: dict[str, Any]) -> dict[Path, Any]:
    """Leaf path -> value for the user-owned parts of an object (no status, no server metadata)."""
    out: dict[Path, Any] = {}
    for key, value in obj.items():
        if key in ("apiVersion", "kind", "status"):
            continue
        if key == "metadata":
            for mkey in ("labels", "annotations", "finalizers", "ownerReferences"):
                if mkey in value:
                    _flatten(value[mkey], ("f:metadata", f"f:{mkey}"), mkey, out)
            continue
        _flatten(value, (f"f:{key}",), key, out)
    return out


def _to_fields_v1(paths: set[Path]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for segment in path:
            node = node.setdefault(segment, {})
    return root


def _from_fields_v1(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for segment, child in tree.items():
        if segment == ".":
            continue
        if isinstance(child, dict) and child:
            out |= _from_fields_v1(child, (*prefix, segment))
        else:
            out.add((*prefix, segment))
    return out


def read_owners(obj: dict[str, Any] | None) -> Owners:
    owners: Owners = {}
    for entry in ((obj or {}).get("metadata") or {}).get("managedFields") or []:
        key = (entry.get("manager", ""), entry.get("operation", "Update"))
        owners[key] = _from_fields_v1(entry.get("fieldsV1") or {})
    return owners


def _resolve(container: Any, segment: str) -> tuple[Any, Any] | None:
    """(container, index-or-key) addressed by a segment, or None when absent."""
    if segment.startswith("f:") and isinstance(container, dict):
        key = segment[2:]
        return (container, key) if key in container else None
    if segment.startswith("k:") and isinstance(container, list):
        wanted = json.loads(segment[2:])
        for index, item in enumerate(container):
            if isinstance(item, dict) and all(item.get(k) == v for k, v in wanted.items()):
                return container, index
    return None


def delete_path(obj: dict[str, Any], path: Path) -> None:
    """Remove a leaf and prune the containers it leaves empty."""
    trail: list[tuple[Any, Any]] = []
    node: Any = obj
    for segment in path:
        found = _resolve(node, segment)
        if found is None:
            return
        trail.append(found)
        node = found[0][found[1]]
    leaf_container, leaf_slot = trail.pop()
    leaf_container.pop(leaf_slot)
    for container, slot in reversed(trail):
        if container[slot] not in ({}, []):
            break
        container.pop(slot)


def _describe(path: Path) -> str:
    return "".join("." + s[2:] if s.startswith("f:") else f"[{s[2:]}]" for s in path)


def _conflicts(owners: Owners, manager: str, applied: dict[Path, Any], current: dict[Path, Any]) -> list[str]:
    found = []
    for (other, operation), paths in owners.items():
        if (other, operation) == (manager, "Apply"):
            continue
        for path in sorted(paths & applied.keys()):
            if path in current and current[path] != applied[path]:
                found.append(f'conflict with "{other}"' + (" using Update" if operation == "Update" else ""))
                found[-1] += f": {_describe(path)}"
    return found


def apply(existing: dict[str, Any], config: dict[str, Any], manager: str, force: bool) -> dict[str, Any]:
    """Merge an applied configuration into ``existing`` and return the result with updated ownership."""
    owners = read_owners(existing)
    applied = flatten(config)
    current = flatten(existing)
    conflicts = _conflicts(owners, manager, applied, current)
    if conflicts and not force:
        message = f"Apply failed with {len(conflicts)} conflict(s): " + "; ".join(conflicts)
        causes = [{"reason": "FieldManagerConflict", "message": c} for c in conflicts]
        raise KubeError(409, message, "Conflict", {"causes": causes})
    changed = {p for p, v in applied.items() if p in current and current[p] != v}
    for key, owned_paths in owners.items():
        if key != (manager, "Apply"):
            owned_paths.difference_update(changed)
    result = copy.deepcopy(existing)
    previous = owners.get((manager, "Apply"), set())
    others = [paths for key, paths in owners.items() if key != (manager, "Apply")]
    still_owned: set[Path] = set().union(*others)
    for path in previous - applied.keys() - still_owned:
        delete_path(result, path)
    cleaned = {k: v for k, v in config.items() if k not in ("status",)}
    merged: dict[str, Any] = strategic_merge(result, cleaned)
    owners[(manager, "Apply")] = set(applied)
    _store_owners(merged, owners)
    return merged


def record_update(old: dict[str, Any] | None, new: dict[str, Any], manager: str) -> None:
    """Give ``manager`` (operation Update) ownership of the fields a non-apply write changed."""
    owners = read_owners(old)
    before = flatten(old or {})
    after = flatten(new)
    changed = {p for p, v in after.items() if before.get(p, object()) != v}
    gone = before.keys() - after.keys()
    for key, owned_paths in owners.items():
        owned_paths.difference_update(gone)
        if key != (manager, "Update"):
            owned_paths.difference_update(changed)
    owners.setdefault((manager, "Update"), set()).update(changed)
    _store_owners(new, owners)


def _store_owners(obj: dict[str, Any], owners: Owners) -> None:
    obj.setdefault("metadata", {})["managedFields"] = [
        {"manager": m, "operation": op, "fieldsType": "FieldsV1", "fieldsV1": _to_fields_v1(paths)}
        for (m, op), paths in sorted(owners.items())
        if paths
    ]


def stamp_managed_fields(obj: dict[str, Any], api_version: str, now: str) -> None:
    for entry in (obj.get("metadata") or {}).get("managedFields") or []:
        entry.setdefault("apiVersion", api_version)
        entry.setdefault("time", now)
