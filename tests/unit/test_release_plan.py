"""A release's per-object plan: only the fields the render sets are compared, controller-owned ones
never show, every field change names its object, and a Secret's values show as `(sensitive)`."""

from __future__ import annotations

from typing import Any

import yaml

from orchestrator.charts.objects import parse_render
from orchestrator.secret import find_secrets
from steps.release_plan import ObjectAction, desired_body, plan_object


def _one(body: dict[str, Any]) -> Any:
    (obj,) = parse_render(yaml.safe_dump(body), namespace="demo", origin="test")
    return obj


def _live(want: dict[str, Any], **changes: Any) -> dict[str, Any]:
    from orchestrator.secret import reveal_all

    live = yaml.safe_load(yaml.safe_dump(reveal_all(want)))
    live["metadata"].update(
        uid="u-1", resourceVersion="7", generation=3, creationTimestamp="2026-12-01T00:00:00Z"
    )
    live["status"] = {"observedGeneration": 3}
    for path, value in changes.items():
        node = live
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return live


SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "api", "creationTimestamp": None},
    "spec": {"type": "LoadBalancer", "ports": [{"name": "https", "port": 443}]},
    "status": {"loadBalancer": {}},
}


def test_an_unchanged_object_is_a_noop_whatever_the_server_and_controllers_wrote() -> None:
    obj = _one(SERVICE)
    want = desired_body(obj, "aks-demo", "api")
    assert want["metadata"]["labels"]["orchestrate.io/release"] == "api"
    live = _live(want)
    live["spec"]["clusterIP"] = "172.16.0.9"  # a default the API server fills in
    live["status"] = {"loadBalancer": {"ingress": [{"ip": "10.4.0.7"}]}}
    assert plan_object(obj.ref, want, live).action is ObjectAction.NOOP


def test_drift_names_the_object_and_the_field_and_a_service_type_is_compared() -> None:
    obj = _one(SERVICE)
    want = desired_body(obj, "aks-demo", "api")
    plan = plan_object(obj.ref, want, _live(want, **{"spec.type": "ClusterIP"}))
    assert plan.action is ObjectAction.UPDATE
    assert [f.path for f in plan.fields] == ["Service/demo/api: spec.type"]


def test_a_missing_object_is_one_create_entry() -> None:
    obj = _one(SERVICE)
    plan = plan_object(obj.ref, desired_body(obj, "aks-demo", "api"), None)
    assert plan.action is ObjectAction.CREATE and [f.path for f in plan.fields] == ["Service/demo/api"]


def test_a_rendered_secret_is_compared_on_a_hash_and_shown_as_sensitive() -> None:
    obj = _one(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "first-value"}}
    )
    want = desired_body(obj, "aks-demo", "r")
    assert find_secrets(want) == ["data.k"]
    live = _live(want)
    live["data"] = {"k": "b3RoZXItdmFsdWU="}  # "other-value"
    from steps.release_plan import observed_body

    plan = plan_object(obj.ref, want, observed_body(obj.ref, live))
    assert [f.path for f in plan.fields] == ["Secret/demo/s: data.k"]
    assert "first-value" not in repr(plan.fields) and "other-value" not in repr(plan.fields)


def test_an_object_rendered_with_an_output_not_known_yet_is_flagged() -> None:
    from orchestrator.charts.order import stages
    from orchestrator.charts.render import Render
    from steps.release_plan import ReleasePlan, placeholders

    known, unknown = (
        _one(SERVICE),
        _one({**SERVICE, "metadata": {"name": "mesh"}, "spec": {"externalName": "(known after apply)"}}),
    )
    objects = {o.ref: plan_object(o.ref, desired_body(o, "d", "r"), None) for o in (known, unknown)}
    plan = ReleasePlan(
        Render("r", "c", "1.0.0", "sha256:x", (known, unknown)), stages((known, unknown)), objects
    )
    assert placeholders(plan) == ["Service/demo/mesh"]
