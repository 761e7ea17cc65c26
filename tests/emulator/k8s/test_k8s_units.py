"""Pure helpers: toleration matching, selectors, patch formats, quantities, field ownership."""

from __future__ import annotations

import pytest

from emulator.k8s.errors import KubeError
from emulator.k8s.fieldmanager import apply, flatten
from emulator.k8s.patching import json_patch, merge_patch, strategic_merge
from emulator.k8s.quantity import parse_quantity
from emulator.k8s.scheduler import tolerates
from emulator.k8s.selectors import matches, parse_field_selector, parse_label_selector

SPOT = {"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("toleration", "expected"),
    [
        ({"operator": "Exists"}, True),
        ({"key": "kubernetes.azure.com/scalesetpriority", "operator": "Exists"}, True),
        ({"key": "kubernetes.azure.com/scalesetpriority", "value": "spot"}, True),
        ({"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoExecute"}, False),
        ({"key": "kubernetes.azure.com/scalesetpriority", "value": "regular"}, False),
        ({"key": "other", "operator": "Exists"}, False),
        ({"value": "spot"}, False),
    ],
)
def test_toleration_matching(toleration: dict[str, str], expected: bool) -> None:
    assert tolerates(toleration, SPOT) is expected


def test_label_and_field_selector_parsing() -> None:
    labels = {"app": "web", "tier": "front"}
    assert matches(parse_label_selector("app=web,tier in (front, back)"), labels)
    assert not matches(parse_label_selector("app=web,!tier"), labels)
    assert matches(parse_label_selector("env notin (prod),app"), labels)
    with pytest.raises(KubeError):
        parse_label_selector("a b c")
    (req,) = parse_field_selector("status.phase!=Running")
    assert req.matches({"status": {"phase": "Pending"}}) and not req.matches({"status": {"phase": "Running"}})


def test_patch_formats() -> None:
    doc = {"a": {"b": 1, "c": [1, 2]}, "d": "x"}
    assert merge_patch(doc, {"a": {"b": None}, "e": 1}) == {"a": {"c": [1, 2]}, "d": "x", "e": 1}
    ops = [
        {"op": "add", "path": "/a/c/-", "value": 3},
        {"op": "replace", "path": "/d", "value": "y"},
        {"op": "copy", "from": "/d", "path": "/f"},
        {"op": "move", "from": "/a/b", "path": "/g"},
        {"op": "test", "path": "/g", "value": 1},
        {"op": "remove", "path": "/a/c/0"},
    ]
    assert json_patch(doc, ops) == {"a": {"c": [2, 3]}, "d": "y", "f": "y", "g": 1}
    with pytest.raises(KubeError):
        json_patch(doc, [{"op": "test", "path": "/d", "value": "nope"}])
    spec = {
        "containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}],
        "tolerations": [{"key": "x"}],
    }
    patched = strategic_merge(
        spec,
        {"containers": [{"name": "b", "$patch": "delete"}, {"name": "c"}], "tolerations": [{"key": "y"}]},
    )
    assert patched == {
        "containers": [{"name": "a", "image": "1"}, {"name": "c"}],
        "tolerations": [{"key": "y"}],
    }


def test_quantities() -> None:
    assert parse_quantity("100m") == pytest.approx(0.1)
    assert parse_quantity("2") == 2
    assert parse_quantity("1Gi") == 2**30
    assert parse_quantity("500M") == 5e8


def test_field_ownership_paths_and_shared_ownership() -> None:
    config = {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    paths = set(flatten(config))
    assert ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"web"}', "f:image") in paths
    first = apply({"metadata": {"name": "d"}}, config, "a", force=False)
    shared = apply(first, config, "b", force=False)
    managers = {e["manager"] for e in shared["metadata"]["managedFields"]}
    assert managers == {"a", "b"}
    changed = {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "httpd"}]}}}}
    with pytest.raises(KubeError) as err:
        apply(shared, changed, "c", force=False)
    assert err.value.code == 409 and 'conflict with "a"' in err.value.message
    forced = apply(shared, changed, "c", force=True)
    owners = {e["manager"]: str(e["fieldsV1"]) for e in forced["metadata"]["managedFields"]}
    assert set(owners) == {"a", "b", "c"}  # a and b keep the unchanged container name
    assert "f:image" in owners["c"] and "f:image" not in owners["a"]
