"""The pinned kubectl 1.32 and helm 3.17, with default flags, against an AKS cluster of the local cloud
(admin kubeconfig from listClusterAdminCredential): client-side validation and ``kubectl explain`` from
the OpenAPI documents, and the typed writes that both send as protobuf."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from aks_testkit import CNI_DAEMONSET
from clients_kit import Client, jwt_claims, missing
from cloud_kit import SETTINGS, AksCluster, create_aks
from kubernetes import client

from emulator import LocalCloud

APP = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: shop}
data: {password: czNjcmV0}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        env: [{name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox:1.36, command: ["true"]}]
"""
INVALID = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: default}
spec:
  replicas: "three"
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec:
      containers: [{name: web, image: nginx:1.27, imagePullPolice: Always}]
"""
WIDGET_CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.demo.example.com}
spec:
  group: demo.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: What the widget should look like.
            required: [size]
            properties:
              size: {type: integer, description: Size of the widget in centimetres.}
              colour: {type: string, enum: [red, green, blue]}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""
CHART = {
    "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\nappVersion: '1.0'\n",
    "values.yaml": "replicas: 1\n",
    "templates/configmap.yaml": """
apiVersion: v1
kind: ConfigMap
metadata: {name: "{{ .Release.Name }}-config"}
data: {greeting: hello}
""",
    "templates/deployment.yaml": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: "{{ .Release.Name }}-web"}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: "{{ .Release.Name }}"}}
  template:
    metadata: {labels: {app: "{{ .Release.Name }}"}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
""",
    "templates/post-install.yaml": """
apiVersion: batch/v1
kind: Job
metadata:
  name: "{{ .Release.Name }}-post-install"
  annotations: {"helm.sh/hook": post-install, "helm.sh/hook-delete-policy": hook-succeeded}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: post, image: "busybox:1.36", command: ["true"]}]
""",
}


@pytest.fixture(scope="module")
def aks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AksCluster]:
    with LocalCloud.start(tmp_path_factory.mktemp("cloud"), SETTINGS) as cloud:
        found = create_aks(cloud)
        client.AppsV1Api(found.api()).create_namespaced_daemon_set("kube-system", CNI_DAEMONSET)
        yield found


@pytest.fixture(scope="module")
def kubeconfig(aks: AksCluster, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return aks.kubeconfig(tmp_path_factory.mktemp("kube") / "admin.kubeconfig")


@pytest.fixture
def kubectl(kubeconfig: Path, tmp_path: Path) -> Client:
    return Client("kubectl", kubeconfig, tmp_path / "home")


@pytest.fixture
def helm(kubeconfig: Path, tmp_path: Path) -> Client:
    return Client("helm", kubeconfig, tmp_path / "home")


def test_apply_of_a_multi_document_manifest_then_a_second_apply_changes_nothing(kubectl: Client) -> None:
    first = kubectl.ok("apply", "-f", "-", stdin=APP).splitlines()
    assert first == [
        "namespace/shop created",
        "configmap/settings created",
        "secret/creds created",
        "deployment.apps/web created",
        "service/web created",
        "job.batch/migrate created",
    ]
    second = kubectl.ok("apply", "-f", "-", stdin=APP).splitlines()
    assert second == [line.replace("created", "unchanged") for line in first]


def test_client_side_validation_refuses_an_unknown_field_and_a_wrong_type(kubectl: Client) -> None:
    done = kubectl.run("apply", "-f", "-", stdin=INVALID)
    assert done.returncode == 1
    assert "error validating data" in done.stderr
    assert (
        'ValidationError(Deployment.spec.replicas): invalid type for io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer"'
        in done.stderr
    )
    assert (
        'ValidationError(Deployment.spec.template.spec.containers[0]): unknown field "imagePullPolice" in io.k8s.api.core.v1.Container'
        in done.stderr
    )
    assert "turn validation off with --validate=false" in done.stderr
    assert "NotFound" in kubectl.run("get", "deployment", "broken").stderr


def test_explain_a_built_in_field(kubectl: Client) -> None:
    out = kubectl.ok("explain", "deployment.spec.replicas")
    assert "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1" in out
    assert "FIELD: replicas <integer>" in out
    assert "Number of desired pods." in out
    fields = kubectl.ok("explain", "pod.spec.containers")
    assert "FIELD: containers <[]Container>" in fields and "image\t<string>" in fields


def test_a_crd_is_explained_and_validated_from_its_own_schema(kubectl: Client) -> None:
    assert kubectl.ok("apply", "-f", "-", stdin=WIDGET_CRD).strip() == (
        "customresourcedefinition.apiextensions.k8s.io/widgets.demo.example.com created"
    )
    out = kubectl.ok("explain", "widget.spec")
    assert "KIND:       Widget" in out and "What the widget should look like." in out
    assert "size\t<integer> -required-" in out and "enum: red, green, blue" in out
    assert "Size of the widget in centimetres." in kubectl.ok("explain", "widget.spec.size")
    good = "apiVersion: demo.example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\n"
    good += "spec: {size: 3, colour: red, extra: {any: [thing]}}\n"
    assert kubectl.ok("apply", "-f", "-", stdin=good).strip() == "widget.demo.example.com/w1 created"
    bad = good.replace("w1", "w2").replace("size: 3", "size: big, shape: round")
    done = kubectl.run("apply", "-f", "-", stdin=bad)
    assert done.returncode == 1
    assert 'unknown field "shape" in com.example.demo.v1.Widget.spec' in done.stderr
    assert (
        'invalid type for com.example.demo.v1.Widget.spec.size: got "string", expected "integer"'
        in done.stderr
    )


def test_create_namespace_configmap_and_token_are_protobuf_writes(kubectl: Client) -> None:
    assert kubectl.ok("create", "namespace", "team-a").strip() == "namespace/team-a created"
    again = kubectl.run("create", "namespace", "team-a")
    assert again.returncode == 1
    assert 'Error from server (AlreadyExists): namespaces "team-a" already exists' in again.stderr
    created = json.loads(
        kubectl.ok("create", "configmap", "conf", "-n", "team-a", "--from-literal=k=v", "-o", "json")
    )
    assert created["data"] == {"k": "v"} and created["metadata"]["namespace"] == "team-a"
    assert created["metadata"]["uid"] and created["metadata"]["creationTimestamp"]
    assert (
        kubectl.ok("create", "serviceaccount", "robot", "-n", "team-a").strip()
        == "serviceaccount/robot created"
    )
    token = kubectl.ok("create", "token", "robot", "-n", "team-a", "--audience=api", "--duration=2h").strip()
    claims = jwt_claims(token)
    assert claims["sub"] == "system:serviceaccount:team-a:robot"
    assert claims["aud"] == ["api"] and claims["exp"] - claims["iat"] == 7200
    assert "robot" in kubectl.ok("auth", "whoami", "--token", token, "-o", "json")


@pytest.mark.parametrize(
    ("kind", "args"),
    [
        ("deployment", ["deployment", "web", "--image=nginx:1.27", "--replicas=0", "--port=8080"]),
        ("service", ["service", "clusterip", "web", "--tcp=80:8080"]),
        ("job", ["job", "once", "--image=busybox:1.36"]),
        ("secret", ["secret", "generic", "keys", "--from-literal=user=admin", "--type=Opaque"]),
    ],
)
def test_typed_creates_arrive_as_kubectl_meant_them(kubectl: Client, kind: str, args: list[str]) -> None:
    """What the server stores from the protobuf body holds everything kubectl's JSON form says."""
    namespace = f"pb-{kind}"
    kubectl.ok("create", "namespace", namespace)
    command = ["--", "sh", "-c", "exit 0"] if kind == "job" else []
    intended = json.loads(
        kubectl.ok("create", *args, "-n", namespace, "--dry-run=client", "-o", "json", *command)
    )
    kubectl.ok("create", *args, "-n", namespace, *command)
    stored = json.loads(kubectl.ok("get", kind, intended["metadata"]["name"], "-n", namespace, "-o", "json"))
    assert missing(intended, stored) == []


def test_helm_installs_lists_and_uninstalls_a_chart_with_a_hook(
    helm: Client, kubectl: Client, tmp_path: Path
) -> None:
    chart = tmp_path / "tiny"
    for name, text in CHART.items():
        (chart / name).parent.mkdir(parents=True, exist_ok=True)
        (chart / name).write_text(text)
    installed = helm.ok("install", "demo", str(chart), "-n", "apps", "--create-namespace")
    assert "NAME: demo" in installed and "STATUS: deployed" in installed
    listed = [line.split("\t") for line in helm.ok("list", "-n", "apps").splitlines()]
    assert [cell.strip() for cell in listed[1][:3]] == ["demo", "apps", "1"] and "deployed" in listed[1][4]
    assert (
        kubectl.ok("get", "deployment", "demo-web", "-n", "apps", "-o", "name").strip()
        == "deployment.apps/demo-web"
    )
    assert "sh.helm.release.v1.demo.v1" in kubectl.ok("get", "secrets", "-n", "apps", "-o", "name")
    assert "NotFound" in kubectl.run("get", "job", "demo-post-install", "-n", "apps").stderr  # hook-succeeded
    assert helm.ok("uninstall", "demo", "-n", "apps").strip() == 'release "demo" uninstalled'
    assert helm.ok("list", "-n", "apps").splitlines()[1:] == []
    assert kubectl.ok("get", "configmaps,deployments,secrets", "-n", "apps", "-o", "name").split() == [
        "configmap/kube-root-ca.crt"
    ]
