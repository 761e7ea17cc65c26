"""PersistentVolumeClaim binding by a modelled CSI provisioner (no disks exist).

A claim binds to a new PersistentVolume ``pvc-<uid>`` as soon as its StorageClass allows: at once for
``Immediate`` classes, once a scheduled pod uses it for ``WaitForFirstConsumer`` (the AKS default).
Claims without a known class stay Pending. Released volumes follow the class's reclaim policy.
"""

from __future__ import annotations

import copy

from .objects import Objects
from .store import Obj

DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


def claimed_volumes(pod: Obj) -> list[str]:
    return [
        v["persistentVolumeClaim"]["claimName"]
        for v in pod["spec"].get("volumes") or []
        if isinstance(v.get("persistentVolumeClaim"), dict) and v["persistentVolumeClaim"].get("claimName")
    ]


class VolumeBinder:
    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        self.store = objects.store

    def run(self) -> None:
        classes = {sc["metadata"]["name"]: sc for sc in self.store.items("storageclasses.storage.k8s.io")}
        default = next(
            (
                n
                for n, sc in classes.items()
                if (sc["metadata"].get("annotations") or {}).get(DEFAULT_CLASS) == "true"
            ),
            None,
        )
        consumed = {
            (p["metadata"]["namespace"], claim)
            for p in self.store.items("pods")
            if p["spec"].get("nodeName")
            for claim in claimed_volumes(p)
        }
        for pvc in self.store.items("persistentvolumeclaims"):
            if (pvc.get("status") or {}).get("phase") == "Bound":
                continue
            name = pvc["spec"].get("storageClassName", default)
            sc = classes.get(name or "")
            waiting = sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
            if sc is None or (
                waiting and (pvc["metadata"]["namespace"], pvc["metadata"]["name"]) not in consumed
            ):
                self._status(pvc, {"phase": "Pending"})
            else:
                self._bind(pvc, sc)
        self._reclaim()

    def _status(self, pvc: Obj, status: Obj) -> None:
        if pvc.get("status") != status:
            updated = copy.deepcopy(pvc)
            updated["status"] = status
            self.store.update("persistentvolumeclaims", updated)

    def _bind(self, pvc: Obj, sc: Obj) -> None:
        meta, spec = pvc["metadata"], pvc["spec"]
        pv_name = f"pvc-{meta['uid']}"
        size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        modes = spec.get("accessModes") or ["ReadWriteOnce"]
        volume = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "name": pv_name,
                "annotations": {"pv.kubernetes.io/provisioned-by": sc["provisioner"]},
                "finalizers": ["kubernetes.io/pv-protection"],
            },
            "spec": {
                "capacity": {"storage": size},
                "accessModes": modes,
                "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
                "storageClassName": sc["metadata"]["name"],
                "volumeMode": spec.get("volumeMode", "Filesystem"),
                "claimRef": {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "namespace": meta["namespace"],
                    "name": meta["name"],
                    "uid": meta["uid"],
                },
                "csi": {
                    "driver": sc["provisioner"],
                    "volumeHandle": f"emulated://{sc['provisioner']}/{pv_name}",
                },
            },
            "status": {"phase": "Bound"},
        }
        self.objects.create(self.objects.rt("persistentvolumes"), "", volume, None)
        updated = copy.deepcopy(pvc)
        updated["spec"]["volumeName"] = pv_name
        updated["spec"].setdefault("storageClassName", sc["metadata"]["name"])
        updated["metadata"].setdefault("annotations", {}).update(
            {
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes",
                "volume.kubernetes.io/storage-provisioner": sc["provisioner"],
            }
        )
        updated["status"] = {"phase": "Bound", "accessModes": modes, "capacity": {"storage": size}}
        self.store.update("persistentvolumeclaims", updated)

    def _reclaim(self) -> None:
        claims = {c["metadata"]["uid"] for c in self.store.items("persistentvolumeclaims")}
        for pv in self.store.items("persistentvolumes"):
            ref = pv["spec"].get("claimRef") or {}
            if not ref.get("uid") or ref["uid"] in claims:
                continue
            if pv["spec"].get("persistentVolumeReclaimPolicy", "Delete") == "Delete":
                self.store.remove("persistentvolumes", "", pv["metadata"]["name"])
            elif (pv.get("status") or {}).get("phase") != "Released":
                updated = copy.deepcopy(pv)
                updated["status"] = {"phase": "Released"}
                self.store.update("persistentvolumes", updated)
