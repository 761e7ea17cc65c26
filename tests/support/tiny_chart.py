"""A tiny chart for the release tests: a CRD and a custom resource, a Namespace, two ConfigMaps (one
optional, to be pruned), a Deployment, a pre-install hook ConfigMap (default delete policy:
before-hook-creation) and a post-install hook Job (hook-succeeded); packaged with the real helm and
published as a `file://` repository with a lock file pinning its digest."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from orchestrator.charts.digest import sha256_of

CHART_YAML = """apiVersion: v2
name: demo
version: 0.1.0
appVersion: "1.0"
"""
CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.demo.orchestrate.io
spec:
  group: demo.orchestrate.io
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
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
              properties:
                size: {type: integer}
"""
TEMPLATES = {
    "namespace.yaml": """apiVersion: v1
kind: Namespace
metadata:
  name: {{ .Release.Namespace }}
""",
    "configmap.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: {{ .Release.Namespace }}
  labels: {app.kubernetes.io/name: demo}
data:
  greeting: {{ .Values.greeting | quote }}
  cluster: {{ .Values.clusterName | quote }}
""",
    "extra.yaml": """{{- if .Values.extra }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: extra
  namespace: {{ .Release.Namespace }}
data:
  note: "rendered while .Values.extra is set"
{{- end }}
""",
    "deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {{ .Release.Namespace }}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: mcr.microsoft.com/azurelinux/busybox:1.36
""",
    "widget.yaml": """apiVersion: demo.orchestrate.io/v1
kind: Widget
metadata:
  name: first
  namespace: {{ .Release.Namespace }}
spec:
  size: {{ .Values.size }}
""",
    "hook-config.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: pre-config
  namespace: {{ .Release.Namespace }}
  annotations:
    helm.sh/hook: pre-install
data:
  size: {{ .Values.size | quote }}
""",
    "hook-job.yaml": """apiVersion: batch/v1
kind: Job
metadata:
  name: check
  namespace: {{ .Release.Namespace }}
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-weight: "1"
    helm.sh/hook-delete-policy: hook-succeeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: check
          image: mcr.microsoft.com/azurelinux/busybox:1.36
          command: ["true"]
""",
}
VALUES = {"greeting": "hello", "size": 3, "extra": True}


def write_chart(root: Path, extra_templates: dict[str, str] | None = None) -> Path:
    chart = root / "demo"
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "crds").mkdir(exist_ok=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "values.yaml").write_text(yaml.safe_dump(VALUES))
    (chart / "crds" / "widgets.yaml").write_text(CRD)
    for name, text in {**TEMPLATES, **(extra_templates or {})}.items():
        (chart / "templates" / name).write_text(text)
    return chart


def publish(root: Path, helm: Path, extra_templates: dict[str, str] | None = None) -> str:
    """Package the chart into `root/charts/`, index it, pin it in `root/lock.yaml`; the digest."""
    chart = write_chart(root / "src", extra_templates)
    charts = root / "charts"
    charts.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(helm), "package", str(chart), "-d", str(charts)], check=True, capture_output=True)
    subprocess.run([str(helm), "repo", "index", str(charts)], check=True, capture_output=True)
    digest = sha256_of((charts / "demo-0.1.0.tgz").read_bytes())
    lock = {
        "charts": {
            "demo": {
                "repository": "https://charts.example.invalid",
                "chart": "demo",
                "version": "0.1.0",
                "digest": None,
                "local_digest": digest,
            }
        }
    }
    (root / "lock.yaml").write_text(yaml.safe_dump(lock))
    (root / "values.yaml").write_text(yaml.safe_dump(VALUES))
    return digest
