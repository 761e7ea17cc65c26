"""The real kubectl (default output) against an AKS cluster of the local cloud, through the admin
kubeconfig listClusterAdminCredential returns. ``--validate=false`` until the OpenAPI documents land."""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aks_testkit import CNI_DAEMONSET
from cloud_kit import SETTINGS, AksCluster, create_aks
from kubectl_kit import Kubectl, kubectl_binary, table, write_kubeconfig
from kubernetes import client

from emulator import LocalCloud

BINARY = kubectl_binary()
pytestmark = pytest.mark.skipif(
    BINARY is None, reason="no kubectl (.venv/bin/kubectl or /tmp/layer/ex/kubectl)"
)
BACKUP_CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: backups.velero.io}
spec:
  group: velero.io
  scope: Namespaced
  names: {kind: Backup, plural: backups}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Phase, type: string, jsonPath: .status.phase}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              ttlHours: {type: integer, minimum: 1}
          status:
            type: object
            properties:
              phase: {type: string}
"""


@pytest.fixture(scope="module")
def aks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AksCluster]:
    with LocalCloud.start(tmp_path_factory.mktemp("cloud"), SETTINGS) as cloud:
        found = create_aks(cloud)
        client.AppsV1Api(found.api()).create_namespaced_daemon_set("kube-system", CNI_DAEMONSET)
        yield found


@pytest.fixture(scope="module")
def kubectl(aks: AksCluster, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    assert BINARY is not None
    return Kubectl(BINARY, aks.kubeconfig(tmp_path_factory.mktemp("kube") / "admin.kubeconfig"))


def test_get_nodes_and_pods_show_the_server_side_columns(kubectl: Kubectl) -> None:
    nodes = table(kubectl.run("get", "nodes").stdout)
    assert nodes[0] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert {row[1] for row in nodes[1:]} == {"Ready"} and len(nodes) == 4
    assert {row[4] for row in nodes[1:]} == {"v1.33.3"}
    wide = table(kubectl.run("get", "nodes", "-o", "wide").stdout)
    assert wide[0][5:7] == ["INTERNAL-IP", "EXTERNAL-IP"] and wide[1][5].startswith("10.")
    pods = table(kubectl.run("get", "pods", "-A").stdout)
    assert pods[0] == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    coredns = [row for row in pods[1:] if row[1].startswith("coredns-")]
    assert coredns and all(row[2:4] == ["1/1", "Running"] for row in coredns)
    everything = kubectl.run("get", "all", "-n", "kube-system").stdout
    assert "deployment.apps/coredns" in everything and "daemonset.apps/cilium" in everything


def test_get_watch_keeps_printing_changes_made_after_it_started(kubectl: Kubectl, aks: AksCluster) -> None:
    process = kubectl.start("get", "configmaps", "-n", "default", "-w")
    try:
        output = Lines(process)
        lines = output.until("kube-root-ca.crt")
        assert lines[0].split()[:3] == ["NAME", "DATA", "AGE"]
        core = client.CoreV1Api(aks.api())
        core.create_namespaced_config_map("default", {"metadata": {"name": "late"}, "data": {"a": "1"}})
        assert output.until("late")[-1].split()[:2] == ["late", "1"]
        core.patch_namespaced_config_map("late", "default", {"data": {"b": "2"}})
        assert output.until("late")[-1].split()[:2] == ["late", "2"]
        assert process.poll() is None  # still watching
    finally:
        process.kill()
        process.wait(timeout=10)


class Lines:
    """The stdout lines of a running process, read in a thread."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def until(self, word: str, timeout: float = 20) -> list[str]:
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            seen.append(line)
            if word in line:
                return seen
        raise AssertionError(f"kubectl never printed {word!r}; got {seen}")


def test_rollout_status_of_a_daemonset_finishes(kubectl: Kubectl) -> None:
    done = kubectl.run("rollout", "status", "ds/cilium", "-n", "kube-system", "--timeout=30s")
    assert 'daemon set "cilium" successfully rolled out' in done.stdout


def test_auth_can_i_and_whoami(kubectl: Kubectl, aks: AksCluster, tmp_path: Path) -> None:
    assert kubectl.run("auth", "can-i", "create", "deployments").stdout.strip() == "yes"
    whoami = table(kubectl.run("auth", "whoami").stdout)
    assert ["Username", "masterclient"] in whoami
    core = client.CoreV1Api(aks.api())
    core.create_namespaced_service_account("default", {"metadata": {"name": "reader"}})
    token = core.create_namespaced_service_account_token("reader", "default", {"spec": {}}).status.token
    admin = kubectl.kubeconfig.read_text()
    server = admin.split("server: ")[1].split()[0]
    ca = tmp_path / "ca.pem"
    ca.write_text(aks.cloud.ca_path.read_text())
    reader = Kubectl(kubectl.binary, write_kubeconfig(tmp_path / "reader.kubeconfig", server, ca, token))
    refused = reader.run("auth", "can-i", "create", "deployments", check=False)
    assert (refused.returncode, refused.stdout.strip()) == (1, "no")
    assert "system:serviceaccount:default:reader" in reader.run("auth", "whoami").stdout


def test_crd_columns_and_an_invalid_resource_named_by_field(kubectl: Kubectl, tmp_path: Path) -> None:
    kubectl.run("apply", "--validate=false", "-f", "-", stdin=BACKUP_CRD)
    good = "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: nightly, namespace: default}\nspec: {ttlHours: 24}\n"
    kubectl.run("apply", "--validate=false", "-f", "-", stdin=good)
    listed = table(kubectl.run("get", "backups", "-n", "default").stdout)
    assert listed[0] == ["NAME", "PHASE", "AGE"] and listed[1][0] == "nightly"
    bad = good.replace("nightly", "broken").replace("ttlHours: 24", "ttlHours: 0")
    refused = kubectl.run("apply", "--validate=false", "-f", "-", stdin=bad, check=False)
    assert refused.returncode != 0
    assert 'The Backup "broken" is invalid: spec.ttlHours: Invalid value: 0' in refused.stderr
    assert kubectl.run("diff", "-f", "-", stdin=good, check=False).returncode == 0  # no false change
