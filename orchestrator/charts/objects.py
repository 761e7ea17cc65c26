"""The objects a render produced: parsed, identified, scoped, and checked for duplicates."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from orchestrator.charts.digest import ChartError
from orchestrator.charts.hooks import Hook, hook_of

CRD_KIND = "CustomResourceDefinition"
# Kinds that live outside namespaces (with the CRDs a render declares as `scope: Cluster`).
CLUSTER_SCOPED = frozenset(
    {
        "Namespace", CRD_KIND, "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass",
        "PersistentVolume", "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "APIService",
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "GatewayClass", "VolumeSnapshotClass", "Node",
        "CiliumClusterwideNetworkPolicy", "CiliumLoadBalancerIPPool", "CiliumNode", "CiliumIdentity",
    }
)  # fmt: skip
_SOURCE = re.compile(r"^# Source: (.+)$", re.MULTILINE)


@dataclass(frozen=True, order=True)
class ObjectRef:
    api_version: str
    kind: str
    namespace: str  # "" for cluster-scoped objects
    name: str

    def describe(self) -> str:
        """`DaemonSet/kube-system/cilium`, or `CustomResourceDefinition/widgets.example.io`."""
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)

    @property
    def type_key(self) -> str:
        return f"{self.api_version}/{self.kind}"


@dataclass(frozen=True)
class RenderedObject:
    ref: ObjectRef
    body: dict[str, Any]
    source: str  # the template that produced it, for messages
    hook: Hook | None = None


def parse_render(text: str, *, namespace: str, origin: str) -> list[RenderedObject]:
    """Every object in `text` (helm template's output, or a release manifest)."""
    docs = _documents(text, origin)
    cluster_kinds = CLUSTER_SCOPED | _cluster_scoped_crds(body for body, _ in docs)
    seen: dict[ObjectRef, str] = {}
    objects = []
    for body, source in docs:
        obj = _identify(body, source, namespace, cluster_kinds)
        if obj.ref in seen:
            raise ChartError(f"{origin}: {obj.ref.describe()} is rendered twice ({seen[obj.ref]}, {source})")
        seen[obj.ref] = source
        objects.append(obj)
    return objects


def _documents(text: str, origin: str) -> list[tuple[dict[str, Any], str]]:
    out = []
    for chunk in re.split(r"^---\s*$", text, flags=re.MULTILINE):
        source = _SOURCE.search(chunk)
        where = source[1] if source else origin
        try:
            body = yaml.safe_load(chunk)
        except yaml.YAMLError as exc:
            raise ChartError(
                f"{where}: the rendered YAML does not parse: {str(exc).splitlines()[0]}"
            ) from None
        if body is None:
            continue
        if isinstance(body, Mapping) and body.get("kind", "").endswith("List") and "items" in body:
            out += [(_plain(i), where) for i in body.get("items") or []]
            continue
        out.append((_plain(body), where))
    return out


def _plain(body: Any) -> dict[str, Any]:
    """A copy without null values (a null in a manifest means "not set", as kubectl reads it)."""
    if not isinstance(body, Mapping):
        raise ChartError(f"a rendered document is a {type(body).__name__}, not an object")
    cleaned = _drop_nulls(copy.deepcopy(dict(body)))
    assert isinstance(cleaned, dict)
    return cleaned


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value if v is not None]
    return value


def _identify(
    body: dict[str, Any], source: str, namespace: str, cluster_kinds: frozenset[str]
) -> RenderedObject:
    meta = body.get("metadata")
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if not (isinstance(api_version, str) and isinstance(kind, str) and isinstance(meta, dict)):
        raise ChartError(f"{source}: a rendered object has no apiVersion, kind or metadata")
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise ChartError(f"{source}: a rendered {kind} has no metadata.name")
    if kind in cluster_kinds:
        meta.pop("namespace", None)
        where = ""
    else:
        where = str(meta.setdefault("namespace", namespace))
    return RenderedObject(ObjectRef(api_version, kind, where, name), body, source, hook_of(body, source))


def _cluster_scoped_crds(bodies: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    kinds = set()
    for body in bodies:
        if body.get("kind") == CRD_KIND and (body.get("spec") or {}).get("scope") == "Cluster":
            kinds.add(str(((body.get("spec") or {}).get("names") or {}).get("kind")))
    return frozenset(kinds)


def to_yaml(objects: Iterable[RenderedObject]) -> str:
    """The objects as one YAML stream: sorted keys, so equal objects give identical bytes."""
    return yaml.safe_dump_all([o.body for o in objects], sort_keys=True, default_flow_style=False)
