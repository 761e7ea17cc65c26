"""The object service: create/get/list/replace/patch/delete with admission, ownership and GC.

Used by the HTTP handlers and by the simulated controllers alike (controllers write as their own field
managers, without authentication).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import fieldmanager
from .crdschema import admit_custom
from .defaults import admit, check_immutable, validate_name
from .errors import KubeError, already_exists, bad_request, not_found
from .fieldvalidation import FieldChecks, unknown_builtin_fields
from .network import NODE_CIDR, allocate
from .patching import json_patch, merge_patch, strategic_merge
from .podsecurity import check_pod
from .quota import apply_limit_ranges, check_quotas, qos_class
from .resources import BUILTIN, CRD_KEY, Registry, ResourceType
from .schema import validate
from .store import Obj, Store

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
ROOT_CA_NOTE = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
    "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
    "distributions of Kubernetes clusters."
)


def pending_finalizers(obj: Obj) -> list[str]:
    """User finalizers; the emulated system's own (``kubernetes``, ``kubernetes.io/...``) finish at once."""
    system = ("kubernetes", "foregroundDeletion", "orphan")
    finalizers = obj["metadata"].get("finalizers") or []
    return [f for f in finalizers if f not in system and not f.startswith("kubernetes.io/")]


@dataclass
class NetworkConfig:
    service_cidr: str
    pod_cidr: str
    node_cidr: str = NODE_CIDR


class Objects:
    """Typed-agnostic object operations on one cluster's store."""

    def __init__(self, store: Store, network: NetworkConfig) -> None:
        self.store = store
        self.network = network
        self._registry: Registry | None = None
        self._fingerprint = -1

    # -- registry -------------------------------------------------------------------------------
    def registry(self) -> Registry:
        """Built-in types plus those of the stored CRDs (rebuilt when a CRD changes)."""
        fingerprint = self.store.bucket_version(CRD_KEY)
        if self._registry is None or fingerprint != self._fingerprint:
            self._registry = Registry(self.store.items(CRD_KEY))
            self._fingerprint = fingerprint
        return self._registry

    def rt(self, storage_key: str) -> ResourceType:
        found = self.registry().by_key(storage_key)
        if found is None:
            raise KubeError(404, f"unknown resource {storage_key}", "NotFound")
        return found

    # -- reads ----------------------------------------------------------------------------------
    def get(self, rt: ResourceType, ns: str, name: str) -> Obj:
        obj = self.store.get(rt.storage_key, ns if rt.namespaced else "", name)
        if obj is None:
            raise not_found(rt.plural, name, rt.group)
        return obj

    def find(self, rt: ResourceType, ns: str, name: str) -> Obj | None:
        return self.store.get(rt.storage_key, ns if rt.namespaced else "", name)

    def list(self, rt: ResourceType, ns: str | None) -> list[Obj]:
        return self.store.items(rt.storage_key, ns if rt.namespaced else None)

    # -- writes ---------------------------------------------------------------------------------
    def _check_namespace(self, rt: ResourceType, ns: str, creating: bool) -> None:
        if not rt.namespaced:
            return
        namespace = self.store.get("namespaces", "", ns)
        if namespace is None:
            raise not_found("namespaces", ns)
        if creating and namespace.get("status", {}).get("phase") == "Terminating":
            raise KubeError(403, f"namespace {ns} is being terminated", "Forbidden")

    def _normalise(self, rt: ResourceType, ns: str, body: Any, version: str | None) -> Obj:
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON object")
        obj = {k: copy.deepcopy(v) for k, v in body.items() if v is not None}
        if not isinstance(obj.setdefault("metadata", {}), dict):
            raise bad_request("metadata must be an object")
        obj["metadata"] = {k: v for k, v in obj["metadata"].items() if v is not None}
        kind = obj.setdefault("kind", rt.kind)
        if kind != rt.kind:
            raise bad_request(f"the kind {kind!r} does not match the resource {rt.plural!r} ({rt.kind})")
        obj["apiVersion"] = rt.api_version(version)
        meta = obj.setdefault("metadata", {})
        if rt.namespaced:
            if meta.get("namespace") not in (None, "", ns):
                raise bad_request("the namespace of the provided object does not match the request")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        for server_field in ("uid", "creationTimestamp", "generation", "selfLink"):
            meta.pop(server_field, None)
        return obj

    def _validate(self, rt: ResourceType, obj: Obj, checks: FieldChecks | None) -> None:
        """Built-in kinds against the client's models, custom resources against their CRD's schema."""
        if rt in BUILTIN:
            validate(obj, builtin=True)
            unknown = unknown_builtin_fields(obj) if checks is not None and checks.mode != "Ignore" else []
        else:
            crd = self.store.get(CRD_KEY, "", rt.storage_key)
            version = str(obj.get("apiVersion", "")).rpartition("/")[2]
            unknown = admit_custom(obj, crd, version, rt.kind, rt.group)
        if checks is not None:
            checks.report(rt.kind, str(obj.get("apiVersion", "")), unknown)

    def create(
        self,
        rt: ResourceType,
        ns: str,
        body: Any,
        manager: str | None,
        version: str | None = None,
        *,
        checks: FieldChecks | None = None,
    ) -> Obj:
        obj = self._normalise(rt, ns, body, version)
        meta = obj["metadata"]
        generate = not meta.get("name") and meta.get("generateName")
        strict = rt.group != "rbac.authorization.k8s.io"
        validate_name(
            rt.kind, meta["generateName"] + "x" if generate else meta.get("name", ""), strict=strict
        )
        self._check_namespace(rt, ns, creating=True)
        if not generate and self.find(rt, ns, meta["name"]) is not None:
            raise already_exists(rt.plural, meta["name"], rt.group)
        meta.pop("resourceVersion", None)
        self._validate(rt, obj, checks)
        admit(obj)
        if rt.kind == "Pod":
            check_pod(obj, self.store.get("namespaces", "", ns))
            self._check_service_account(obj, ns)
            apply_limit_ranges(obj, self.store.items("limitranges", ns))
            check_quotas(obj, self.store.items("resourcequotas", ns), self.store.items("pods", ns))
            obj.setdefault("status", {})["qosClass"] = qos_class(obj["spec"])
        if generate:  # after admission, as the apiserver does: errors name the generateName prefix
            meta["name"] = meta["generateName"] + self.store.next_suffix()
            if self.find(rt, ns, meta["name"]) is not None:
                raise already_exists(rt.plural, meta["name"], rt.group)
        self._allocate(rt, obj)
        if manager:
            fieldmanager.record_update(None, obj, manager)
        fieldmanager.stamp_managed_fields(obj, obj["apiVersion"], self.store.now())
        stored = self.store.insert(rt.storage_key, obj)
        if rt.kind == "Namespace":
            self._namespace_defaults(meta["name"])
        return stored

    def _namespace_defaults(self, ns: str) -> None:
        """What the serviceaccount and root-ca-cert publisher controllers put in every namespace."""
        self.store.insert(
            "serviceaccounts",
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}},
        )
        root_ca = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "kube-root-ca.crt",
                "namespace": ns,
                "annotations": {"kubernetes.io/description": ROOT_CA_NOTE},
            },
            "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nemulated\n-----END CERTIFICATE-----\n"},
        }
        self.store.insert("configmaps", root_ca)

    def _check_service_account(self, pod: Obj, ns: str) -> None:
        account = pod["spec"].get("serviceAccountName") or "default"
        if self.store.get("serviceaccounts", ns, account) is None:
            name = pod["metadata"].get("name") or pod["metadata"].get("generateName", "")
            raise KubeError(
                403,
                f'pods "{name}" is forbidden: error looking up service account {ns}/{account}: '
                f'serviceaccount "{account}" not found',
                "Forbidden",
            )

    def _allocate(self, rt: ResourceType, obj: Obj) -> None:
        if rt.kind != "Service":
            return
        spec = obj["spec"]
        if spec.get("clusterIP") in (None, "") and spec.get("type") != "ExternalName":
            used = [s["spec"].get("clusterIP", "") for s in self.store.items("services")]
            spec["clusterIP"] = allocate(self.network.service_cidr, used, skip=10)
        if spec.get("clusterIP") and spec["clusterIP"] != "None":
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")

    def update(
        self,
        rt: ResourceType,
        obj: Obj,
        manager: str | None,
        *,
        subresource: str | None = None,
        old: Obj | None = None,
        checks: FieldChecks | None = None,
    ) -> Obj:
        """Write a full new version of an existing object (resourceVersion precondition enforced)."""
        meta = obj["metadata"]
        current = old or self.get(rt, meta.get("namespace", ""), meta["name"])
        sent_rv = meta.get("resourceVersion")
        if sent_rv and sent_rv != current["metadata"]["resourceVersion"]:
            raise KubeError(
                409,
                f'Operation cannot be fulfilled on {rt.storage_key} "{meta["name"]}": the object has been '
                "modified; please apply your changes to the latest version and try again",
                "Conflict",
            )
        if subresource == "status":
            merged = copy.deepcopy(current)
            merged["status"] = obj.get("status", {})
            obj = merged
        elif rt.subresource("status") is not None:
            obj.pop("status", None)
            if "status" in current:
                obj["status"] = copy.deepcopy(current["status"])
        obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        for marker in ("deletionTimestamp", "deletionGracePeriodSeconds"):
            if marker in current["metadata"]:
                obj["metadata"][marker] = current["metadata"][marker]
        if rt.kind == "Service" and isinstance(obj.get("spec"), dict):
            for field in ("clusterIP", "clusterIPs"):
                if field in current.get("spec", {}):
                    obj["spec"].setdefault(field, current["spec"][field])
        self._validate(rt, obj, checks)
        admit(obj)
        check_immutable(current, obj)
        self._allocate(rt, obj)
        if manager:
            fieldmanager.record_update(current, obj, manager)
        fieldmanager.stamp_managed_fields(obj, obj["apiVersion"], self.store.now())
        stored = self.store.update(rt.storage_key, obj)
        if stored["metadata"].get("deletionTimestamp") and not pending_finalizers(stored):
            self._remove(rt, stored, "Background")  # the last finalizer is gone
        return stored

    def replace(
        self,
        rt: ResourceType,
        ns: str,
        name: str,
        body: Any,
        *,
        manager: str | None,
        subresource: str | None,
        checks: FieldChecks | None = None,
    ) -> Obj:
        obj = self._normalise(rt, ns, body, None)
        if obj["metadata"].get("name") != name:
            raise bad_request("the name of the object does not match the name on the URL")
        current = self.get(rt, ns, name)
        if not obj["metadata"].get("resourceVersion"):
            obj["metadata"].pop("resourceVersion", None)
        obj["metadata"].setdefault("managedFields", current["metadata"].get("managedFields", []))
        return self.update(rt, obj, manager, subresource=subresource, old=current, checks=checks)

    def patch(
        self,
        rt: ResourceType,
        ns: str,
        name: str,
        content_type: str,
        body: Any,
        *,
        manager: str | None,
        force: bool,
        subresource: str | None = None,
        checks: FieldChecks | None = None,
    ) -> tuple[Obj, bool]:
        """Apply a patch; returns (object, created)."""
        current = self.find(rt, ns, name)
        if content_type == APPLY:
            return self._apply(rt, ns, name, current, body, manager=manager, force=force, checks=checks)
        if current is None:
            raise not_found(rt.plural, name, rt.group)
        if content_type == MERGE:
            patched = merge_patch(current, body)
        elif content_type == STRATEGIC:
            patched = strategic_merge(current, body)
        elif content_type == JSON_PATCH:
            patched = json_patch(current, body)
        else:
            raise KubeError(415, f"unsupported patch content type {content_type!r}", "UnsupportedMediaType")
        patched = self._normalise(rt, ns, patched, None)
        patched["metadata"]["name"] = name
        updated = self.update(
            rt, patched, manager or "unknown", subresource=subresource, old=current, checks=checks
        )
        return updated, False

    def _apply(
        self,
        rt: ResourceType,
        ns: str,
        name: str,
        current: Obj | None,
        body: Any,
        *,
        manager: str | None,
        force: bool,
        checks: FieldChecks | None = None,
    ) -> tuple[Obj, bool]:
        if not manager:
            raise bad_request("PATCH with apply requires a fieldManager (fieldManager query parameter)")
        if not isinstance(body, dict) or not body.get("apiVersion") or not body.get("kind"):
            raise bad_request("apply patches must specify apiVersion and kind")
        if (body.get("metadata") or {}).get("name", name) != name:
            raise bad_request("the name of the object does not match the name on the URL")
        config = self._normalise(rt, ns, body, None)
        config["metadata"]["name"] = name
        if current is None:
            merged = fieldmanager.apply({"metadata": {"name": name}}, config, manager, force)
            merged = {**config, **merged, "metadata": {**config["metadata"], **merged["metadata"]}}
            if rt.subresource("status") is not None:
                merged.pop("status", None)
            created = self.create(rt, ns, merged, None, checks=checks)  # merged carries managedFields
            return created, True
        merged = fieldmanager.apply(current, config, manager, force)
        merged = self._normalise(rt, ns, merged, None)
        merged["metadata"]["resourceVersion"] = (
            config["metadata"].get("resourceVersion") or current["metadata"]["resourceVersion"]
        )
        return self.update(rt, merged, None, old=current, checks=checks), False

    # -- deletes --------------------------------------------------------------------------------
    def delete(self, rt: ResourceType, ns: str, name: str, propagation: str = "Background") -> Obj:
        """Delete now, or mark ``deletionTimestamp`` while user finalizers remain (removed on update)."""
        obj = self.get(rt, ns, name)
        if rt.kind == "Namespace" and name in ("default", "kube-system", "kube-public", "kube-node-lease"):
            raise KubeError(403, f'namespace "{name}" is reserved and cannot be deleted', "Forbidden")
        if pending_finalizers(obj):
            if not obj["metadata"].get("deletionTimestamp"):
                marked = copy.deepcopy(obj)
                marked["metadata"]["deletionTimestamp"] = self.store.now()
                marked["metadata"]["deletionGracePeriodSeconds"] = 0
                obj = self.store.update(rt.storage_key, marked)
            return copy.deepcopy(obj)
        self._remove(rt, obj, propagation)
        gone = copy.deepcopy(obj)
        gone["metadata"]["deletionTimestamp"] = self.store.now()
        if rt.kind == "Namespace":
            gone.setdefault("status", {})["phase"] = "Terminating"
        return gone

    def _remove(self, rt: ResourceType, obj: Obj, propagation: str) -> None:
        meta = obj["metadata"]
        if rt.kind == "Namespace":
            self._empty_namespace(meta["name"])
        if rt.kind == "CustomResourceDefinition":
            self.store.drop_bucket(f"{obj['spec']['names']['plural']}.{obj['spec']['group']}")
        removed = self.store.remove(
            rt.storage_key, meta.get("namespace", "") if rt.namespaced else "", meta["name"]
        )
        if removed is not None and propagation != "Orphan":
            self._collect_dependents(removed["metadata"]["uid"])

    def _empty_namespace(self, ns: str) -> None:
        for key, obj in list(self.store.all_items()):
            if obj["metadata"].get("namespace") == ns:
                self.store.remove(key, ns, obj["metadata"]["name"])

    def _collect_dependents(self, uid: str) -> None:
        pending = [uid]
        while pending:
            owner = pending.pop()
            for key, obj in self.store.dependents(owner):
                meta = obj["metadata"]
                if self.store.remove(key, meta.get("namespace", ""), meta["name"]) is not None:
                    pending.append(meta["uid"])
