"""Clusters kept in their own SQLite files: reopening, controller kinds that persist, processes that share
a file, crash safety."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kube_testkit import TOKEN

from emulator.k8s import ControllerContext, KubeCluster
from emulator.k8s.controllerkinds import KINDS, ControllerKind

REPO = Path(__file__).resolve().parents[3]
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def _stamper(config: Mapping[str, Any]) -> Any:
    """A controller kind for the tests: labels every ConfigMap with its configured label."""
    label = str(config["label"])

    def reconcile(ctx: ControllerContext) -> None:
        for cm in ctx.list("v1", "ConfigMap", "default"):
            if (cm["metadata"].get("labels") or {}).get(label) != "yes":
                cm["metadata"].setdefault("labels", {})[label] = "yes"
                ctx.replace(cm)

    return reconcile


KINDS_FOR_TESTS = {**KINDS, "stamper": ControllerKind("stamper", "labels ConfigMaps (tests)", _stamper)}


def _create(cluster: KubeCluster, name: str) -> dict[str, Any]:
    reply = cluster.handle("POST", CONFIGMAPS, {}, HEADERS, json.dumps({"metadata": {"name": name}}).encode())
    assert reply.status == 201, reply.body
    return dict(json.loads(reply.body))


def _get(cluster: KubeCluster, path: str) -> tuple[int, Any]:
    reply = cluster.handle("GET", path, {}, HEADERS, b"")
    return reply.status, json.loads(reply.body)


def _content(cluster: KubeCluster) -> dict[str, Any]:
    """Settings, revision and objects, independent of the order they were loaded in."""
    data = cluster.to_json()
    objects = data["store"].pop("objects")
    data["objects"] = {
        k: sorted(v, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        for k, v in objects.items()
    }
    return data


def _labels(cluster: KubeCluster, name: str) -> dict[str, str]:
    return dict(_get(cluster, f"{CONFIGMAPS}/{name}")[1]["metadata"].get("labels") or {})


def test_a_saved_cluster_reopens_with_its_objects_and_controller_kinds(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    first = KubeCluster("c", TOKEN, controller_kinds=KINDS_FOR_TESTS)
    first.add_node("aks-system-0", pool="system", mode="System", spot=False, vm_size="Standard_D2s_v3")
    first.save_to(path)
    first.enable_controller("stamper", {"label": "seen"})
    _create(first, "one")
    assert _labels(first, "one") == {"seen": "yes"}
    snapshot = _content(first)
    first.close()

    again = KubeCluster.open(path, controller_kinds=KINDS_FOR_TESTS)
    assert _content(again) == snapshot  # every object, revision, settings
    assert again.controllers() == {"cilium-operator": {}, "stamper": {"label": "seen"}}
    _create(again, "two")
    assert _labels(again, "two") == {"seen": "yes"}  # the kind runs again after the reload
    again.disable_controller("stamper")
    again.close()
    assert KubeCluster.open(path, controller_kinds=KINDS_FOR_TESTS).controllers() == {"cilium-operator": {}}


def test_processes_sharing_a_file_see_each_others_writes(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    KubeCluster("c", TOKEN).save_to(path)
    one, two = KubeCluster.open(path), KubeCluster.open(path)  # two connections, as two processes have
    query = {
        "watch": ["true"],
        "resourceVersion": [str(one.to_json()["store"]["revision"])],
        "timeoutSeconds": ["5"],
    }
    watching = two.handle("GET", CONFIGMAPS, query, HEADERS, b"")
    assert watching.stream is not None
    next(watching.stream)  # no initial events at an explicit resourceVersion
    created = _create(one, "from-one")
    assert _get(two, f"{CONFIGMAPS}/from-one")[1]["metadata"]["uid"] == created["metadata"]["uid"]
    event = next(chunk for chunk in watching.stream if chunk)
    assert json.loads(event)["object"]["metadata"]["name"] == "from-one"
    _create(two, "from-two")  # the second writer starts after the first one's revision
    versions = {i["metadata"]["resourceVersion"] for i in _get(one, CONFIGMAPS)[1]["items"]}
    assert len(versions) == 3  # kube-root-ca.crt, from-one, from-two: no revision used twice
    one.set_powered(False)
    assert _get(two, CONFIGMAPS)[0] == 503


CRASH = """
import json, os, sys
from pathlib import Path
from emulator.k8s import KubeCluster
from emulator.k8s.controllerkinds import KINDS, ControllerKind

def crash(config):
    def reconcile(ctx):
        if ctx.get("v1", "ConfigMap", "default", "boom") is not None:
            os._exit(9)  # killed in the middle of a write
    return reconcile

kinds = {**KINDS, "crash": ControllerKind("crash", "dies", crash)}
cluster = KubeCluster.open(Path(sys.argv[1]), controller_kinds=kinds)
cluster.enable_controller("crash")
headers = {"Authorization": "Bearer %s", "Content-Type": "application/json"}
cluster.handle("POST", "/api/v1/namespaces/default/configmaps", {}, headers, b'{"metadata": {"name": "boom"}}')
"""


def test_a_killed_writer_leaves_the_file_as_of_the_last_commit(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cluster = KubeCluster("c", TOKEN)
    cluster.save_to(path)
    _create(cluster, "kept")
    cluster.close()
    script = textwrap.dedent(CRASH % TOKEN)
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], cwd=REPO, capture_output=True, timeout=60
    )
    assert done.returncode == 9, done.stderr
    kinds = {**KINDS, "crash": ControllerKind("crash", "inert here", lambda config: lambda ctx: None)}
    after = KubeCluster.open(path, controller_kinds=kinds)
    names = {i["metadata"]["name"] for i in _get(after, CONFIGMAPS)[1]["items"]}
    assert names == {"kube-root-ca.crt", "kept"}
    assert "crash" in after.controllers()  # committed before the fatal write
    _create(after, "later")  # and the file takes writes again
