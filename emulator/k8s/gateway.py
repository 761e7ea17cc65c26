"""Cilium's Gateway API controller model: GatewayClass ``cilium``, Gateways and HTTPRoutes.

A Gateway whose class is handled by ``io.cilium/gateway-controller`` gets, once Cilium runs with
``enable-gateway-api: "true"`` and the Gateway API CRDs exist, a LoadBalancer Service
``cilium-gateway-<name>`` (as Cilium creates it); when that Service has an address the Gateway is
``Accepted`` and ``Programmed`` with it. Until then it keeps the conditions a Gateway has with no
controller (``Unknown``, ``Pending``). An HTTPRoute whose parentRef is such a Gateway is ``Accepted``;
``ResolvedRefs`` is True when every backendRef Service exists, else False with ``BackendNotFound``
(or ``RefNotPermitted`` for another namespace without a ReferenceGrant).
"""

from __future__ import annotations

from typing import Any

from .cilium import AGENT_CRASH, AGENT_LABELS, CONFIG_MAP, NAMESPACE
from .conditions import set_condition
from .extensions import ControllerContext

Obj = dict[str, Any]
API = "gateway.networking.k8s.io/v1"
CONTROLLER = "io.cilium/gateway-controller"
REQUIRED_CRDS = ("gatewayclasses", "gateways", "httproutes", "referencegrants", "grpcroutes")
OWNING = "io.cilium.gateway/owning-gateway"


def cilium_gateway_problem(ctx: ControllerContext) -> str:
    """'' when Cilium's gateway controller runs, else why not."""
    config = (ctx.get("v1", "ConfigMap", NAMESPACE, CONFIG_MAP) or {}).get("data") or {}
    if config.get("enable-gateway-api") != "true":
        return "Cilium runs without gatewayAPI.enabled"
    pods = ctx.list("v1", "Pod", NAMESPACE, labels=AGENT_LABELS)
    if not any(
        p["status"].get("phase") == "Running" and AGENT_CRASH not in (p["metadata"].get("annotations") or {})
        for p in pods
    ):
        return "no cilium agent is running"
    for plural in REQUIRED_CRDS:
        if (
            ctx.get(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                "",
                f"{plural}.gateway.networking.k8s.io",
            )
            is None
        ):
            return f"Gateway API CRD {plural}.gateway.networking.k8s.io is missing"
    return ""


def _cond(
    conditions: list[Obj], kind: str, status: str, reason: str, message: str, now: str, gen: int
) -> list[Obj]:
    out = set_condition(conditions, kind, status, reason, message, now=now)
    for c in out:
        if c["type"] == kind:
            c["observedGeneration"] = gen
    return out


class CiliumGatewayModel:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def __call__(self, ctx: ControllerContext) -> None:
        if (
            ctx.get(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                "",
                "gateways.gateway.networking.k8s.io",
            )
            is None
        ):
            return
        classes = {
            c["metadata"]["name"]: c
            for c in ctx.list(API, "GatewayClass")
            if c["spec"].get("controllerName") == CONTROLLER
        }
        problem = cilium_gateway_problem(ctx)
        if problem:
            return  # no controller runs: objects keep the status they were created with
        for gc in classes.values():
            gen = int(gc["metadata"].get("generation", 1))
            conds = _cond(
                list((gc.get("status") or {}).get("conditions") or []),
                "Accepted",
                "True",
                "Accepted",
                "Valid GatewayClass",
                ctx.now(),
                gen,
            )
            ctx.set_status(gc, {**(gc.get("status") or {}), "conditions": conds})
        gateways = [g for g in ctx.list(API, "Gateway") if g["spec"].get("gatewayClassName") in classes]
        for gw in gateways:
            self._gateway(ctx, gw)
        ours = {(g["metadata"]["namespace"], g["metadata"]["name"]) for g in gateways}
        for route in ctx.list(API, "HTTPRoute"):
            self._route(ctx, route, ours)

    def _service(self, ctx: ControllerContext, gw: Obj) -> Obj:
        ns, name = gw["metadata"]["namespace"], gw["metadata"]["name"]
        found = ctx.get("v1", "Service", ns, f"cilium-gateway-{name}")
        if found is not None:
            return found
        infra = gw["spec"].get("infrastructure") or {}
        ports = sorted({int(listener["port"]) for listener in gw["spec"].get("listeners") or []})
        return ctx.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": f"cilium-gateway-{name}",
                    "namespace": ns,
                    "labels": {
                        OWNING: name,
                        "gateway.networking.k8s.io/gateway-name": name,
                        **(infra.get("labels") or {}),
                    },
                    "annotations": dict(infra.get("annotations") or {}),
                    "ownerReferences": [
                        {
                            "apiVersion": API,
                            "kind": "Gateway",
                            "name": name,
                            "uid": gw["metadata"]["uid"],
                            "controller": True,
                        }
                    ],
                },
                "spec": {
                    "type": "LoadBalancer",
                    "ports": [{"name": f"port-{p}", "port": p, "protocol": "TCP"} for p in ports],
                },
            }
        )

    def _gateway(self, ctx: ControllerContext, gw: Obj) -> None:
        svc = self._service(ctx, gw)
        ingress = (svc.get("status") or {}).get("loadBalancer", {}).get("ingress") or []
        status = dict(gw.get("status") or {})
        gen, now = int(gw["metadata"].get("generation", 1)), ctx.now()
        conds = _cond(
            list(status.get("conditions") or []),
            "Accepted",
            "True",
            "Accepted",
            "Gateway successfully scheduled",
            now,
            gen,
        )
        if ingress:
            status["addresses"] = [{"type": "IPAddress", "value": ingress[0]["ip"]}]
            conds = _cond(
                conds, "Programmed", "True", "Programmed", "Gateway successfully reconciled", now, gen
            )
        else:
            conds = _cond(
                conds,
                "Programmed",
                "False",
                "AddressNotAssigned",
                f"Service {svc['metadata']['name']} has no load-balancer address yet",
                now,
                gen,
            )
        status["conditions"] = conds
        status["listeners"] = [
            self._listener(ctx, gw, listener, now, gen) for listener in gw["spec"].get("listeners") or []
        ]
        ctx.set_status(gw, status)

    def _listener(self, ctx: ControllerContext, gw: Obj, listener: Obj, now: str, gen: int) -> Obj:
        attached = sum(1 for r in ctx.list(API, "HTTPRoute") if self._targets(r, gw))
        conds: list[Obj] = []
        for kind, reason in (
            ("Accepted", "Accepted"),
            ("Programmed", "Programmed"),
            ("ResolvedRefs", "ResolvedRefs"),
        ):
            conds = _cond(conds, kind, "True", reason, "Listener is ready", now, gen)
        kinds = [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}]
        return {
            "name": listener["name"],
            "attachedRoutes": attached,
            "supportedKinds": kinds,
            "conditions": conds,
        }

    @staticmethod
    def _targets(route: Obj, gw: Obj) -> bool:
        for ref in route["spec"].get("parentRefs") or []:
            ns = ref.get("namespace", route["metadata"]["namespace"])
            if ref.get("kind", "Gateway") == "Gateway" and (ns, ref["name"]) == (
                gw["metadata"]["namespace"],
                gw["metadata"]["name"],
            ):
                return True
        return False

    def _route(self, ctx: ControllerContext, route: Obj, ours: set[tuple[str, str]]) -> None:
        ns = route["metadata"]["namespace"]
        refs = [
            r for r in route["spec"].get("parentRefs") or [] if (r.get("namespace", ns), r["name"]) in ours
        ]
        if not refs:
            return
        resolved = self._resolve(ctx, route)
        gen, now = int(route["metadata"].get("generation", 1)), ctx.now()
        parents = []
        for ref in refs:
            conds = _cond([], "Accepted", "True", "Accepted", "Accepted HTTPRoute", now, gen)
            conds = _cond(conds, "ResolvedRefs", *resolved, now, gen)
            parents.append({"parentRef": ref, "controllerName": CONTROLLER, "conditions": conds})
        ctx.set_status(route, {"parents": parents})

    def _resolve(self, ctx: ControllerContext, route: Obj) -> tuple[str, str, str]:
        ns = route["metadata"]["namespace"]
        for rule in route["spec"].get("rules") or []:
            for ref in rule.get("backendRefs") or []:
                target_ns = ref.get("namespace", ns)
                if ref.get("kind", "Service") != "Service" or ref.get("group", "") not in ("", "core"):
                    return "False", "InvalidKind", f"Unsupported backend kind {ref.get('kind')}"
                if target_ns != ns and not self._granted(ctx, ns, target_ns, ref["name"]):
                    return (
                        "False",
                        "RefNotPermitted",
                        f"Cross-namespace reference to Service {target_ns}/{ref['name']} is not permitted by any ReferenceGrant",
                    )
                if ctx.get("v1", "Service", target_ns, ref["name"]) is None:
                    return "False", "BackendNotFound", f"Service {target_ns}/{ref['name']} not found"
        return "True", "ResolvedRefs", "Service reference is valid"

    @staticmethod
    def _granted(ctx: ControllerContext, from_ns: str, to_ns: str, name: str) -> bool:
        for grant in ctx.list("gateway.networking.k8s.io/v1beta1", "ReferenceGrant", to_ns):
            froms = any(
                f.get("kind") == "HTTPRoute" and f.get("namespace") == from_ns
                for f in grant["spec"].get("from") or []
            )
            tos = any(
                t.get("kind") == "Service" and t.get("name", name) == name
                for t in grant["spec"].get("to") or []
            )
            if froms and tos:
                return True
        return False
