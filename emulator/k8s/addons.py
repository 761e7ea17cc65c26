"""The kube-system workloads AKS deploys into every cluster (modelled subset).

CoreDNS and metrics-server are ordinary (non-hostNetwork) Deployments, so on a BYO-CNI cluster they stay
Pending until the CNI makes nodes Ready; kube-proxy is a hostNetwork DaemonSet that runs at once.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]
CRITICAL = {"key": "CriticalAddonsOnly", "operator": "Exists"}
NOT_SPOT = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {
                            "key": "kubernetes.azure.com/scalesetpriority",
                            "operator": "NotIn",
                            "values": ["spot"],
                        }
                    ]
                }
            ]
        }
    }
}


def _workload(kind: str, name: str, app: str, image: str, replicas: int | None, **pod: Any) -> Obj:
    labels = {"k8s-app": app, "kubernetes.azure.com/managedby": "aks"}
    spec: Obj = {
        "selector": {"matchLabels": {"k8s-app": app}},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "priorityClassName": "system-node-critical"
                if kind == "DaemonSet"
                else "system-cluster-critical",
                "containers": [{"name": name, "image": image}],
                **pod,
            },
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "labels": {**labels, "addonmanager.kubernetes.io/mode": "Reconcile"}},
        "spec": spec,
    }


def system_workloads(kubernetes_version: str) -> list[tuple[str, Obj]]:
    """(storage key, object) pairs for kube-system."""
    return [
        (
            "deployments.apps",
            _workload(
                "Deployment",
                "coredns",
                "kube-dns",
                "mcr.microsoft.com/oss/v2/kubernetes/coredns:v1.12.1",
                2,
                tolerations=[CRITICAL],
                affinity=NOT_SPOT,
            ),
        ),
        (
            "deployments.apps",
            _workload(
                "Deployment",
                "metrics-server",
                "metrics-server",
                "mcr.microsoft.com/oss/v2/kubernetes/metrics-server:v0.7.2",
                2,
                tolerations=[CRITICAL],
                affinity=NOT_SPOT,
            ),
        ),
        (
            "daemonsets.apps",
            _workload(
                "DaemonSet",
                "kube-proxy",
                "kube-proxy",
                f"mcr.microsoft.com/oss/kubernetes/kube-proxy:v{kubernetes_version}",
                None,
                hostNetwork=True,
                tolerations=[{"operator": "Exists"}],
            ),
        ),
    ]


def dns_service(cluster_ip: str) -> Obj:
    return {
        "metadata": {"name": "kube-dns", "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"}},
        "spec": {
            "clusterIP": cluster_ip,
            "selector": {"k8s-app": "kube-dns"},
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            ],
        },
    }


def _storage_class(name: str, provisioner: str, parameters: dict[str, str], default: bool = False) -> Obj:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": name,
            "labels": {
                "addonmanager.kubernetes.io/mode": "EnsureExists",
                "kubernetes.io/cluster-service": "true",
            },
            "annotations": annotations,
        },
        "provisioner": provisioner,
        "parameters": parameters,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def storage_classes() -> list[Obj]:
    """The built-in AKS storage classes (CSI drivers); ``default`` is the default class."""
    disk, files = "disk.csi.azure.com", "file.csi.azure.com"
    return [
        _storage_class("default", disk, {"skuname": "StandardSSD_LRS"}, default=True),
        _storage_class("managed", disk, {"skuname": "StandardSSD_LRS", "kind": "Managed"}),
        _storage_class("managed-csi", disk, {"skuname": "StandardSSD_LRS"}),
        _storage_class("managed-premium", disk, {"skuname": "Premium_LRS", "kind": "Managed"}),
        _storage_class("managed-csi-premium", disk, {"skuname": "Premium_LRS"}),
        _storage_class("azurefile", files, {"skuName": "Standard_LRS"}),
        _storage_class("azurefile-csi", files, {"skuName": "Standard_LRS"}),
        _storage_class("azurefile-premium", files, {"skuName": "Premium_LRS"}),
        _storage_class("azurefile-csi-premium", files, {"skuName": "Premium_LRS"}),
    ]
